"""Re-registration (R6): a member whose job ended without their old place back comes in before the deadline.

The dialog finds the member by type-ahead, shows the books they await re-registration on with each deadline in
the hall's time, and re-registers the books ticked (one new APN for the visit). A refusal (deadline passed,
nothing awaiting) is shown beside the books and everything chosen stays in place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.queries.books import RegistrationRow, member_registrations
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.queries.members import MemberDetail, member_detail
from unioncore_desktop.domain.rules.apn import format_apn
from unioncore_desktop.domain.rules.referral_vocab import REGISTRATION_METHODS
from unioncore_desktop.domain.rules.registration import reregistration_overdue
from unioncore_desktop.domain.services.registrations import reregister
from unioncore_desktop.gui.books.dialogs import METHOD_LABELS, OfficeCombo
from unioncore_desktop.gui.itemmodels.formatting import format_label
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.field_errors import FieldErrors, message_label
from unioncore_desktop.gui.widgets.member_lookup import MemberLookup

PASSED_COLOR = "#b00020"


def format_deadline(when: datetime) -> str:
    return f"{when:%a %d %b %Y %H:%M}"


@dataclass(frozen=True, slots=True)
class Awaiting:
    """One book the member must re-register on, with the deadline in the hall's zone."""

    registration: RegistrationRow
    deadline: datetime
    passed: bool


@dataclass(frozen=True, slots=True)
class LoadedMember:
    detail: MemberDetail
    awaiting: list[Awaiting]


def load_member(hall: HallConnection, member_id: int) -> LoadedMember:
    with hall.session() as session:
        clock = hall_clock(session)
        awaiting = [Awaiting(r, r.reregister_by.astimezone(clock.zone), reregistration_overdue(clock.now,
                                                                                             r.reregister_by))
                    for r in member_registrations(session, member_id)
                    if r.status == "awaiting_reregistration" and r.reregister_by is not None]
        return LoadedMember(member_detail(session, member_id), awaiting)


