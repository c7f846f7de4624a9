"""The employer, worksite, contact and contract dialogs (Designer forms ui/<name>_dialog.ui).

Each reads its fields, checks them with the domain's validator (rules/employers.py, the one the service calls),
shows the errors under the fields, and saves through its action; it closes only when the save succeeded, so a
refused save keeps what was typed. Esc or Cancel on a changed form asks before discarding it. A new or re-named
employer is first compared with those on file: a likely duplicate is shown (duplicates.py) and the user chooses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any, Protocol

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import employers
from unioncore_desktop.domain.errors import StaleRecord
from unioncore_desktop.domain.queries.employers import (
    ContactRow,
    ContractRow,
    DuplicateRow,
    EmployerDetail,
    WorksiteRow,
)
from unioncore_desktop.domain.rules.employers import (
    CONTACT_LENGTHS,
    EMPLOYER_LENGTHS,
    WORKSITE_LENGTHS,
    ContactInput,
    ContractInput,
    EmployerInput,
    Period,
    WorksiteInput,
    validate_contact,
    validate_contract,
    validate_employer,
    validate_worksite,
)
from unioncore_desktop.gui import messages
from unioncore_desktop.gui.employers.duplicates import DuplicatesDialog
from unioncore_desktop.gui.forms.ui_contact_dialog import Ui_ContactDialog
from unioncore_desktop.gui.forms.ui_contract_dialog import Ui_ContractDialog
from unioncore_desktop.gui.forms.ui_employer_dialog import Ui_EmployerDialog
from unioncore_desktop.gui.forms.ui_worksite_dialog import Ui_WorksiteDialog
from unioncore_desktop.gui.requests.form import parse_date
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.field_errors import FieldErrors, as_message

Editor = QLineEdit | QPlainTextEdit | QCheckBox | QComboBox


class _Form(Protocol):
    """What each record dialog's compiled form gives it besides its fields (named after them, each with a
    `<field>Error` label under it); a protocol, so this type-checks before pyside6-uic has compiled the forms."""

    introLabel: QLabel  # noqa: N815 - named by the Designer form
    formMessage: QLabel  # noqa: N815
    buttonBox: QDialogButtonBox  # noqa: N815

    def setupUi(self, dialog: QDialog) -> None: ...  # noqa: N802


class RecordDialog(QDialog):
    """A record's form: fields by name, their error labels, dirty tracking, Save that runs a command, and Esc or
    Cancel that asks before a changed form is discarded. Subclasses say how to read their input and save it."""

    saved = Signal(object)  # the command's value, after the dialog accepted

    def __init__(self, runner: TaskRunner, hall: HallConnection, form: _Form, field_names: tuple[str, ...],
                 title: str, what: str, parent: QWidget | None, *,
                 lengths: dict[str, int] | None = None) -> None:
        super().__init__(parent)
        form.setupUi(self)
        self.setWindowTitle(title)
        self.runner = runner
        self.hall = hall
        self.what = what
        self.intro = form.introLabel
        self.message = as_message(form.formMessage)
        self.editors: dict[str, Editor] = {name: getattr(form, name) for name in field_names}
        self.errors = FieldErrors(self.message)
        for name, editor in self.editors.items():
            self.errors.adopt(name, getattr(form, f"{name}Error"), editor)
            if isinstance(editor, QLineEdit) and lengths and name in lengths:
                editor.setMaxLength(lengths[name] + 20)  # an over-long paste is reported, not silently cut
        self.buttons = form.buttonBox
        save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        assert isinstance(save_button, QPushButton)  # every record form has Save
        self.save_button = save_button
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.intro.setVisible(False)
        self._loaded: dict[str, object] = {}

    # --- values and dirty state ------------------------------------------------------------------------------

    def raw(self) -> dict[str, object]:
        values: dict[str, object] = {}
        for name, editor in self.editors.items():
            if isinstance(editor, QCheckBox):
                values[name] = editor.isChecked()
            elif isinstance(editor, QComboBox):
                values[name] = editor.currentData()
            elif isinstance(editor, QPlainTextEdit):
                values[name] = editor.toPlainText()
            else:
                values[name] = editor.text()
        return values

    def fill(self, values: dict[str, Any]) -> None:
        """Show `values` (by field name) and count them as what was loaded."""
        for name, value in values.items():
            editor = self.editors[name]
            if isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QComboBox):
                editor.setCurrentIndex(max(0, editor.findData(value)))
            else:
                text = value.isoformat() if isinstance(value, date) else ("" if value is None else str(value))
                if isinstance(editor, QPlainTextEdit):
                    editor.setPlainText(text)
                else:
                    editor.setText(text)
        self._loaded = self.raw()

    def rebase(self, values: dict[str, Any]) -> None:
        """After a stale save: what was loaded becomes `values`; the fields the user changed keep their edits, the
        others show what the other workstation saved."""
        typed = {name: value for name, value in self.raw().items() if value != self._loaded.get(name)}
        self.fill(values)
        loaded = self._loaded
        self.fill({**values, **typed})
        self._loaded = loaded

    def is_dirty(self) -> bool:
        return self.raw() != self._loaded

    def set_intro(self, text: str) -> None:
        self.intro.setText(text)
        self.intro.setVisible(bool(text))

    # --- saving ----------------------------------------------------------------------------------------------

    def read(self) -> tuple[Any | None, dict[str, str]]:
        """The typed input and the errors in it (the form's own first, then the domain's)."""
        raise NotImplementedError

    def submit(self, data: Any) -> None:
        """Save `data`; the subclass runs its command through `run`."""
        raise NotImplementedError

    def _on_buttons_accepted(self) -> None:
        data, errors = self.read()
        if errors:
            self.errors.show(errors)
            return
        self.errors.clear()
        self.save_button.setEnabled(False)
        self.submit(data)

    def run(self, command: Callable[[], Any], name: str) -> None:
        self.runner.command(command, parent=self, success=self._on_saved, failure=self.show_failure, name=name)

    def _on_saved(self, value: object) -> None:
        self._loaded = self.raw()
        self.accept()
        self.saved.emit(value)

    def show_failure(self, exc: BaseException) -> None:
        """A refused save: errors beside the fields, and everything typed is kept."""
        self.save_button.setEnabled(True)
        if isinstance(exc, StaleRecord):
            self.errors.show({}, exc.message)
        else:
            self.errors.show_failure(exc, self)

    def reject(self) -> None:
        if self.is_dirty() and not messages.question(
                self, self.tr("Unsaved changes"),
                self.tr("Discard your changes to this {}?").format(self.what)):
            return
        super().reject()


def _text(values: dict[str, object], name: str) -> str:
    value = values[name]
    return value if isinstance(value, str) else ""


class EmployerDialog(RecordDialog):
    """A new employer, or the details of one; a likely duplicate on file is shown before saving."""

    open_requested = Signal(int)  # the user chose to open an employer on file instead

    def __init__(self, runner: TaskRunner, hall: HallConnection, base: EmployerDetail | None,
                 parent: QWidget | None = None) -> None:
        self.form = Ui_EmployerDialog()
        super().__init__(runner, hall, self.form, EmployerInput.field_names(),
                         self.tr("New employer") if base is None else self.tr("Edit {}").format(base.name),
                         self.tr("employer"), parent, lengths=EMPLOYER_LENGTHS)
        self.setObjectName("employerDialog")
        self.base = base
        self.duplicates: DuplicatesDialog | None = None
        self.fill({name: getattr(base, name) if base else None for name in EmployerInput.field_names()})
        if base is None:
            self.set_intro(self.tr("Employers are checked against those on file (same name, phone or address) "
                                   "before they are saved."))

    def read(self) -> tuple[EmployerInput | None, dict[str, str]]:
        values = self.raw()
        data = EmployerInput(**{name: _text(values, name) for name in EmployerInput.field_names()}).normalized()
        errors = validate_employer(data)
        return (None if errors else data), errors

    def _identity_changed(self, data: EmployerInput) -> bool:
        if self.base is None:
            return True
        before = EmployerInput(**{name: getattr(self.base, name) for name in EmployerInput.field_names()})
        return any(getattr(data, name) != getattr(before, name)
                   for name in ("name", "phone", "address_line1", "city"))

    def submit(self, data: EmployerInput) -> None:
        if not self._identity_changed(data):
            self._save(data)
            return
        exclude = self.base.id if self.base else None
        self.runner.query(partial(employers.likely_duplicates, self.hall, data, exclude), parent=self,
                          success=lambda rows: self._on_duplicates_found(data, rows),
                          failure=self.show_failure, name="find likely duplicates")

    def _on_duplicates_found(self, data: EmployerInput, rows: list[DuplicateRow]) -> None:
        if not rows:
            self._save(data)
            return
        self.duplicates = DuplicatesDialog(data.name or "", rows, editing=self.base is not None, parent=self)
        self.duplicates.decided.connect(lambda choice, employer_id: self._on_duplicate_decided(data, choice,
                                                                                               employer_id))
        self.duplicates.open()

    def _on_duplicate_decided(self, data: EmployerInput, choice: str, employer_id: int) -> None:
        self.duplicates = None
        if choice == DuplicatesDialog.SAVE:
            self._save(data)
        elif choice == DuplicatesDialog.OPEN:
            self._loaded = self.raw()  # the user chose to leave what was typed
            self.reject()
            self.open_requested.emit(employer_id)
        else:
            self.save_button.setEnabled(True)

    def _save(self, data: EmployerInput) -> None:
        self.run(partial(employers.save_employer, self.hall, data, self.base), "save employer")

    def show_failure(self, exc: BaseException) -> None:
        """A stale save puts the form on the employer as it now stands, keeping the user's edits, so saving again
        keeps both their changes and the other workstation's."""
        if isinstance(exc, StaleRecord) and isinstance(exc.current, EmployerDetail):
            self.base = exc.current
            self.rebase({name: getattr(exc.current, name) for name in EmployerInput.field_names()})
            lines = [f"{c.field.replace('_', ' ')}: now “{c.theirs or ''}”" for c in exc.changes]
            self.save_button.setEnabled(True)
            self.errors.show({}, "\n".join([exc.message, *lines]))
            return
        super().show_failure(exc)


