"""The dispatch profile's dialogs: a qualified book and its tier, a skill or certification with its number and
expiry, an employer exclusion with its reason and end. Each checks with the rules the service applies
(domain/rules/member_profile.py), runs its own save and closes only when it succeeded, so a refusal leaves what
was typed in place. The forms are ui/qualified_book_dialog.ui, ui/skill_dialog.ui and ui/exclusion_dialog.ui."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Protocol

from PySide6.QtWidgets import QCompleter, QDialog, QDialogButtonBox, QLabel, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import members
from unioncore_desktop.domain.queries.member_profile import (
    MemberProfile,
    ProfileBookRow,
    ProfileChoices,
    ProfileExclusionRow,
    ProfileSkillRow,
)
from unioncore_desktop.domain.queries.members import MemberDetail
from unioncore_desktop.domain.rules.member_profile import (
    TIERS,
    ExclusionInput,
    QualifiedBookInput,
    SkillInput,
    exclusion_errors,
    qualified_book_errors,
    skill_errors,
)
from unioncore_desktop.gui.books.dialogs import from_qdate, to_qdate
from unioncore_desktop.gui.forms.ui_exclusion_dialog import Ui_ExclusionDialog
from unioncore_desktop.gui.forms.ui_qualified_book_dialog import Ui_QualifiedBookDialog
from unioncore_desktop.gui.forms.ui_skill_dialog import Ui_SkillDialog
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.field_errors import FieldErrors, as_message
from unioncore_desktop.gui.widgets.typed_work import DiscardGuard


class _Form(Protocol):
    """What each profile form gives its dialog; a protocol, so the dialogs type-check before the forms are
    compiled."""

    memberLabel: QLabel  # noqa: N815 - named by the Designer form
    formMessage: QLabel  # noqa: N815
    buttonBox: QDialogButtonBox  # noqa: N815

    def setupUi(self, dialog: QDialog) -> None: ...  # noqa: N802


class ProfileDialog(QDialog):
    """Add (no `base`) or change one profile entry; `saved` holds the profile as written."""

    ADD_TITLE = ""
    EDIT_TITLE = ""

    def reject(self) -> None:
        if self.discard_guard.allows_closing():
            super().reject()

    def __init__(self, runner: TaskRunner, hall: HallConnection, member: MemberDetail, choices: ProfileChoices,
                 form: _Form, base: ProfileBookRow | ProfileSkillRow | ProfileExclusionRow | None,
                 parent: QWidget | None) -> None:
        super().__init__(parent)
        self.discard_guard = DiscardGuard(self, self.tr("this dialog"))  # Esc asks before typing is lost
        form.setupUi(self)
        self.runner, self.hall, self.member, self.choices, self.base = runner, hall, member, choices, base
        self.saved: MemberProfile | None = None
        self.setWindowTitle(self.tr(self.EDIT_TITLE if base is not None else self.ADD_TITLE))
        form.memberLabel.setText(f"<b>{member.first_name} {member.last_name}</b> &nbsp; card {member.card_number}")
        self.message = as_message(form.formMessage)
        self.errors = FieldErrors(self.message)
        self.buttons = form.buttonBox
        ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok_button is not None  # the form has OK
        self.save_button = ok_button
        self.save_button.setText(self.tr("&Save") if base is not None else self.tr("&Add"))
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self._on_buttons_accepted)

    def read(self) -> tuple[QualifiedBookInput | SkillInput | ExclusionInput, dict[str, str]]:
        raise NotImplementedError

    def _on_buttons_accepted(self) -> None:
        data, errors = self.read()
        if errors:
            self.errors.show(errors)
            return
        self.errors.clear()
        self.save_button.setEnabled(False)
        self.runner.command(partial(members.save_profile_entry, self.hall, self.member.id, data, self.base),
                            parent=self, success=self._on_saved, failure=self._on_failed, name="save profile")

    def _on_saved(self, profile: MemberProfile) -> None:
        self.saved = profile
        self.save_button.setEnabled(True)
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.save_button.setFocus()
        self.errors.show_failure(exc, self)


class QualifiedBookDialog(ProfileDialog):
    """R5: a book the member may sign, and the best tier they may sign it at."""

    ADD_TITLE = "Add qualified book"
    EDIT_TITLE = "Change qualified book"

    def __init__(self, runner: TaskRunner, hall: HallConnection, member: MemberDetail, choices: ProfileChoices,
                 held: list[ProfileBookRow], base: ProfileBookRow | None = None,
                 parent: QWidget | None = None) -> None:
        self.form = Ui_QualifiedBookDialog()
        super().__init__(runner, hall, member, choices, self.form, base, parent)
        self.held = [row.book_code for row in held if base is None or row.id != base.id]
        self.book_combo, self.tier_combo = self.form.bookCombo, self.form.tierCombo
        self.book_codes = [str(choice.key) for choice in choices.books]
        if base is not None and base.book_code not in self.book_codes:  # a retired book keeps its tier
            self.book_combo.addItem(base.book_name, base.book_code)
        for choice in choices.books:
            if choice.key not in self.held:
                self.book_combo.addItem(choice.name, choice.key)
        for tier in TIERS:
            self.tier_combo.addItem(self.tr("Tier {}").format(tier), tier)
        if base is not None:
            self.book_combo.setCurrentIndex(max(0, self.book_combo.findData(base.book_code)))
            self.tier_combo.setCurrentIndex(max(0, self.tier_combo.findData(base.tier)))
        self.errors.adopt("book_code", self.form.bookError, self.book_combo)
        self.errors.adopt("tier", self.form.tierError, self.tier_combo)

    def read(self) -> tuple[QualifiedBookInput, dict[str, str]]:
        data = QualifiedBookInput(str(self.book_combo.currentData() or ""), int(self.tier_combo.currentData()))
        if self.base is not None and data.book_code == self.base.book_code:  # type: ignore[union-attr]
            return data, qualified_book_errors(data, book_codes=[data.book_code], held=())
        return data, qualified_book_errors(data, book_codes=self.book_codes, held=self.held)


class SkillDialog(ProfileDialog):
    """A skill or certification a specialty call may ask for; an expired one no longer counts."""

    ADD_TITLE = "Add skill or certification"
    EDIT_TITLE = "Change skill or certification"

    def __init__(self, runner: TaskRunner, hall: HallConnection, member: MemberDetail, choices: ProfileChoices,
                 held: list[ProfileSkillRow], base: ProfileSkillRow | None = None,
                 parent: QWidget | None = None) -> None:
        self.form = Ui_SkillDialog()
        super().__init__(runner, hall, member, choices, self.form, base, parent)
        self.held = [row.name for row in held if base is None or row.id != base.id]
        self.name_edit, self.number_edit = self.form.nameEdit, self.form.numberEdit
        self.has_expiry, self.expiry_edit = self.form.hasExpiry, self.form.expiryEdit
        completer = QCompleter(list(choices.skill_names), self.name_edit)
        self.name_edit.setCompleter(completer)
        self.expiry_edit.setDate(to_qdate(choices.today))
        self.expiry_edit.setEnabled(False)
        self.has_expiry.toggled.connect(self.expiry_edit.setEnabled)
        if base is not None:
            self.name_edit.setText(base.name)
            self.number_edit.setText(base.number or "")
            if base.expires_on is not None:
                self.has_expiry.setChecked(True)
                self.expiry_edit.setDate(to_qdate(base.expires_on))
        self.errors.adopt("name", self.form.nameError, self.name_edit)
        self.errors.adopt("number", self.form.numberError, self.number_edit)
        self.errors.adopt("expires_on", self.form.expiryError, self.expiry_edit)

    def read(self) -> tuple[SkillInput, dict[str, str]]:
        expires: date | None = from_qdate(self.expiry_edit.date()) if self.has_expiry.isChecked() else None
        data = SkillInput(self.name_edit.text(), self.number_edit.text(), expires).normalized()
        return data, skill_errors(data, held=self.held)


class ExclusionDialog(ProfileDialog):
    """An employer the member may not be referred to (the walk skips them for its requests), until a day or
    until removed."""

    ADD_TITLE = "Add employer exclusion"
    EDIT_TITLE = "Change employer exclusion"

    def __init__(self, runner: TaskRunner, hall: HallConnection, member: MemberDetail, choices: ProfileChoices,
                 base: ProfileExclusionRow | None = None, parent: QWidget | None = None) -> None:
        self.form = Ui_ExclusionDialog()
        super().__init__(runner, hall, member, choices, self.form, base, parent)
        self.employer_combo, self.reason_edit = self.form.employerCombo, self.form.reasonEdit
        self.has_end, self.end_edit = self.form.hasEnd, self.form.endEdit
        self.employer_combo.setEditable(True)  # type to find one of hundreds
        self.employer_combo.setInsertPolicy(self.employer_combo.InsertPolicy.NoInsert)
        completer = self.employer_combo.completer()
        if completer is not None:
            completer.setFilterMode(completer.filterMode().MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.employer_combo.addItem("", None)
        if base is not None and all(choice.key != base.employer_id for choice in choices.employers):
            self.employer_combo.addItem(base.employer_name, base.employer_id)
        for choice in choices.employers:
            self.employer_combo.addItem(choice.name, choice.key)
        self.end_edit.setDate(to_qdate(choices.today))
        self.end_edit.setEnabled(False)
        self.has_end.toggled.connect(self.end_edit.setEnabled)
        if base is not None:
            self.employer_combo.setCurrentIndex(max(0, self.employer_combo.findData(base.employer_id)))
            self.reason_edit.setText(base.reason)
            if base.ends_on is not None:
                self.has_end.setChecked(True)
                self.end_edit.setDate(to_qdate(base.ends_on))
        self.errors.adopt("employer_id", self.form.employerError, self.employer_combo)
        self.errors.adopt("reason", self.form.reasonError, self.reason_edit)
        self.errors.adopt("ends_on", self.form.endError, self.end_edit)

    def choose_employer(self, employer_id: int) -> None:
        self.employer_combo.setCurrentIndex(max(0, self.employer_combo.findData(employer_id)))

    def read(self) -> tuple[ExclusionInput, dict[str, str]]:
        index = self.employer_combo.findText(self.employer_combo.currentText())
        employer = self.employer_combo.itemData(index) if index > 0 else None
        ends = from_qdate(self.end_edit.date()) if self.has_end.isChecked() else None
        data = ExclusionInput(employer, self.reason_edit.text(), ends).normalized()
        loaded_end = self.base.ends_on if isinstance(self.base, ProfileExclusionRow) else None
        return data, exclusion_errors(data, self.choices.today, loaded_end=loaded_end)
