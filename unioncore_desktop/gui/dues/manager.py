"""Month-end work for managers: the adjustments queue, generating a month's charges, closing a month against
its checklist, and the rates by classification.

The database has the last word on each: it refuses a requester deciding their own adjustment, an unbalanced
batch, or any change dated in a closed month; these screens show its refusal as it comes back.
"""

from __future__ import annotations

from datetime import date
from functools import partial
from pathlib import Path

from PySide6.QtCore import QAbstractItemModel, QDate, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import clock, dues
from unioncore_desktop.domain.errors import (
    ConnectionProblem,
    DomainError,
    ValidationError,
)
from unioncore_desktop.domain.queries import dues as dq
from unioncore_desktop.domain.rules.dues import (
    add_months,
    money,
    month_label,
    month_start,
    rate_errors,
)
from unioncore_desktop.domain.services.dues import ChargeRun
from unioncore_desktop.domain.vocab import CLASSIFICATIONS
from unioncore_desktop.gui import events, messages, reporting
from unioncore_desktop.gui.itemmodels.dues import (
    AdjustmentQueueModel,
    ChargeExceptionModel,
    RatesModel,
)
from unioncore_desktop.gui.itemmodels.formatting import format_label, format_money
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.simple_table import simple_table
from unioncore_desktop.reports import ReportContext

OK_MARK, NOT_OK_MARK = "✔", "✘"


def _table(model: QAbstractItemModel) -> QTableView:
    """A sortable table that starts in the query's order (oldest request first, rates by classification)."""
    view = simple_table(model)
    header = view.horizontalHeader()
    header.setSortIndicatorClearable(True)
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    model.sort(-1)
    return view


def _message_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setVisible(False)
    return label


def _say(label: QLabel, text: str, *, error: bool = False) -> None:
    label.setText(text)
    label.setStyleSheet("QLabel { color: #b00020; }" if error else "")
    label.setVisible(bool(text))


def _failure_text(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.errors.values())
    if isinstance(exc, (DomainError, ConnectionProblem)):
        return exc.message
    return str(exc)


class AdjustmentsQueue(QWidget):
    """Pending adjustment requests, oldest first; approve or deny with a note."""

    loaded = Signal()
    decided = Signal(object)  # AdjustmentRow

    def __init__(self, runner: TaskRunner, hall: HallConnection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.model = AdjustmentQueueModel(parent=self)
        self.view = _table(self.model)
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("decisionNote")
        self.note_edit.setPlaceholderText(self.tr("Note for the record (optional)"))
        self.approve_button = QPushButton(self.tr("&Approve"))
        self.deny_button = QPushButton(self.tr("&Deny"))
        self.message = _message_label("queueMessage")
        actions = QHBoxLayout()
        note_caption = QLabel(self.tr("&Note"))
        note_caption.setBuddy(self.note_edit)
        actions.addWidget(note_caption)
        actions.addWidget(self.note_edit, 1)
        actions.addWidget(self.deny_button)
        actions.addWidget(self.approve_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Adjustments waiting for a decision. Whoever requested one cannot "
                                        "decide it.")))
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)
        layout.addLayout(actions)
        self.approve_button.clicked.connect(lambda: self.decide(True))
        self.deny_button.clicked.connect(lambda: self.decide(False))
        self.view.selectionModel().currentRowChanged.connect(self._update_buttons)
        events.hub().data_changed.connect(self._on_hub_data_changed)
        self._update_buttons()

    def _on_hub_data_changed(self, kind: str, _ids: list, initiator: object) -> None:
        # a request from the posting or member screen, here or (initiator None) at another workstation; a
        # hidden tab catches up when shown, so other counters' payments do not reload it behind the scenes
        if kind == "dues" and initiator is not self and (initiator is not None or self.isVisible()):
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        # requests keyed at other workstations arrive without a signal: look again whenever the tab is shown
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        self.runner.query(partial(dues.pending_adjustments, self.hall), parent=self, key="pending-adjustments",
                          success=self._on_rows, name="pending adjustments")

    def _on_rows(self, rows: list[dq.AdjustmentRow]) -> None:
        keep = self.current()
        self.model.set_rows(rows)
        if keep is not None and self.model.index_for_id(keep.id).isValid():
            self.view.selectRow(self.model.index_for_id(keep.id).row())
        elif rows:
            self.view.selectRow(0)
        self._update_buttons()
        self.loaded.emit()

    def current(self) -> dq.AdjustmentRow | None:
        return self.model.row_at(self.view.currentIndex())

    def _update_buttons(self, *_args: object) -> None:
        has = self.current() is not None
        self.approve_button.setEnabled(has)
        self.deny_button.setEnabled(has)

    def decide(self, approve: bool) -> None:
        row = self.current()
        if row is None:
            return
        _say(self.message, "")
        note = self.note_edit.text().strip() or None
        self.runner.command(partial(dues.decide_adjustment, self.hall, row, approve=approve, note=note),
                            parent=self, success=self._on_decided, failure=self._on_failed,
                            name="decide adjustment")

    def _on_decided(self, row: dq.AdjustmentRow) -> None:
        self.note_edit.clear()
        _say(self.message, self.tr("{status}: {type} of {amount} for {name}, {month}.").format(
            status=format_label(row.status), type=format_label(row.type), amount=format_money(row.amount),
            name=row.member_name, month=month_label(row.period)))
        self.decided.emit(row)
        self.refresh()

    def _on_failed(self, exc: BaseException) -> None:
        _say(self.message, _failure_text(exc), error=True)
        if isinstance(exc, DomainError):
            messages.warning(self, self.tr("Not decided"), _failure_text(exc))
        self.refresh()


