"""A member's visit to the books: found by type-ahead, books ticked, how and where they came in (R1, R5, R6).

Sign-on and re-registration are the same visit with different books offered and a different command; this is
the dialog they share. It closes only when the command succeeds, so a refusal (the database's message beside
the field) leaves everything chosen in place."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import books
from unioncore_desktop.domain.changes import Done
from unioncore_desktop.domain.queries.books import OfficeRow, RegistrationRow
from unioncore_desktop.domain.queries.members import MemberDetail
from unioncore_desktop.domain.rules.registration import book_choice_errors, office_errors
from unioncore_desktop.domain.vocab import REGISTRATION_METHODS
from unioncore_desktop.gui.forms.ui_member_visit_dialog import Ui_MemberVisitDialog
from unioncore_desktop.gui.itemmodels.formatting import format_label
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.field_errors import FieldErrors, as_message
from unioncore_desktop.gui.widgets.form_rows import put_field
from unioncore_desktop.gui.widgets.member_lookup import MemberLookup

OFFICE_CODE_ROLE = Qt.ItemDataRole.UserRole + 2
METHOD_LABELS = {"in_person": "In person", "email": "E-mail", "fax": "Fax", "web": "Web"}


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
        runner.query(partial(books.offices, hall), parent=self, success=self._on_offices, name="offices")

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


class MemberVisitDialog(QDialog):
    """The shared visit; a subclass offers its books (`load`, `add_books`) and runs its command (`command`).

    `book_checks` maps book id -> the tick box a subclass adds; `saved` holds the registrations written. The form
    is ui/member_visit_dialog.ui; the member lookup and the office are put in the rows it leaves for them."""

    TITLE = ""
    BOOKS_TITLE = ""
    SAVE_TEXT = ""
    METHOD_LABEL = ""
    BOOKS_HINT = ""  # before a member is picked
    COMMAND_NAME = ""

    def __init__(self, runner: TaskRunner, hall: HallConnection, parent: QWidget | None = None, *,
                 settings: UiSettings | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.member: MemberDetail | None = None
        self.saved: list[RegistrationRow] = []
        self.book_checks: dict[int, QCheckBox] = {}
        self._book_rows: list[QWidget] = []

        self.form = Ui_MemberVisitDialog()
        self.form.setupUi(self)
        self.setWindowTitle(self.tr(self.TITLE))
        self.message = as_message(self.form.formMessage)
        self.errors = FieldErrors(self.message)
        self.member_edit = MemberLookup(runner, hall, status="active")
        self.member_edit.setObjectName("memberEdit")
        put_field(self.form.form, self.form.memberCaption, self.member_edit)
        self.hits = self.member_edit.hits
        self.completer = self.member_edit.completer()
        self.member_info: QLabel = self.form.memberInfo
        self.books_box: QGroupBox = self.form.booksBox
        self.books_box.setTitle(self.tr(self.BOOKS_TITLE))
        self.books_layout: QVBoxLayout = self.form.booksLayout
        self.books_hint: QLabel = self.form.booksHint
        self.method_combo: QComboBox = self.form.methodCombo
        self.form.methodCaption.setText(self.tr(self.METHOD_LABEL))
        for method in REGISTRATION_METHODS:
            self.method_combo.addItem(self.tr(METHOD_LABELS.get(method, format_label(method))), method)
        self.office_combo = OfficeCombo(runner, hall, settings)
        put_field(self.form.form, self.form.officeCaption, self.office_combo)
        self.errors.adopt("member", self.form.memberError, self.member_edit)
        self.errors.adopt("book", self.form.bookError, self.books_box)
        self.errors.adopt("tier", self.form.tierError)
        self.errors.adopt("method", self.form.methodError, self.method_combo)
        self.errors.adopt("office_id", self.form.office_idError, self.office_combo)
        self.buttons: QDialogButtonBox = self.form.buttonBox
        self.save_button = QPushButton(self.tr(self.SAVE_TEXT))
        self.save_button.setObjectName("saveButton")
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        # set once the button is inside the dialog, so Enter comes back to it after focus was on another button
        self.save_button.setDefault(True)
        self.setTabOrder(self.member_edit, self.method_combo)
        self.setTabOrder(self.method_combo, self.office_combo)
        self.setTabOrder(self.office_combo, self.save_button)

        self.member_edit.member_cleared.connect(self._on_member_edit_member_cleared)
        self.member_edit.member_picked.connect(self.choose_member)
        self.show_member(None, None)

    # --- what a subclass says ---------------------------------------------------------------------------------

    def load(self, member_id: int) -> Any:
        """In a worker: the member's detail and whatever the books need (`member_of` gets the detail back)."""
        raise NotImplementedError

    def member_of(self, loaded: Any) -> MemberDetail:
        raise NotImplementedError

    def add_books(self, loaded: Any, previous: QWidget) -> tuple[QWidget, str]:
        """Add a row per book (each tick box in `book_checks`, each row through `add_book_row`), chaining the
        tab order on from `previous`: (the last widget in tab order, the hint to show when no book is offered)."""
        raise NotImplementedError

    def command(self, member_id: int, book_ids: list[int], method: str,
                office_id: int | None) -> Callable[[], Done[list[RegistrationRow]]]:
        """The action that saves the visit (it reports the registrations it wrote)."""
        raise NotImplementedError

    # --- member -----------------------------------------------------------------------------------------------

    def _on_member_edit_member_cleared(self) -> None:
        if self.member is not None:  # editing the name means looking for someone else
            self.show_member(None, None)

    def choose_member(self, member_id: int) -> None:
        self.runner.query(partial(self.load, member_id), parent=self, key=("visit-member", id(self)),
                          success=self._on_member_loaded, name=f"{self.COMMAND_NAME} member")

    def _on_member_loaded(self, loaded: object) -> None:
        detail = self.member_of(loaded)
        if not self.member_edit.text().strip():  # opened for a member (not typed): say who
            self.member_edit.setText(f"{detail.last_name}, {detail.first_name} — {detail.card_number}")
        self.show_member(detail, loaded)

    def show_member(self, detail: MemberDetail | None, loaded: object) -> None:
        self.member = detail
        self.errors.clear()
        for row in self._book_rows:
            row.deleteLater()
        self._book_rows.clear()
        self.book_checks.clear()
        if detail is None:
            self.member_info.setText(self.tr("Type a name or card number, then pick the member from the list."))
            self.books_hint.setText(self.tr(self.BOOKS_HINT))
            self.books_hint.setVisible(True)
            return
        self.member_info.setText(f"<b>{detail.first_name} {detail.last_name}</b> &nbsp; card {detail.card_number}"
                                 f" &nbsp; {format_label(detail.classification)}, {format_label(detail.status)}")
        last, hint = self.add_books(loaded, self.member_edit)
        self.setTabOrder(last, self.method_combo)
        self.books_hint.setText(hint)
        self.books_hint.setVisible(not self.book_checks)

    def add_book_row(self, book_id: int, check: QCheckBox, row: QWidget | None = None) -> None:
        """A book's tick box (in `row`, when the row holds more than the box)."""
        self.books_layout.addWidget(row or check)
        self._book_rows.append(row or check)
        self.book_checks[book_id] = check

    # --- save -------------------------------------------------------------------------------------------------

    def chosen_books(self) -> list[int]:
        return [book_id for book_id, check in self.book_checks.items() if check.isEnabled() and check.isChecked()]

    def _on_buttons_accepted(self) -> None:
        errors = {}
        if self.member is None:
            errors["member"] = self.tr(MemberLookup.NOT_PICKED)
        elif not self.book_checks:
            errors["book"] = self.books_hint.text()
        else:
            errors = book_choice_errors(self.chosen_books())
        errors.update(office_errors(self.method_combo.currentData(), self.office_combo.office_id(),
                                    len(self.office_combo.offices)))
        if errors:
            self.errors.show(errors)
            return
        self.errors.clear()
        assert self.member is not None
        book_ids = self.chosen_books()
        run = self.command(self.member.id, book_ids, self.method_combo.currentData(), self.office_combo.office_id())
        self.save_button.setEnabled(False)
        self.runner.command(run, parent=self, success=self._on_saved, failure=self._on_failed, name=self.COMMAND_NAME)

    def _on_saved(self, rows: list[RegistrationRow]) -> None:
        self.saved = rows
        self.save_button.setEnabled(True)
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        # Disabling the button moved the focus to Cancel, where Enter would throw the input away.
        self.save_button.setFocus()
        self.errors.show_failure(exc, self)
