"""Dialogs of the books screen: sign-on with a member type-ahead, and recording an exemption.

Each dialog runs its own command and closes only when it succeeds, so a refusal (the database's message beside
the field) leaves everything the user typed in place."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtCore import QDate, QModelIndex, Qt, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
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
    RegistrationRow,
    member_registrations,
)
from unioncore_desktop.domain.queries.members import (
    MemberDetail,
    MemberListRow,
    member_detail,
    search_members,
)
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
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.field_errors import FieldErrors, message_label

TYPE_AHEAD_DELAY_MS = 150
TYPE_AHEAD_LIMIT = 15
MEMBER_ID_ROLE = Qt.ItemDataRole.UserRole + 1
METHOD_LABELS = {"in_person": "In person", "email": "E-mail", "fax": "Fax", "web": "Web"}


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


# --- sign-on ------------------------------------------------------------------------------------------------


class SignOnDialog(QDialog):
    """R5: find the member by name or card (misspellings are fine), tick the books they are qualified for,
    say how they signed on. One visit gives one APN on every book ticked."""

    def __init__(self, runner: TaskRunner, hall: HallConnection, books: Sequence[BookSummary],
                 current_book_id: int | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sign on"))
        self.runner = runner
        self.hall = hall
        self.books = list(books)  # morning order
        self.current_book_id = current_book_id
        self.member: MemberDetail | None = None
        self.signed_on: list[RegistrationRow] = []
        self.book_checks: dict[int, QCheckBox] = {}

        self.message = message_label()
        self.errors = FieldErrors(self.message)

        self.member_edit = QLineEdit()
        self.member_edit.setObjectName("memberEdit")
        self.member_edit.setPlaceholderText(self.tr("Name or card number — misspellings are fine"))
        self.member_edit.setClearButtonEnabled(True)
        self.hits = QStandardItemModel(self)
        self.completer = QCompleter(self.hits, self)
        # The server already matched (typo tolerant): show its hits as they are, not re-filtered by prefix.
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setMaxVisibleItems(TYPE_AHEAD_LIMIT)
        self.member_edit.setCompleter(self.completer)
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

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_on_button = QPushButton(self.tr("&Sign on"))
        self.sign_on_button.setDefault(True)
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
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.setTabOrder(self.member_edit, self.method_combo)
        self.setTabOrder(self.method_combo, self.sign_on_button)
        self.resize(520, 420)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(TYPE_AHEAD_DELAY_MS)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)
        self.member_edit.textEdited.connect(self._on_member_edit_text_edited)
        self.completer.activated[QModelIndex].connect(self._on_completer_activated)

    # --- type-ahead -------------------------------------------------------------------------------------------

    def _on_member_edit_text_edited(self, _text: str) -> None:
        if self.member is not None:  # editing the name means looking for someone else
            self._set_member(None)
        self._search_timer.start()

    def _on_search_timer_timeout(self) -> None:
        text = self.member_edit.text().strip()
        if not text:
            self.hits.clear()
            return
        hall = self.hall
        self.runner.query(lambda: hall.read(search_members, text, status="active", limit=TYPE_AHEAD_LIMIT),
                          parent=self, key=("sign-on-member", id(self)), success=self._show_hits,
                          name="sign-on member search")

    def _show_hits(self, rows: list[MemberListRow]) -> None:
        self.hits.clear()
        for row in rows:
            item = QStandardItem(f"{row.display_name} — {row.card_number}")
            item.setData(row.id, MEMBER_ID_ROLE)
            item.setToolTip(f"{format_label(row.classification)}, {row.city or ''}")
            self.hits.appendRow(item)
        if rows and self.member is None and self.member_edit.hasFocus():
            self.completer.complete()

    def _on_completer_activated(self, index: QModelIndex) -> None:
        member_id = index.data(MEMBER_ID_ROLE)
        if member_id is not None:
            self.choose_member(int(member_id))

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
        for check in self.book_checks.values():
            check.deleteLater()
        self.book_checks.clear()
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
            check = QCheckBox(self.tr("{book} — tier {tier}").format(book=book.name, tier=qualified[book.code]))
            check.setObjectName(f"book_{book.code}")
            registration = on_book.get(book.id)
            if registration is not None:
                check.setEnabled(False)
                check.setText(self.tr("{book} — already on it ({status}, APN {apn})").format(
                    book=book.name, status=format_label(registration.status), apn=format_apn(registration.apn)))
            else:
                check.setChecked(book.id == self.current_book_id)
            self.books_layout.addWidget(check)
            self.book_checks[book.id] = check
            self.setTabOrder(previous, check)
            previous = check
        self.setTabOrder(previous, self.method_combo)
        if not self.book_checks:
            self.books_hint.setText(self.tr("{} is not qualified for any book. Qualified books are kept on the "
                                            "member's record.").format(f"{detail.first_name} {detail.last_name}"))
        self.books_hint.setVisible(not self.book_checks)

    # --- sign on ----------------------------------------------------------------------------------------------

    def chosen_books(self) -> list[int]:
        """Ticked books in morning order."""
        return [book_id for book_id, check in self.book_checks.items() if check.isEnabled() and check.isChecked()]

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
        hall, member_id, book_ids = self.hall, self.member.id, self.chosen_books()
        method = self.method_combo.currentData()
        self.sign_on_button.setEnabled(False)
        self.runner.command(lambda: sign_on(hall.uow(), member_id=member_id, book_ids=book_ids, method=method),
                            parent=self, success=self._on_signed_on, failure=self._on_sign_on_failed,
                            changed=("registration", book_ids), name="sign on")

    def _on_signed_on(self, rows: list[RegistrationRow]) -> None:
        self.signed_on = rows
        self.sign_on_button.setEnabled(True)
        self.accept()

    def _on_sign_on_failed(self, exc: BaseException) -> None:
        self.sign_on_button.setEnabled(True)
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
        self.save_button.setDefault(True)
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
