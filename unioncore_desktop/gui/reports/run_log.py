"""The report-run log, a manager's window from the Reports screen: who ran which report with which parameters and
when (in the hall's time zone), newest first, filtered by days at the hall, staff login and report; exported to
Excel and printed like every list. The database decides whose runs a login reads (a manager: everyone's)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import cast

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import report_presets, reports
from unioncore_desktop.domain.queries.books import BooksToday
from unioncore_desktop.domain.queries.report_runs import LOG_LIMIT, OTHER_PRINTS, RunLog, RunLogFilter
from unioncore_desktop.gui import events, messages, reporting
from unioncore_desktop.gui.itemmodels.formatting import format_datetime
from unioncore_desktop.gui.itemmodels.report_runs import KINDS, RunLogModel
from unioncore_desktop.gui.reports import catalog
from unioncore_desktop.gui.roles import MANAGERS
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.table_panel import TablePanel

DAYS_BACK = 30  # the log opens on the last month


def may_read_run_log(roles: frozenset[str]) -> bool:
    """Managers read everyone's runs (domain §6); anyone else would see only their own, so is not offered it."""
    return bool(roles & MANAGERS)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(edit: QDateEdit) -> date:
    return cast(date, edit.date().toPython())


class RunLogDialog(QDialog):
    """The log's window: a filter bar over a TablePanel; it reloads when anyone runs a report."""

    loaded = Signal()  # the rows asked for are on screen

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runLogDialog")
        self.setWindowTitle(self.tr("Report-run log"))
        self.runner, self.hall, self.settings = runner, hall, settings
        self._ready = False

        self.first_edit = QDateEdit()
        self.last_edit = QDateEdit()
        for edit in (self.first_edit, self.last_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("ddd yyyy-MM-dd")
            edit.dateChanged.connect(lambda _d: self.search())
        self.staff = QComboBox()
        self.staff.setObjectName("staffFilter")
        self.staff.addItem(self.tr("Everyone"), "")
        self.staff.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)  # names arrive later
        self.staff.currentIndexChanged.connect(lambda _i: self.search())
        self.report = QComboBox()
        self.report.setObjectName("reportFilter")
        self.report.addItem(self.tr("All reports and lists"), None)
        for spec in sorted(catalog.SPECS, key=lambda s: s.title):
            self.report.addItem(self.tr(spec.title), spec.key)
        self.report.addItem(self.tr("Lists, slips and receipts"), OTHER_PRINTS)
        self.report.currentIndexChanged.connect(lambda _i: self.search())

        bar = QHBoxLayout()
        for caption, widget in ((self.tr("&From"), self.first_edit), (self.tr("&to"), self.last_edit),
                                (self.tr("&Staff"), self.staff), (self.tr("&Report"), self.report)):
            text = QLabel(caption)
            text.setBuddy(widget)
            bar.addWidget(text)
            bar.addWidget(widget)
        bar.addStretch(1)

        self.model = RunLogModel(parent=self)
        self.panel = TablePanel("report-run-log", self.model, settings=settings,
                                search_placeholder=self.tr("Title or parameters…"))
        self.panel.search_changed.connect(lambda _text: self.search())
        self.panel.export_requested.connect(self._on_panel_export_requested)
        self.panel.print_requested.connect(self._on_panel_print_requested)
        self.limit_label = QLabel()
        self.limit_label.setObjectName("fieldError")
        self.limit_label.setVisible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<b>Report-run log</b> — every report, list and slip printed or exported, "
                                        "newest first; times at the hall")))
        layout.addLayout(bar)
        layout.addWidget(self.panel, 1)
        layout.addWidget(self.limit_label)
        self.resize(1000, 560)

        events.hub().data_changed.connect(self._on_hub_data_changed)
        self.panel.restore_state()
        self._columns_sized = settings.header_state(self.panel.name) is not None
        self.runner.query(partial(reports.setup, self.hall), parent=self, key=("run-log-setup", id(self)),
                          success=self._on_setup_loaded, name="run log setup")

    # --- searching --------------------------------------------------------------------------------------------

    def _on_setup_loaded(self, setup: BooksToday) -> None:
        for edit in (self.first_edit, self.last_edit):
            edit.blockSignals(True)
        self.first_edit.setDate(_qdate(setup.today - timedelta(days=DAYS_BACK)))
        self.last_edit.setDate(_qdate(setup.today))
        for edit in (self.first_edit, self.last_edit):
            edit.blockSignals(False)
        self._ready = True
        self.search()

    def current_filter(self) -> RunLogFilter:
        return RunLogFilter(start=_day(self.first_edit), end=_day(self.last_edit), run_by=self.staff.currentData(),
                            report=self.report.currentData(), text=self.panel.search_text())

    def search(self) -> None:
        """The runs the filter bar describes; the newest search wins."""
        if not self._ready:
            return
        self.runner.query(partial(report_presets.run_log, self.hall, self.current_filter()), parent=self,
                          key=("run-log", id(self)), success=self._show, name="report-run log")

    def _show(self, log: RunLog) -> None:
        self._fill_staff(log.staff)
        self.panel.reload(list(log.rows))
        if log.rows and not self._columns_sized:
            self.panel.view.resizeColumnsToContents()
            self._columns_sized = True
        self.limit_label.setText(self.tr("Only the newest {:,} runs are shown: narrow the days, staff or report.")
                                 .format(LOG_LIMIT) if log.limited else "")
        self.limit_label.setVisible(log.limited)
        self.loaded.emit()

    def _fill_staff(self, staff: tuple[tuple[str, str], ...]) -> None:
        shown = [self.staff.itemData(i) for i in range(1, self.staff.count())]
        if [login for login, _name in staff] == shown:
            return
        chosen = self.staff.currentData()
        self.staff.blockSignals(True)
        while self.staff.count() > 1:
            self.staff.removeItem(1)
        for login, name in staff:
            self.staff.addItem(f"{name} ({login})", login)
        self.staff.setCurrentIndex(max(self.staff.findData(chosen), 0))
        self.staff.blockSignals(False)

    def _on_hub_data_changed(self, kind: str, _ids: list, _initiator: object) -> None:
        if kind == "report_run" and self.isVisible():
            self.search()

    # --- export and print ---------------------------------------------------------------------------------

    def _parameters(self) -> list[tuple[str, str]]:
        f = self.current_filter()
        return [("Days", f"{f.start:%Y-%m-%d} to {f.end:%Y-%m-%d}"), ("Staff", self.staff.currentText()),
                ("Report", self.report.currentText()), ("Title or parameters", f.text or "any"),
                ("Runs", str(self.model.rowCount()))]

    def _on_panel_export_requested(self, owner: QWidget | None = None) -> None:
        reporting.export_model(self.runner, self.hall, owner or self, self.model, "Report-run log",
                               self._parameters(), controls=self.panel.report_buttons())

    def _on_panel_print_requested(self) -> None:
        if not self.model.rowCount():
            messages.information(self, self.tr("Print"), self.tr("No runs to print: widen the search."))
            return
        columns = (("When", 1.0), ("Staff", 1.1), ("Report", 1.8), ("File", 0.5), ("Parameters", 2.6))
        cells = [(format_datetime(r.run_at), f"{r.staff_name} ({r.run_by})", r.title, KINDS.get(r.kind, r.kind),
                  r.parameters_text) for r in self.model.rows]
        reporting.print_table(self.runner, self.hall, self, "Report-run log", self._parameters(), columns, cells,
                              excel=self._on_panel_export_requested, controls=self.panel.report_buttons())

    def done(self, result: int) -> None:
        self.panel.save_state()
        super().done(result)
