"""Contract codes (managers): the hall's agreements, added or described again; a code itself never changes."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import hall_setup
from unioncore_desktop.domain.queries.hall_setup import ContractCodeRow
from unioncore_desktop.gui.itemmodels.hall_setup import ContractCodeModel
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.setup.dialogs import ContractCodeDialog
from unioncore_desktop.gui.setup.lists import SetupList
from unioncore_desktop.gui.tasks import TaskRunner


class ContractCodesList(SetupList):
    kind = "contract_code"
    title = "Contract codes"

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings, *, can_write: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(runner, hall, settings, "setup-contract-codes", ContractCodeModel(), can_write=can_write,
                         intro=self.tr("Books are worked under a contract code and employers sign periods of "
                                       "them; a code stays as it is, its description can change."), parent=parent)
        self.new_action.setText(self.tr("&New code…"))
        self.edit_action.setText(self.tr("&Describe…"))

    def load(self) -> Sequence[ContractCodeRow]:
        return hall_setup.contract_codes(self.hall)

    def open_editor(self, row: ContractCodeRow | None) -> None:
        dialog = ContractCodeDialog(self.runner, self.hall, row, self)
        dialog.saved.connect(lambda saved: self.select_when_shown(saved.code))
        self.dialog = dialog
        dialog.open()
