"""Offer history: the frozen list behind a dispatch or a request — who stood where, skipped why or answered
what, marked or not, recorded by whom and when. Printable and exportable for a grievance."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import referral
from unioncore_desktop.domain.queries.dispatch import OfferLineRow
from unioncore_desktop.gui import reporting
from unioncore_desktop.gui.itemmodels.dispatch import OfferHistoryModel
from unioncore_desktop.gui.referral.dialogs import ReasonDialog, remove_mark_flow
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.table_panel import TablePanel


class OfferHistoryDialog(QDialog):
    """The offer lines of one dispatch (its run up to the acceptance) or of every run of one request."""

    loaded = Signal()
    printed = Signal(object)  # Path of the PDF

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings | None, *,
                 dispatch_id: int | None = None, request_id: int | None = None, subject: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.hall = runner, hall
        self.dispatch_id, self.request_id = dispatch_id, request_id
        self.subject = subject or (f"dispatch {dispatch_id}" if dispatch_id else f"request {request_id}")
        self.setWindowTitle(self.tr("Offer history — {}").format(self.subject))
        self.mark_dialog: ReasonDialog | None = None
        self.model = OfferHistoryModel(parent=self)
        self.panel = TablePanel("offer-history", self.model, settings=settings,
                                search_placeholder=self.tr("Find a member in this list…"))
        self.panel.search_edit.setVisible(False)
        self.panel.export_requested.connect(self._on_panel_export_requested)
        self.panel.print_requested.connect(self._on_panel_print_requested)
        self.heading = QLabel(self.tr("<b>The list as it stood</b> — {}").format(self.subject))
        self.remove_mark_button = QPushButton(self.tr("Remove check mark…"))
        self.remove_mark_button.clicked.connect(self._on_remove_mark_button_clicked)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addWidget(self.remove_mark_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.panel, 1)
        layout.addLayout(buttons)
        self.resize(1100, 520)
        self.reload()

    def reload(self) -> None:
        self.runner.query(partial(referral.offer_history, self.hall, dispatch_id=self.dispatch_id,
                                  request_id=self.request_id),
                          parent=self, key=("offer-history", id(self)), success=self._show, name="offer history")

    def _show(self, rows: list[OfferLineRow]) -> None:
        self.panel.reload(rows)
        self.panel.view.resizeColumnsToContents()
        self.loaded.emit()

    def _parameters(self) -> list[tuple[str, str]]:
        return [("For", self.subject), ("Lines", str(self.model.rowCount()))]

    def _on_panel_export_requested(self) -> None:
        reporting.export_model(self.runner, self.hall, self, self.model, "Offer history", self._parameters())

    def _on_panel_print_requested(self) -> None:
        from unioncore_desktop.reports.pdf.offer_history import build_offer_history  # ReportLab: when printing

        rows = list(self.model.rows)
        reporting.print_report(self.runner, self.hall, self, "Offer history", self._parameters(),
                               lambda path, context: build_offer_history(path, context, rows),
                               done=self.printed.emit, excel=self._export_from,
                               controls=self.panel.report_buttons())

    def _export_from(self, owner: QWidget) -> None:
        reporting.export_model(self.runner, self.hall, owner, self.model, "Offer history", self._parameters())

    def _on_remove_mark_button_clicked(self) -> None:
        line = self.panel.current_row()
        if line is None or not line.mark_issued:
            return
        remove_mark_flow(self.runner, self.hall, self, registration_id=line.registration_id,
                         request_id=line.request_id, member_name=line.member_name,
                         opened=lambda d: setattr(self, "mark_dialog", d))