class ChargesPanel(QWidget):
    """Bill every active member for a month; members without a rate are listed, never skipped silently."""

    generated = Signal(object)  # ChargeRun

    def __init__(self, runner: TaskRunner, hall: HallConnection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.month_combo = QComboBox()
        self.month_combo.setObjectName("chargeMonth")
        self.month_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.generate_button = QPushButton(self.tr("&Generate charges"))
        self.generate_button.setObjectName("generateCharges")
        self.generate_button.setEnabled(False)
        self.result = _message_label("chargeResult")
        self.exceptions = ChargeExceptionModel(parent=self)
        self.exceptions_view = _table(self.exceptions)
        self.exceptions_caption = QLabel(self.tr("Members not billed (no rate for their classification):"))
        self.exceptions_caption.setVisible(False)
        self.exceptions_view.setVisible(False)
        top = QHBoxLayout()
        caption = QLabel(self.tr("&Month"))
        caption.setBuddy(self.month_combo)
        top.addWidget(caption)
        top.addWidget(self.month_combo)
        top.addWidget(self.generate_button)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.result)
        layout.addWidget(self.exceptions_caption)
        layout.addWidget(self.exceptions_view, 1)
        layout.addStretch(0)
        self.month_combo.currentIndexChanged.connect(self._on_month_combo_current_index_changed)
        self.generate_button.clicked.connect(self.generate)

    def set_today(self, today: date) -> None:
        this = month_start(today)
        self.month_combo.clear()
        for month in (add_months(this, 1), this):
            self.month_combo.addItem(month.strftime("%B %Y"), month)
        self.month_combo.setCurrentIndex(0)  # month end: next month's charges
        self.generate_button.setEnabled(True)

    def _on_month_combo_current_index_changed(self, _index: int) -> None:
        month = self.month_combo.currentData()
        if month is not None:
            self.generate_button.setText(self.tr("&Generate charges for {}").format(month.strftime("%B %Y")))

    def generate(self) -> None:
        month = self.month_combo.currentData()
        if month is None:
            return
        self.generate_button.setEnabled(False)
        _say(self.result, self.tr("Generating charges for {}…").format(month_label(month)))
        self.runner.command(partial(dues.generate_charges, self.hall, month), parent=self,
                            success=self._on_generated, failure=self._on_failed, name="generate charges")

    def _on_generated(self, run: ChargeRun) -> None:
        self.generate_button.setEnabled(True)
        text = self.tr("{month}: {created} charge(s) created, {already} member(s) already billed.").format(
            month=month_label(run.month), created=run.created, already=run.already_billed)
        if run.members_credited:
            text += self.tr(" Credit of {amount} applied for {n} member(s) paid ahead.").format(
                amount=format_money(run.credit_applied), n=run.members_credited)
        text += self.tr(" {} member(s) could not be billed.").format(len(run.exceptions)) if run.exceptions else ""
        _say(self.result, text)
        self.exceptions.set_rows(run.exceptions)
        self.exceptions_caption.setVisible(bool(run.exceptions))
        self.exceptions_view.setVisible(bool(run.exceptions))
        self.generated.emit(run)

    def _on_failed(self, exc: BaseException) -> None:
        self.generate_button.setEnabled(True)
        _say(self.result, _failure_text(exc), error=True)


