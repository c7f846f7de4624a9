"""The Hall set-up area: the checklist, then a tab each for offices, the holiday calendar and contract codes;
the hall's settings open as a dialog. Managers write; every other login reads (an administrator sees which
steps need a manager)."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPushButton, QTabWidget, QVBoxLayout, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import hall_setup
from unioncore_desktop.domain.queries.hall_setup import HallSettings
from unioncore_desktop.gui import messages
from unioncore_desktop.gui.roles import MANAGERS
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.setup.checklist import ChecklistPanel
from unioncore_desktop.gui.setup.contract_codes import ContractCodesList
from unioncore_desktop.gui.setup.dialogs import HallSettingsDialog
from unioncore_desktop.gui.setup.holidays import HolidayCalendar
from unioncore_desktop.gui.setup.offices import OfficesList
from unioncore_desktop.gui.tasks import TaskRunner



class SetupScreen(QWidget):
    """The area; `panel` and `model` are the checklist's (the screenshot and the main window use them)."""

    loaded = Signal()
    record_shown = Signal()
    books_requested = Signal()  # the Books area, where books and their rule sets are kept

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        roles = frozenset(hall.facts.roles)
        self.can_write = bool(MANAGERS & roles)
        self.dialog: QWidget | None = None
        self.checklist = ChecklistPanel(runner, hall, settings, roles=roles)
        self.panel = self.checklist.panel
        self.model = self.checklist.model
        self.checklist.loaded.connect(self.loaded)
        self.checklist.step_requested.connect(self.open_step)
        self.settings_button = QPushButton(self.tr("Hall &settings…"))
        self.settings_button.setEnabled(self.can_write)
        self.settings_button.clicked.connect(self.edit_hall_settings)
        self.books_button = QPushButton(self.tr("Open &Books"))
        self.books_button.setToolTip(self.tr("Books and their rule sets are kept in the Books area"))
        self.books_button.clicked.connect(self.books_requested)
        self.checklist.layout().itemAt(2).layout().insertWidget(2, self.settings_button)  # type: ignore[union-attr]
        self.checklist.layout().itemAt(2).layout().insertWidget(3, self.books_button)  # type: ignore[union-attr]

        self.offices = OfficesList(runner, hall, settings, can_write=self.can_write)
        self.holidays = HolidayCalendar(runner, hall, settings, can_write=self.can_write)
        self.contract_codes = ContractCodesList(runner, hall, settings, can_write=self.can_write)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.checklist, self.tr("Checklist"))
        self.tabs.addTab(self.offices, self.tr("Offices"))
        self.tabs.addTab(self.holidays, self.tr("Holidays"))
        self.tabs.addTab(self.contract_codes, self.tr("Contract codes"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.search("")

    # --- the main window's hooks ----------------------------------------------------------------------------

    def search(self, _text: str) -> None:
        """Load (or reload after an outage) every tab."""
        self.checklist.reload()
        for part in (self.offices, self.holidays, self.contract_codes):
            part.reload()

    def save_state(self) -> None:
        for panel in (self.checklist.panel, self.offices.panel, self.holidays.panel, self.contract_codes.panel):
            panel.save_state()

    def show_checklist(self) -> None:
        self.tabs.setCurrentWidget(self.checklist)

    def show_offices(self) -> None:
        self.open_tab(self.offices)

    def show_holidays(self) -> None:
        self.open_tab(self.holidays)

    def show_contract_codes(self) -> None:
        self.open_tab(self.contract_codes)

    # --- steps ----------------------------------------------------------------------------------------------

    def open_tab(self, tab: QWidget) -> None:
        self.tabs.setCurrentWidget(tab)
        tab.panel.view.setFocus()  # type: ignore[attr-defined]

    def open_step(self, key: str) -> None:
        tabs = {"offices": self.offices, "holidays": self.holidays, "contract_codes": self.contract_codes}
        if key in tabs:
            self.open_tab(tabs[key])
        elif key == "hall":
            self.edit_hall_settings()
        elif key == "books":
            self.books_requested.emit()
        elif key == "staff":
            messages.information(self, self.tr("Staff logins"), self.tr(
                "An administrator adds staff logins on the server's command line:\n\n"
                "unioncore staff add LOGIN --role manager --full-name \"…\"\n"
                "unioncore staff add LOGIN --role dispatcher --full-name \"…\""))

    def edit_hall_settings(self) -> None:
        if not self.can_write:
            messages.information(self, self.tr("Hall settings"),
                                 self.tr("The hall's settings are kept by a manager login."))
            return
        self.runner.query(partial(hall_setup.settings, self.hall), parent=self, success=self._open_settings,
                          name="hall settings")

    def _open_settings(self, current: HallSettings) -> None:
        dialog = HallSettingsDialog(self.runner, self.hall, current, self)
        self.dialog = dialog
        dialog.open()

