"""Dialogs of the books screen: sign-on with a member type-ahead, and recording an exemption.

Each dialog runs its own command and closes only when it succeeds, so a refusal (the database's message beside
the field) leaves everything the user typed in place."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
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
from unioncore_desktop.domain.queries.books import (
    BookListRow,
    BookSummary,
    OfficeRow,
    RegistrationRow,
    list_offices,
    member_registrations,
)
from unioncore_desktop.domain.queries.members import MemberDetail, member_detail
from unioncore_desktop.domain.rules.apn import format_apn
from unioncore_desktop.domain.rules.book_rules import RuleSet
from unioncore_desktop.domain.rules.referral_vocab import (
    EXEMPTION_REASONS,
    REGISTRATION_METHODS,
)
from unioncore_desktop.domain.rules.registration import exemption_cap_end, is_capped
from unioncore_desktop.domain.services.referral_context import rules_for
from unioncore_desktop.domain.services.registrations import sign_on, start_exemption
from unioncore_desktop.gui.itemmodels.formatting import format_label
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.field_errors import FieldErrors, message_label
from unioncore_desktop.gui.widgets.member_lookup import MemberLookup

OFFICE_CODE_ROLE = Qt.ItemDataRole.UserRole + 2
LOWEST_TIER = 4
METHOD_LABELS = {"in_person": "In person", "email": "E-mail", "fax": "Fax", "web": "Web"}


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


# --- office ---------------------------------------------------------------------------------------------------


class OfficeCombo(QComboBox):
    """R1: the office an in-person action is stamped with. The workstation's office (remembered in the
    settings, whoever is logged in) comes up chosen; picking another remembers it for next time."""

    loaded = Signal()

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("officeCombo")
        self.settings = settings
        self.offices: list[OfficeRow] = []
        self.addItem(self.tr("Loading offices…"), None)
        self.setEnabled(False)
        self.activated.connect(self._on_activated)
        runner.query(lambda: hall.read(list_offices), parent=self, success=self._on_offices, name="offices")

    def _on_offices(self, offices: list[OfficeRow]) -> None:
        self.offices = list(offices)
        self.clear()
        self.addItem(self.tr("Not recorded"), None)
        for office in offices:
            self.addItem(office.name, office.id)
            self.setItemData(self.count() - 1, office.code, OFFICE_CODE_ROLE)
        remembered = self.settings.workstation_office() if self.settings is not None else None
        index = self.findData(remembered, OFFICE_CODE_ROLE) if remembered else -1
        if index < 0 and len(offices) == 1:
            index = 1  # a hall with one office needs no choosing
        self.setCurrentIndex(max(index, 0))
        self.setEnabled(bool(offices))
        self.loaded.emit()

    def office_id(self) -> int | None:
        office_id = self.currentData()
        return int(office_id) if office_id is not None else None

    def choose(self, code: str) -> None:
        """Pick the office by code as a user would (and remember it)."""
        index = self.findData(code, OFFICE_CODE_ROLE)
        if index >= 0:
            self.setCurrentIndex(index)
            self._on_activated(index)

    def _on_activated(self, index: int) -> None:
        if self.settings is not None:
            self.settings.set_workstation_office(self.itemData(index, OFFICE_CODE_ROLE))
            self.settings.sync()


def tier_combo(qualified: int) -> QComboBox:
    """Tiers a member may sign: the qualified one or a lower-priority one (R5), never a better one."""
    combo = QComboBox()
    for tier in range(qualified, LOWEST_TIER + 1):
        label = combo.tr("Tier {} (qualified)") if tier == qualified else combo.tr("Tier {}")
        combo.addItem(label.format(tier), tier)
    return combo


# --- sign-on ------------------------------------------------------------------------------------------------


class SignOnDialog(QDialog):
    """R5: find the member by name or card (misspellings are fine), tick the books they are qualified for
    (each at the qualified tier or a lower-priority one), say how and where they signed on. One visit gives one
    APN on every book ticked."""

    def __init__(self, runner: TaskRunner, hall: HallConnection, books: Sequence[BookSummary],
                 current_book_id: int | None, parent: QWidget | None = None, *,
                 settings: UiSettings | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sign on"))
        self.runner = runner
        self.hall = hall
        self.books = list(books)  # morning order
        self.current_book_id = current_book_id
        self.member: MemberDetail | None = None
        self.signed_on: list[RegistrationRow] = []
        self.book_checks: dict[int, QCheckBox] = {}
        self.tier_combos: dict[int, QComboBox] = {}
        self._book_rows: list[QWidget] = []

        self.message = message_label()
        self.errors = FieldErrors(self.message)

        self.member_edit = MemberLookup(runner, hall, status="active")
        self.member_edit.setObjectName("memberEdit")
        self.hits = self.member_edit.hits
        self.completer = self.member_edit.completer()
        self.member_info = QLabel(self.tr("Type a name or card number, then pick the member from the list."))
        self.member_info.setObjectName("memberInfo")
        self.member_info.setWordWrap(True)

        self.books_box = QGroupBox(self.tr("Books"))
        self.books_layout = QVBoxLayout(self.books_box)
        self.books_hint = QLabel(self.tr("The books the member is qualified for appear here."))
        self.books_hint.setWordWrap(True)
        self.books_layout.addWidget(self.books_hint)

        self.method_combo = QComboBox()
        self.method_combo.setObjectName("methodCombo")
        for method in REGISTRATION_METHODS:
            self.method_combo.addItem(self.tr(METHOD_LABELS.get(method, format_label(method))), method)
        self.office_combo = OfficeCombo(runner, hall, settings)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_on_button = QPushButton(self.tr("&Sign on"))
        self.buttons.addButton(self.sign_on_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(self.tr("&Member"), self.member_edit)
        form.addRow("", self.errors.add("member", self.member_edit))
        form.addRow("", self.member_info)
        form.addRow(self.books_box)
        form.addRow("", self.errors.add("book", self.books_box))
        form.addRow("", self.errors.add("tier"))
        form.addRow(self.tr("Signed on &by"), self.method_combo)
        form.addRow("", self.errors.add("method", self.method_combo))
        form.addRow(self.tr("At &office"), self.office_combo)
        form.addRow("", self.errors.add("office_id", self.office_combo))
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        # Only once the button is inside the dialog does it become the dialog's main default, the one Enter
        # returns to after focus has been on another button (Cancel, while a sign-on was running).
        self.sign_on_button.setDefault(True)
        self.setTabOrder(self.member_edit, self.method_combo)
        self.setTabOrder(self.method_combo, self.office_combo)
        self.setTabOrder(self.office_combo, self.sign_on_button)
        self.resize(560, 460)

        self.member_edit.member_cleared.connect(self._on_member_edit_member_cleared)
        self.member_edit.member_picked.connect(self.choose_member)

    # --- type-ahead -------------------------------------------------------------------------------------------

    def _on_member_edit_member_cleared(self) -> None:
        if self.member is not None:  # editing the name means looking for someone else
            self._set_member(None)

    def choose_member(self, member_id: int) -> None:
        """Load the member with their qualified books and live registrations."""
        hall = self.hall

        def load() -> tuple[MemberDetail, list[RegistrationRow]]:
            with hall.session() as session:
                return member_detail(session, member_id), member_registrations(session, member_id)

        self.runner.query(load, parent=self, key=("sign-on-detail", id(self)), success=self._on_member_loaded,
                          name="sign-on member")

    def _on_member_loaded(self, loaded: tuple[MemberDetail, list[RegistrationRow]]) -> None:
        detail, registrations = loaded
        self._set_member(detail, [r for r in registrations if r.live])

    def _set_member(self, detail: MemberDetail | None, live: Sequence[RegistrationRow] = ()) -> None:
        self.member = detail
        self.errors.clear()
        for row in self._book_rows:
            row.deleteLater()
        self._book_rows.clear()
        self.book_checks.clear()
        self.tier_combos.clear()
        if detail is None:
            self.member_info.setText(self.tr("Type a name or card number, then pick the member from the list."))
            self.books_hint.setText(self.tr("The books the member is qualified for appear here."))
            self.books_hint.setVisible(True)
            return
        self.member_info.setText(f"<b>{detail.first_name} {detail.last_name}</b> &nbsp; card {detail.card_number}"
                                 f" &nbsp; {format_label(detail.classification)}, {format_label(detail.status)}")
        qualified = {q.book_code: q.tier for q in detail.qualified_books}
        on_book = {r.book_id: r for r in live}
        previous: QWidget = self.member_edit
        for book in self.books:
            if book.code not in qualified:
                continue
            check = QCheckBox(book.name)
            check.setObjectName(f"book_{book.code}")
            tier = tier_combo(qualified[book.code])
            tier.setObjectName(f"tier_{book.code}")
            tier.setToolTip(self.tr("A member may sign a lower-priority tier than the one they qualify for."))
            registration = on_book.get(book.id)
            if registration is not None:
                check.setEnabled(False)
                if registration.status == "awaiting_reregistration":
                    check.setText(self.tr("{book} — awaiting re-registration: use Re-register").format(
                        book=book.name))
                else:
                    check.setText(self.tr("{book} — already on it ({status}, APN {apn})").format(
                        book=book.name, status=format_label(registration.status),
                        apn=format_apn(registration.apn)))
                tier.setVisible(False)
            else:
                check.setChecked(book.id == self.current_book_id)
            tier.setEnabled(check.isChecked())
            check.toggled.connect(tier.setEnabled)
            row = QWidget()
            row_layout = QHBoxLayout(row)
            row_layout.setContentsMargins(0, 0, 0, 0)
            row_layout.addWidget(check, 1)
            row_layout.addWidget(tier)
            self.books_layout.addWidget(row)
            self._book_rows.append(row)
            self.book_checks[book.id] = check
            self.tier_combos[book.id] = tier
            self.setTabOrder(previous, check)
            self.setTabOrder(check, tier)
            previous = tier
        self.setTabOrder(previous, self.method_combo)
        if not self.book_checks:
            self.books_hint.setText(self.tr("{} is not qualified for any book. Qualified books are kept on the "
                                            "member's record.").format(f"{detail.first_name} {detail.last_name}"))
        self.books_hint.setVisible(not self.book_checks)

    # --- sign on ----------------------------------------------------------------------------------------------

    def chosen_books(self) -> list[int]:
        """Ticked books in morning order."""
        return [book_id for book_id, check in self.book_checks.items() if check.isEnabled() and check.isChecked()]

    def chosen_tiers(self) -> dict[int, int]:
        """Book id -> the tier chosen for each ticked book."""
        return {book_id: int(self.tier_combos[book_id].currentData()) for book_id in self.chosen_books()}

    def _on_buttons_accepted(self) -> None:
        errors = {}
        if self.member is None:
            errors["member"] = self.tr("Pick the member from the list: type a name or card number, then choose.")
        elif not self.chosen_books():
            errors["book"] = self.tr("Tick at least one book.")
        if errors:
            self.errors.show(errors)
            return
        self.errors.clear()
        assert self.member is not None
        hall, member_id, book_ids, tiers = self.hall, self.member.id, self.chosen_books(), self.chosen_tiers()
        method, office_id = self.method_combo.currentData(), self.office_combo.office_id()
        self.sign_on_button.setEnabled(False)
        self.runner.command(lambda: sign_on(hall.uow(), member_id=member_id, book_ids=book_ids, method=method,
                                            office_id=office_id, tiers=tiers),
                            parent=self, success=self._on_signed_on, failure=self._on_sign_on_failed,
                            changed=("registration", book_ids), name="sign on")

    def _on_signed_on(self, rows: list[RegistrationRow]) -> None:
        self.signed_on = rows
        self.sign_on_button.setEnabled(True)
        self.accept()

    def _on_sign_on_failed(self, exc: BaseException) -> None:
        self.sign_on_button.setEnabled(True)
        # Disabling the button moved the focus to Cancel, where Enter would throw the input away.
        self.sign_on_button.setFocus()
        self.errors.show_failure(exc, self)


# --- exemption ----------------------------------------------------------------------------------------------


class ExemptionDialog(QDialog):
    """R14: record an exemption on one registration. Capped reasons (traveling, under-scale) end at the book's
    cap unless an extension is ticked; the others run until staff end them, or to a date given here."""

    def __init__(self, runner: TaskRunner, hall: HallConnection, row: BookListRow, book: BookSummary,
                 today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Exempt {name} on {book}").format(name=row.display_name, book=book.name))
        self.runner = runner
        self.hall = hall
        self.row = row
        self.book = book
        self.today = today
        self.rules: RuleSet | None = None
        self.saved: RegistrationRow | None = None

        self.message = message_label()
        self.errors = FieldErrors(self.message)
        self.reason_combo = QComboBox()
        self.reason_combo.setObjectName("reasonCombo")
        for reason in EXEMPTION_REASONS:
            self.reason_combo.addItem(format_label(reason), reason)
        self.start_edit = QDateEdit(to_qdate(today))
        self.start_edit.setObjectName("startEdit")
        self.start_edit.setCalendarPopup(True)
        self.start_edit.setDisplayFormat("yyyy-MM-dd")
        self.has_end = QCheckBox(self.tr("Ends on"))
        self.has_end.setObjectName("hasEnd")
        self.end_edit = QDateEdit(to_qdate(today))
        self.end_edit.setObjectName("endEdit")
        self.end_edit.setCalendarPopup(True)
        self.end_edit.setDisplayFormat("yyyy-MM-dd")
        self.end_edit.setEnabled(False)
        self.extended = QCheckBox(self.tr("Extension approved (past the cap)"))
        self.extended.setObjectName("extended")
        self.cap_note = QLabel()
        self.cap_note.setObjectName("capNote")
        self.cap_note.setWordWrap(True)
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("noteEdit")
        self.note_edit.setPlaceholderText(self.tr("Optional: orders, doctor's note, dispatch office…"))

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = QPushButton(self.tr("&Exempt"))
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow(self.tr("Member"), QLabel(f"<b>{row.display_name}</b> &nbsp; card {row.card_number} &nbsp; "
                                              f"tier {row.tier}, APN {format_apn(row.apn)}"))
        form.addRow(self.tr("&Reason"), self.reason_combo)
        form.addRow("", self.errors.add("exemption_reason", self.reason_combo))
        form.addRow(self.tr("&Starts"), self.start_edit)
        form.addRow("", self.errors.add("exemption_start", self.start_edit))
        form.addRow(self.has_end, self.end_edit)
        form.addRow("", self.extended)
        form.addRow("", self.errors.add("exemption_end", self.end_edit))
        form.addRow("", self.cap_note)
        form.addRow(self.tr("&Note"), self.note_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        # set once the button is inside the dialog, so Enter comes back to it after focus was on another button
        self.save_button.setDefault(True)
        for first, second in ((self.reason_combo, self.start_edit), (self.start_edit, self.has_end),
                              (self.has_end, self.end_edit), (self.end_edit, self.extended),
                              (self.extended, self.note_edit), (self.note_edit, self.save_button)):
            self.setTabOrder(first, second)
        self.resize(480, 360)

        self.reason_combo.currentIndexChanged.connect(self._update_cap_note)
        self.start_edit.dateChanged.connect(self._update_cap_note)
        self.has_end.toggled.connect(self.end_edit.setEnabled)
        self._update_cap_note()
        book_id = book.id
        runner.query(lambda: hall.read(rules_for, book_id, today), parent=self, success=self._on_rules_loaded,
                     name="exemption rules")

    def _on_rules_loaded(self, rules: RuleSet) -> None:
        self.rules = rules
        self._update_cap_note()

    def _update_cap_note(self, *_args: object) -> None:
        reason = self.reason_combo.currentData()
        capped = is_capped(reason)
        self.extended.setEnabled(capped)
        if not capped:
            self.extended.setChecked(False)
            self.cap_note.setText(self.tr("Runs until it is ended here, unless an end date is given."))
            return
        if self.rules is None:
            self.cap_note.setText("")
            return
        cap = exemption_cap_end(from_qdate(self.start_edit.date()), reason, self.rules)
        self.cap_note.setText(self.tr("{reason} exemptions last at most {months} months: through {cap} "
                                      "unless an extension is approved.").format(
            reason=format_label(reason), months=self.rules.exemption_cap_months, cap=f"{cap:%d %b %Y}"))

    def _on_buttons_accepted(self) -> None:
        start = from_qdate(self.start_edit.date())
        end = from_qdate(self.end_edit.date()) if self.has_end.isChecked() else None
        if end is not None and end < start:
            self.errors.show({"exemption_end": self.tr("The exemption cannot end before it starts.")})
            return
        self.errors.clear()
        hall, row = self.hall, self.row
        reason, extended, note = self.reason_combo.currentData(), self.extended.isChecked(), self.note_edit.text()
        self.save_button.setEnabled(False)
        self.runner.command(
            lambda: start_exemption(hall.uow(), registration_id=row.registration_id, expected_version=row.version,
                                    reason=reason, start=start, end=end, extended=extended, note=note),
            parent=self, success=self._on_saved, failure=self._on_failed,
            changed=("registration", [self.book.id]), name="start exemption")

    def _on_saved(self, row: RegistrationRow) -> None:
        self.saved = row
        self.save_button.setEnabled(True)
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.errors.show_failure(exc, self)