class CloseMonthPanel(QWidget):
    """Close a month once everything on its checklist passes; months close in order."""

    checklist_shown = Signal()
    closed = Signal(object)  # PeriodRow

    def __init__(self, runner: TaskRunner, hall: HallConnection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.checklist: dq.CloseChecklist | None = None
        self.month_combo = QComboBox()
        self.month_combo.setObjectName("closeMonth")
        self.month_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.refresh_button = QPushButton(self.tr("&Refresh"))
        self.close_button = QPushButton(self.tr("&Close month"))
        self.close_button.setObjectName("closeMonthButton")
        self.close_button.setEnabled(False)
        self.summary_button = QPushButton(self.tr("Print dues &summary"))
        self.arrears_button = QPushButton(self.tr("Print &arrears list"))
        self.items_box = QGroupBox(self.tr("Checklist"))
        self.items_grid = QGridLayout(self.items_box)
        self.item_labels: dict[str, tuple[QLabel, QLabel]] = {}
        self.message = _message_label("closeMessage")
        top = QHBoxLayout()
        caption = QLabel(self.tr("&Month"))
        caption.setBuddy(self.month_combo)
        top.addWidget(caption)
        top.addWidget(self.month_combo)
        top.addWidget(self.refresh_button)
        top.addStretch(1)
        reports = QHBoxLayout()
        reports.addWidget(self.summary_button)
        reports.addWidget(self.arrears_button)
        reports.addStretch(1)
        reports.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.items_box)
        layout.addWidget(self.message)
        layout.addLayout(reports)
        layout.addStretch(1)
        self.month_combo.activated.connect(lambda _i: self.refresh())
        self.refresh_button.clicked.connect(self.refresh)
        self.close_button.clicked.connect(self.close_month)
        self.summary_button.clicked.connect(self._on_summary_button_clicked)
        self.arrears_button.clicked.connect(self._on_arrears_button_clicked)
        events.hub().data_changed.connect(self._on_hub_data_changed)

    def _on_hub_data_changed(self, kind: str, _ids: list, initiator: object) -> None:
        # as for the adjustments: other workstations' changes refresh the checklist while it is on screen
        if kind in ("dues", "dues_batch", "remittance", "dues_period") and initiator is not self and (
                initiator is not None or self.isVisible()):
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)  # other workstations' batches and decisions change the checklist
        self.refresh()

    def month(self) -> date | None:
        month = self.month_combo.currentData()
        return month if isinstance(month, date) else None

    def refresh(self) -> None:
        self.runner.query(partial(dues.month_state, self.hall, self.month()), parent=self, key="close-checklist",
                          success=self._on_state, name="close checklist")

    def _on_state(self, state: dq.MonthState) -> None:
        self.month_combo.blockSignals(True)
        self.month_combo.clear()
        for period in sorted((p for p in state.periods if p.status == "open"), key=lambda p: p.month):
            self.month_combo.addItem(period.month.strftime("%B %Y"), period.month)
        if state.checklist is not None:
            # findData cannot match a Python date: compare item by item
            months = [self.month_combo.itemData(i) for i in range(self.month_combo.count())]
            self.month_combo.setCurrentIndex(months.index(state.checklist.month))
        self.month_combo.blockSignals(False)
        self._show_checklist(state.checklist)

    def _show_checklist(self, checklist: dq.CloseChecklist | None) -> None:
        self.checklist = checklist
        for mark, detail in self.item_labels.values():
            mark.deleteLater()
            detail.deleteLater()
        self.item_labels.clear()
        if checklist is None:
            self.close_button.setText(self.tr("&Close month"))
            self.close_button.setEnabled(False)
            _say(self.message, self.tr("No open month to close."))
            self.checklist_shown.emit()
            return
        for row, item in enumerate(checklist.items):
            mark = QLabel(OK_MARK if item.ok else NOT_OK_MARK)
            mark.setStyleSheet("QLabel { color: %s; font-weight: bold; }" % ("#1b7a2f" if item.ok else "#b00020"))
            detail = QLabel(f"<b>{item.label}</b> — {item.detail}")
            detail.setWordWrap(True)
            self.items_grid.addWidget(mark, row, 0)
            self.items_grid.addWidget(detail, row, 1)
            self.item_labels[item.key] = (mark, detail)
        self.items_grid.setColumnStretch(1, 1)
        self.close_button.setText(self.tr("&Close {}").format(checklist.month.strftime("%B %Y")))
        self.close_button.setEnabled(checklist.ready)
        _say(self.message, "" if checklist.ready else self.tr("{} can close once every item is ticked.").format(
            month_label(checklist.month)))
        self.checklist_shown.emit()

    def close_month(self) -> None:
        checklist = self.checklist
        if checklist is None or not checklist.ready:
            return
        month = checklist.month
        if not messages.question(self, self.tr("Close month"), self.tr(
                "Close {}? Its charges, payments and adjustments can no longer change; corrections are then "
                "entered in an open month.").format(month_label(month))):
            return
        self.close_button.setEnabled(False)
        self.runner.command(partial(dues.close_month, self.hall, month), parent=self,
                            success=self._on_closed, failure=self._on_failed, name="close month")

    def _on_closed(self, period: dq.PeriodRow) -> None:
        messages.status(self, self.tr("{} is closed.").format(month_label(period.month)))
        self.closed.emit(period)
        self.month_combo.setCurrentIndex(-1)
        self.refresh()

    def _on_failed(self, exc: BaseException) -> None:
        _say(self.message, _failure_text(exc), error=True)
        self.refresh()

    def _on_summary_button_clicked(self) -> None:
        month = self.month() or date.today().replace(day=1)
        first = add_months(month, -11)
        hall = self.hall
        title = "Dues Summary"
        parameters = [("Months", f"{month_label(first)} – {month_label(month)}")]

        def build(path: Path, context: ReportContext) -> Path:
            from unioncore_desktop.reports.pdf.dues_summary import build_dues_summary

            return build_dues_summary(path, context, dues.dues_summary(hall, first, month))

        reporting.print_report(self.runner, hall, self, title, parameters, build)

    def _on_arrears_button_clicked(self) -> None:
        hall = self.hall

        def build(path: Path, context: ReportContext) -> Path:
            from unioncore_desktop.reports.pdf.arrears import build_arrears_list

            return build_arrears_list(path, context, dues.arrears_list(hall))

        reporting.print_report(self.runner, hall, self, "Arrears List", [("Months behind", "1 or more")], build)


