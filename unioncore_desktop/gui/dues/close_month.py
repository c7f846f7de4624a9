"""Closing a month against its checklist, and the month-end reports printed beside it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from datetime import date
from functools import partial
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QComboBox, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import dues
from unioncore_desktop.domain.queries import dues as dq
from unioncore_desktop.domain.rules.dues import add_months, month_label
from unioncore_desktop.gui import events, messages, reporting
from unioncore_desktop.gui.dues.manager_parts import failure_text, message_label, say
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.when_shown import hidden

if TYPE_CHECKING:  # ReportLab is imported when a report is built
    from unioncore_desktop.reports import ReportContext

OK_MARK, NOT_OK_MARK = "✔", "✘"

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
        self.month_combo.setMinimumContentsLength(len("September 2026"))  # whole at any font, even while empty
        self.refresh_button = QPushButton(self.tr("Refresh"))  # Alt+R is the Rates tab, Alt+S the summary
        self.close_button = QPushButton(self.tr("&Close month"))
        self.close_button.setObjectName("closeMonthButton")
        self.close_button.setEnabled(False)
        self.summary_button = QPushButton(self.tr("Print dues &summary"))
        self.arrears_button = QPushButton(self.tr("Print &arrears list"))
        self.items_box = QGroupBox(self.tr("Checklist"))
        self.items_grid = QGridLayout(self.items_box)
        self.item_labels: dict[str, tuple[QLabel, QLabel]] = {}
        self.message = message_label("closeMessage")
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
        # as for the adjustments: changes refresh the checklist while it is on screen, a hidden one when shown
        if (kind in ("dues", "dues_batch", "remittance", "dues_period") and initiator is not self
                and not hidden(self)):
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
            say(self.message, self.tr("No open month to close."))
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
        say(self.message, "" if checklist.ready else self.tr("{} can close once every item is ticked.").format(
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
        say(self.message, failure_text(exc), error=True)
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

        reporting.print_report(self.runner, hall, self, title, parameters, build,
                               controls=[self.summary_button, self.arrears_button])

    def _on_arrears_button_clicked(self) -> None:
        hall = self.hall

        def build(path: Path, context: ReportContext) -> Path:
            from unioncore_desktop.reports.pdf.arrears import build_arrears_list

            return build_arrears_list(path, context, dues.arrears_list(hall))

        reporting.print_report(self.runner, hall, self, "Arrears List", [("Months behind", "1 or more")], build,
                               controls=[self.summary_button, self.arrears_button])
