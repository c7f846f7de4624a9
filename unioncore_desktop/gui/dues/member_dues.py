"""One member's dues: where they stand, the ledger with its running balance, adjustment requests and voids.

Dispatchers see the standing only (their login may read nothing more of the ledger)."""

from __future__ import annotations

import uuid
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import dues
from unioncore_desktop.domain.errors import (
    ConnectionProblem,
    DomainError,
    ValidationError,
)
from unioncore_desktop.domain.queries import dues as dq
from unioncore_desktop.domain.rules.dues import validate_adjustment, void_errors
from unioncore_desktop.domain.vocab import ADJUSTMENT_TYPES
from unioncore_desktop.gui import events, messages
from unioncore_desktop.gui.dues.lookup import MemberLookup, pick
from unioncore_desktop.gui.dues.posting_lines import print_receipts
from unioncore_desktop.gui.forms.ui_adjustment_dialog import Ui_AdjustmentDialog
from unioncore_desktop.gui.forms.ui_void_dialog import Ui_VoidDialog
from unioncore_desktop.gui.itemmodels.dues import (
    STANDING_COLOURS,
    LedgerModel,
    format_month,
    format_standing,
)
from unioncore_desktop.gui.itemmodels.formatting import format_label, format_money
from unioncore_desktop.gui.roles import DUES_READERS, DUES_STAFF
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets import view_state
from unioncore_desktop.gui.widgets.field_errors import FieldErrors, as_message
from unioncore_desktop.gui.widgets.simple_table import simple_table
from unioncore_desktop.gui.widgets.when_shown import ReloadWhenShown


class AdjustmentDialog(QDialog):
    """Ask for a signed change to one billed month, with the reason; a manager other than you decides. The form is
    ui/adjustment_dialog.ui."""

    saved = Signal(object)  # AdjustmentRow

    def __init__(self, runner: TaskRunner, hall: HallConnection, summary: dq.MemberDuesSummary,
                 ledger: list[dq.LedgerLine], parent: QWidget) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.summary = summary
        self.form = Ui_AdjustmentDialog()
        self.form.setupUi(self)
        self.setWindowTitle(self.tr("Request adjustment — {}").format(summary.name))
        self.form.memberLabel.setText(self.tr("<b>{name}</b> (card {card}) · balance {balance}").format(
            name=summary.name, card=summary.card_number, balance=format_money(summary.balance)))
        self.period_combo: QComboBox = self.form.period
        charges = sorted({line.period for line in ledger if line.kind == "charge" and line.period}, reverse=True)
        for month in charges:
            self.period_combo.addItem(month.strftime("%B %Y"), month)
        self.type_combo: QComboBox = self.form.type
        for kind in ADJUSTMENT_TYPES:
            self.type_combo.addItem(format_label(kind), kind)
        self.amount_edit: QLineEdit = self.form.amount
        self.reason_edit: QPlainTextEdit = self.form.reason
        self.message = as_message(self.form.formMessage)
        self.errors = FieldErrors(self.message)
        self.errors.adopt("period", self.form.periodError, self.period_combo)
        self.errors.adopt("type", self.form.typeError, self.type_combo)
        self.errors.adopt("amount", self.form.amountError, self.amount_edit)
        self.errors.adopt("reason", self.form.reasonError, self.reason_edit)
        self.buttons: QDialogButtonBox = self.form.buttonBox
        ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok_button is not None  # the form has OK
        ok_button.setText(self.tr("&Request"))
        self.buttons.accepted.connect(self.save)
        self.type_combo.currentIndexChanged.connect(self._on_type_combo_current_index_changed)

    def _on_type_combo_current_index_changed(self, _index: int) -> None:
        if not self.amount_edit.text().strip() and self.type_combo.currentData() in ("waiver", "hardship", "credit"):
            self.amount_edit.setPlaceholderText(self.tr("negative, e.g. -75.00"))

    def save(self) -> None:
        amount = self.amount_edit.text().strip()
        kind = self.type_combo.currentData()
        reason = self.reason_edit.toPlainText().strip()
        period = self.period_combo.currentData()
        errors = validate_adjustment(amount=amount, type=kind, reason=reason)
        if period is None:
            errors["period"] = self.tr("The member has no billed month to adjust.")
        if errors:
            self._failed(ValidationError(errors))
            return
        self.errors.clear()
        self.buttons.setEnabled(False)
        self.runner.command(partial(dues.request_adjustment, self.hall, self.summary.member_id, period=period,
                                    amount=amount, type=kind, reason=reason),
                            parent=self, success=self._on_saved, failure=self._failed, name="request adjustment")

    def _on_saved(self, row: dq.AdjustmentRow) -> None:
        self.saved.emit(row)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.errors.show(exc.errors)
        elif isinstance(exc, DomainError):
            self.errors.show_message(exc.message)
        elif isinstance(exc, ConnectionProblem):
            self.errors.show_message(self.tr("Cannot reach the server; nothing was saved. Your entry is still here."))


