"""Reports, slips, receipts and Excel exports, built in workers: a PDF opens in the print preview, a workbook is
saved where the user says. A run that takes a while shows a progress dialog with Cancel."""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QObject, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QProgressDialog, QWidget

from unioncore_desktop.domain.errors import DomainError
from unioncore_desktop.domain.queries.hall import HallFacts
from unioncore_desktop.gui import messages
from unioncore_desktop.gui.itemmodels.base import RowTableModel
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskHandle, TaskRunner

if TYPE_CHECKING:  # ReportLab, openpyxl and QtPdf are imported when a report is first run, not at start-up
    from unioncore_desktop.db.connection import HallConnection
    from unioncore_desktop.reports import ReportContext

# Tests set this to a folder: the save dialog is then not shown and answers that folder with the default name.
save_folder_override: Path | None = None
# A run shorter than this never shows its progress dialog (tests set 0 to see it at once).
PROGRESS_DELAY_MS = 700

Build = Callable[[Path, "ReportContext"], Path]
Excel = Callable[[QWidget], None]  # the report's Excel export, run from its preview (the argument: the preview)

_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
_LONGEST_PARAMETER = 40


def context_for(facts: HallFacts, title: str, parameters: list[tuple[str, str]]) -> ReportContext:
    from unioncore_desktop.reports import ReportContext

    return ReportContext(hall_name=facts.hall_name, title=title, parameters=parameters, as_of=facts.now,
                         run_by=f"{facts.user_name} ({facts.user_login})", time_zone=facts.time_zone)


def file_name(title: str, parameters: Sequence[tuple[str, str]], day: date, suffix: str) -> str:
    """'Out-of-work list – WIRE SEATTLE – 2026-12-02.pdf': the title, its first parameter unless the title
    already says it, and the hall's day; nothing a file system refuses."""
    parts = [title.replace("\u2014", "\u2013")]
    first = next((value.strip() for _name, value in parameters if value.strip()), "")
    if first and first not in title and len(first) <= _LONGEST_PARAMETER:
        parts.append(first)
    parts.append(day.isoformat())
    name = " \u2013 ".join(" ".join(_UNSAFE_IN_NAMES.sub("-", part).split()) for part in parts)
    return f"{name.strip(' .')}.{suffix}"


def ask_save_path(parent: QWidget, hall: HallConnection, caption: str, suggested: str,
                  file_filter: str) -> Path | None:
    """A save dialog opening in the folder this login last saved into (Documents the first time)."""
    settings = UiSettings(hall.facts.user)
    if save_folder_override is not None:
        path: Path | None = save_folder_override / suggested
    else:
        folder = settings.last_folder() or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        chosen, _ = QFileDialog.getSaveFileName(parent, caption, str(Path(folder) / suggested), file_filter)
        path = Path(chosen) if chosen else None
    if path is not None:
        settings.set_last_folder(str(path.parent))
    return path


@dataclass(frozen=True)
class Built:
    """A file a worker wrote into its own temporary folder, with the run's context (for the file's name)."""

    path: Path
    folder: Path
    context: ReportContext


class ReportRun(QObject):
    """One report being built: the controls that would start a second run stay disabled, and a progress
    dialog with Cancel shows if it takes a while. Cancel stops waiting and throws the result away (a query
    already running on the server finishes there, unseen)."""

    finished = Signal()  # built, failed or cancelled: the controls are enabled again
    previewed = Signal(QObject)  # the PrintPreview

    def __init__(self, parent: QWidget, label: str, controls: Sequence[QWidget]) -> None:
        super().__init__(parent)
        self.handle: TaskHandle | None = None
        self.cancelled = False
        self.done = False
        self._lock = threading.Lock()
        self._folder: Path | None = None
        self._controls = [c for c in controls if c.isEnabled()]  # give back only what this run took
        for control in self._controls:
            control.setEnabled(False)
        self.progress = QProgressDialog(label, parent.tr("Cancel"), 0, 0, parent)
        self.progress.setObjectName("reportProgress")
        self.progress.setWindowTitle(parent.tr("Building the report"))
        self.progress.setWindowModality(Qt.WindowModality.NonModal)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.canceled.connect(self.cancel)
        self.progress.hide()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._timer.start(PROGRESS_DELAY_MS)

    def _on_timer_timeout(self) -> None:
        if not self.done:
            self.progress.show()

    def keep(self, folder: Path) -> bool:
        """Worker side: hand over the built file's folder; False (and the folder is gone) when cancelled."""
        with self._lock:
            if not self.cancelled:
                self._folder = folder
                return True
        shutil.rmtree(folder, ignore_errors=True)
        return False

    def cancel(self) -> None:
        """Stop waiting: the result is discarded whenever it comes, and the controls work again."""
        if self.done:
            return
        with self._lock:
            self.cancelled = True
            folder = self._folder
        if self.handle is not None:
            self.handle.cancel()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
        self.finish()

    def finish(self) -> None:
        if self.done:
            return
        self.done = True
        self._timer.stop()
        self.progress.hide()
        self.progress.deleteLater()
        for control in self._controls:
            if shiboken6.isValid(control):
                control.setEnabled(True)
        self.finished.emit()


