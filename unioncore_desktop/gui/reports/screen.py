"""Reports: pick a report on the left, fill its parameters on the right, get the PDF or the Excel file."""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import QDate, QDateTime, QStringListModel, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDateEdit,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import members, reports
from unioncore_desktop.domain.queries.books import BooksToday
from unioncore_desktop.domain.queries.members import MemberListRow
from unioncore_desktop.domain.vocab import ROLL_OFF_REASONS
from unioncore_desktop.gui import icons, messages, reporting, theme
from unioncore_desktop.gui.reports import catalog
from unioncore_desktop.gui.reports.catalog import Params, ReportSpec
from unioncore_desktop.gui.reports.presets import PresetBar
from unioncore_desktop.gui.reports.run_log import RunLogDialog, may_read_run_log
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets import copy_rows
from unioncore_desktop.reports import ReportContext, export_table
from unioncore_desktop.reports.base import label

SPEC_ROLE = Qt.ItemDataRole.UserRole + 1
MEMBER_SEARCH_DELAY_MS = 200
STANDINGS = ("in_arrears", "suspended")


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def _pydatetime(value: QDateTime) -> datetime:
    """The edit's date and time as typed (naive): the hall's clock time, read in its zone by the query."""
    day, time_ = value.date(), value.time()
    return datetime(day.year(), day.month(), day.day(), time_.hour(), time_.minute())