class WorksiteDialog(RecordDialog):
    def __init__(self, runner: TaskRunner, hall: HallConnection, employer: EmployerDetail, base: WorksiteRow | None,
                 parent: QWidget | None = None) -> None:
        self.form = Ui_WorksiteDialog()
        super().__init__(runner, hall, self.form, WorksiteInput.field_names(),
                         self.tr("New worksite") if base is None else self.tr("Edit worksite {}").format(base.name),
                         self.tr("worksite"), parent, lengths=WORKSITE_LENGTHS)
        self.setObjectName("worksiteDialog")
        self.employer, self.base = employer, base
        self.set_intro(self.tr("Worksite of <b>{}</b>").format(employer.name))
        self.fill({name: getattr(base, name) if base else (name == "active" or None)
                   for name in WorksiteInput.field_names()})

    def read(self) -> tuple[WorksiteInput | None, dict[str, str]]:
        values = self.raw()
        texts = {name: _text(values, name) for name in WorksiteInput.field_names() if name != "active"}
        data = WorksiteInput(**texts, active=bool(values["active"])).normalized()
        errors = validate_worksite(data)
        return (None if errors else data), errors

    def submit(self, data: WorksiteInput) -> None:
        self.run(partial(employers.save_worksite, self.hall, self.employer.id, data, self.base), "save worksite")