class VoidDialog(QDialog):
    """Void a payment with a reason: a reversal is posted today; the original stays on the ledger. The form is
    ui/void_dialog.ui."""

    saved = Signal(object)  # PaymentReceipt of the reversal

    def __init__(self, runner: TaskRunner, hall: HallConnection, line: dq.LedgerLine, parent: QWidget) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.line = line
        self._key = uuid.uuid4()  # a retried void after a lost connection is the same void
        self.form = Ui_VoidDialog()
        self.form.setupUi(self)
        self.setWindowTitle(self.tr("Void payment {}").format(line.receipt_number or ""))
        self.reason_edit = self.form.reason
        self.message = as_message(self.form.formMessage)
        self.errors = FieldErrors(self.message)
        self.errors.adopt("reason", self.form.reasonError, self.reason_edit)
        self.form.lineLabel.setText(self.tr("{on}: {what} ({amount})").format(
            on=line.on.isoformat(), what=line.description, amount=format_money(-line.amount)))
        self.buttons = self.form.buttonBox
        ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok_button is not None  # the form has OK
        ok_button.setText(self.tr("&Void payment"))
        self.buttons.accepted.connect(self.save)

    def save(self) -> None:
        reason = self.reason_edit.text().strip()
        errors = void_errors(reason)
        if errors:
            self.errors.show(errors)
            return
        assert self.line.payment_id is not None  # the dialog opens on payment lines only
        self.buttons.setEnabled(False)
        self.runner.command(partial(dues.void_payment, self.hall, self.line.payment_id, reason, self._key),
                            parent=self, success=self._on_saved, failure=self._failed, name="void payment")

    def _on_saved(self, receipt: dq.PaymentReceipt) -> None:
        self.saved.emit(receipt)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.errors.show(exc.errors)
        else:
            self.errors.show_message(exc.message if isinstance(exc, (DomainError, ConnectionProblem)) else str(exc))


