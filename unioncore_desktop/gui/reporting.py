"""Excel export of any table panel and PDF reports, written in workers; the user picks the file first."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import reports
from unioncore_desktop.domain.queries.hall import HallFacts
from unioncore_desktop.gui import messages
from unioncore_desktop.gui.itemmodels.base import RowTableModel
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.reports import ReportContext, XlsxColumn, export_table

# Tests and --screenshot runs set this to a folder so no file dialog opens.
save_folder_override: Path | None = None


def context_for(facts: HallFacts, title: str, parameters: list[tuple[str, str]]) -> ReportContext:
    return ReportContext(hall_name=facts.hall_name, title=title, parameters=parameters, as_of=facts.now,
                         run_by=f"{facts.user_name} ({facts.user_login})", time_zone=facts.time_zone)


def ask_save_path(parent: QWidget, title: str, suggested: str, file_filter: str) -> Path | None:
    if save_folder_override is not None:
        return save_folder_override / suggested
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    path, _ = QFileDialog.getSaveFileName(parent, title, str(Path(folder) / suggested), file_filter)
    return Path(path) if path else None


def _slug(title: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")


def export_model(runner: TaskRunner, hall: HallConnection, parent: QWidget, model: RowTableModel[Any],
                 title: str, parameters: list[tuple[str, str]],
                 done: Callable[[Path], None] | None = None) -> None:
    """Export the rows the view shows, in its order, as typed cells."""
    columns = [XlsxColumn(header, kind) for header, kind in model.export_columns()]
    rows = model.export_rows()  # read here, on the GUI thread that owns the model

    def build(path: Path, context: ReportContext) -> Path:
        return export_table(path, title=title, columns=columns, rows=rows, context=context)

    export_report(runner, hall, parent, title, parameters, build, done)


def print_report(runner: TaskRunner, hall: HallConnection, parent: QWidget, title: str,
                 parameters: list[tuple[str, str]], build: Callable[[Path, ReportContext], Path],
                 done: Callable[[Path], None] | None = None) -> None:
    """Build a PDF in a worker (`build(path, context)`), then open it with the system viewer."""
    _run(runner, hall, parent, title, parameters, build, done, kind="pdf")


def export_report(runner: TaskRunner, hall: HallConnection, parent: QWidget, title: str,
                  parameters: list[tuple[str, str]], build: Callable[[Path, ReportContext], Path],
                  done: Callable[[Path], None] | None = None) -> None:
    """Write a report's Excel file in a worker (`build(path, context)`, which may also run its query)."""
    _run(runner, hall, parent, title, parameters, build, done, kind="xlsx")


def _run(runner: TaskRunner, hall: HallConnection, parent: QWidget, title: str, parameters: list[tuple[str, str]],
         build: Callable[[Path, ReportContext], Path], done: Callable[[Path], None] | None, *, kind: str) -> None:
    """Ask where to save, then log the run and write the file in a worker (every report run is audited)."""
    pdf = kind == "pdf"
    path = (ask_save_path(parent, parent.tr("Save report"), f"{_slug(title)}.pdf", "PDF (*.pdf)") if pdf else
            ask_save_path(parent, parent.tr("Export to Excel"), f"{_slug(title)}.xlsx", "Excel workbook (*.xlsx)"))
    if path is None:
        return

    def work() -> Path:
        facts = reports.start_report(hall, title, kind, parameters)
        return build(path, context_for(facts, title, parameters))

    runner.query(work, parent=parent, success=done or (lambda p: _written(parent, p, open_it=pdf)),
                 name=f"{'report' if pdf else 'export'} {title}")


def _written(parent: QWidget, path: Path, open_it: bool = False) -> None:
    messages.status(parent, parent.tr("Saved {}").format(path), 8000)
    if open_it and save_folder_override is None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
    elif save_folder_override is None:
        messages.information(parent, parent.tr("Export"), parent.tr("Saved {}").format(path))
