"""Employers: search, and the employer's contracts, worksites and contacts."""

from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import QLabel, QTabWidget, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import employers
from unioncore_desktop.domain.queries.employers import EmployerDetail, EmployerListRow
from unioncore_desktop.gui import reporting
from unioncore_desktop.gui.itemmodels.employers import ContactModel, ContractModel, EmployerListModel, WorksiteModel
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.simple_table import simple_table
from unioncore_desktop.gui.widgets.search_screen import SearchScreen


class EmployersScreen(SearchScreen):
    """The employers area of the main window."""

    area = "employers"
    kind = "employer"

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(runner, hall, settings, EmployerListModel(), self.tr("Employer name"), parent)
        self.model.setParent(self)
        self.panel.print_button.hide()
        self.panel.export_requested.connect(self._on_panel_export_requested)
        self.panel.view.selectionModel().currentRowChanged.connect(self._on_view_current_row_changed)

        self.title = QLabel()
        self.title.setObjectName("recordTitle")
        self.title.setWordWrap(True)
        self.contracts = ContractModel(parent=self)
        self.worksites = WorksiteModel(parent=self)
        self.contacts = ContactModel(parent=self)
        tabs = QTabWidget()
        tabs.addTab(simple_table(self.contracts), self.tr("Contracts"))
        tabs.addTab(simple_table(self.worksites), self.tr("Worksites"))
        tabs.addTab(simple_table(self.contacts), self.tr("Contacts"))
        self.lay_out(self.title, tabs)
        self.start()

    def find_rows(self, text: str) -> list[EmployerListRow]:
        return employers.search(self.hall, text)

    def _on_view_current_row_changed(self, current, _previous) -> None:
        row = self.model.row_at(current)
        if row is not None:
            self.runner.query(partial(employers.open_employer, self.hall, row.id), parent=self,
                              key="employer-detail", success=self._show_employer, name="open employer")

    def _show_employer(self, detail: EmployerDetail) -> None:
        address = ", ".join(p for p in (detail.address_line1, detail.city, detail.state, detail.postal_code) if p)
        self.title.setText(f"<b>{detail.name}</b><br>{address}<br>{detail.phone or ''} &nbsp; {detail.email or ''}")
        self.contracts.set_rows(detail.contracts)
        self.worksites.set_rows(detail.worksites)
        self.contacts.set_rows(detail.contacts)
        self.record_shown.emit()

    def _on_panel_export_requested(self) -> None:
        reporting.export_model(self.runner, self.hall, self, self.model, "Employers",
                               [("Search", self.panel.search_text() or "all employers")])
