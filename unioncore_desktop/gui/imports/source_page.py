"""The import wizard's first page: what to import, the file, and the system it comes from. Its Next opens the file
off the GUI thread (headers, first rows, the mapping to start from) and moves on when it has been read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QFileDialog

from unioncore_desktop.domain.actions import imports
from unioncore_desktop.domain.actions.imports import SourcePreview
from unioncore_desktop.domain.queries.imports import ImportRunRow
from unioncore_desktop.gui.forms.ui_import_source_page import Ui_ImportSourcePage
from unioncore_desktop.gui.imports.owner import ImportOwner, ImportPage
from unioncore_desktop.gui.itemmodels.formatting import format_datetime
from unioncore_desktop.gui.widgets.field_errors import FieldErrors, as_message
from unioncore_desktop.paths import resources_dir

FOLDER_KEY = "import"
FILE_FILTER = "Exports (*.csv *.txt *.csv.gz *.txt.gz *.xlsx *.xlsm);;All files (*)"


class ImportSourcePage(ImportPage):
    """The form is ui/import_source_page.ui."""

    def __init__(self, owner: ImportOwner) -> None:
        super().__init__(owner)
        self.form = Ui_ImportSourcePage()
        self.form.setupUi(self)
        self.setTitle(self.tr("What and where"))
        self.setSubTitle(self.tr("Choose what to import, the file exported from the old system, and the system's "
                                 "name."))
        f = self.form
        self.entity_combo = f.entityCombo
        self.file_edit = f.fileEdit
        self.source_combo = f.sourceCombo
        line = self.source_combo.lineEdit()
        if line is not None:
            line.setPlaceholderText(self.tr("e.g. LaborPower"))
        for entity in imports.ENTITIES:
            self.entity_combo.addItem(self.tr(imports.ENTITY_LABELS[entity]), entity)
        self.errors = FieldErrors(as_message(f.messageLabel))
        self.errors.adopt("path", f.fileError, f.fileEdit)
        self.errors.adopt("source", f.sourceError, f.sourceCombo)
        self._opening = False
        self._opened_for: tuple[str, str, str] | None = None
        f.browseButton.clicked.connect(self._on_browse_button_clicked)
        f.runsButton.clicked.connect(lambda _checked=False: self.owner.show_runs())
        self.file_edit.textChanged.connect(self.completeChanged)
        self.source_combo.currentTextChanged.connect(self.completeChanged)
        self.entity_combo.currentIndexChanged.connect(self.completeChanged)

    # the public setters are what tests and `--open import` use
    def set_entity(self, entity: str) -> None:
        self.entity_combo.setCurrentIndex(self.entity_combo.findData(entity))

    def set_file(self, path: str | Path) -> None:
        self.file_edit.setText(str(path))

    def set_source(self, source: str) -> None:
        self.source_combo.setEditText(source)

    def set_sources(self, sources: Sequence[str]) -> None:
        """The sources earlier imports came from, newest first; the newest is offered."""
        typed = self.source_combo.currentText()
        self.source_combo.clear()
        self.source_combo.addItems(list(sources))
        self.source_combo.setEditText(typed or (sources[0] if sources else ""))

    def show_imported(self, last: Mapping[str, ImportRunRow]) -> None:
        """Each entity with when it was last imported, so the admin sees where the hall stands."""
        for index in range(self.entity_combo.count()):
            entity = self.entity_combo.itemData(index)
            text = self.tr(imports.ENTITY_LABELS[entity])
            run = last.get(entity)
            if run is not None:
                text += self.tr(" — last imported {when} from {file}").format(
                    when=format_datetime(run.run_at), file=run.file_name)
            self.entity_combo.setItemText(index, text)

    def entity(self) -> str:
        return str(self.entity_combo.currentData())

    def inputs(self) -> tuple[str, str, str]:
        return self.entity(), self.file_edit.text().strip(), " ".join(self.source_combo.currentText().split())

    def isComplete(self) -> bool:
        _entity, path, source = self.inputs()
        return bool(path and source) and not self._opening

    def validatePage(self) -> bool:
        inputs = self.inputs()
        if self._opened_for == inputs and self.owner.preview is not None:
            return True
        if not self._opening:
            self._opening = True
            self.errors.clear()
            self.errors.show_message(self.tr("Reading {}…").format(Path(inputs[1]).name))
            self.completeChanged.emit()
            self.owner.set_running(True)
            entity, path, source = inputs
            self.owner.open_source(entity, path, source, success=lambda preview: self._opened(inputs, preview),
                                   failure=self._failed)
        return False

    def _opened(self, inputs: tuple[str, str, str], _preview: SourcePreview) -> None:
        self._opening = False
        self.owner.set_running(False)
        self._opened_for = inputs
        self.errors.clear()
        self.owner.settings.set_last_folder(str(Path(inputs[1]).parent), FOLDER_KEY)
        self.completeChanged.emit()
        QTimer.singleShot(0, self.owner.next)  # outside the task callback, which validatePage may be inside

    def _failed(self, error: BaseException) -> None:
        self._opening = False
        self.owner.set_running(False)
        self.errors.show_failure(error, self)

    def _on_browse_button_clicked(self) -> None:
        typed = self.file_edit.text().strip()
        start = (str(Path(typed).parent) if typed else self.owner.settings.last_folder(FOLDER_KEY)
                 or str(resources_dir() / "sample_exports"))
        path, _filter = QFileDialog.getOpenFileName(self, self.tr("Export from the old system"), start,
                                                    self.tr(FILE_FILTER))
        if path:
            self.set_file(path)
