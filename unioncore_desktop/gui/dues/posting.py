"""The posting batch: a bookkeeping register keyed without the mouse.

Open a batch (deposit date and total), then per line: member (card or name), Tab, amount, Tab, method, Tab,
reference, Enter posts and starts the next line. Each line carries one idempotency key from the moment it is
started until it is posted, so pressing Enter again after a lost connection re-sends the same key and the
server returns the payment it already has instead of posting twice. The batch closes only when the payments
add up to the deposit total.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import partial
from itertools import pairwise

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QVBoxLayout, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import clock, dues
from unioncore_desktop.domain.errors import (
    ConnectionProblem,
    DomainError,
    StaleRecord,
    ValidationError,
)
from unioncore_desktop.domain.queries import dues as dq
from unioncore_desktop.domain.rules.dues import close_batch_errors, deposit_total_errors, money
from unioncore_desktop.gui import events, messages
from unioncore_desktop.gui.dues.posting_entry import LINE_FIELDS, LineEntry
from unioncore_desktop.gui.dues.posting_header import BatchHeader
from unioncore_desktop.gui.dues.posting_lines import BatchLines
from unioncore_desktop.gui.itemmodels.dues import format_month
from unioncore_desktop.gui.itemmodels.formatting import format_money
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.when_shown import ReloadWhenShown

ABSURD_YEARS = 10                   # a payment beyond ten years of the member's dues is asked about
ABSURD_WITHOUT_RATE = Decimal("5000.00")


@dataclass(frozen=True, slots=True)
class PendingLine:
    """A line on its way to the server, kept so a refusal can bring it back with its key."""

    key: uuid.UUID
    member: dq.PostingLookupRow | None   # None until the typed text is looked up
    member_text: str
    amount: Decimal
    method: str
    reference: str | None


def amount_limit(rate: Decimal | None) -> Decimal:
    return rate * 12 * ABSURD_YEARS if rate else ABSURD_WITHOUT_RATE


def with_receipt(summary: dq.BatchSummary, receipt: dq.PaymentReceipt) -> dq.BatchSummary:
    """The batch's totals with a payment just posted into it, as batch_summary would read them: each Enter
    costs the one command, not a read of the totals after it. Other counters' posts arrive as changes and
    reload the batch."""
    methods = {m.method: m for m in summary.by_method}
    had = methods.get(receipt.method)
    methods[receipt.method] = dq.MethodTotal(receipt.method, (had.count if had else 0) + 1,
                                             (had.total if had else Decimal(0)) + receipt.amount)
    return replace(summary, payment_count=summary.payment_count + 1,
                   payments_total=summary.payments_total + receipt.amount,
                   difference=summary.difference - receipt.amount,
                   by_method=tuple(methods[m] for m in sorted(methods)))


class PostingScreen(QWidget):
    """Key payments into a deposit batch; `loaded` fires once the clerk's open batches are listed.

    Three parts, each in its own module: the batch header (posting_header), the keyed line (posting_entry) and the
    batch's lines (posting_lines). This screen runs the batch and the line through the task runner."""

    loaded = Signal()
    record_shown = Signal()
    batch_shown = Signal()
    line_posted = Signal(object)    # PaymentReceipt

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.settings = settings
        self.batch: dq.BatchSummary | None = None
        # The batch a load was last asked for: a refresh still in flight when the clerk starts a new batch
        # must not bring the old one back.
        self._wanted_batch: int | None = None
        self.today: date | None = None
        self._line_key = uuid.uuid4()
        self._sending = 0            # lines handed to the command worker, not yet answered
        self._held: list[tuple[PendingLine, BaseException]] = []
        self._rates: dict[int, Decimal | None] = {}

        self.header = BatchHeader()
        self.entry = LineEntry(runner, hall)
        self.panel = BatchLines(runner, hall, settings)
        self.model = self.panel.lines
        # the parts' widgets under the names the screen has always had
        h, e = self.header, self.entry
        self.batch_combo, self.deposit_date, self.deposit_total = h.batch_combo, h.deposit_date, h.deposit_total
        self.open_button, self.batch_error, self.resume_note = h.open_button, h.batch_error, h.resume_note
        self.total_label, self.posted_label, self.difference_label = h.total_label, h.posted_label, h.difference_label
        self.close_button, self.print_batch_button, self.import_button = (h.close_button, h.print_batch_button,
                                                                          h.import_button)
        self.member_edit, self.amount_edit, self.method_combo = e.member_edit, e.amount_edit, e.method_combo
        self.reference_edit, self.post_button, self.retry_button = e.reference_edit, e.post_button, e.retry_button
        self.member_info, self.line_message = e.member_info, e.line_message
        self.editors, self.error_labels = e.editors, e.error_labels

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.entry)
        layout.addWidget(self.panel, 1)

        # the keyed order across the parts: date, total, open, then the line (set once they share this window)
        for first, second in pairwise((self.deposit_date, self.deposit_total, self.open_button, self.member_edit,
                                       self.amount_edit, self.method_combo, self.reference_edit, self.post_button)):
            QWidget.setTabOrder(first, second)
        for editor in (*self.editors.values(), self.deposit_total, self.deposit_date):
            editor.installEventFilter(self)

        self.batch_combo.currentIndexChanged.connect(self._on_batch_combo_current_index_changed)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.close_button.clicked.connect(self.close_batch)
        self.print_batch_button.clicked.connect(self.panel.print_batch)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.post_button.clicked.connect(self.post_line)
        self.retry_button.clicked.connect(self.post_line)
        self.member_edit.resolved.connect(self._on_member_edit_resolved)
        self.member_edit.cleared.connect(self.member_info.clear)
        self.member_edit.failed.connect(lambda text: self.show_errors({"member": text}, focus=False))
        self.panel.view.selectionModel().currentRowChanged.connect(lambda *_: self.record_shown.emit())
        QShortcut(QKeySequence.StandardKey.Print, self, self.panel.print_chosen)
        QShortcut(QKeySequence("Ctrl+N"), self, self.new_batch)
        self.when_shown = ReloadWhenShown(self, self.refresh)  # hidden, a change is read once shown
        events.hub().data_changed.connect(self._on_hub_data_changed)

        self._show_batch(None)

    # --- loading ------------------------------------------------------------------------------------------

    def start(self) -> None:
        self.runner.query(partial(clock.today, self.hall), parent=self, success=self._on_today, name="hall today")
        self.refresh()

    def refresh(self) -> None:
        """The clerk's open batches, and the current batch's totals."""
        self.runner.query(partial(dues.open_batches, self.hall, self.hall.facts.user), parent=self,
                          key="posting-batches", success=self._on_batches, name="open batches")
        if self.batch is not None:
            self._load(self.batch.id)

    def _on_today(self, today: date) -> None:
        self.today = today
        self.header.set_today(today)
        if self.batch is None:
            self.header.set_deposit_date(today)

    def _on_batches(self, batches: list[dq.BatchSummary]) -> None:
        self.header.list_batches(batches, self.batch)
        if self.batch is None and self._wanted_batch is None and not self.model.rowCount():
            self.model.set_rows([])  # no batch chosen: an empty list, not one still loading
        self.loaded.emit()

    def _load(self, batch_id: int) -> None:
        self._wanted_batch = batch_id
        self.runner.query(partial(dues.posting_batch, self.hall, batch_id), parent=self, key="posting-batch",
                          success=self._on_batch_loaded, name="load batch")

    def _on_batch_loaded(self, loaded: dq.PostingBatch) -> None:
        if loaded.summary.id != self._wanted_batch:
            return
        self.panel.set_busy(False)
        switched = self.batch is None or self.batch.id != loaded.summary.id
        if switched:
            self.model.set_rows(loaded.receipts)
        else:
            self.panel.reload(loaded.receipts)
        self._show_batch(loaded.summary)
        if switched and loaded.summary.status == "open":
            self.start_line()

    def _refresh_summary(self) -> None:
        if self.batch is None:
            return
        self.runner.query(partial(dues.batch_summary, self.hall, self.batch.id), parent=self,
                          key="posting-summary", success=self._on_summary, name="batch totals")

    def _on_summary(self, summary: dq.BatchSummary) -> None:
        if self.batch is not None and summary.id == self.batch.id:
            self._show_batch(summary)

    # --- batch --------------------------------------------------------------------------------------------

    def _on_batch_combo_current_index_changed(self, _index: int) -> None:
        batch_id = self.batch_combo.currentData()
        if batch_id is None:
            self.new_batch()
        elif self.batch is None or self.batch.id != batch_id:
            self.model.set_rows([])
            self.panel.set_busy(True)  # "Loading…" until the batch's payments arrive, not "0 rows"
            self._load(batch_id)

    def new_batch(self) -> None:
        """Back to an empty batch form, ready for the next deposit."""
        self.header.choose_new()
        self._wanted_batch = None
        self.model.set_rows([])
        self._show_batch(None)
        self.deposit_total.setFocus()

    def _show_batch(self, summary: dq.BatchSummary | None) -> None:
        self.batch = summary
        self.panel.batch = summary
        self.header.show_batch(summary)
        self.entry.set_open(summary is not None and summary.status == "open")
        if summary is not None:
            self.batch_shown.emit()

    def _on_open_button_clicked(self) -> None:
        self.batch_error.setVisible(False)
        text = self.deposit_total.text()
        errors = deposit_total_errors(text)
        if errors:
            self._batch_failed(ValidationError(errors))
            return
        total = money(text)
        if self.batch is None:
            self.runner.command(partial(dues.open_batch, self.hall, self.header.chosen_date(), total),
                                parent=self, success=self._on_batch_opened, failure=self._batch_failed,
                                name="open batch")
            return
        batch = self.batch
        if total == batch.deposit_total:
            self.member_edit.setFocus()
            return
        self.runner.command(partial(dues.set_batch_total, self.hall, batch, total),
                            parent=self, success=self._on_batch_total_changed, failure=self._batch_failed,
                            name="change batch total")

    def _on_batch_opened(self, summary: dq.BatchSummary) -> None:
        self.model.set_rows([])
        self._show_batch(summary)
        self.refresh()
        self.start_line()
        messages.status(self, self.tr("Batch #{} opened").format(summary.id))

    def _on_batch_total_changed(self, summary: dq.BatchSummary) -> None:
        self._show_batch(summary)
        self.refresh()
        self.member_edit.setFocus()

    def _batch_failed(self, exc: BaseException, *, focus: bool = True) -> None:
        if isinstance(exc, DomainError):
            errors = exc.errors if isinstance(exc, ValidationError) else {}
            self.header.show_error(errors.get("deposit_total") or errors.get("deposit_on") or exc.message)
            if focus:
                (self.deposit_date if "deposit_on" in errors else self.deposit_total).setFocus()
            if isinstance(exc, StaleRecord):
                self.refresh()

    def close_batch(self) -> None:
        batch = self.batch
        if batch is None or batch.status != "open":
            return
        errors = close_batch_errors(payments_total=batch.payments_total, deposit_total=batch.deposit_total)
        if errors:
            self._batch_failed(ValidationError(errors), focus=False)
            return
        self.runner.command(partial(dues.close_batch, self.hall, batch.id), parent=self,
                            success=self._on_batch_closed, failure=self._batch_failed, name="close batch")

    def _on_batch_closed(self, summary: dq.BatchSummary) -> None:
        self._show_batch(summary)
        # the close button and the line went disabled under the focus: the batch chooser is where the next step is
        self.header.batch_combo.setFocus(Qt.FocusReason.OtherFocusReason)
        self.refresh()
        messages.status(self, self.tr("Batch #{} closed: {} payment(s), {}").format(
            summary.id, summary.payment_count, format_money(summary.payments_total)))

    # --- the line -----------------------------------------------------------------------------------------

    def start_line(self) -> None:
        """A fresh line with a new idempotency key; the method stays as the previous line's. A refused line
        waiting to come back takes its place instead."""
        self._line_key = uuid.uuid4()
        self.entry.reset()
        if self._held:
            line, exc = self._held.pop(0)
            self._restore(line, exc)

    @property
    def line_key(self) -> uuid.UUID:
        return self._line_key

    def clear_errors(self) -> None:
        self.entry.clear_errors()

    def show_errors(self, errors: dict[str, str], message: str | None = None, *, focus: bool = True) -> None:
        self.entry.show_errors(errors, message, focus=focus)

    def show_line_message(self, text: str) -> None:
        self.entry.show_line_message(text)

    def post_line(self) -> None:
        """Enter: check the line here, then hand it on and start the next line at once, so a fast clerk can
        type on while the member is looked up and the payment posted. A refused line comes back to the entry
        with its key and the reason beside the field (see _line_failed)."""
        if self.batch is None or self.batch.status != "open":
            self.show_line_message(self.tr("Open a batch first: enter the deposit total and press Enter."))
            self.deposit_total.setFocus()
            return
        self.clear_errors()
        values, errors = self.entry.read()
        if errors:
            self.show_errors(errors)
            return
        line = PendingLine(self._line_key, self.member_edit.member, self.member_edit.text().strip(),
                           values["amount"], str(values["method"]), values["reference"])  # type: ignore[arg-type]
        self._sending += 1
        self.start_line()
        if line.member is not None:
            self._check_and_send(line)
        else:
            self.member_edit.look_up_once(line.member_text,
                                          lambda row, problem: self._on_line_member(line, row, problem))

    def _on_line_member(self, line: PendingLine, member: dq.PostingLookupRow | None, problem: str) -> None:
        if member is None:
            self._line_failed(line, ValidationError({"member": problem}))
        else:
            self._check_and_send(replace(line, member=member))

    def _check_and_send(self, line: PendingLine) -> None:
        member = line.member
        assert member is not None
        if line.amount > amount_limit(self._rates.get(member.member_id)) and not messages.question(
                self, self.tr("Unusual amount"),
                self.tr("{amount} for {name} is more than {years} years of dues. Post it anyway?").format(
                    amount=format_money(line.amount), years=ABSURD_YEARS, name=member.name)):
            self._line_failed(line, ValidationError({"amount": self.tr("Check the amount: it is more than {} years "
                                                                       "of dues.").format(ABSURD_YEARS)}))
            return
        batch_id = self.batch.id  # type: ignore[union-attr]
        self.show_line_message(self.tr("Posting {name} {amount}…").format(name=member.name,
                                                                          amount=format_money(line.amount)))
        # the action looks the service up when the task runs, so a test can stand in for a dropped connection
        # around the real service
        self.runner.command(
            partial(dues.post_payment, self.hall, line.key, member.member_id, amount=line.amount, method=line.method,
                    reference=line.reference, batch_id=batch_id),
            parent=self, success=lambda receipt: self._on_posted(line, receipt),
            failure=lambda exc: self._line_failed(line, exc), name="post payment")

    def _on_posted(self, _line: PendingLine, receipt: dq.PaymentReceipt) -> None:
        self._sending -= 1
        new = self.model.row_by_id(receipt.payment_id) is None
        self.model.add_or_replace(receipt)
        self.panel.view.scrollToBottom()
        again = self.tr(" (it had already reached the server; posted once)") if receipt.already_posted else ""
        if not self.line_message.property("sticky"):
            self.show_line_message(self.tr("Posted receipt {no}: {name} {amount}; balance {balance}, paid through "
                                           "{through}{again}").format(
                no=receipt.receipt_number, name=receipt.member_name, amount=format_money(receipt.amount),
                balance=format_money(receipt.balance), through=format_month(receipt.paid_through) or "—",
                again=again))
        batch = self.batch
        if batch is not None and receipt.batch_id == batch.id and not receipt.already_posted and new:
            self._show_batch(with_receipt(batch, receipt))
        else:  # a post sent again, or the batch changed meanwhile: read the totals
            self._refresh_summary()
        self.line_posted.emit(receipt)

    def _line_failed(self, line: PendingLine, exc: BaseException) -> None:
        """The refused line returns to the entry, or waits there until the line being typed is posted."""
        self._sending -= 1
        if self.entry.is_empty():
            self._restore(line, exc)
        else:
            self._held.append((line, exc))
            self.show_line_message(self.tr("{name} {amount} was not posted; it comes back here after this "
                                           "line.").format(name=line.member.name if line.member else line.member_text,
                                                           amount=format_money(line.amount)))
            self.line_message.setProperty("sticky", True)

    def _restore(self, line: PendingLine, exc: BaseException) -> None:
        self._line_key = line.key  # the same key: a re-send can never post twice
        self.entry.fill(line.member, line.member_text, line.amount, line.method, line.reference)
        self.line_message.setProperty("sticky", False)
        if isinstance(exc, ConnectionProblem):
            self.retry_button.setVisible(True)
            self.show_line_message(self.tr(
                "Connection to the server lost — this payment may not be posted yet. The line is kept: press "
                "Enter or Retry to send it again; it can never post twice."))
            self.amount_edit.setFocus()
            return
        if isinstance(exc, ValidationError):
            errors = dict(exc.errors)
            if "batch" in errors:
                self.refresh()
            self.show_errors(errors)
        elif isinstance(exc, DomainError):
            self.show_errors({exc.field: exc.message} if exc.field in LINE_FIELDS else {}, exc.message)
            self.amount_edit.setFocus()
        else:
            self.show_line_message(self.tr("Not posted: {}. The line is kept; try again.").format(exc))
            self.amount_edit.setFocus()

    def _on_member_edit_resolved(self, member: dq.PostingLookupRow) -> None:
        self.entry.member_found()
        self.entry.show_member(member)
        if member.member_id not in self._rates:
            self.runner.query(partial(dues.member_summary, self.hall, member.member_id), parent=self,
                              key="posting-member", success=self._on_member_summary, failure=lambda _exc: None,
                              name="member dues")

    def post_for(self, member: dq.PostingLookupRow) -> None:
        """Start a line for `member` (opened from the member record): the amount is next; without an open batch,
        the deposit total is."""
        self.member_edit.set_member(member)
        self._on_member_edit_resolved(member)
        if self.batch is None or self.batch.status != "open":
            self.show_line_message(self.tr("Open a batch first: enter the deposit total and press Enter."))
            self.deposit_total.setFocus()
        else:
            self.amount_edit.setFocus()

    def _on_member_summary(self, summary: dq.MemberDuesSummary) -> None:
        self._rates[summary.member_id] = summary.current_rate

    # --- keys ---------------------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):  # type: ignore[attr-defined]
            if watched in (self.deposit_total, self.deposit_date):
                self._on_open_button_clicked()
                return True
            if watched in self.editors.values():
                if watched is self.member_edit and self.member_edit.popup_visible():
                    return False
                self.post_line()
                return True
        return super().eventFilter(watched, event)

    # --- remittance, other workstations ---------------------------------------------------------------------

    def _on_import_button_clicked(self) -> None:
        from unioncore_desktop.gui.dues.remittance_wizard import open_remittance_wizard

        open_remittance_wizard(self, self.runner, self.hall)

    def _on_hub_data_changed(self, kind: str, _ids: list, initiator: object) -> None:
        # Another counter may post into this batch or close it, and remittances post into their own batches.
        # A refresh reloads the open batches and this batch's receipts and totals in place; the line being
        # typed is left alone.
        if initiator is not self and kind in ("dues", "dues_batch", "remittance") and not self.when_shown.defer():
            self.refresh()

    def save_state(self) -> None:
        self.panel.save_state()
