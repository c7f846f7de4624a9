"""The posting screen's batch lines: the receipts posted into the batch, printed or exported from here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtWidgets import QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.queries import dues as dq
from unioncore_desktop.gui import reporting
from unioncore_desktop.gui.itemmodels.dues import PostedLinesModel
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.table_panel import TablePanel

if TYPE_CHECKING:  # ReportLab is imported when a report is built
    from unioncore_desktop.reports import ReportContext


def print_receipts(runner: TaskRunner, hall: HallConnection, parent: QWidget,
                   receipts: list[dq.PaymentReceipt], title: str, controls: Sequence[QWidget] = ()) -> None:
    """Receipts as one PDF (several to a page for a batch), built in a worker and shown in the print preview."""
    if not receipts:
        return
    chosen = list(receipts)
    parameters = [("Receipts", ", ".join(r.receipt_number for r in chosen[:10]) + (" …" if len(chosen) > 10 else ""))]

    def build(path: Path, context: ReportContext) -> Path:
        from unioncore_desktop.reports.pdf.receipt import (
            build_receipts,  # written alongside the dues screens
        )

        return build_receipts(path, context, chosen)

    reporting.print_report(runner, hall, parent, title, parameters, build, controls=controls)


class BatchLines(TablePanel):
    """The batch's receipts in posting order; Print prints the chosen receipts (or the last), Export the lines."""

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings,
                 parent: QWidget | None = None) -> None:
        self.lines = PostedLinesModel()
        super().__init__("dues-posting", self.lines, settings=settings, parent=parent)
        self.lines.setParent(self)
        self.runner = runner
        self.hall = hall
        self.batch: dq.BatchSummary | None = None
        self.search_edit.setVisible(False)
        self.print_button.setText(self.tr("Print receipt"))
        self.print_button.setToolTip(self.tr("Print the selected receipts (Ctrl+P)"))
        self.print_requested.connect(self.print_chosen)
        self.export_requested.connect(self.export_lines)

    def print_chosen(self) -> None:
        chosen = self.selected_rows() or list(self.lines.rows[-1:])
        print_receipts(self.runner, self.hall, self, chosen, "Receipt", self.report_buttons())

    def print_batch(self) -> None:
        if self.batch is not None:
            print_receipts(self.runner, self.hall, self, list(self.lines.rows), f"Receipts for batch {self.batch.id}")

    def export_lines(self) -> None:
        batch = self.batch
        parameters = [("Batch", f"#{batch.id} deposited {batch.deposit_on.isoformat()}")] if batch else []
        reporting.export_model(self.runner, self.hall, self, self.lines, "Payment batch", parameters)
