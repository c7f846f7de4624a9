"""The member's dispatch profile on the record: qualified books and tiers, skills and certifications (expired ones
in red), employer exclusions; each list with Add, Change and Remove for a manager, and Export to Excel for all.
The dialogs (profile_dialogs) save their own entries; removal asks first, then runs here."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import members
from unioncore_desktop.domain.queries.member_profile import MemberProfile, ProfileChoices
from unioncore_desktop.domain.queries.members import MemberDetail
from unioncore_desktop.gui import icons, messages
from unioncore_desktop.gui.itemmodels.base import RowTableModel
from unioncore_desktop.gui.itemmodels.member_record import ExclusionModel, ProfileBookModel, SkillModel
from unioncore_desktop.gui.members.profile_dialogs import (
    ExclusionDialog,
    ProfileDialog,
    QualifiedBookDialog,
    SkillDialog,
)
from unioncore_desktop.gui.members.record import record_grid
from unioncore_desktop.gui.roles import MANAGERS
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.table_panel import TablePanel


class ProfileList(QGroupBox):
    """One list of the profile with its buttons."""

    def __init__(self, title: str, panel: TablePanel, name: str, editable: bool) -> None:
        super().__init__(title)
        self.panel = panel
        self.add_button = QPushButton(icons.get("add"), self.tr("&Add…") if name == "books" else self.tr("Add…"))
        self.add_button.setObjectName(f"add_{name}")
        self.edit_button = QPushButton(self.tr("Change…"))
        self.edit_button.setObjectName(f"edit_{name}")
        self.remove_button = QPushButton(self.tr("Remove"))
        self.remove_button.setObjectName(f"remove_{name}")
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button):
            button.setVisible(editable)
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(panel, 1)
        layout.addLayout(buttons)


class ProfilePanel(QWidget):
    """Shows a MemberProfile; a manager adds, changes and removes entries."""

    changed = Signal(object)  # MemberProfile as saved

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings | None,
                 subject: Callable[[], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.hall = runner, hall
        self.editable = bool(hall.facts.roles & MANAGERS)
        self.member: MemberDetail | None = None
        self.profile: MemberProfile | None = None
        self.dialog: ProfileDialog | None = None
        self.books_model = ProfileBookModel(parent=self)
        self.skills_model = SkillModel(parent=self)
        self.exclusions_model = ExclusionModel(parent=self)
        self.books = ProfileList(self.tr("Qualified books (R5)"), record_grid(
            runner, hall, "qualified-books", "Member qualified books", self.books_model, subject, settings),
            "books", self.editable)
        self.skills = ProfileList(self.tr("Skills and certifications"), record_grid(
            runner, hall, "skills", "Member skills and certifications", self.skills_model, subject, settings),
            "skills", self.editable)
        self.exclusions = ProfileList(self.tr("Employer exclusions"), record_grid(
            runner, hall, "exclusions", "Member employer exclusions", self.exclusions_model, subject, settings),
            "exclusions", self.editable)
        top = QHBoxLayout()
        top.addWidget(self.books, 1)
        top.addWidget(self.skills, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top, 1)
        layout.addWidget(self.exclusions, 1)
        for part, opener in ((self.books, self.open_book), (self.skills, self.open_skill),
                             (self.exclusions, self.open_exclusion)):
            part.add_button.clicked.connect(lambda _checked=False, o=opener: o(editing=False))
            part.edit_button.clicked.connect(lambda _checked=False, o=opener: o(editing=True))
            part.remove_button.clicked.connect(lambda _checked=False, p=part: self.remove(p))
            part.panel.row_activated.connect(lambda _row, o=opener: o(editing=True))
            part.panel.view.selectionModel().currentRowChanged.connect(self._update_buttons)
        self._update_buttons()

    def show_profile(self, member: MemberDetail | None, profile: MemberProfile | None, *, same: bool) -> None:
        self.member, self.profile = member, profile
        parts: list[tuple[RowTableModel[Any], TablePanel, tuple[Any, ...]]] = [
            (self.books_model, self.books.panel, profile.books if profile else ()),
            (self.skills_model, self.skills.panel, profile.skills if profile else ()),
            (self.exclusions_model, self.exclusions.panel, profile.exclusions if profile else ())]
        for model, panel, rows in parts:
            if same:
                panel.reload(rows)
            else:
                model.set_rows(rows)
        self._update_buttons()

    def _update_buttons(self, *_args: object) -> None:
        for part in (self.books, self.skills, self.exclusions):
            has_row = part.panel.current_row() is not None
            part.add_button.setEnabled(self.editable and self.member is not None)
            part.edit_button.setEnabled(self.editable and has_row)
            part.remove_button.setEnabled(self.editable and has_row)

    # --- dialogs --------------------------------------------------------------------------------------------

    def _with_choices(self, make: Callable[[ProfileChoices], ProfileDialog]) -> None:
        """Load what the dialog offers (books, employers, known skill names), then open it."""
        self.runner.query(partial(members.profile_choices, self.hall), parent=self, key=("profile-choices", id(self)),
                          success=lambda choices: self._open(make(choices)), name="profile choices")

    def _open(self, dialog: ProfileDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._on_saved(dialog.saved))
        self.dialog = dialog
        dialog.open()

    def open_book(self, *, editing: bool) -> None:
        member, profile = self.member, self.profile
        base = self.books.panel.current_row() if editing else None
        if not self.editable or member is None or profile is None or (editing and base is None):
            return
        self._with_choices(lambda c: QualifiedBookDialog(self.runner, self.hall, member, c, list(profile.books),
                                                         base, self))

    def open_skill(self, *, editing: bool) -> None:
        member, profile = self.member, self.profile
        base = self.skills.panel.current_row() if editing else None
        if not self.editable or member is None or profile is None or (editing and base is None):
            return
        self._with_choices(lambda c: SkillDialog(self.runner, self.hall, member, c, list(profile.skills), base, self))

    def open_exclusion(self, *, editing: bool) -> None:
        member = self.member
        base = self.exclusions.panel.current_row() if editing else None
        if not self.editable or member is None or (editing and base is None):
            return
        self._with_choices(lambda c: ExclusionDialog(self.runner, self.hall, member, c, base, self))

    def remove(self, part: ProfileList) -> None:
        row: Any = part.panel.current_row()
        if not self.editable or row is None:
            return
        what = {self.books: lambda r: self.tr("the qualification for {} (tier {})").format(r.book_name, r.tier),
                self.skills: lambda r: r.name,
                self.exclusions: lambda r: self.tr("the exclusion from {}").format(r.employer_name)}[part](row)
        if not messages.question(self, self.tr("Remove from the profile"), self.tr("Remove {}?").format(what)):
            return
        self.runner.command(partial(members.remove_profile_entry, self.hall, row), parent=self,
                            success=self._on_saved, failure=self._on_remove_failed, name="remove profile entry")

    def _on_saved(self, profile: MemberProfile | None) -> None:
        if profile is None:
            return
        same = self.profile is not None and self.profile.member_id == profile.member_id
        self.show_profile(self.member, profile, same=same)
        self.changed.emit(profile)

    def _on_remove_failed(self, exc: BaseException) -> None:
        messages.warning(self, self.tr("Not removed"), getattr(exc, "message", str(exc)))

    def models(self) -> list[RowTableModel[Any]]:
        return [self.books_model, self.skills_model, self.exclusions_model]
