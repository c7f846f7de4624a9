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
from pathlib import Path

from PySide6.QtCore import QDate, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import clock, dues
from unioncore_desktop.domain.errors import (
    ConnectionProblem,
    DomainError,
    StaleRecord,
    ValidationError,
)
from unioncore_desktop.domain.queries import dues as dq
from unioncore_desktop.domain.rules.dues import close_batch_errors, deposit_total_errors, money, validate_payment
from unioncore_desktop.domain.vocab import PAYMENT_METHODS, REFERENCE_LENGTH
from unioncore_desktop.gui import events, messages, reporting
from unioncore_desktop.gui.dues.lookup import MemberLookup
from unioncore_desktop.gui.itemmodels.dues import (
    PostedLinesModel,
    format_method,
    format_month,
    format_standing,
)
from unioncore_desktop.gui.itemmodels.formatting import format_money
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.table_panel import TablePanel
from unioncore_desktop.reports import ReportContext

ABSURD_YEARS = 10                   # a payment beyond ten years of the member's dues is asked about
ABSURD_WITHOUT_RATE = Decimal("5000.00")
LINE_FIELDS = ("member", "amount", "method", "reference")


@dataclass(frozen=True, slots=True)
class PendingLine:
    """A line on its way to the server, kept so a refusal can bring it back with its key."""

    key: uuid.UUID
    member: dq.PostingLookupRow | None   # None until the typed text is looked up
    member_text: str
    amount: Decimal
    method: str
    reference: str | None


def print_receipts(runner: TaskRunner, hall: HallConnection, parent: QWidget,
                   receipts: list[dq.PaymentReceipt], title: str) -> None:
    """Receipts as one PDF (one per page), built in a worker."""
    if not receipts:
        return
    chosen = list(receipts)
    parameters = [("Receipts", ", ".join(r.receipt_number for r in chosen[:10]) + (" …" if len(chosen) > 10 else ""))]

    def build(path: Path, context: ReportContext) -> Path:
        from unioncore_desktop.reports.pdf.receipt import (
            build_receipts,  # written alongside the dues screens
        )

        return build_receipts(path, context, chosen)

    reporting.print_report(runner, hall, parent, title, parameters, build)


def amount_limit(rate: Decimal | None) -> Decimal:
    return rate * 12 * ABSURD_YEARS if rate else ABSURD_WITHOUT_RATE


