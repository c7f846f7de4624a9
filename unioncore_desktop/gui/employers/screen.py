"""Employers: search by name, phone or city; the employer's details, worksites, contacts, contracts and change
history; create, edit, deactivate and reactivate (dispatchers and managers keep employers, domain §6)."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import employers
from unioncore_desktop.domain.queries.employers import (
    ContactRow,
    ContractRow,
    EmployerDetail,
    EmployerListRow,
    EmployerRecord,
    WorksiteRow,
)
from unioncore_desktop.gui import icons, messages, reporting, theme
from unioncore_desktop.gui.employers.dialogs import ContactDialog, ContractDialog, EmployerDialog, WorksiteDialog
from unioncore_desktop.gui.employers.parts import PartGrid
from unioncore_desktop.gui.itemmodels.base import RowTableModel
from unioncore_desktop.gui.itemmodels.employers import ContactModel, ContractModel, EmployerListModel, WorksiteModel
from unioncore_desktop.gui.itemmodels.members import ChangeHistoryModel
from unioncore_desktop.gui.roles import EMPLOYER_KEEPERS
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.search_screen import SearchScreen

DETAIL_KEY = "employer-detail"
KINDS = ("employer", "employer_detail")  # domain/changes.py: the employer's row, and its parts


class EmployersScreen(SearchScreen):
    """The employers area of the main window."""

    area = "employers"
    kind = "employer"
    dialog_opened = Signal(object)  # a record dialog, for tests and --screenshot

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(runner, hall, settings, EmployerListModel(), self.tr("Employer name, phone or city"), parent)
        self.model.setParent(self)
        self.panel.print_button.hide()
        self.panel.export_requested.connect(self._on_panel_export_requested)
        self.panel.view.selectionModel().currentRowChanged.connect(self._on_view_current_row_changed)
        self.writable = bool(hall.facts.roles & EMPLOYER_KEEPERS)
        self.current: EmployerDetail | None = None
        self._pending_id: int | None = None
        self.codes: list[tuple[str, str]] = []

        self.title = QLabel()
        self.title.setObjectName("recordTitle")
        self.title.setWordWrap(True)
        self.new_button = QPushButton(icons.get("add"), self.tr("&New employer…"))
        self.new_button.setShortcut(QKeySequence.StandardKey.New)
        self.edit_button = QPushButton(self.tr("Edit de&tails…"))  # Alt+E is the Edit menu
        self.edit_button.setShortcut(QKeySequence("Ctrl+E"))
        self.active_button = QPushButton(icons.get("deactivate"), self.tr("&Deactivate"))
        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        self.active_button.clicked.connect(self._on_active_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.edit_button)
        buttons.addStretch(1)
        buttons.addWidget(self.active_button)

        self.details = QLabel()
        self.details.setObjectName("employerDetails")
        self.details.setTextFormat(Qt.TextFormat.RichText)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.worksites = PartGrid(WorksiteModel(parent=self), add=self.tr("&Add worksite…"))
        self.contacts = PartGrid(ContactModel(parent=self), add=self.tr("&Add contact…"), remove=self.tr("&Remove…"))
        self.contracts = PartGrid(ContractModel(parent=self), add=self.tr("&Add contract…"),
                                  remove=self.tr("&Remove…"))
        self.history = PartGrid(ChangeHistoryModel(parent=self))
        self.tabs = QTabWidget()
        self.tabs.addTab(self.details, self.tr("Details"))
        self.tabs.addTab(self.worksites, self.tr("Worksites"))
        self.tabs.addTab(self.contacts, self.tr("Contacts"))
        self.tabs.addTab(self.contracts, self.tr("Contracts"))
        self.tabs.addTab(self.history, self.tr("History"))

        self.worksites.add_requested.connect(lambda: self._edit_worksite(None))
        self.worksites.edit_requested.connect(self._edit_worksite)
        self.contacts.add_requested.connect(lambda: self._edit_contact(None))
        self.contacts.edit_requested.connect(self._edit_contact)
        self.contacts.remove_requested.connect(self._remove_contact)
        self.contracts.add_requested.connect(lambda: self._edit_contract(None))
        self.contracts.edit_requested.connect(self._edit_contract)
        self.contracts.remove_requested.connect(self._remove_contract)
        for grid, title in ((self.worksites, "Worksites"), (self.contacts, "Employer contacts"),
                            (self.contracts, "Employer contracts"), (self.history, "Employer change history")):
            grid.export_requested.connect(partial(self._export, grid.model, title))

        detail = QWidget()
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addLayout(buttons)
        detail_layout.addWidget(self.tabs, 1)
        self.lay_out(self.title, detail)
        self._update_buttons()
        self._load_codes()
        self.start()

    def _load_codes(self) -> None:
        self.runner.query(partial(employers.contract_codes, self.hall), parent=self, key="contract-codes",
                          success=self._set_codes, name="contract codes")

    # --- list ---------------------------------------------------------------------------------------------

    def find_rows(self, text: str) -> list[EmployerListRow]:
        return employers.search(self.hall, text)

    def kept_selection(self) -> object | None:
        return self.current.id if self.current else self._pending_id

    def _on_view_current_row_changed(self, current, _previous) -> None:
        row = self.model.row_at(current)
        if row is not None and (self.current is None or row.id != self.current.id):
            self.open_employer(row.id)

    def _on_hub_data_changed(self, kind: str, ids: list, initiator: object) -> None:
        if kind == "contract_code":  # a code added in the hall's set-up is offered for contracts at once
            self._load_codes()
            return
        if kind not in KINDS or self.when_shown.defer():
            return
        self.search(self.panel.search_text())  # the list shows contracts, worksites and the primary contact
        if self.current is not None and (not ids or self.current.id in ids):
            self.open_employer(self.current.id)

    def refresh(self) -> None:
        super().refresh()
        if self.current is not None:
            self.open_employer(self.current.id)

    # --- record -------------------------------------------------------------------------------------------

    def open_employer(self, employer_id: int) -> None:
        self._pending_id = employer_id
        self.runner.query(partial(employers.open_record, self.hall, employer_id), parent=self, key=DETAIL_KEY,
                          success=self._show_record, name="open employer")

    def _show_record(self, record: EmployerRecord) -> None:
        detail = self.current = record.detail
        state = "" if detail.active else self.tr(" &nbsp; <span style='color:{}'>inactive</span>").format(
            theme.css("#aa3333"))
        self.title.setText(f"<b>{_html(detail.name)}</b>{state}")
        self.details.setText(_details_html(detail))
        self.worksites.model.set_rows(detail.worksites)
        self.contacts.model.set_rows(detail.contacts)
        self.contracts.model.set_rows(detail.contracts)
        self.history.model.set_rows(record.history)
        shown = self.panel.current_row()
        if shown is None or shown.id != detail.id:
            self.panel.select_id(detail.id)
        self._update_buttons()
        self.record_shown.emit()

    def _update_buttons(self) -> None:
        has_record = self.current is not None
        self.new_button.setEnabled(self.writable)
        self.edit_button.setEnabled(self.writable and has_record)
        self.active_button.setEnabled(self.writable and has_record)
        active = self.current is None or self.current.active
        self.active_button.setText(self.tr("&Deactivate") if active else self.tr("Re&activate"))
        for grid in (self.worksites, self.contacts, self.contracts):
            grid.set_writable(self.writable and has_record)

    # --- employer -----------------------------------------------------------------------------------------

    def _on_new_button_clicked(self) -> None:
        self._open_dialog(EmployerDialog(self.runner, self.hall, None, self))

    def _on_edit_button_clicked(self) -> None:
        if self.current is not None:
            self._open_dialog(EmployerDialog(self.runner, self.hall, self.current, self))

    def _open_dialog(self, dialog: Any) -> None:
        dialog.saved.connect(self._on_dialog_saved)
        if isinstance(dialog, EmployerDialog):
            dialog.open_requested.connect(self.show_employer)
        dialog.open()
        self.dialog_opened.emit(dialog)

    def show_employer(self, employer_id: int) -> None:
        """Open the employer and show it in the list (cleared of a search that hides it)."""
        self._pending_id = employer_id
        if not self.panel.select_id(employer_id):
            self.panel.set_search_text("")
        self.open_employer(employer_id)

    def _on_dialog_saved(self, value: object) -> None:
        if isinstance(value, EmployerDetail):
            messages.status(self, self.tr("Saved {}").format(value.name))
            self.show_employer(value.id)
        # a part's save announced its change: the hub reloads the record

    def _on_active_button_clicked(self) -> None:
        base = self.current
        if base is None:
            return
        if base.active and not messages.question(
                self, self.tr("Deactivate employer"),
                self.tr("Deactivate {}? It is kept with its history, but no new requests can be taken for it until "
                        "it is reactivated.").format(base.name)):
            return
        self.runner.command(partial(employers.set_employer_active, self.hall, base, not base.active), parent=self,
                            success=lambda detail: self.open_employer(detail.id),
                            name="deactivate employer" if base.active else "reactivate employer")

    # --- worksites, contacts, contracts -------------------------------------------------------------------

    def _edit_worksite(self, row: WorksiteRow | None) -> None:
        if self.current is not None:
            self._open_dialog(WorksiteDialog(self.runner, self.hall, self.current, row, self))

    def _edit_contact(self, row: ContactRow | None) -> None:
        if self.current is not None:
            self._open_dialog(ContactDialog(self.runner, self.hall, self.current, row, self))

    def _edit_contract(self, row: ContractRow | None) -> None:
        if self.current is not None:
            self._open_dialog(ContractDialog(self.runner, self.hall, self.current, row, self.codes, date.today(),
                                             self))

    def _remove_contact(self, row: ContactRow) -> None:
        employer = self.current
        if employer is None or not messages.question(
                self, self.tr("Remove contact"),
                self.tr("Remove {} from the contacts of {}? The change history keeps them.").format(
                    row.name, employer.name)):
            return
        self.runner.command(partial(employers.delete_contact, self.hall, employer.id, row), parent=self,
                            name="remove contact")

    def _remove_contract(self, row: ContractRow) -> None:
        employer = self.current
        if employer is None or not messages.question(
                self, self.tr("Remove contract period"),
                self.tr("Remove the {} period from {:%d %b %Y}? Only for a period entered by mistake: a contract "
                        "that ended keeps its period with an end date.").format(row.contract_code,
                                                                               row.effective_on)):
            return
        self.runner.command(partial(employers.delete_contract, self.hall, employer.id, row), parent=self,
                            name="remove contract period")

    def _set_codes(self, codes: list[tuple[str, str]]) -> None:
        self.codes = codes

    # --- export -------------------------------------------------------------------------------------------

    def _on_panel_export_requested(self) -> None:
        reporting.export_model(self.runner, self.hall, self, self.model, "Employers",
                               [("Search", self.panel.search_text() or "all employers")])

    def _export(self, model: RowTableModel[Any], title: str) -> None:
        if self.current is not None:
            reporting.export_model(self.runner, self.hall, self, model, title, [("Employer", self.current.name)])


def _html(text: str | None) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _details_html(detail: EmployerDetail) -> str:
    place = " ".join(p for p in (detail.city and f"{detail.city},", detail.state, detail.postal_code) if p)
    address = "<br>".join(_html(p) for p in (detail.address_line1, detail.address_line2, place) if p)
    primary = next((c for c in detail.contacts if c.is_primary), None)
    rows = [
        ("Address", address or "—"),
        ("Phone", _html(detail.phone) or "—"),
        ("E-mail", _html(detail.email) or "—"),
        ("Primary contact", _html(" · ".join(p for p in (primary.name, primary.title, primary.phone) if p))
         if primary else "—"),
        ("Status", "active" if detail.active else "inactive"),
        ("Notes", _html(detail.notes).replace("\n", "<br>") or "—"),
    ]
    muted = theme.css("#555555")
    cells = "".join(f"<tr><td style='color:{muted};padding-right:12px'>{label}</td><td>{value}</td></tr>"
                    for label, value in rows)
    return f"<table cellspacing='4'>{cells}</table>"
