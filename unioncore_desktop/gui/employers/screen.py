"""Employers: search, and the employer's contracts, worksites and contacts."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.queries.employers import EmployerDetail, employer_detail, search_employers
from unioncore_desktop.gui import events, reporting
from unioncore_desktop.gui.itemmodels.employers import ContactModel, ContractModel, EmployerListModel, WorksiteModel
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.simple_table import simple_table
from unioncore_desktop.gui.widgets.table_panel import TablePanel


class EmployersScreen(QWidget):
    loaded = Signal()
    record_shown = Signal()  # a record's detail is on screen

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.model = EmployerListModel(parent=self)
        self.panel = TablePanel("employers", self.model, settings=settings,
                                search_placeholder=self.tr("Employer name"))
        self.panel.print_button.hide()
        self.panel.search_changed.connect(self._on_panel_search_changed)
        self.panel.export_requested.connect(self._on_panel_export_requested)
        self.panel.view.selectionModel().currentRowChanged.connect(self._on_view_current_row_changed)
        self.settings = settings

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
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.title)
        right_layout.addWidget(tabs, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.panel)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        events.hub().data_changed.connect(self._on_hub_data_changed)
        self.panel.restore_state()
        self.search(self.panel.search_text())

    def search(self, text: str) -> None:
        self.panel.set_busy(True)
        self.runner.query(lambda: self.hall.read(search_employers, text), parent=self, key="employers-search",
                          success=self._show_results, failure=lambda _exc: self.panel.set_busy(False),
                          name="search employers")

    def _show_results(self, rows: list) -> None:
        self.model.set_rows(rows)
        self.panel.set_busy(False)
        self.loaded.emit()

    def _on_panel_search_changed(self, text: str) -> None:
        self.settings.set_last_search("employers", text)
        self.search(text)

    def _on_hub_data_changed(self, kind: str, _ids: list, _initiator: object) -> None:
        if kind == "employer":
            self.search(self.panel.search_text())

    def _on_view_current_row_changed(self, current, _previous) -> None:
        row = self.model.row_at(current)
        if row is not None:
            self.runner.query(lambda: self.hall.read(employer_detail, row.id), parent=self, key="employer-detail",
                              success=self._show_employer, name="open employer")

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

    def save_state(self) -> None:
        self.panel.save_state()
