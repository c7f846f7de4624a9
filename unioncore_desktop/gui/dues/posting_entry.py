"""The posting screen's keyed line: member, amount, method and reference, their errors beside them, and what is
known about the member. It reads and shows one line; the screen posts it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QComboBox, QGridLayout, QGroupBox, QLabel, QLineEdit, QPushButton, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.queries import dues as dq
from unioncore_desktop.domain.rules.dues import money, validate_payment
from unioncore_desktop.domain.vocab import PAYMENT_METHODS, REFERENCE_LENGTH
from unioncore_desktop.gui import theme
from unioncore_desktop.gui.dues.lookup import MemberLookup
from unioncore_desktop.gui.itemmodels.dues import format_method, format_month, format_standing
from unioncore_desktop.gui.itemmodels.formatting import format_money
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets import combo_type_ahead
from unioncore_desktop.gui.widgets.field_errors import error_label

LINE_FIELDS = ("member", "amount", "method", "reference")
STANDING_COLOURS = {"good_standing": "#1b7a2f", "in_arrears": "#b35900", "suspended": "#b00020"}


def mark(editor: QWidget, error: bool) -> None:
    """Draw an editor in error (or not) through its "error" property, re-polishing only when it changes."""
    if bool(editor.property("error")) != error:
        editor.setProperty("error", error)
        editor.style().unpolish(editor)
        editor.style().polish(editor)


class LineEntry(QGroupBox):
    """The payment line's editors, in the order a clerk keys them."""

    def __init__(self, runner: TaskRunner, hall: HallConnection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Payment"))
        self.member_edit = MemberLookup(runner, hall)
        self.member_edit.setObjectName("member")
        self.amount_edit = QLineEdit()
        self.amount_edit.setObjectName("amount")
        self.amount_edit.setPlaceholderText("0.00")
        self.amount_edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.method_combo = QComboBox()
        self.method_combo.setObjectName("method")
        for method in PAYMENT_METHODS:
            self.method_combo.addItem(format_method(method), method)
        combo_type_ahead.install(self.method_combo)  # "c" is Cash, wherever the list stands
        self.reference_edit = QLineEdit()
        self.reference_edit.setObjectName("reference")
        self.reference_edit.setMaxLength(REFERENCE_LENGTH)
        self.reference_edit.setPlaceholderText(self.tr("check / money order no."))
        self.post_button = QPushButton(self.tr("Post (Enter)"))  # Enter is its key; Alt+P is the Posting tab
        self.post_button.setObjectName("postLine")
        self.retry_button = QPushButton(self.tr("Retr&y"))  # Alt+R is the Rates tab
        self.retry_button.setVisible(False)
        self.member_info = QLabel()
        self.member_info.setObjectName("memberInfo")
        self.member_info.setTextFormat(Qt.TextFormat.RichText)
        self.line_message = QLabel()
        self.line_message.setObjectName("lineMessage")
        self.line_message.setWordWrap(True)
        self.line_message.setVisible(False)

        self.editors: dict[str, QWidget] = {"member": self.member_edit, "amount": self.amount_edit,
                                            "method": self.method_combo, "reference": self.reference_edit}
        self.error_labels = {name: error_label() for name in LINE_FIELDS}
        grid = QGridLayout(self)
        # Alt+A, E and F open the Hall, Edit and File menus: Method and Reference are the Tabs after the amount
        captions = {"member": self.tr("&Member"), "amount": self.tr("Amo&unt"), "method": self.tr("Method"),
                    "reference": self.tr("Reference")}
        for column, name in enumerate(LINE_FIELDS):
            caption = QLabel(captions[name])
            caption.setBuddy(self.editors[name])
            grid.addWidget(caption, 0, column)
            grid.addWidget(self.editors[name], 1, column)
            grid.addWidget(self.error_labels[name], 2, column)
        grid.addWidget(self.post_button, 1, 4)
        grid.addWidget(self.retry_button, 1, 5)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        grid.setColumnStretch(3, 1)
        grid.addWidget(self.member_info, 3, 0, 1, 6)
        grid.addWidget(self.line_message, 4, 0, 1, 6)
        QWidget.setTabOrder(self.member_edit, self.amount_edit)
        QWidget.setTabOrder(self.amount_edit, self.method_combo)
        QWidget.setTabOrder(self.method_combo, self.reference_edit)
        QWidget.setTabOrder(self.reference_edit, self.post_button)
        self._size_fields()

    def _size_fields(self) -> None:
        """The amount and the reference never narrower than what they hold, at any font: a large font squeezed
        them below "000,000.00" and the reference's hint."""
        samples = ((self.amount_edit, "000,000.00"), (self.reference_edit, self.reference_edit.placeholderText()))
        for edit, sample in samples:
            metrics = edit.fontMetrics()
            edit.setMinimumWidth(metrics.horizontalAdvance(sample) + 2 * metrics.averageCharWidth())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.FontChange and hasattr(self, "reference_edit"):
            self._size_fields()
        super().changeEvent(event)

    def set_open(self, is_open: bool) -> None:
        """Lines are keyed only into an open batch."""
        for widget in (*self.editors.values(), self.post_button):
            widget.setEnabled(is_open)

    def reset(self) -> None:
        """An empty line, its errors gone, the method kept as the previous line's."""
        self.member_edit.reset()
        self.amount_edit.clear()
        self.reference_edit.clear()
        self.clear_errors()
        self.member_info.clear()
        self.retry_button.setVisible(False)
        self.member_edit.setFocus()

    def fill(self, member: dq.PostingLookupRow | None, member_text: str, amount: Decimal, method: str,
             reference: str | None) -> None:
        """A line brought back as it was sent."""
        if member is not None:
            self.member_edit.set_member(member)
        else:
            self.member_edit.setText(member_text)
        self.amount_edit.setText(str(amount))
        self.method_combo.setCurrentIndex(max(0, self.method_combo.findData(method)))
        self.reference_edit.setText(reference or "")
        self.clear_errors()

    def is_empty(self) -> bool:
        return not (self.member_edit.text().strip() or self.amount_edit.text().strip()
                    or self.reference_edit.text().strip())

    # --- errors and messages ------------------------------------------------------------------------------

    def clear_errors(self) -> None:
        for name, label in self.error_labels.items():
            label.clear()
            label.setVisible(False)
            mark(self.editors[name], False)
        self.line_message.setVisible(False)

    def show_errors(self, errors: dict[str, str], message: str | None = None, *, focus: bool = True) -> None:
        for name, text in errors.items():
            if name in self.error_labels:
                self.error_labels[name].setText(text)
                self.error_labels[name].setVisible(True)
                mark(self.editors[name], True)
        others = [text for name, text in errors.items() if name not in self.error_labels]
        if message or others:
            self.show_line_message(message or "; ".join(others))
        first = next((self.editors[n] for n in LINE_FIELDS if n in errors), None)
        if focus and first is not None:
            first.setFocus()
            if isinstance(first, QLineEdit):
                first.selectAll()

    def show_line_message(self, text: str) -> None:
        self.line_message.setText(text)
        self.line_message.setVisible(bool(text))

    def member_found(self) -> None:
        self.error_labels["member"].setVisible(False)
        mark(self.member_edit, False)

    # --- reading and showing ------------------------------------------------------------------------------

    def read(self) -> tuple[dict[str, object], dict[str, str]]:
        """The line's values and its errors by field: the domain's payment checks, and a member to look up."""
        method = self.method_combo.currentData()
        reference = self.reference_edit.text().strip() or None
        errors = validate_payment(amount=self.amount_edit.text(), method=method, reference=reference, paid_on=None,
                                  today=date.max)
        if not self.member_edit.text().strip():
            errors["member"] = self.tr("Enter a card number or a name.")
        values: dict[str, object] = {"method": method, "reference": reference}
        if "amount" not in errors:
            values["amount"] = money(self.amount_edit.text())
        return values, errors

    def show_member(self, m: dq.PostingLookupRow) -> None:
        colour = theme.css(STANDING_COLOURS.get(m.standing, "#000000"))
        behind = self.tr(" · {} month(s) behind").format(m.months_behind) if m.months_behind else ""
        status = "" if m.status == "active" else f" · {m.status}"
        self.member_info.setText(self.tr(
            "<b>{name}</b> (card {card}){status} · balance <b>{balance}</b> · paid through <b>{through}</b>{behind}"
            " · <span style='color:{colour}; font-weight:bold'>{standing}</span>").format(
            name=m.name, card=m.card_number, status=status, balance=format_money(m.balance),
            through=format_month(m.paid_through) or self.tr("never"), behind=behind, colour=colour,
            standing=format_standing(m.standing)))
