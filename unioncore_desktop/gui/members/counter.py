"""The day's actions at the counter, on the member record: sign on, re-sign, exempt, end an exemption and
re-register (the books screen's own dialogs and actions, opened for this member) for a dispatcher, and post a
payment (the posting screen, with this member on the line) for a dues clerk."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import books
from unioncore_desktop.domain.errors import DomainError
from unioncore_desktop.domain.queries.books import BookSummary, RegistrationRow
from unioncore_desktop.domain.queries.member_record import MemberRecord
from unioncore_desktop.gui import icons, messages
from unioncore_desktop.gui.books.dialogs import ExemptionDialog, SignOnDialog
from unioncore_desktop.gui.books.reregister import ReregisterDialog
from unioncore_desktop.gui.itemmodels.formatting import format_date
from unioncore_desktop.gui.roles import DUES_STAFF, REFERRAL_WRITERS
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner


@dataclass(frozen=True, slots=True)
class RecordPlace:
    """A registration on the record as the exemption dialog names it (the member's name beside the place)."""

    registration_id: int
    version: int
    display_name: str
    card_number: str
    tier: int
    apn: Decimal


@dataclass(frozen=True, slots=True)
class RecordBook:
    id: int
    name: str


class CounterActions(QWidget):
    """Buttons for the shown member; `chosen()` gives the registration selected on the record."""

    post_payment_requested = Signal(object)  # PostingLookupRow of the member
    done = Signal()  # a registration of the member was written here: the record reloads

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings | None,
                 chosen: Callable[[], object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.hall, self.settings, self.chosen = runner, hall, settings, chosen
        roles = frozenset(hall.facts.roles)
        self.dispatcher = bool(roles & REFERRAL_WRITERS)
        self.clerk = bool(roles & DUES_STAFF)
        self.record: MemberRecord | None = None
        self.dialog: QWidget | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[str, QToolButton] = {}
        for key, icon, text, slot, shown in (
                ("sign_on", "add", self.tr("Sign &on…"), self.sign_on, self.dispatcher),
                ("re_sign", "refresh", self.tr("Re-s&ign"), self.re_sign, self.dispatcher),
                ("exempt", "warning", self.tr("E&xempt…"), self.exempt, self.dispatcher),
                ("end_exemption", "refresh", self.tr("End exe&mption"), self.end_exemption, self.dispatcher),
                ("reregister", "add", self.tr("Re-regis&ter…"), self.reregister, self.dispatcher),
                ("post_payment", "dues", self.tr("Post a pa&yment…"), self.post_payment, self.clerk)):
            button = QToolButton()
            button.setObjectName(f"{key}Button")
            button.setIcon(icons.get(icon))
            button.setText(text)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.clicked.connect(lambda _checked=False, s=slot: s())
            button.setVisible(shown)
            layout.addWidget(button)
            self.buttons[key] = button
        layout.addStretch(1)
        self.update_buttons()

    def show_record(self, record: MemberRecord | None) -> None:
        self.record = record
        self.update_buttons()

    def _chosen(self) -> RegistrationRow | None:
        row = self.chosen()
        return row if isinstance(row, RegistrationRow) else None

    def update_buttons(self, *_args: object) -> None:
        record, row = self.record, self._chosen()
        active = record is not None and record.detail.status == "active"
        registered = row is not None and row.status == "registered"
        awaiting = record is not None and any(r.status == "awaiting_reregistration" for r in record.registrations)
        self.buttons["sign_on"].setEnabled(self.dispatcher and active)
        self.buttons["re_sign"].setEnabled(self.dispatcher and registered and row.exemption_reason is None)  # type: ignore[union-attr]
        self.buttons["exempt"].setEnabled(self.dispatcher and registered and row.exemption_reason is None)  # type: ignore[union-attr]
        self.buttons["end_exemption"].setEnabled(self.dispatcher and registered and row.exemption_reason is not None)  # type: ignore[union-attr]
        self.buttons["reregister"].setEnabled(self.dispatcher and awaiting)
        self.buttons["post_payment"].setEnabled(self.clerk and record is not None and record.standing is not None)

    # --- the books' dialogs and actions ------------------------------------------------------------------------

    def sign_on(self) -> None:
        """Sign-on needs the books in morning order; the dialog opens with this member picked."""
        record = self.record
        if record is None or not self.buttons["sign_on"].isEnabled():
            return
        chosen = self._chosen()
        self.runner.query(partial(books.list_books, self.hall), parent=self, name="list books",
                          success=lambda found: self._open_sign_on(record, found, chosen))

    def _open_sign_on(self, record: MemberRecord, found: list[BookSummary], chosen: RegistrationRow | None) -> None:
        dialog = SignOnDialog(self.runner, self.hall, found, chosen.book_id if chosen else None, self,
                              settings=self.settings)
        self._visit(dialog, record.detail.id, self.tr("Signed on {card} to {books}, APN {apn}"))

    def reregister(self) -> None:
        record = self.record
        if record is None or not self.buttons["reregister"].isEnabled():
            return
        dialog = ReregisterDialog(self.runner, self.hall, self, settings=self.settings, member_id=record.detail.id)
        self._visit(dialog, None, self.tr("Re-registered {card} on {books}, new APN {apn}"))

    def _visit(self, dialog: SignOnDialog | ReregisterDialog, member_id: int | None, done: str) -> None:
        if member_id is not None:
            dialog.member_edit.member_id = member_id  # typing over the name then looks for someone else
            dialog.choose_member(member_id)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self.done)
        dialog.accepted.connect(lambda: messages.status(self, done.format(
            card=dialog.member.card_number if dialog.member else "",
            books=", ".join(r.book_name for r in dialog.saved),
            apn=f"{dialog.saved[0].apn:.2f}" if dialog.saved else "")))
        self.dialog = dialog
        dialog.open()

    def re_sign(self) -> None:
        row = self._chosen()
        if row is None or not self.buttons["re_sign"].isEnabled():
            return
        self.runner.command(
            partial(books.re_sign, self.hall, row), parent=self, failure=self._on_failed, name="re-sign",
            success=self._on_re_signed)

    def _on_re_signed(self, saved: RegistrationRow) -> None:
        messages.status(self, self.tr("Re-signed on {book}; next re-sign due {due}").format(
            book=saved.book_name, due=format_date(saved.resign_due_on)))
        self.done.emit()

    def exempt(self) -> ExemptionDialog | None:
        row, record = self._chosen(), self.record
        if row is None or record is None or not self.buttons["exempt"].isEnabled():
            return None
        d = record.detail
        place = RecordPlace(row.id, row.version, f"{d.last_name}, {d.first_name}", d.card_number, row.tier, row.apn)
        dialog = ExemptionDialog(self.runner, self.hall, place, RecordBook(row.book_id, row.book_name), record.today,
                                 self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(self.done)
        self.dialog = dialog
        dialog.open()
        return dialog

    def end_exemption(self) -> None:
        """The books screen's End exemption for the chosen registration: asks, then ends it today (re-sign due
        again; the activity row keeps what the exemption was)."""
        row, record = self._chosen(), self.record
        if row is None or record is None or not self.buttons["end_exemption"].isEnabled():
            return
        d = record.detail
        if not messages.question(self, self.tr("End exemption"),
                                 self.tr("End the exemption of {name} on {book} today? Re-sign is due again from "
                                         "today, and the member is offered work again.").format(
                                     name=f"{d.first_name} {d.last_name}", book=row.book_name)):
            return
        place = RecordPlace(row.id, row.version, f"{d.last_name}, {d.first_name}", d.card_number, row.tier, row.apn)
        self.runner.command(partial(books.end_exemption, self.hall, place), parent=self, failure=self._on_failed,
                            name="end exemption", success=self._on_exemption_ended)

    def _on_exemption_ended(self, saved: RegistrationRow) -> None:
        messages.status(self, self.tr("Exemption ended on {book}; re-sign due {due}").format(
            book=saved.book_name, due=format_date(saved.resign_due_on)))
        self.done.emit()

    def post_payment(self) -> None:
        if self.record is not None and self.record.standing is not None and self.buttons["post_payment"].isEnabled():
            self.post_payment_requested.emit(self.record.standing)

    def _on_failed(self, exc: BaseException) -> None:
        if isinstance(exc, DomainError):
            messages.warning(self, self.tr("Not saved"), exc.message)
