"""The monthly dues rates by classification, and adding a rate from a month on."""

from __future__ import annotations

from datetime import date
from functools import partial

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import dues
from unioncore_desktop.domain.errors import ValidationError
from unioncore_desktop.domain.queries import dues as dq
from unioncore_desktop.domain.rules.dues import add_months, money, month_label, month_start, rate_errors
from unioncore_desktop.domain.vocab import CLASSIFICATIONS
from unioncore_desktop.gui import events, messages
from unioncore_desktop.gui.dues.manager_parts import failure_text, message_label, say, sorted_table
from unioncore_desktop.gui.itemmodels.dues import RatesModel
from unioncore_desktop.gui.itemmodels.formatting import format_label, format_money
from unioncore_desktop.gui.tasks import TaskRunner


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
        self.view = sorted_table(self.model)
        self.effective_edit = QDateEdit()
        self.effective_edit.setObjectName("effective_from")
        self.effective_edit.setDisplayFormat("yyyy-MM-dd")
        self.effective_edit.setCalendarPopup(True)
        self.amount_edit = QLineEdit()
        self.amount_edit.setObjectName("amount")
        self.amount_edit.setPlaceholderText("75.00")
        self.add_button = QPushButton(self.tr("&Add rate"))
        self.message = message_label("rateMessage")
        self.field_errors = {name: message_label("fieldError") for name in ("classification", "effective_from",
                                                                              "amount")}
        add_box = QGroupBox(self.tr("New rate"))
        form = QFormLayout(add_box)
        form.addRow(self.tr("&Classification"), self.classification_combo)
        form.addRow("", self.field_errors["classification"])
        form.addRow(self.tr("Effec&tive from"), self.effective_edit)  # Alt+E is the Edit menu
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
            say(label, "")
        say(self.message, "")
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
        say(self.message, self.tr("{} from {}: {} a month.").format(
            format_label(row.classification), row.effective_from.isoformat(), format_money(row.amount)))
        self.refresh()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            rest = []
            for name, text in exc.errors.items():
                if name in self.field_errors:
                    say(self.field_errors[name], text, error=True)
                else:
                    rest.append(text)
            say(self.message, "; ".join(rest), error=True)
        else:
            say(self.message, failure_text(exc), error=True)