def export_model(runner: TaskRunner, hall: HallConnection, parent: QWidget, model: RowTableModel[Any],
                 title: str, parameters: list[tuple[str, str]], done: Callable[[Path], None] | None = None,
                 *, controls: Sequence[QWidget] = ()) -> ReportRun:
    """Export the rows the view shows, in its order, as typed cells."""
    from unioncore_desktop.reports import XlsxColumn, export_table

    columns = [XlsxColumn(header, kind) for header, kind in model.export_columns()]
    rows = model.export_rows()  # read here, on the GUI thread that owns the model

    def build(path: Path, context: ReportContext) -> Path:
        return export_table(path, title=title, columns=columns, rows=rows, context=context)

    return export_report(runner, hall, parent, title, parameters, build, done, controls=controls)


def print_report(runner: TaskRunner, hall: HallConnection, parent: QWidget, title: str,
                 parameters: list[tuple[str, str]], build: Build, done: Callable[[Path], None] | None = None,
                 *, excel: Excel | None = None, controls: Sequence[QWidget] = (),
                 report: str | None = None) -> ReportRun:
    """Build a PDF in a worker (`build(path, context)`), then open it in the print preview; `done` gets the
    built file's path once the preview is open. `report` is the Reports screen's key, logged with the run."""

    def show(built: Built, run: ReportRun) -> None:
        from unioncore_desktop.gui.print_preview import PrintPreview

        preview = PrintPreview(
            built.path, title=title, file_name=file_name(title, parameters, built.context.local_as_of.date(), "pdf"),
            ask_path=lambda owner, caption, name, kinds: ask_save_path(owner, hall, caption, name, kinds),
            excel=excel, cleanup=built.folder, parent=parent)
        preview.open()
        run.previewed.emit(preview)
        if done is not None:
            done(built.path)

    return _run(runner, hall, parent, title, parameters, build, show, controls, kind="pdf", report=report)


def print_table(runner: TaskRunner, hall: HallConnection, parent: QWidget, title: str,
                parameters: list[tuple[str, str]], columns: Sequence[tuple[str, float]],
                cells: Sequence[Sequence[object]], *, excel: Excel | None = None,
                controls: Sequence[QWidget] = ()) -> ReportRun:
    """A grid's rows printed as a landscape table, one (header, weight) per column, into the print preview."""
    from unioncore_desktop.reports.base import Column, build_table_report  # ReportLab: when printing, here

    table = [Column(header, weight=weight) for header, weight in columns]
    return print_report(runner, hall, parent, title, parameters,
                        lambda path, context: build_table_report(path, context, table, cells, landscape=True),
                        excel=excel, controls=controls)


def export_report(runner: TaskRunner, hall: HallConnection, parent: QWidget, title: str,
                  parameters: list[tuple[str, str]], build: Build, done: Callable[[Path], None] | None = None,
                  *, controls: Sequence[QWidget] = (), report: str | None = None) -> ReportRun:
    """Write a report's Excel file in a worker (`build(path, context)`, which may also run its query), then ask
    where to keep it."""

    def save(built: Built, _run: ReportRun) -> None:
        try:
            suggested = file_name(title, parameters, built.context.local_as_of.date(), "xlsx")
            path = ask_save_path(parent, hall, parent.tr("Export to Excel"), suggested, "Excel workbook (*.xlsx)")
            if path is None:
                return
            try:
                shutil.move(built.path, path)
            except OSError as exc:  # a read-only folder, a file open in Excel
                messages.warning(parent, parent.tr("Not saved"), parent.tr("{} could not be written: {}").format(
                    path, exc.strerror or exc))
                return
        finally:
            shutil.rmtree(built.folder, ignore_errors=True)
        (done or (lambda p: _written(parent, p)))(path)

    return _run(runner, hall, parent, title, parameters, build, save, controls, kind="xlsx", report=report)


def _run(runner: TaskRunner, hall: HallConnection, parent: QWidget, title: str, parameters: list[tuple[str, str]],
         build: Build, success: Callable[[Built, ReportRun], None], controls: Sequence[QWidget], *,
         kind: str, report: str | None = None) -> ReportRun:
    """Log the run and write the file in a worker (every report run is audited), into a folder of its own."""
    # ReportLab, openpyxl and the preview's QtPdf load here, on this thread, before the worker starts: a worker
    # importing a module while this thread loads a PySide6 one can deadlock the two
    import unioncore_desktop.reports  # noqa: F401
    from unioncore_desktop.domain.actions import reports  # the run's log, with the report modules
    from unioncore_desktop.gui import print_preview  # noqa: F401

    pdf = kind == "pdf"
    run = ReportRun(parent, (parent.tr("Building {}…") if pdf else parent.tr("Exporting {}…")).format(title),
                    controls)

    def work() -> Built | None:
        facts = reports.start_report(hall, title, kind, parameters, report=report)
        context = context_for(facts, title, parameters)
        folder = Path(tempfile.mkdtemp(prefix="unioncore-report-"))
        try:
            path = build(folder / f"report.{kind}", context)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return Built(path, folder, context) if run.keep(folder) else None

    def delivered(built: Built | None) -> None:
        run.finish()
        if built is not None:
            success(built, run)

    def failed(exc: BaseException) -> None:
        run.finish()
        if isinstance(exc, DomainError):  # a `failure` replaces the runner's own warning for these
            messages.warning(parent, parent.tr("Cannot show this"), exc.message)

    run.handle = runner.query(work, parent=parent, success=delivered, failure=failed,
                              name=f"{'report' if pdf else 'export'} {title}")
    return run


def _written(parent: QWidget, path: Path) -> None:
    messages.status(parent, parent.tr("Saved {}").format(path), 8000)
    if save_folder_override is None:
        messages.information(parent, parent.tr("Export"), parent.tr("Saved {}").format(path))
