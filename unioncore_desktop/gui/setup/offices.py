"""Offices (managers): where members sign on in person, with their hours and region."""

from __future__ import annotations

from collections.abc import Sequence
from PySide6.QtWidgets import QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import hall_setup
from unioncore_desktop.domain.queries.hall_setup import OfficeDetail
from unioncore_desktop.gui.itemmodels.hall_setup import OfficeModel
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.setup.dialogs import OfficeDialog
from unioncore_desktop.gui.setup.lists import SetupList
from unioncore_desktop.gui.tasks import TaskRunner


class OfficesList(SetupList):
    kind = "office"
    title = "Offices"

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings, *, can_write: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(runner, hall, settings, "setup-offices", OfficeModel(), can_write=can_write,
                         intro=self.tr("Members sign on in person at an office during its hours (R1). An office "
                                       "with registrations is edited, never replaced."), parent=parent)
        self.new_action.setText(self.tr("&New office…"))

    def load(self) -> Sequence[OfficeDetail]:
        return hall_setup.offices(self.hall)

    def open_editor(self, row: OfficeDetail | None) -> None:
        dialog = OfficeDialog(self.runner, self.hall, row, self)
        dialog.saved.connect(lambda saved: self.select_when_shown(saved.id))
        self.dialog = dialog
        dialog.open()