class MemberDuesView(QWidget):
    """Find a member, see balance, paid-through, months behind and standing, and the ledger."""

    record_shown = Signal()

    def __init__(self, runner: TaskRunner, hall: HallConnection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.roles = hall.facts.roles
        self.full_access = bool(self.roles & DUES_READERS)  # amounts and the ledger; others see standing only
        self.current: dq.MemberDues | None = None
        self.member_id: int | None = None
        self._card: str | None = None  # the shown member's card: a reload reads their standing by it

        self.lookup = MemberLookup(runner, hall)
        self.lookup.setObjectName("memberDuesLookup")
        self.lookup_error = QLabel()
        self.lookup_error.setObjectName("fieldError")
        self.lookup_error.setVisible(False)
        self.name_label = QLabel()
        self.name_label.setObjectName("recordTitle")
        self.name_label.setTextFormat(Qt.TextFormat.RichText)
        self.balance_label = QLabel()
        self.paid_through_label = QLabel()
        self.behind_label = QLabel()
        self.standing_label = QLabel()
        self.standing_label.setObjectName("standing")
        for label in (self.balance_label, self.paid_through_label, self.behind_label):
            label.setTextFormat(Qt.TextFormat.RichText)

        self.model = LedgerModel(parent=self)
        self.view = simple_table(self.model)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # fitted to the rows on screen: Qt's default asks up to 1,000 rows for their size on every load, tens of
        # milliseconds of the GUI thread for a long ledger
        header.setResizeContentsPrecision(0)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)  # the description takes the room left
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(False)  # the running balance reads only in date order
        self.model.sort(-1)
        self.adjust_button = QPushButton(self.tr("Request &adjustment…"))
        self.void_button = QPushButton(self.tr("V&oid payment…"))  # Alt+V is the View menu
        self.receipt_button = QPushButton(self.tr("Pr&int receipt"))  # Alt+P is the Posting tab

        find = QHBoxLayout()
        find_caption = QLabel(self.tr("&Member"))
        find_caption.setBuddy(self.lookup)
        find.addWidget(find_caption)
        find.addWidget(self.lookup, 1)
        find.addWidget(self.lookup_error)
        standing = QHBoxLayout()
        for widget in (self.balance_label, self.paid_through_label, self.behind_label, self.standing_label):
            standing.addWidget(widget)
        standing.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.receipt_button)
        buttons.addStretch(1)
        buttons.addWidget(self.void_button)
        buttons.addWidget(self.adjust_button)
        layout = QVBoxLayout(self)
        layout.addLayout(find)
        layout.addWidget(self.name_label)
        layout.addLayout(standing)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        if not self.full_access:
            self.view.setVisible(False)
            for button in (self.adjust_button, self.void_button, self.receipt_button):
                button.setVisible(False)
            layout.addStretch(1)
        elif not self.roles & DUES_STAFF:  # a manager reads the ledger; requests and voids are the clerk's
            for button in (self.adjust_button, self.void_button):
                button.setVisible(False)

        self.lookup.resolved.connect(self._on_lookup_resolved)
        self.lookup.failed.connect(self._on_lookup_failed)
        self.lookup.returnPressed.connect(lambda: self.lookup.resolve(lambda _row: None))
        self.adjust_button.clicked.connect(self.request_adjustment)
        self.void_button.clicked.connect(self.void_selected)
        self.receipt_button.clicked.connect(self._on_receipt_button_clicked)
        self.view.selectionModel().currentRowChanged.connect(self._update_buttons)
        self.when_shown = ReloadWhenShown(self, self.reload)  # a hidden tab reads the member again once shown
        events.hub().data_changed.connect(self._on_hub_data_changed)
        self._update_buttons()

    # --- loading ------------------------------------------------------------------------------------------

    def _on_lookup_resolved(self, row: dq.PostingLookupRow) -> None:
        self.lookup_error.setVisible(False)
        self.open_member(row.member_id, row)

    def _on_lookup_failed(self, text: str) -> None:
        self.lookup_error.setText(text)
        self.lookup_error.setVisible(True)

    def open_member(self, member_id: int, row: dq.PostingLookupRow | None = None) -> None:
        self.member_id = member_id
        if not self.full_access:
            if row is not None:
                self._card = row.card_number
                self._show_standing(row.name, row.card_number, row.balance, row.paid_through, row.months_behind,
                                    row.standing)
                self.record_shown.emit()
            return
        self.runner.query(partial(dues.member_dues, self.hall, member_id), parent=self, key="member-dues",
                          success=self._show, name="member dues")

    def reload(self) -> None:
        """The shown member again, in place. Never through the lookup's text: the user may be typing the next
        name there when another workstation's payment arrives."""
        member_id, card, hall = self.member_id, self._card, self.hall
        if member_id is None:
            return
        if self.full_access:
            self.open_member(member_id)
        elif card is not None:
            self.runner.query(lambda: pick(card, dues.find_members(hall, card, limit=5)),
                              parent=self, key="member-standing", name="member standing",
                              success=lambda row: self._on_standing_reloaded(member_id, row))

    def _on_standing_reloaded(self, member_id: int, row: dq.PostingLookupRow | None) -> None:
        if row is not None and row.member_id == member_id == self.member_id:
            self._show_standing(row.name, row.card_number, row.balance, row.paid_through, row.months_behind,
                                row.standing)

    def _show(self, loaded: dq.MemberDues) -> None:
        same = self.current is not None and self.current.summary.member_id == loaded.summary.member_id
        self.current = loaded
        s = loaded.summary
        self._show_standing(s.name, s.card_number, s.balance, s.paid_through, s.months_behind, s.standing,
                            extra=f"{format_label(s.classification)} · {format_label(s.status)}"
                                  + (f" · rate {format_money(s.current_rate)}/month" if s.current_rate else ""))
        if same:  # a refresh (a payment elsewhere, a decision): keep the clerk's selection and scroll
            with view_state.kept(self.view, self.model):
                self.model.set_rows(loaded.ledger)
        else:
            self.model.set_rows(loaded.ledger)
            self.view.scrollToBottom()
        self._update_buttons()
        self.record_shown.emit()

    def _show_standing(self, name: str, card: str, balance, paid_through, months_behind: int, standing: str,
                       extra: str = "") -> None:
        self.name_label.setText(f"<b>{name}</b> &nbsp; card {card}" + (f" &nbsp; · {extra}" if extra else ""))
        self.balance_label.setVisible(balance is not None)  # None: this login sees standing, never amounts
        if balance is not None:
            word = self.tr("Credit") if balance < 0 else self.tr("Balance")
            self.balance_label.setText(self.tr("{word} <b>{amount}</b>").format(word=word,
                                                                                 amount=format_money(abs(balance))))
        self.paid_through_label.setText(self.tr("· Paid through <b>{}</b>").format(
            format_month(paid_through) or self.tr("never")))
        self.behind_label.setText(self.tr("· <b>{}</b> month(s) behind").format(months_behind))
        colour = STANDING_COLOURS.get(standing, "#444")
        self.standing_label.setText(format_standing(standing))
        self.standing_label.setProperty("standing", standing)
        self.standing_label.setStyleSheet(f"QLabel {{ background: {colour}; color: white; padding: 2px 10px; "
                                          f"border-radius: 3px; font-weight: bold; }}")

    def _selected_line(self) -> dq.LedgerLine | None:
        return self.model.row_at(self.view.currentIndex())

    def _update_buttons(self, *_args: object) -> None:
        line = self._selected_line()
        is_payment = line is not None and line.kind == "payment"
        self.adjust_button.setEnabled(self.current is not None)
        self.void_button.setEnabled(is_payment and line.status != "voided")  # type: ignore[union-attr]
        self.receipt_button.setEnabled(line is not None and line.payment_id is not None)

    # --- actions ------------------------------------------------------------------------------------------

    def request_adjustment(self) -> AdjustmentDialog | None:
        if self.current is None:
            return None
        dialog = AdjustmentDialog(self.runner, self.hall, self.current.summary, self.current.ledger, self)
        dialog.saved.connect(lambda row: messages.status(self, self.tr(
            "Adjustment requested for {}; a manager decides it.").format(row.member_name)))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def void_selected(self) -> VoidDialog | None:
        line = self._selected_line()
        if line is None or line.kind != "payment" or line.status == "voided":
            return None
        dialog = VoidDialog(self.runner, self.hall, line, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _on_receipt_button_clicked(self) -> None:
        line = self._selected_line()
        if line is None or line.payment_id is None:
            return
        self.runner.query(partial(dues.receipt, self.hall, line.payment_id), parent=self,
                          success=lambda receipt: print_receipts(self.runner, self.hall, self, [receipt], "Receipt"),
                          name="receipt")

    def _on_hub_data_changed(self, kind: str, ids: list, _initiator: object) -> None:
        # "dues" names member ids (a posted remittance's payments arrive as "dues" too); "remittance" names
        # remittance ids, so only its resync (no ids) can concern the member shown
        if self.member_id is None:
            return
        if ((kind == "dues" and (not ids or self.member_id in ids)) or (kind == "remittance" and not ids)) and (
                not self.when_shown.defer()):
            self.reload()