class ReregisterDialog(QDialog):
    """R6: re-register a member awaiting it, on the books ticked, before the deadline."""

    def __init__(self, runner: TaskRunner, hall: HallConnection, parent: QWidget | None = None, *,
                 settings: UiSettings | None = None, member_id: int | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Re-register"))
        self.runner = runner
        self.hall = hall
        self.member: MemberDetail | None = None
        self.awaiting: list[Awaiting] = []
        self.book_checks: dict[int, QCheckBox] = {}
        self.reregistered: list[RegistrationRow] = []

        self.message = message_label()
        self.errors = FieldErrors(self.message)

        self.member_edit = MemberLookup(runner, hall, status="active")
        self.member_edit.setObjectName("memberEdit")
        self.hits = self.member_edit.hits
        self.completer = self.member_edit.completer()
        self.member_info = QLabel()
        self.member_info.setObjectName("memberInfo")
        self.member_info.setWordWrap(True)

        self.books_box = QGroupBox(self.tr("Awaiting re-registration on"))
        self.books_layout = QVBoxLayout(self.books_box)
        self.books_hint = QLabel()
        self.books_hint.setObjectName("booksHint")
        self.books_hint.setWordWrap(True)
        self.books_layout.addWidget(self.books_hint)

        self.method_combo = QComboBox()
        self.method_combo.setObjectName("methodCombo")
        for method in REGISTRATION_METHODS:
            self.method_combo.addItem(self.tr(METHOD_LABELS.get(method, format_label(method))), method)
        self.office_combo = OfficeCombo(runner, hall, settings)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = QPushButton(self.tr("&Re-register"))
        self.save_button.setObjectName("reregisterButton")
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(self.tr("&Member"), self.member_edit)
        form.addRow("", self.errors.add("member", self.member_edit))
        form.addRow("", self.member_info)
        form.addRow(self.books_box)
        form.addRow("", self.errors.add("book", self.books_box))
        form.addRow(self.tr("Came in &by"), self.method_combo)
        form.addRow("", self.errors.add("method", self.method_combo))
        form.addRow(self.tr("At &office"), self.office_combo)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        # Only once the button is inside the dialog does it become the dialog's main default, the one Enter
        # returns to after focus has been on another button (Cancel, while a save was running).
        self.save_button.setDefault(True)
        self.setTabOrder(self.member_edit, self.method_combo)
        self.setTabOrder(self.method_combo, self.office_combo)
        self.setTabOrder(self.office_combo, self.save_button)
        self.resize(560, 400)

        self.member_edit.member_cleared.connect(self._on_member_edit_member_cleared)
        self.member_edit.member_picked.connect(self.choose_member)
        self._show_member(None)
        if member_id is not None:
            self.member_edit.member_id = member_id  # typing over the name then looks for someone else
            self.choose_member(member_id)

    # --- member -----------------------------------------------------------------------------------------------

    def _on_member_edit_member_cleared(self) -> None:
        self._show_member(None)

    def choose_member(self, member_id: int) -> None:
        """Load the member and the books they await re-registration on."""
        hall = self.hall
        self.runner.query(lambda: load_member(hall, member_id), parent=self, key=("reregister-detail", id(self)),
                          success=self._on_member_loaded, name="re-register member")

    def _on_member_loaded(self, loaded: LoadedMember) -> None:
        if not self.member_edit.text().strip():
            self.member_edit.setText(f"{loaded.detail.last_name}, {loaded.detail.first_name} — "
                                     f"{loaded.detail.card_number}")
        self._show_member(loaded.detail, loaded.awaiting)
        if self.book_checks:
            next(iter(self.book_checks.values())).setFocus()

    def _show_member(self, detail: MemberDetail | None, awaiting: Sequence[Awaiting] = ()) -> None:
        self.member = detail
        self.awaiting = list(awaiting)
        self.errors.clear()
        for check in self.book_checks.values():
            check.deleteLater()
        self.book_checks.clear()
        if detail is None:
            self.member_info.setText(self.tr("Type a name or card number, then pick the member from the list."))
            self.books_hint.setText(self.tr("The books the member must re-register on appear here, each with "
                                            "its deadline."))
            self.books_hint.setVisible(True)
            return
        name = f"{detail.first_name} {detail.last_name}"
        self.member_info.setText(f"<b>{name}</b> &nbsp; card {detail.card_number} &nbsp; "
                                 f"{format_label(detail.classification)}, {format_label(detail.status)}")
        previous: QWidget = self.member_edit
        for item in self.awaiting:
            registration = item.registration
            check = QCheckBox()
            check.setObjectName(f"book_{registration.book_code}")
            if item.passed:
                check.setText(self.tr("{book} — tier {tier} — deadline passed {when}").format(
                    book=registration.book_name, tier=registration.tier, when=format_deadline(item.deadline)))
                check.setStyleSheet(f"QCheckBox {{ color: {PASSED_COLOR}; }}")
                check.setToolTip(self.tr("The member drops from all books at the next drop run and must sign "
                                         "on again."))
            else:
                check.setText(self.tr("{book} — tier {tier} — re-register by {when}").format(
                    book=registration.book_name, tier=registration.tier, when=format_deadline(item.deadline)))
                check.setToolTip(self.tr("The old place (APN {}) is gone: re-registering gives a new APN for "
                                         "today.").format(format_apn(registration.apn)))
                check.setChecked(True)
            self.books_layout.addWidget(check)
            self.book_checks[registration.book_id] = check
            self.setTabOrder(previous, check)
            previous = check
        self.setTabOrder(previous, self.method_combo)
        if not self.awaiting:
            self.books_hint.setText(self.tr("{} has no registration awaiting re-registration. To put them on a "
                                            "book, use Sign on.").format(name))
        self.books_hint.setVisible(not self.awaiting)

    # --- save -------------------------------------------------------------------------------------------------

    def chosen_books(self) -> list[int]:
        return [book_id for book_id, check in self.book_checks.items() if check.isChecked()]

    def _on_buttons_accepted(self) -> None:
        errors = {}
        if self.member is None:
            errors["member"] = self.tr("Pick the member from the list: type a name or card number, then choose.")
        elif not self.awaiting:
            errors["book"] = self.tr("{} has nothing to re-register: no registration is awaiting it.").format(
                f"{self.member.first_name} {self.member.last_name}")
        elif not self.chosen_books():
            errors["book"] = self.tr("Tick at least one book.")
        if errors:
            self.errors.show(errors)
            return
        self.errors.clear()
        assert self.member is not None
        hall, member_id, book_ids = self.hall, self.member.id, self.chosen_books()
        method, office_id = self.method_combo.currentData(), self.office_combo.office_id()
        self.save_button.setEnabled(False)
        self.runner.command(lambda: reregister(hall.uow(), member_id=member_id, book_ids=book_ids, method=method,
                                               office_id=office_id),
                            parent=self, success=self._on_saved, failure=self._on_failed,
                            changed=("registration", book_ids), name="re-register")

    def _on_saved(self, rows: list[RegistrationRow]) -> None:
        self.reregistered = rows
        self.save_button.setEnabled(True)
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        # Disabling the button moved the focus to Cancel, where Enter would throw the input away.
        self.save_button.setFocus()
        self.errors.show_failure(exc, self)