class RatesPanel(QWidget):
    """Monthly rates by classification with their effective dates; a new rate applies from the month it names."""

    loaded = Signal()

    def __init__(self, runner: TaskRunner, hall: HallConnection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.filter_combo = QComboBox()
        self.filter_combo.addItem(self.tr("All classifications"), None)
        self.classification_combo = QComboBox()
        self.classification_combo.setObjectName("classification")
        for value in CLASSIFICATIONS:
            self.filter_combo.addItem(format_label(value), value)
            self.classification_combo.addItem(format_label(value), value)
        self.model = RatesModel(parent=self)
        self.view = _table(self.model)
        self.effective_edit = QDateEdit()
        self.effective_edit.setObjectName("effective_from")
        self.effective_edit.setDisplayFormat("yyyy-MM-dd")
        self.effective_edit.setCalendarPopup(True)
        self.amount_edit = QLineEdit()
        self.amount_edit.setObjectName("amount")
        self.amount_edit.setPlaceholderText("75.00")
        self.add_button = QPushButton(self.tr("&Add rate"))
        self.message = _message_label("rateMessage")
        self.field_errors = {name: _message_label("fieldError") for name in ("classification", "effective_from",
                                                                              "amount")}
        add_box = QGroupBox(self.tr("New rate"))
        form = QFormLayout(add_box)
        form.addRow(self.tr("&Classification"), self.classification_combo)
        form.addRow("", self.field_errors["classification"])
        form.addRow(self.tr("&Effective from"), self.effective_edit)
        form.addRow("", self.field_errors["effective_from"])
        form.addRow(self.tr("&Monthly amount"), self.amount_edit)
        form.addRow("", self.field_errors["amount"])
        form.addRow("", self.add_button)
        form.addRow(self.message)
        left = QVBoxLayout()
        filter_row = QHBoxLayout()
        filter_row.addWidget(QLabel(self.tr("Show")))
        filter_row.addWidget(self.filter_combo)
        filter_row.addStretch(1)
        left.addLayout(filter_row)
        left.addWidget(self.view, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 2)
        right = QVBoxLayout()
        right.addWidget(add_box)
        right.addStretch(1)
        layout.addLayout(right, 1)
        self.filter_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.add_button.clicked.connect(self.add_rate)
        self.amount_edit.returnPressed.connect(self.add_rate)
        events.hub().data_changed.connect(self._on_hub_data_changed)

    def _on_hub_data_changed(self, kind: str, _ids: list, initiator: object) -> None:
        if kind == "dues_rate" and initiator is not self:  # a rate set at another desk
            self.refresh()

    def set_today(self, today: date) -> None:
        first = add_months(month_start(today), 1)
        self.effective_edit.setDate(QDate(first.year, first.month, first.day))

    def refresh(self) -> None:
        self.runner.query(partial(dues.rates, self.hall, self.filter_combo.currentData()), parent=self,
                          key="dues-rates", success=self._on_rows, name="dues rates")

    def _on_rows(self, rows: list[dq.RateRow]) -> None:
        self.model.set_rows(rows)
        self.loaded.emit()

    def add_rate(self) -> None:
        for label in self.field_errors.values():
            _say(label, "")
        _say(self.message, "")
        classification = self.classification_combo.currentData()
        qd = self.effective_edit.date()
        effective = date(qd.year(), qd.month(), qd.day())
        text = self.amount_edit.text().strip()
        errors = rate_errors(classification=classification, amount=text)
        if errors:
            self._failed(ValidationError(errors))
            return
        amount = money(text)
        if effective.day != 1 and not messages.question(self, self.tr("Rate from mid-month"), self.tr(
                "Rates apply from the first of a month: a rate from {} first counts for {}. Add it anyway?").format(
                effective.isoformat(), month_label(add_months(month_start(effective), 1)))):
            return
        self.runner.command(partial(dues.set_rate, self.hall, classification, effective_from=effective, amount=amount),
                            parent=self, success=self._on_added, failure=self._failed, name="set rate")

    def _on_added(self, row: dq.RateRow) -> None:
        self.amount_edit.clear()
        _say(self.message, self.tr("{} from {}: {} a month.").format(
            format_label(row.classification), row.effective_from.isoformat(), format_money(row.amount)))
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            rest = []
            for name, text in exc.errors.items():
                if name in self.field_errors:
                    _say(self.field_errors[name], text, error=True)
                else:
                    rest.append(text)
            _say(self.message, "; ".join(rest), error=True)
        else:
            _say(self.message, _failure_text(exc), error=True)


class ManagerTabs:
    """The four manager panels, built together and refreshed together."""

    def __init__(self, runner: TaskRunner, hall: HallConnection) -> None:
        self.runner = runner
        self.hall = hall
        self.adjustments = AdjustmentsQueue(runner, hall)
        self.charges = ChargesPanel(runner, hall)
        self.close = CloseMonthPanel(runner, hall)
        self.rates = RatesPanel(runner, hall)
        self.charges.generated.connect(lambda _run: self.close.refresh())
        self.adjustments.decided.connect(lambda _row: self.close.refresh())

    def start(self) -> None:
        self.runner.query(partial(clock.today, self.hall), parent=self.charges, success=self._on_today,
                          name="hall today")
        self.refresh()

    def _on_today(self, today: date) -> None:
        self.charges.set_today(today)
        self.rates.set_today(today)

    def refresh(self) -> None:
        self.adjustments.refresh()
        self.close.refresh()
        self.rates.refresh()