class ContactDialog(RecordDialog):
    def __init__(self, runner: TaskRunner, hall: HallConnection, employer: EmployerDetail, base: ContactRow | None,
                 parent: QWidget | None = None) -> None:
        self.form = Ui_ContactDialog()
        super().__init__(runner, hall, self.form, ContactInput.field_names(),
                         self.tr("New contact") if base is None else self.tr("Edit contact {}").format(base.name),
                         self.tr("contact"), parent, lengths=CONTACT_LENGTHS)
        self.setObjectName("contactDialog")
        self.employer, self.base = employer, base
        own = base.id if base else None
        self.primary_now = next((c.name for c in employer.contacts if c.is_primary and c.id != own), None)
        intro = self.tr("Contact at <b>{}</b>").format(employer.name)
        if self.primary_now:
            intro += self.tr(" — the primary contact is {}").format(self.primary_now)
        self.set_intro(intro)
        self.fill({name: getattr(base, name) if base else None for name in ContactInput.field_names()})

    def read(self) -> tuple[ContactInput | None, dict[str, str]]:
        values = self.raw()
        texts = {name: _text(values, name) for name in ContactInput.field_names() if name != "is_primary"}
        data = ContactInput(**texts, is_primary=bool(values["is_primary"])).normalized()
        errors = validate_contact(data, self.primary_now)
        return (None if errors else data), errors

    def submit(self, data: ContactInput) -> None:
        self.run(partial(employers.save_contact, self.hall, self.employer.id, data, self.base), "save contact")


class ContractDialog(RecordDialog):
    """A period of one of the hall's contract codes; periods of one contract may not overlap."""

    def __init__(self, runner: TaskRunner, hall: HallConnection, employer: EmployerDetail, base: ContractRow | None,
                 codes: list[tuple[str, str]], today: date, parent: QWidget | None = None) -> None:
        self.form = Ui_ContractDialog()
        super().__init__(runner, hall, self.form, ContractInput.field_names(),
                         self.tr("New contract period") if base is None else self.tr("Edit contract period"),
                         self.tr("contract period"), parent)
        self.setObjectName("contractDialog")
        self.employer, self.base, self.today = employer, base, today
        self.codes = frozenset(code for code, _description in codes)
        combo = self.form.contract_code
        combo.addItem(self.tr("(choose the contract)"), None)
        for code, description in codes:
            combo.addItem(f"{code} — {description}", code)
        own = base.id if base else None
        self.others = [Period(c.contract_code, c.effective_on, c.expires_on)
                       for c in employer.contracts if c.id != own]
        self.set_intro(self.tr("Contract of <b>{}</b>").format(employer.name))
        self.fill({name: getattr(base, name) if base else None for name in ContractInput.field_names()})

    def read(self) -> tuple[ContractInput | None, dict[str, str]]:
        values = self.raw()
        errors: dict[str, str] = {}
        effective_on, error = parse_date(_text(values, "effective_on"), self.today)
        if error:
            errors["effective_on"] = error
        expires_on, error = parse_date(_text(values, "expires_on"), self.today)
        if error:
            errors["expires_on"] = error
        if errors:
            return None, errors
        code = values["contract_code"]
        data = ContractInput(code if isinstance(code, str) else None, effective_on, expires_on)
        errors = validate_contract(data, self.codes, self.others)
        return (None if errors else data), errors

    def submit(self, data: ContractInput) -> None:
        self.run(partial(employers.save_contract, self.hall, self.employer.id, data, self.base), "save contract")