class PostingScreen(QWidget):
    """Key payments into a deposit batch; `loaded` fires once the clerk's open batches are listed."""

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

        # --- batch ------------------------------------------------------------------------------------------
        self.batch_combo = QComboBox()
        self.batch_combo.setObjectName("batchChoice")
        self.batch_combo.addItem(self.tr("New batch"), None)
        self.batch_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.deposit_date = QDateEdit()
        self.deposit_date.setObjectName("depositDate")
        self.deposit_date.setCalendarPopup(True)
        self.deposit_date.setDisplayFormat("yyyy-MM-dd")
        self.deposit_date.setDate(QDate.currentDate())  # replaced by the hall's date as soon as it is known
        self._date_chosen = False  # True once the clerk picks a deposit date
        self.deposit_date.dateChanged.connect(lambda _d: setattr(self, "_date_chosen", True))
        self.deposit_total = QLineEdit()
        self.deposit_total.setObjectName("depositTotal")
        self.deposit_total.setPlaceholderText(self.tr("0.00"))
        self.deposit_total.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.open_button = QPushButton(self.tr("&Open batch"))
        self.batch_error = self._error_label()
        self.resume_note = QLabel()
        self.resume_note.setObjectName("resumeNote")
        self.resume_note.setVisible(False)

        self.total_label = QLabel()
        self.posted_label = QLabel()
        self.difference_label = QLabel()
        self.difference_label.setObjectName("batchDifference")
        self.close_button = QPushButton(self.tr("&Close batch"))
        self.close_button.setObjectName("closeBatch")
        self.print_batch_button = QPushButton(self.tr("Print &batch receipts"))
        self.import_button = QPushButton(self.tr("&Import remittance…"))

        batch_box = QGroupBox(self.tr("Deposit batch"))
        batch_grid = QGridLayout(batch_box)
        batch_grid.addWidget(QLabel(self.tr("Batch")), 0, 0)
        batch_grid.addWidget(self.batch_combo, 0, 1)
        date_caption = QLabel(self.tr("Deposit &date"))
        date_caption.setBuddy(self.deposit_date)
        batch_grid.addWidget(date_caption, 0, 2)
        batch_grid.addWidget(self.deposit_date, 0, 3)
        total_caption = QLabel(self.tr("Deposit &total"))
        total_caption.setBuddy(self.deposit_total)
        batch_grid.addWidget(total_caption, 0, 4)
        batch_grid.addWidget(self.deposit_total, 0, 5)
        batch_grid.addWidget(self.open_button, 0, 6)
        batch_grid.addWidget(self.import_button, 0, 8)
        batch_grid.setColumnStretch(7, 1)
        batch_grid.addWidget(self.batch_error, 1, 4, 1, 3)
        batch_grid.addWidget(self.resume_note, 1, 0, 1, 4)
        totals = QHBoxLayout()
        for widget in (self.total_label, self.posted_label, self.difference_label):
            totals.addWidget(widget)
        totals.addStretch(1)
        totals.addWidget(self.print_batch_button)
        totals.addWidget(self.close_button)
        batch_grid.addLayout(totals, 2, 0, 1, 9)

        # --- entry line -------------------------------------------------------------------------------------
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
        self.reference_edit = QLineEdit()
        self.reference_edit.setObjectName("reference")
        self.reference_edit.setMaxLength(REFERENCE_LENGTH)
        self.reference_edit.setPlaceholderText(self.tr("check / money order no."))
        self.post_button = QPushButton(self.tr("&Post (Enter)"))
        self.post_button.setObjectName("postLine")
        self.retry_button = QPushButton(self.tr("&Retry"))
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
        self.error_labels = {name: self._error_label() for name in LINE_FIELDS}
        entry_box = QGroupBox(self.tr("Payment"))
        entry = QGridLayout(entry_box)
        captions = {"member": self.tr("&Member"), "amount": self.tr("&Amount"), "method": self.tr("M&ethod"),
                    "reference": self.tr("Re&ference")}
        for column, name in enumerate(LINE_FIELDS):
            caption = QLabel(captions[name])
            caption.setBuddy(self.editors[name])
            entry.addWidget(caption, 0, column)
            entry.addWidget(self.editors[name], 1, column)
            entry.addWidget(self.error_labels[name], 2, column)
        entry.addWidget(self.post_button, 1, 4)
        entry.addWidget(self.retry_button, 1, 5)
        entry.setColumnStretch(0, 3)
        entry.setColumnStretch(1, 1)
        entry.setColumnStretch(2, 1)
        entry.setColumnStretch(3, 1)
        entry.addWidget(self.member_info, 3, 0, 1, 6)
        entry.addWidget(self.line_message, 4, 0, 1, 6)

        # --- posted lines -----------------------------------------------------------------------------------
        self.model = PostedLinesModel(parent=self)
        self.panel = TablePanel("dues-posting", self.model, settings=settings)
        self.panel.search_edit.setVisible(False)
        self.panel.print_button.setText(self.tr("Print receipt"))
        self.panel.print_button.setToolTip(self.tr("Print the selected receipts (Ctrl+P)"))

        layout = QVBoxLayout(self)
        layout.addWidget(batch_box)
        layout.addWidget(entry_box)
        layout.addWidget(self.panel, 1)

        QWidget.setTabOrder(self.deposit_date, self.deposit_total)
        QWidget.setTabOrder(self.deposit_total, self.open_button)
        QWidget.setTabOrder(self.open_button, self.member_edit)
        QWidget.setTabOrder(self.member_edit, self.amount_edit)
        QWidget.setTabOrder(self.amount_edit, self.method_combo)
        QWidget.setTabOrder(self.method_combo, self.reference_edit)
        QWidget.setTabOrder(self.reference_edit, self.post_button)
        for editor in (*self.editors.values(), self.deposit_total, self.deposit_date):
            editor.installEventFilter(self)

        self.batch_combo.currentIndexChanged.connect(self._on_batch_combo_current_index_changed)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.close_button.clicked.connect(self.close_batch)
        self.print_batch_button.clicked.connect(self._on_print_batch_button_clicked)
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.post_button.clicked.connect(self.post_line)
        self.retry_button.clicked.connect(self.post_line)
        self.member_edit.resolved.connect(self._on_member_edit_resolved)
        self.member_edit.cleared.connect(self._on_member_edit_cleared)
        self.member_edit.failed.connect(lambda text: self.show_errors({"member": text}, focus=False))
        self.panel.print_requested.connect(self._on_panel_print_requested)
        self.panel.export_requested.connect(self._on_panel_export_requested)
        self.panel.view.selectionModel().currentRowChanged.connect(lambda *_: self.record_shown.emit())
        QShortcut(QKeySequence.StandardKey.Print, self, self._on_panel_print_requested)
        QShortcut(QKeySequence("Ctrl+N"), self, self.new_batch)
        events.hub().data_changed.connect(self._on_hub_data_changed)

        self._show_batch(None)

    @staticmethod
    def _error_label() -> QLabel:
        label = QLabel()
        label.setObjectName("fieldError")
        label.setWordWrap(True)
        label.setVisible(False)
        return label

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
        self.deposit_date.setMaximumDate(QDate(today.year, today.month, today.day))  # deposits have happened
        if self.batch is None:
            self._set_deposit_date(today)

    def _set_deposit_date(self, day: date) -> None:
        self.deposit_date.blockSignals(True)
        self.deposit_date.setDate(QDate(day.year, day.month, day.day))
        self.deposit_date.blockSignals(False)

    def _on_batches(self, batches: list[dq.BatchSummary]) -> None:
        current = self.batch.id if self.batch is not None else None
        self.batch_combo.blockSignals(True)
        self.batch_combo.clear()
        self.batch_combo.addItem(self.tr("New batch"), None)
        for b in batches:
            self.batch_combo.addItem(self.tr("#{id} · {day} · total {total} · {n} posted").format(
                id=b.id, day=b.deposit_on.isoformat(), total=format_money(b.deposit_total), n=b.payment_count), b.id)
        if current is not None and self.batch_combo.findData(current) < 0 and self.batch is not None:
            self.batch_combo.addItem(self.tr("#{id} · {status}").format(id=current, status=self.batch.status), current)
        self.batch_combo.setCurrentIndex(max(0, self.batch_combo.findData(current)) if current is not None else 0)
        self.batch_combo.blockSignals(False)
        waiting = [b for b in batches if b.id != current]
        self.resume_note.setText(self.tr("You have {n} open batch(es) to continue: choose one above.").format(
            n=len(waiting)))
        self.resume_note.setVisible(self.batch is None and bool(waiting))
        self.loaded.emit()

    def _load(self, batch_id: int) -> None:
        self._wanted_batch = batch_id
        self.runner.query(partial(dues.posting_batch, self.hall, batch_id), parent=self, key="posting-batch",
                          success=self._on_batch_loaded, name="load batch")

    def _on_batch_loaded(self, loaded: dq.PostingBatch) -> None:
        if loaded.summary.id != self._wanted_batch:
            return
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
            self._load(batch_id)

    def new_batch(self) -> None:
        """Back to an empty batch form, ready for the next deposit."""
        self.batch_combo.blockSignals(True)
        self.batch_combo.setCurrentIndex(0)
        self.batch_combo.blockSignals(False)
        self._wanted_batch = None
        self.model.set_rows([])
        self._show_batch(None)
        self.deposit_total.setFocus()

    def _show_batch(self, summary: dq.BatchSummary | None) -> None:
        self.batch = summary
        is_open = summary is not None and summary.status == "open"
        if summary is None or summary.balanced:
            self.batch_error.setVisible(False)
        self.deposit_date.setEnabled(summary is None)
        self.open_button.setText(self.tr("&Open batch") if summary is None else self.tr("Change &total"))
        self.open_button.setEnabled(summary is None or is_open)
        self.deposit_total.setReadOnly(summary is not None and not is_open)
        for widget in (*self.editors.values(), self.post_button):
            widget.setEnabled(is_open)
        self.close_button.setEnabled(is_open and summary is not None and summary.balanced)
        self.print_batch_button.setEnabled(summary is not None and summary.payment_count > 0)
        if summary is None:
            self.total_label.setText(self.tr("Enter the deposit total, then Open batch."))
            self.posted_label.clear()
            self.difference_label.clear()
            self.difference_label.setStyleSheet("")
            self.deposit_total.clear()
            self._date_chosen = False
            if self.today is not None:
                self._set_deposit_date(self.today)
            return
        self.resume_note.setVisible(False)
        self._set_deposit_date(summary.deposit_on)
        if not self.deposit_total.hasFocus():
            self.deposit_total.setText(format_money(summary.deposit_total))
        state = "" if is_open else self.tr(" (closed by {} )").format(summary.closed_by or "")
        self.total_label.setText(self.tr("<b>Batch #{id}</b>{state} · deposit total <b>{total}</b>").format(
            id=summary.id, state=state, total=format_money(summary.deposit_total)))
        self.posted_label.setText(self.tr("· posted <b>{total}</b> in {n} payment(s)").format(
            total=format_money(summary.payments_total), n=summary.payment_count))
        if summary.balanced:
            self.difference_label.setText(self.tr("Balanced"))
            self.difference_label.setStyleSheet("QLabel { background: #d7f0dc; color: #1b5e20; padding: 2px 8px; "
                                                "font-weight: bold; }")
        else:
            word = self.tr("still to post") if summary.difference > 0 else self.tr("over the deposit")
            self.difference_label.setText(self.tr("Difference {amount} ({word})").format(
                amount=format_money(abs(summary.difference)), word=word))
            self.difference_label.setStyleSheet("QLabel { background: #fde2e1; color: #b00020; padding: 2px 8px; "
                                                "font-weight: bold; }")
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
            qd = self.deposit_date.date()
            # never the workstation's date: until the hall's is known, the worker asks the server
            chosen = date(qd.year(), qd.month(), qd.day()) if self._date_chosen or self.today else None
            self.runner.command(partial(dues.open_batch, self.hall, chosen, total),
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
            self.batch_error.setText(errors.get("deposit_total") or errors.get("deposit_on") or exc.message)
            self.batch_error.setVisible(True)
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
        self.refresh()
        messages.status(self, self.tr("Batch #{} closed: {} payment(s), {}").format(
            summary.id, summary.payment_count, format_money(summary.payments_total)))

    # --- the line -----------------------------------------------------------------------------------------

    def start_line(self) -> None:
        """A fresh line with a new idempotency key; the method stays as the previous line's. A refused line
        waiting to come back takes its place instead."""
        self._line_key = uuid.uuid4()
        self.member_edit.reset()
        self.amount_edit.clear()
        self.reference_edit.clear()
        self.clear_errors()
        self.member_info.clear()
        self.retry_button.setVisible(False)
        self.member_edit.setFocus()
        if self._held:
            line, exc = self._held.pop(0)
            self._restore(line, exc)

    @property
    def line_key(self) -> uuid.UUID:
        return self._line_key

    def clear_errors(self) -> None:
        for name, label in self.error_labels.items():
            label.clear()
            label.setVisible(False)
            self._mark(self.editors[name], False)
        self.line_message.setVisible(False)

    @staticmethod
    def _mark(editor: QWidget, error: bool) -> None:
        if bool(editor.property("error")) != error:
            editor.setProperty("error", error)
            editor.style().unpolish(editor)
            editor.style().polish(editor)

    def show_errors(self, errors: dict[str, str], message: str | None = None, *, focus: bool = True) -> None:
        for name, text in errors.items():
            if name in self.error_labels:
                self.error_labels[name].setText(text)
                self.error_labels[name].setVisible(True)
                self._mark(self.editors[name], True)
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

    def _read_line(self) -> tuple[dict[str, object], dict[str, str]]:
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

    def post_line(self) -> None:
        """Enter: check the line here, then hand it on and start the next line at once, so a fast clerk can
        type on while the member is looked up and the payment posted. A refused line comes back to the entry
        with its key and the reason beside the field (see _line_failed)."""
        if self.batch is None or self.batch.status != "open":
            self.show_line_message(self.tr("Open a batch first: enter the deposit total and press Enter."))
            self.deposit_total.setFocus()
            return
        self.clear_errors()
        values, errors = self._read_line()
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
        self.model.add_or_replace(receipt)
        self.panel.view.scrollToBottom()
        again = self.tr(" (it had already reached the server; posted once)") if receipt.already_posted else ""
        if not self.line_message.property("sticky"):
            self.show_line_message(self.tr("Posted receipt {no}: {name} {amount}; balance {balance}, paid through "
                                           "{through}{again}").format(
                no=receipt.receipt_number, name=receipt.member_name, amount=format_money(receipt.amount),
                balance=format_money(receipt.balance), through=format_month(receipt.paid_through) or "—",
                again=again))
        self._refresh_summary()
        self.line_posted.emit(receipt)

    def _entry_is_empty(self) -> bool:
        return not (self.member_edit.text().strip() or self.amount_edit.text().strip()
                    or self.reference_edit.text().strip())

    def _line_failed(self, line: PendingLine, exc: BaseException) -> None:
        """The refused line returns to the entry, or waits there until the line being typed is posted."""
        self._sending -= 1
        if self._entry_is_empty():
            self._restore(line, exc)
        else:
            self._held.append((line, exc))
            self.show_line_message(self.tr("{name} {amount} was not posted; it comes back here after this "
                                           "line.").format(name=line.member.name if line.member else line.member_text,
                                                           amount=format_money(line.amount)))
            self.line_message.setProperty("sticky", True)

    def _restore(self, line: PendingLine, exc: BaseException) -> None:
        self._line_key = line.key  # the same key: a re-send can never post twice
        if line.member is not None:
            self.member_edit.set_member(line.member)
        else:
            self.member_edit.setText(line.member_text)
        self.amount_edit.setText(str(line.amount))
        self.method_combo.setCurrentIndex(max(0, self.method_combo.findData(line.method)))
        self.reference_edit.setText(line.reference or "")
        self.clear_errors()
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
        self.error_labels["member"].setVisible(False)
        self._mark(self.member_edit, False)
        self._show_member(member)
        if member.member_id not in self._rates:
            self.runner.query(partial(dues.member_summary, self.hall, member.member_id), parent=self,
                              key="posting-member", success=self._on_member_summary, failure=lambda _exc: None,
                              name="member dues")

    def _on_member_summary(self, summary: dq.MemberDuesSummary) -> None:
        self._rates[summary.member_id] = summary.current_rate

    def _show_member(self, m: dq.PostingLookupRow) -> None:
        colour = {"good_standing": "#1b7a2f", "in_arrears": "#b35900", "suspended": "#b00020"}.get(m.standing, "#000")
        behind = self.tr(" · {} month(s) behind").format(m.months_behind) if m.months_behind else ""
        status = "" if m.status == "active" else f" · {m.status}"
        self.member_info.setText(self.tr(
            "<b>{name}</b> (card {card}){status} · balance <b>{balance}</b> · paid through <b>{through}</b>{behind}"
            " · <span style='color:{colour}; font-weight:bold'>{standing}</span>").format(
            name=m.name, card=m.card_number, status=status, balance=format_money(m.balance),
            through=format_month(m.paid_through) or self.tr("never"), behind=behind, colour=colour,
            standing=format_standing(m.standing)))

    def _on_member_edit_cleared(self) -> None:
        self.member_info.clear()

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

    # --- printing, export, remittance ---------------------------------------------------------------------

    def _on_panel_print_requested(self) -> None:
        chosen = self.panel.selected_rows() or list(self.model.rows[-1:])
        print_receipts(self.runner, self.hall, self, chosen, "Receipt")

    def _on_print_batch_button_clicked(self) -> None:
        if self.batch is not None:
            print_receipts(self.runner, self.hall, self, list(self.model.rows),
                           f"Receipts for batch {self.batch.id}")

    def _on_panel_export_requested(self) -> None:
        batch = self.batch
        parameters = [("Batch", f"#{batch.id} deposited {batch.deposit_on.isoformat()}")] if batch else []
        reporting.export_model(self.runner, self.hall, self, self.model, "Payment batch", parameters)

    def _on_import_button_clicked(self) -> None:
        from unioncore_desktop.gui.dues.remittance_wizard import open_remittance_wizard

        open_remittance_wizard(self, self.runner, self.hall)

    def _on_hub_data_changed(self, kind: str, _ids: list, initiator: object) -> None:
        # Another counter may post into this batch or close it, and remittances post into their own batches.
        # A refresh reloads the open batches and this batch's receipts and totals in place; the line being
        # typed is left alone.
        if initiator is not self and kind in ("dues", "dues_batch", "remittance"):
            self.refresh()

    def save_state(self) -> None:
        self.panel.save_state()
