"""Dialogs of the books screen: sign-on (a member visit, see visit.py), and recording an exemption.

Each dialog runs its own command and closes only when it succeeds, so a refusal (the database's message beside
the field) leaves everything the user typed in place."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Protocol

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QWidget,
)

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import books
from unioncore_desktop.domain.changes import Done
from unioncore_desktop.domain.queries.books import BookSummary, MemberVisit, RegistrationRow
from unioncore_desktop.domain.queries.members import MemberDetail
from unioncore_desktop.domain.rules.apn import format_apn
from unioncore_desktop.domain.rules.book_rules import DEFAULT_RULES, RuleSet
from unioncore_desktop.domain.rules.registration import exemption_cap_end, exemption_errors, is_capped
from unioncore_desktop.domain.vocab import EXEMPTION_REASONS
from unioncore_desktop.gui.books.visit import MemberVisitDialog
from unioncore_desktop.gui.forms.ui_exemption_dialog import Ui_ExemptionDialog
from unioncore_desktop.gui.itemmodels.formatting import format_label
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.field_errors import FieldErrors, as_message
from unioncore_desktop.gui.widgets.typed_work import DiscardGuard

LOWEST_TIER = 4


def to_qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def from_qdate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


def tier_combo(qualified: int) -> QComboBox:
    """Tiers a member may sign: the qualified one or a lower-priority one (R5), never a better one."""
    combo = QComboBox()
    for tier in range(qualified, LOWEST_TIER + 1):
        label = combo.tr("Tier {} (qualified)") if tier == qualified else combo.tr("Tier {}")
        combo.addItem(label.format(tier), tier)
    return combo


# --- sign-on ------------------------------------------------------------------------------------------------


class SignOnDialog(MemberVisitDialog):
    """R5: find the member by name or card (misspellings are fine), tick the books they are qualified for
    (each at the qualified tier or a lower-priority one), say how and where they signed on. One visit gives one
    APN on every book ticked."""

    TITLE = "Sign on"
    BOOKS_TITLE = "Books"
    SAVE_TEXT = "&Sign on"
    METHOD_LABEL = "Signed on &by"
    BOOKS_HINT = "The books the member is qualified for appear here."
    COMMAND_NAME = "sign on"

    def __init__(self, runner: TaskRunner, hall: HallConnection, books: Sequence[BookSummary],
                 current_book_id: int | None, parent: QWidget | None = None, *,
                 settings: UiSettings | None = None) -> None:
        self.books = list(books)  # morning order
        self.current_book_id = current_book_id
        self.tier_combos: dict[int, QComboBox] = {}
        super().__init__(runner, hall, parent, settings=settings)

    def load(self, member_id: int) -> MemberVisit:
        return books.member_visit(self.hall, member_id)

    def member_of(self, loaded: MemberVisit) -> MemberDetail:
        return loaded.detail

    def add_books(self, loaded: MemberVisit, previous: QWidget) -> tuple[QWidget, str]:
        detail, registrations = loaded.detail, loaded.registrations
        self.tier_combos.clear()
        qualified = {q.book_code: q.tier for q in detail.qualified_books}
        on_book = {r.book_id: r for r in registrations if r.live}
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
            self.add_book_row(book.id, check, row)
            self.tier_combos[book.id] = tier
            self.setTabOrder(previous, check)
            self.setTabOrder(check, tier)
            previous = tier
        return previous, self.tr("{} is not qualified for any book. Qualified books are kept on the member's "
                                 "record.").format(f"{detail.first_name} {detail.last_name}")

    def chosen_tiers(self) -> dict[int, int]:
        """Book id -> the tier chosen for each ticked book."""
        return {book_id: int(self.tier_combos[book_id].currentData()) for book_id in self.chosen_books()}

    def command(self, member_id: int, book_ids: list[int], method: str,
                office_id: int | None) -> Callable[[], Done[list[RegistrationRow]]]:
        return partial(books.sign_on, self.hall, member_id, book_ids, method=method, office_id=office_id,
                       tiers=self.chosen_tiers())


# --- exemption ----------------------------------------------------------------------------------------------


class ExemptionSubject(Protocol):
    """The registration an exemption is recorded on: a book's list row, or the member record's place."""

    @property
    def registration_id(self) -> int: ...
    @property
    def version(self) -> int: ...
    @property
    def display_name(self) -> str: ...
    @property
    def card_number(self) -> str: ...
    @property
    def tier(self) -> int: ...
    @property
    def apn(self) -> Decimal: ...


class BookRef(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...


class ExemptionDialog(QDialog):
    """R14: record an exemption on one registration. Capped reasons (traveling, under-scale) end at the book's
    cap unless an extension is ticked; the others run until staff end them, or to a date given here. The form is
    ui/exemption_dialog.ui."""

    def reject(self) -> None:
        if self.discard_guard.allows_closing():
            super().reject()

    def __init__(self, runner: TaskRunner, hall: HallConnection, row: ExemptionSubject, book: BookRef,
                 today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.discard_guard = DiscardGuard(self, self.tr("this dialog"))  # Esc asks before typing is lost
        self.runner = runner
        self.hall = hall
        self.row = row
        self.book = book
        self.today = today
        self.rules: RuleSet | None = None
        self.saved: RegistrationRow | None = None

        self.form = Ui_ExemptionDialog()
        self.form.setupUi(self)
        self.setWindowTitle(self.tr("Exempt {name} on {book}").format(name=row.display_name, book=book.name))
        self.message = as_message(self.form.formMessage)
        self.errors = FieldErrors(self.message)
        self.form.memberLabel.setText(f"<b>{row.display_name}</b> &nbsp; card {row.card_number} &nbsp; "
                                      f"tier {row.tier}, APN {format_apn(row.apn)}")
        self.reason_combo = self.form.reasonCombo
        for reason in EXEMPTION_REASONS:
            self.reason_combo.addItem(format_label(reason), reason)
        self.start_edit = self.form.startEdit
        self.start_edit.setDate(to_qdate(today))
        self.has_end = self.form.hasEnd
        self.end_edit = self.form.endEdit
        self.end_edit.setDate(to_qdate(today))
        self.extended = self.form.extended
        self.cap_note = self.form.capNote
        self.note_edit = self.form.noteEdit
        self.errors.adopt("exemption_reason", self.form.reasonError, self.reason_combo)
        self.errors.adopt("exemption_start", self.form.startError, self.start_edit)
        self.errors.adopt("exemption_end", self.form.endError, self.end_edit)

        self.buttons = self.form.buttonBox
        save_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert save_button is not None  # the form has an OK button
        self.save_button = save_button
        self.save_button.setText(self.tr("&Exempt"))
        self.buttons.accepted.connect(self._on_buttons_accepted)
        # set once the button is inside the dialog, so Enter comes back to it after focus was on another button
        self.save_button.setDefault(True)
        self.setTabOrder(self.note_edit, self.save_button)

        self.reason_combo.currentIndexChanged.connect(self._update_cap_note)
        self.start_edit.dateChanged.connect(self._update_cap_note)
        self.has_end.toggled.connect(self.end_edit.setEnabled)
        self._update_cap_note()
        runner.query(partial(books.rules_on, hall, book.id, today), parent=self, success=self._on_rules_loaded,
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
        reason, extended, note = self.reason_combo.currentData(), self.extended.isChecked(), self.note_edit.text()
        # the cap is the book's: until its rules are in, the service alone holds the exemption to it
        errors = exemption_errors(reason, start, end, self.rules or DEFAULT_RULES,
                                  extended=extended or self.rules is None)
        if errors:
            self.errors.show(errors)
            return
        self.errors.clear()
        self.save_button.setEnabled(False)
        self.runner.command(
            partial(books.start_exemption, self.hall, self.row, reason=reason, start=start, end=end,
                    extended=extended, note=note),
            parent=self, success=self._on_saved, failure=self._on_failed, name="start exemption")

    def _on_saved(self, row: RegistrationRow) -> None:
        self.saved = row
        self.save_button.setEnabled(True)
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.errors.show_failure(exc, self)