class ReportsScreen(QWidget):
    """The reports area of the main window."""

    area = "reports"
    report_written = Signal(Path)  # a PDF built and open in the preview, or an Excel file saved (tests wait on it)
    loaded = Signal()  # books and the hall's today have arrived

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.settings = settings
        self.specs = catalog.specs_for(hall.facts.roles)
        self.current: ReportSpec | None = None
        self._members: dict[str, MemberListRow] = {}
        self._kept_member: tuple[str, int] | None = None  # a preset's member: (the text shown, the member's id)
        self._first_book_marker = object()
        self.run: reporting.ReportRun | None = None  # the report being built; one at a time

        self.tree = QTreeWidget()
        self.tree.setObjectName("reportList")
        self.tree.setAccessibleName(self.tr("Reports"))
        copy_rows.install(self.tree)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        for group in catalog.GROUPS:
            specs = [s for s in self.specs if s.group == group]
            if not specs:
                continue
            top = QTreeWidgetItem(self.tree, [self.tr(group)])
            top.setFlags(Qt.ItemFlag.ItemIsEnabled)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            for spec in specs:
                item = QTreeWidgetItem(top, [self.tr(spec.title)])
                item.setData(0, SPEC_ROLE, spec.key)
                item.setToolTip(0, self.tr(spec.description))
        self.tree.expandAll()
        self.tree.currentItemChanged.connect(self._on_tree_current_item_changed)

        self.title = QLabel()
        self.title.setObjectName("recordTitle")
        self.description = QLabel()
        self.description.setWordWrap(True)

        self.book = QComboBox()
        self.book.setObjectName("bookPicker")
        self.book.setMinimumContentsLength(22)
        self.book.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.day = self._date_edit()
        self.start = self._date_edit()
        self.end = self._date_edit()
        self.days = QSpinBox()
        self.days.setRange(0, 366)
        self.days.setValue(14)
        self.days.setSuffix(self.tr(" days"))
        self.member = QLineEdit()
        self.member.setPlaceholderText(self.tr("Card number or name"))
        self._member_model = QStringListModel(self)
        completer = QCompleter(self._member_model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.member.setCompleter(completer)
        self._member_timer = QTimer(self)
        self._member_timer.setSingleShot(True)
        self._member_timer.setInterval(MEMBER_SEARCH_DELAY_MS)
        self._member_timer.timeout.connect(self._on_member_timer_timeout)
        self.member.textEdited.connect(lambda _text: self._member_timer.start())
        self.first_month = self._date_edit("yyyy-MM")
        self.last_month = self._date_edit("yyyy-MM")
        self.reason = QComboBox()
        self.reason.addItem(self.tr("All reasons"), None)
        for reason in ROLL_OFF_REASONS:
            self.reason.addItem(label(reason), reason)
        self.min_months = QSpinBox()
        self.min_months.setRange(1, 120)
        self.standing = QComboBox()
        self.standing.addItem(self.tr("All"), None)
        for standing in STANDINGS:
            self.standing.addItem(label(standing), standing)

        self.end.setAccessibleName(self.tr("To"))
        self.last_month.setAccessibleName(self.tr("Last month"))
        range_box = self._pair(self.start, self.end)
        months_box = self._pair(self.first_month, self.last_month)
        # more parameter kinds: a range of days that opens on one day, a moment on the hall's clock
        self.first_day = self._date_edit()
        self.last_day = self._date_edit()
        self.last_day.setAccessibleName(self.tr("Last day"))
        days_box = self._pair(self.first_day, self.last_day)
        self.moment = QDateTimeEdit()
        self.moment.setCalendarPopup(True)
        self.moment.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.moment.setToolTip(self.tr("The hall's time (its time zone), not this computer's"))
        moment_box = self._pair(self.moment, QLabel(self.tr("hall time")), dash=False)
        self.form = QFormLayout()
        self.errors: dict[str, QLabel] = {}
        self._rows: dict[str, list[QWidget]] = {}
        for kind, text, widget in (
                (catalog.BOOK, "&Book", self.book), (catalog.ANY_BOOK, "&Book", None), (catalog.DAY, "&Day", self.day),
                (catalog.RANGE, "&From – to", range_box), (catalog.DAYS, "&Within", self.days),
                (catalog.MEMBER, "&Member", self.member), (catalog.MONTHS, "M&onths", months_box),
                (catalog.REASON, "&Reason", self.reason), (catalog.MIN_MONTHS, "At &least", self.min_months),
                (catalog.STANDING, "&Standing", self.standing),
                (catalog.DAY_RANGE, "&Days", days_box), (catalog.MOMENT, "&As it stood", moment_box)):
            if widget is None:  # ANY_BOOK shares the book picker
                continue
            error = QLabel()
            error.setObjectName("fieldError")
            error.setStyleSheet(f"color: {theme.css('#B3261E')};")
            error.setVisible(False)
            box = QWidget()
            line = QHBoxLayout(box)
            line.setContentsMargins(0, 0, 0, 0)
            line.addWidget(widget)
            line.addWidget(error)
            line.addStretch(1)  # fields keep their natural width; the message sits right beside its field
            self.form.addRow(self.tr(text), box)
            caption = self.form.labelForField(box)
            if isinstance(caption, QLabel):  # Alt+letter goes to the field, not to the row around it
                caption.setBuddy(self.start if widget is range_box else
                                 self.first_month if widget is months_box else
                                 self.first_day if widget is days_box else
                                 self.moment if widget is moment_box else widget)
            self.errors[kind] = error
            self._rows[kind] = [box]

        self.pdf_button = QPushButton(icons.get("print"), self.tr("&PDF"))
        self.pdf_button.setDefault(True)
        self.pdf_button.setToolTip(self.tr("Build the PDF (Ctrl+P)"))
        self.excel_button = QPushButton(icons.get("export-excel"), self.tr("E&xcel"))
        self.excel_button.setToolTip(self.tr("Export to Excel (Ctrl+E)"))
        self.pdf_button.clicked.connect(self._on_pdf_button_clicked)
        self.excel_button.clicked.connect(self._on_excel_button_clicked)
        QShortcut(QKeySequence.StandardKey.Print, self).activated.connect(self._on_pdf_button_clicked)
        QShortcut(QKeySequence("Ctrl+E"), self).activated.connect(self._on_excel_button_clicked)
        self.status = QLabel()
        self.status.setObjectName("reportStatus")
        self.presets = PresetBar(runner, hall, self.params, self, active=bool(self.specs))
        self.presets.applied.connect(self._on_presets_applied)
        self.form.insertRow(0, self.tr("Prese&t"), self.presets)  # aligned with the parameters below it
        self.form.setRowVisible(self.presets, self.presets.active)
        preset_caption = self.form.labelForField(self.presets)
        if isinstance(preset_caption, QLabel):
            preset_caption.setBuddy(self.presets.combo)
        self.run_log_button = QPushButton(self.tr("Run log…"))
        self.run_log_button.setToolTip(self.tr("Who ran which report, with which parameters, and when"))
        self.run_log_button.clicked.connect(self.open_run_log)
        self.run_log_button.setVisible(may_read_run_log(hall.facts.roles))
        self.run_log: RunLogDialog | None = None

        buttons = QHBoxLayout()
        buttons.addWidget(self.run_log_button)
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.excel_button)
        buttons.addWidget(self.pdf_button)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.title)
        right_layout.addWidget(self.description)
        right_layout.addSpacing(8)
        right_layout.addLayout(self.form)
        right_layout.addStretch(1)
        right_layout.addLayout(buttons)

        splitter = QSplitter()
        splitter.addWidget(self.tree)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([260, 700])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        for a, b in ((self.tree, self.presets.combo), (self.presets.combo, self.presets.save_button),
                     (self.presets.save_button, self.presets.update_button),
                     (self.presets.update_button, self.presets.rename_button),
                     (self.presets.rename_button, self.presets.delete_button),
                     (self.presets.delete_button, self.presets.default_button),
                     (self.presets.default_button, self.book), (self.book, self.day), (self.day, self.start),
                     (self.start, self.end),
                     (self.end, self.days), (self.days, self.member), (self.member, self.first_month),
                     (self.first_month, self.last_month), (self.last_month, self.reason),
                     (self.reason, self.min_months), (self.min_months, self.standing),
                     (self.standing, self.first_day), (self.first_day, self.last_day), (self.last_day, self.moment),
                     (self.moment, self.excel_button), (self.excel_button, self.pdf_button)):
            QWidget.setTabOrder(a, b)

        first = self._item_for(self.specs[0].key) if self.specs else None
        if first is not None:
            self.tree.setCurrentItem(first)
        else:
            self._show_spec(None)
        self.search()

    # --- widgets --------------------------------------------------------------------------------------------

    def _date_edit(self, display: str = "yyyy-MM-dd") -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat(display)
        return edit

    def _pair(self, first: QWidget, second: QWidget, *, dash: bool = True) -> QWidget:
        box = QWidget()
        line = QHBoxLayout(box)
        line.setContentsMargins(0, 0, 0, 0)
        line.addWidget(first)
        if dash:
            line.addWidget(QLabel("–"))
        line.addWidget(second)
        line.addStretch(1)
        return box

    def _item_for(self, key: str) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            assert top is not None  # i is in range
            for j in range(top.childCount()):
                child = top.child(j)
                if child is not None and child.data(0, SPEC_ROLE) == key:
                    return child
        return None

    def select_report(self, key: str) -> None:
        item = self._item_for(key)
        if item is None:
            raise KeyError(key)
        self.tree.setCurrentItem(item)

    # --- loading --------------------------------------------------------------------------------------------

    def search(self, _text: str = "") -> None:
        """Load the book picker and the hall's today (the main window also calls this after an outage)."""
        self.runner.query(partial(reports.setup, self.hall), parent=self, key=("reports-setup", id(self)),
                          success=self._on_setup_loaded, name="report parameters")

    def _on_setup_loaded(self, loaded: BooksToday) -> None:
        books, today = loaded.books, loaded.today
        chosen = self.book.currentData() if self.book.count() else self._first_book_marker
        self.book.clear()
        self.book.addItem(self.tr("All books"), None)
        for book in books:
            self.book.addItem(book.name, book.id)
        # First load: the first book in morning order; later reloads keep what the user picked.
        index = self.book.findData(chosen) if chosen is not self._first_book_marker else -1
        self.book.setCurrentIndex(index if index >= 0 else (1 if self.book.count() > 1 else 0))
        if not getattr(self, "_dates_set", False):
            # Dates default from the server's today, never the workstation clock.
            self._dates_set = True
            self.day.setDate(_qdate(today))
            self.end.setDate(_qdate(today))
            self.start.setDate(_qdate(today.replace(day=1)))
            self.last_month.setDate(_qdate(today.replace(day=1)))
            first = today.replace(day=1)
            self.first_month.setDate(_qdate(first.replace(year=first.year - 1) if first.month == 1 else
                                            first.replace(month=1)))
            # a one-day Day Book by default; the list as it stood when today began (today's referral used it, R5)
            self.first_day.setDate(_qdate(today))
            self.last_day.setDate(_qdate(today))
            self.moment.setDateTime(QDateTime(_qdate(today), QTime(0, 0)))
            self.presets.form_ready()  # a default preset fills the form over these
        self.loaded.emit()

    def _on_member_timer_timeout(self) -> None:
        text = self.member.text().strip()
        if len(text) < 2:
            return
        self.runner.query(partial(members.search, self.hall, text, limit=20), parent=self,
                          key=("reports-member", id(self)), success=self._on_members_found, name="find member")

    def _on_members_found(self, rows: list[MemberListRow]) -> None:
        self._members.update({self._member_text(r): r for r in rows})
        self._member_model.setStringList([self._member_text(r) for r in rows])
        if self.member.hasFocus() and rows:
            self.member.completer().complete()

    @staticmethod
    def _member_text(row: MemberListRow) -> str:
        return f"{row.display_name} ({row.card_number})"

    # --- form -----------------------------------------------------------------------------------------------

    def _on_tree_current_item_changed(self, current: QTreeWidgetItem | None, _previous: object) -> None:
        key = current.data(0, SPEC_ROLE) if current is not None else None
        self._show_spec(next((s for s in self.specs if s.key == key), None))

    def _show_spec(self, spec: ReportSpec | None) -> None:
        self.current = spec
        self.title.setText(f"<b>{self.tr(spec.title)}</b>" if spec else self.tr("No reports for your role"))
        self.description.setText(self.tr(spec.description) if spec else "")
        fields = set(spec.fields) if spec else set()
        if catalog.ANY_BOOK in fields:
            fields.add(catalog.BOOK)
        for kind, widgets in self._rows.items():
            self.form.setRowVisible(widgets[0], kind in fields)
        self._clear_errors()
        self.presets.set_report(spec.key if spec else None, spec.fields if spec else ())
        self.pdf_button.setEnabled(spec is not None and not self.running)
        self.excel_button.setEnabled(spec is not None and not self.running)

    def params(self) -> Params:
        text = self.member.text().strip()
        member = self._members.get(text)
        kept = self._kept_member if self._kept_member is not None and self._kept_member[0] == text else None
        last_month = _pydate(self.last_month.date()).replace(day=1)
        return Params(
            book_id=self.book.currentData(), book_name=self.book.currentText() if self.book.currentData() else "",
            day=_pydate(self.day.date()), start=_pydate(self.start.date()), end=_pydate(self.end.date()),
            days=self.days.value(), member_id=member.id if member else kept[1] if kept else None,
            member_label=self._member_text(member) if member else kept[0] if kept else "",
            first_month=_pydate(self.first_month.date()).replace(day=1), last_month=last_month,
            reason=self.reason.currentData(), min_months=self.min_months.value(),
            standing=self.standing.currentData(),
            first_day=_pydate(self.first_day.date()), last_day=_pydate(self.last_day.date()),
            at=_pydatetime(self.moment.dateTime()))

    def set_params(self, params: Params, given: frozenset[str]) -> list[str]:
        """Fill the form with the fields of `params` named in `given` (a preset's); returns what could not be
        filled, as sentences (a book no longer offered)."""
        problems: list[str] = []
        if "book_id" in given:
            index = self.book.findData(params.book_id) if params.book_id is not None else 0
            if index < 0:
                problems.append(self.tr("The book {} is not offered any more.").format(params.book_name or "saved"))
            else:
                self.book.setCurrentIndex(index)
        for name, edit in (("day", self.day), ("start", self.start), ("end", self.end),
                           ("first_month", self.first_month), ("last_month", self.last_month),
                           ("first_day", self.first_day), ("last_day", self.last_day)):
            value = getattr(params, name)
            if name in given and value is not None:
                edit.setDate(_qdate(value))
        if "at" in given and params.at is not None:
            self.moment.setDateTime(QDateTime(_qdate(params.at.date()), QTime(params.at.hour, params.at.minute)))
        for name, spin in (("days", self.days), ("min_months", self.min_months)):
            if name in given:
                spin.setValue(getattr(params, name))
        for name, combo in (("reason", self.reason), ("standing", self.standing)):
            if name in given:
                combo.setCurrentIndex(max(combo.findData(getattr(params, name)), 0))
        if "member_id" in given:
            self._kept_member = (params.member_label, params.member_id) if params.member_id is not None else None
            self.member.setText(params.member_label if params.member_id is not None else "")
        self._clear_errors()
        return problems

    def _on_presets_applied(self, params: Params, given: frozenset[str], name: str) -> None:
        problems = self.set_params(params, given)
        self.status.setText(" ".join(problems) if problems else self.tr("Filled from your preset “{}”.").format(name))

    def open_run_log(self) -> None:
        """The report-run log (managers): one window, raised again if it is open."""
        if self.run_log is None:
            self.run_log = RunLogDialog(self.runner, self.hall, self.settings, self)
        else:
            self.run_log.search()  # it heard no runs while it was closed
        self.run_log.show()
        self.run_log.raise_()
        self.run_log.activateWindow()

    def _clear_errors(self) -> None:
        for error in self.errors.values():
            error.clear()
            error.setVisible(False)

    def show_errors(self, errors: dict[str, str]) -> None:
        self._clear_errors()
        for kind, message in errors.items():
            target = self.errors.get(catalog.BOOK if kind == catalog.ANY_BOOK else kind)
            if target is not None:
                target.setText(self.tr(message))
                target.setVisible(True)

    # --- running --------------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.run is not None and not self.run.done

    def _prepared(self) -> tuple[ReportSpec, Params] | None:
        spec = self.current
        if spec is None or self.running:  # the shortcuts too: one run at a time
            return None
        params = self.params()
        errors = catalog.validate(spec, params)
        if errors:
            self.show_errors(errors)
            return None
        self._clear_errors()
        return spec, params

    def _on_pdf_button_clicked(self) -> None:
        prepared = self._prepared()
        if prepared is None:
            return
        spec, params = prepared
        hall = self.hall

        def build(path: Path, context: ReportContext) -> Path:
            return spec.pdf(path, context, spec.load(hall.for_reports(), params))

        self.status.setText(self.tr("Building {}…").format(spec.title_for(params)))
        self._started(reporting.print_report(
            self.runner, hall, self, spec.title_for(params), catalog.describe(spec, params), build,
            done=self._on_previewed, excel=partial(self._export, spec, params),
            controls=[self.pdf_button, self.excel_button], report=spec.key))

    def _on_excel_button_clicked(self) -> None:
        prepared = self._prepared()
        if prepared is not None:
            self._export(*prepared, self)

    def _export(self, spec: ReportSpec, params: Params, owner: QWidget) -> None:
        """The Excel file of a report, from this screen or from its print preview (`owner`)."""
        hall = self.hall
        title = spec.title_for(params)

        def build(path: Path, context: ReportContext) -> Path:
            columns, rows = spec.table(spec.load(hall.for_reports(), params))
            return export_table(path, title=title, columns=columns, rows=rows, context=context)

        self.status.setText(self.tr("Exporting {}…").format(title))
        run = reporting.export_report(self.runner, hall, owner, title, catalog.describe(spec, params), build,
                                      done=self._on_saved, controls=[self.pdf_button, self.excel_button],
                                      report=spec.key)
        if owner is self:
            self._started(run)

    def _started(self, run: reporting.ReportRun) -> None:
        self.run = run
        run.finished.connect(self._on_run_finished)

    def _on_run_finished(self) -> None:
        if self.run is not None and self.run.cancelled:
            self.status.setText(self.tr("Cancelled."))
        elif self.status.text().endswith("…"):
            self.status.clear()

    def _on_previewed(self, path: Path) -> None:
        self.status.clear()
        self.report_written.emit(path)

    def _on_saved(self, path: Path) -> None:
        self.status.setText(self.tr("Saved {}").format(path))
        messages.status(self, self.tr("Saved {}").format(path), 8000)
        self.report_written.emit(path)

    def save_state(self) -> None:
        """Nothing to keep: the main window calls this on every screen when it closes."""
