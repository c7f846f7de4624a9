"""The posting screen's batch header: which batch, its deposit date and total, and how far the posted lines are
from that total. It shows a batch; the screen decides what to do with one."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QEvent, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from unioncore_desktop.domain.queries import dues as dq
from unioncore_desktop.gui.itemmodels.formatting import format_money
from unioncore_desktop.gui.widgets.field_errors import error_label

BALANCED_STYLE = "QLabel { background: #d7f0dc; color: #1b5e20; padding: 2px 8px; font-weight: bold; }"
UNBALANCED_STYLE = "QLabel { background: #fde2e1; color: #b00020; padding: 2px 8px; font-weight: bold; }"


BATCH_CHOICE_CHARS = 28


class BatchHeader(QGroupBox):
    """The deposit batch box: choose or open a batch, change its total, close it, print its receipts."""

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.FontChange:  # the workstation's font size changed: the total stays whole
            self._size_total()
        super().changeEvent(event)

    def _size_total(self) -> None:
        """Wide enough for a six-figure deposit in whatever font size the workstation uses."""
        self.deposit_total.setMinimumWidth(self.deposit_total.fontMetrics().horizontalAdvance("000,000.00 ") + 16)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Deposit batch"))
        self.today: date | None = None
        self.batch_combo = QComboBox()
        self.batch_combo.setObjectName("batchChoice")
        self.batch_combo.addItem(self.tr("New batch"), None)
        # a long batch line must not push the deposit total off a small or large-font screen
        self.batch_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.batch_combo.setMinimumContentsLength(BATCH_CHOICE_CHARS)
        self.deposit_date = QDateEdit()
        self.deposit_date.setObjectName("depositDate")
        self.deposit_date.setCalendarPopup(True)
        self.deposit_date.setDisplayFormat("yyyy-MM-dd")
        self.deposit_date.setDate(QDate.currentDate())  # replaced by the hall's date as soon as it is known
        self.date_chosen = False  # True once the clerk picks a deposit date
        self.deposit_date.dateChanged.connect(self._on_deposit_date_changed)
        self.deposit_total = QLineEdit()
        self.deposit_total.setObjectName("depositTotal")
        self.deposit_total.setPlaceholderText(self.tr("0.00"))
        self.deposit_total.setAlignment(Qt.AlignmentFlag.AlignRight)
        self._size_total()
        self.open_button = QPushButton(self.tr("&Open batch"))
        self.batch_error = error_label()
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

        # two rows (the batch, then its date and total) so large fonts and 150 % scaling keep every caption whole
        grid = QGridLayout(self)
        batch_caption = QLabel(self.tr("Batch"))
        batch_caption.setBuddy(self.batch_combo)
        grid.addWidget(batch_caption, 0, 0)
        grid.addWidget(self.batch_combo, 0, 1, 1, 3)
        grid.addWidget(self.import_button, 0, 6)
        date_caption = QLabel(self.tr("Depo&sit date"))  # Alt+D is the Member dues tab
        date_caption.setBuddy(self.deposit_date)
        grid.addWidget(date_caption, 1, 0)
        grid.addWidget(self.deposit_date, 1, 1)
        total_caption = QLabel(self.tr("Deposit &total"))
        total_caption.setBuddy(self.deposit_total)
        grid.addWidget(total_caption, 1, 2)
        grid.addWidget(self.deposit_total, 1, 3)
        grid.addWidget(self.open_button, 1, 4)
        grid.setColumnStretch(5, 1)
        grid.addWidget(self.batch_error, 2, 0, 1, 7)
        grid.addWidget(self.resume_note, 3, 0, 1, 7)
        totals = QHBoxLayout()
        for widget in (self.total_label, self.posted_label, self.difference_label):
            totals.addWidget(widget)
        totals.addStretch(1)
        totals.addWidget(self.print_batch_button)
        totals.addWidget(self.close_button)
        grid.addLayout(totals, 4, 0, 1, 7)

    def _on_deposit_date_changed(self, _day: QDate) -> None:
        self.date_chosen = True

    # --- what the header shows ----------------------------------------------------------------------------

    def set_today(self, today: date) -> None:
        """The hall's day: deposits have happened, so none later; an empty form takes it as its date."""
        self.today = today
        self.deposit_date.setMaximumDate(QDate(today.year, today.month, today.day))

    def set_deposit_date(self, day: date) -> None:
        self.deposit_date.blockSignals(True)
        self.deposit_date.setDate(QDate(day.year, day.month, day.day))
        self.deposit_date.blockSignals(False)

    def chosen_date(self) -> date | None:
        """The deposit date to open a batch on; None (the server's day) until the hall's day is known or the clerk
        picks one: never the workstation's date."""
        qd = self.deposit_date.date()
        return date(qd.year(), qd.month(), qd.day()) if self.date_chosen or self.today else None

    def list_batches(self, batches: list[dq.BatchSummary], current: dq.BatchSummary | None) -> None:
        """The clerk's open batches in the chooser, the current one kept chosen (listed even once it is closed)."""
        current_id = current.id if current is not None else None
        combo = self.batch_combo
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(self.tr("New batch"), None)
        for b in batches:
            combo.addItem(self.tr("#{id} · {day} · total {total} · {n} posted").format(
                id=b.id, day=b.deposit_on.isoformat(), total=format_money(b.deposit_total), n=b.payment_count), b.id)
        if current is not None and combo.findData(current_id) < 0:
            combo.addItem(self.tr("#{id} · {status}").format(id=current_id, status=current.status), current_id)
        combo.setCurrentIndex(max(0, combo.findData(current_id)) if current_id is not None else 0)
        combo.blockSignals(False)
        waiting = [b for b in batches if b.id != current_id]
        self.resume_note.setText(self.tr("You have {n} open batch(es) to continue: choose one above.").format(
            n=len(waiting)))
        self.resume_note.setVisible(current is None and bool(waiting))

    def choose_new(self) -> None:
        self.batch_combo.blockSignals(True)
        self.batch_combo.setCurrentIndex(0)
        self.batch_combo.blockSignals(False)

    def show_error(self, text: str) -> None:
        self.batch_error.setText(text)
        self.batch_error.setVisible(True)

    def show_batch(self, summary: dq.BatchSummary | None) -> None:
        is_open = summary is not None and summary.status == "open"
        if summary is None or summary.balanced:
            self.batch_error.setVisible(False)
        self.deposit_date.setEnabled(summary is None)
        # Enter in the total changes it (Alt+T is the total itself, Alt+L the Close month tab)
        self.open_button.setText(self.tr("&Open batch") if summary is None else self.tr("Change total"))
        self.open_button.setEnabled(summary is None or is_open)
        self.deposit_total.setReadOnly(summary is not None and not is_open)
        self.close_button.setEnabled(is_open and summary is not None and summary.balanced)
        self.print_batch_button.setEnabled(summary is not None and summary.payment_count > 0)
        if summary is None:
            self.total_label.setText(self.tr("Enter the deposit total, then Open batch."))
            self.posted_label.clear()
            self.difference_label.clear()
            self.difference_label.setStyleSheet("")
            self.deposit_total.clear()
            self.date_chosen = False
            if self.today is not None:
                self.set_deposit_date(self.today)
            return
        self.resume_note.setVisible(False)
        self.set_deposit_date(summary.deposit_on)
        if not self.deposit_total.hasFocus():
            self.deposit_total.setText(format_money(summary.deposit_total))
        state = "" if is_open else self.tr(" (closed by {} )").format(summary.closed_by or "")
        self.total_label.setText(self.tr("<b>Batch #{id}</b>{state} · deposit total <b>{total}</b>").format(
            id=summary.id, state=state, total=format_money(summary.deposit_total)))
        self.posted_label.setText(self.tr("· posted <b>{total}</b> in {n} payment(s)").format(
            total=format_money(summary.payments_total), n=summary.payment_count))
        if summary.balanced:
            self.difference_label.setText(self.tr("Balanced"))
            self.difference_label.setStyleSheet(BALANCED_STYLE)
        else:
            word = self.tr("still to post") if summary.difference > 0 else self.tr("over the deposit")
            self.difference_label.setText(self.tr("Difference {amount} ({word})").format(
                amount=format_money(abs(summary.difference)), word=word))
            self.difference_label.setStyleSheet(UNBALANCED_STYLE)
