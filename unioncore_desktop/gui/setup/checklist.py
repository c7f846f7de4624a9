"""The set-up checklist: what the hall has and what it still lacks before its first morning referral. Enter on a
step opens where it is done; a login that cannot do a step is told which login can."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import hall_setup
from unioncore_desktop.domain.queries.hall_setup import SetupChecklist, SetupItem
from unioncore_desktop.gui import events, icons, reporting
from unioncore_desktop.gui.itemmodels.hall_setup import ChecklistModel
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.table_panel import TablePanel

# the change kinds that can tick a step (books and their rules belong to the Books area)
REFRESHING_KINDS = frozenset({"hall_settings", "office", "holiday", "contract_code", "book_rules"})


class ChecklistPanel(QWidget):
    loaded = Signal()
    step_requested = Signal(str)  # the SetupItem key whose place should open

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings, *, roles: frozenset[str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.roles = roles
        self.checklist: SetupChecklist | None = None
        self.model = ChecklistModel(parent=self)
        self.heading = QLabel()
        self.heading.setObjectName("recordTitle")
        self.heading.setWordWrap(True)
        self.note = QLabel()
        self.note.setObjectName("checklistNote")
        self.note.setWordWrap(True)
        self.panel = TablePanel("setup-checklist", self.model, settings=settings)
        self.panel.search_edit.hide()
        self.panel.print_button.hide()
        self.panel.view.setSortingEnabled(False)  # the steps' order is the order to take them in
        self.panel.export_requested.connect(self._on_panel_export_requested)
        self.panel.row_activated.connect(lambda item: self.step_requested.emit(item.key))
        self.open_button = QToolButton()
        self.open_button.setText(self.tr("&Open step"))
        self.open_button.setToolTip(self.tr("Open where the selected step is done (Enter)"))
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.refresh_button = QToolButton()
        self.refresh_button.setIcon(icons.get("refresh"))
        self.refresh_button.setText(self.tr("Refresh"))
        self.refresh_button.setShortcut("F5")
        self.refresh_button.setToolTip(self.tr("Check the steps again (F5)"))
        self.refresh_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.refresh_button.clicked.connect(self.reload)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.note)
        layout.addLayout(buttons)
        layout.addWidget(self.panel, 1)
        events.hub().data_changed.connect(self._on_hub_data_changed)

    def reload(self) -> None:
        self.runner.query(lambda: hall_setup.checklist(self.hall), parent=self, key=("setup-checklist", id(self)),
                          success=self.show_checklist, name="set-up checklist")

    def show_checklist(self, checklist: SetupChecklist) -> None:
        first = self.checklist is None
        self.checklist = checklist
        self.panel.reload(checklist.items)
        if first:
            self.panel.view.resizeColumnsToContents()
            missing = checklist.missing
            self.panel.select_id(missing[0].key if missing else checklist.items[0].key)
        if checklist.complete:
            self.heading.setText(self.tr("<b>The hall is set up.</b> Everything the first morning referral needs "
                                         "is in place."))
        else:
            self.heading.setText(self.tr("<b>{count} of {total} set-up steps are still missing</b> before the "
                                         "first morning referral can run.").format(
                count=len(checklist.missing), total=len(checklist.items)))
        self.note.setText(self._note(checklist.missing))
        self.note.setVisible(bool(self.note.text()))
        self.loaded.emit()

    def _note(self, missing: list[SetupItem]) -> str:
        """Which missing steps this login cannot do, and who can."""
        others = [item for item in missing if item.who not in self.roles]
        if not others:
            return ""
        by_manager = [item.title for item in others if item.who == "manager"]
        by_admin = [item.title for item in others if item.who == "admin"]
        parts = []
        if by_manager:
            parts.append(self.tr("A manager login does: {steps}. If the hall has no manager yet, an administrator "
                                 "adds one: unioncore staff add LOGIN --role manager.").format(
                steps="; ".join(by_manager)))
        if by_admin:
            parts.append(self.tr("An administrator does: {steps}.").format(steps="; ".join(by_admin)))
        return " ".join(parts)

    def _on_open_button_clicked(self) -> None:
        item = self.panel.current_row()
        if item is not None:
            self.step_requested.emit(item.key)

    def _on_hub_data_changed(self, kind: str, _ids: list, _initiator: object) -> None:
        if kind in REFRESHING_KINDS and self.checklist is not None:
            self.reload()

    def _on_panel_export_requested(self) -> None:
        reporting.export_model(self.runner, self.hall, self, self.model, "Set-up checklist", [])
