"""Generating a month's dues charges, with the members who could not be billed."""

from __future__ import annotations

from datetime import date
from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import dues
from unioncore_desktop.domain.rules.dues import add_months, month_label, month_start
from unioncore_desktop.domain.services.dues import ChargeRun
from unioncore_desktop.gui.dues.manager_parts import failure_text, message_label, say, sorted_table
from unioncore_desktop.gui.itemmodels.dues import ChargeExceptionModel
from unioncore_desktop.gui.itemmodels.formatting import format_money
from unioncore_desktop.gui.tasks import TaskRunner


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
        self.generate_button = QPushButton(self.tr("Ge&nerate charges"))  # Alt+G is the Go menu
        self.generate_button.setObjectName("generateCharges")
        self.generate_button.setEnabled(False)
        self.result = message_label("chargeResult")
        self.exceptions = ChargeExceptionModel(parent=self)
        self.exceptions_view = sorted_table(self.exceptions)
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
            self.generate_button.setText(self.tr("Ge&nerate charges for {}").format(month.strftime("%B %Y")))

    def generate(self) -> None:
        month = self.month_combo.currentData()
        if month is None:
            return
        self.generate_button.setEnabled(False)
        say(self.result, self.tr("Generating charges for {}…").format(month_label(month)))
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
        say(self.result, text)
        self.exceptions.set_rows(run.exceptions)
        self.exceptions_caption.setVisible(bool(run.exceptions))
        self.exceptions_view.setVisible(bool(run.exceptions))
        self.generated.emit(run)

    def _on_failed(self, exc: BaseException) -> None:
        self.generate_button.setEnabled(True)
        say(self.result, failure_text(exc), error=True)
