"""Past imports and the review queue of what each left out: every committed run, newest first, and the selected
run's rejected rows with their field and reason, both exportable to Excel."""

from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QDialog, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import imports
from unioncore_desktop.domain.queries.imports import ImportRunRow
from unioncore_desktop.domain.rules.imports import Rejection
from unioncore_desktop.gui import icons, reporting
from unioncore_desktop.gui.forms.ui_import_runs_dialog import Ui_ImportRunsDialog
from unioncore_desktop.gui.itemmodels.imports import ImportRunModel, RejectionModel
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.simple_table import loaded_order_table


def field_labels(entity: str) -> dict[str, str]:
    return {f.name: f.label for f in imports.fields(entity)} if entity in imports.ENTITIES else {}


class ImportRunsDialog(QDialog):
    """The form is ui/import_runs_dialog.ui; `run_id` selects that run once the list is in."""

    loaded = Signal()  # the runs are on screen
    rejections_loaded = Signal()

    def __init__(self, runner: TaskRunner, hall: HallConnection, parent: QWidget | None = None, *,
                 run_id: int | None = None) -> None:
        super().__init__(parent)
        self.form = Ui_ImportRunsDialog()
        self.form.setupUi(self)
        self.runner = runner
        self.hall = hall
        self._select = run_id
        self.model = ImportRunModel(parent=self)
        self.runs = loaded_order_table(self.model, self.form.runsTable)
        self.rejections_model = RejectionModel(parent=self)
        self.rejections = loaded_order_table(self.rejections_model, self.form.rejectionsTable)
        for button in (self.form.runsExportButton, self.form.rejectionsExportButton):
            button.setIcon(icons.get("export-excel"))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.form.runsExportButton.clicked.connect(self._on_runs_export_button_clicked)
        self.form.rejectionsExportButton.clicked.connect(self._on_rejections_export_button_clicked)
        self.runs.selectionModel().currentRowChanged.connect(self._on_runs_current_row_changed)
        self._show_rejections_of(None)
        self.reload()

    def reload(self) -> None:
        self.runner.query(partial(imports.import_runs, self.hall), parent=self, key=("import-runs", id(self)),
                          success=self._show, name="import runs")

    def _show(self, rows: list[ImportRunRow]) -> None:
        current = self.selected()
        wanted = self._select if self._select is not None else current.id if current is not None else None
        self._select = None
        self.model.set_rows(rows)
        self.runs.resizeColumnsToContents()
        index = self.model.index_for_id(wanted) if wanted is not None else QModelIndex()
        if not index.isValid() and rows:
            index = self.model.index(0, 0)
        if index.isValid():
            self.runs.setCurrentIndex(index)
        self.loaded.emit()

    def selected(self) -> ImportRunRow | None:
        return self.model.row_at(self.runs.currentIndex())

    def select_run(self, run_id: int) -> None:
        self.runs.setCurrentIndex(self.model.index_for_id(run_id))

    def _on_runs_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_rejections_of(self.model.row_at(current))

    def _show_rejections_of(self, run: ImportRunRow | None) -> None:
        self.rejections_model = RejectionModel(field_labels(run.entity) if run else None, parent=self)
        self.rejections.setModel(self.rejections_model)
        if run is None:
            self.form.rejectionsLabel.setText(self.tr("Choose an import to see the rows it left out."))
            self.form.rejectionsExportButton.setEnabled(False)
            return
        self.form.rejectionsLabel.setText(self.tr("Rows the import of {file} left out ({count:,}):").format(
            file=run.file_name, count=run.rejected) if run.rejected else
            self.tr("The import of {} left no row out.").format(run.file_name))
        self.form.rejectionsExportButton.setEnabled(bool(run.rejected))
        if run.rejected:
            self.runner.query(partial(imports.run_rejections, self.hall, run.id), parent=self,
                              key=("import-rejections", id(self)), name="import run rejections",
                              success=partial(self._show_rejections, run.id))
        else:
            self.rejections_loaded.emit()

    def _show_rejections(self, run_id: int, rows: list[dict[str, Any]]) -> None:
        current = self.selected()
        if current is None or current.id != run_id:
            return
        self.rejections_model.set_rows(Rejection(int(r["row"]), str(r["field"]), str(r["reason"])) for r in rows)
        self.rejections.resizeColumnsToContents()
        self.rejections_loaded.emit()

    def _on_runs_export_button_clicked(self) -> None:
        reporting.export_model(self.runner, self.hall, self, self.model, self.tr("Past imports"), [])

    def _on_rejections_export_button_clicked(self) -> None:
        run = self.selected()
        if run is not None:
            reporting.export_model(self.runner, self.hall, self, self.rejections_model,
                                   self.tr("Rows an import left out"),
                                   [("File", run.file_name), ("Source", run.source), ("Import", run.entity)])
