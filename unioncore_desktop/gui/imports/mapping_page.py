"""The import wizard's mapping page: each target field beside the column of the file that holds it, started from
the mapping remembered for this source (or suggested from the headers), checked as the admin chooses, with the
first rows shown under the mapped fields. Its Next keeps a mapping made by hand for the source and runs the dry
run, moving on when the dry run's result arrives."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from unioncore_desktop.domain.actions import imports
from unioncore_desktop.domain.actions.imports import ImportResult
from unioncore_desktop.gui.imports.owner import ImportOwner, ImportPage, Mapping
from unioncore_desktop.gui.widgets.field_errors import FieldErrors, message_label

NONE_CHOICE = "(not in this file)"
PREVIEW_ROWS = 8
ERROR_COLOR = QColor("#c62828")
ORIGINS = {
    "remembered": "Remembered for this source: the columns chosen last time for files with these headers.",
    "other_source": "Remembered for the same headers under another source; check each field.",
    "suggested": "Suggested from the headers; check each field, and choose by hand where none was found.",
    "given": "As given.",
}
FIELD_COLUMN, HEADER_COLUMN, PROBLEM_COLUMN = range(3)


class MappingPage(ImportPage):
    def __init__(self, owner: ImportOwner) -> None:
        super().__init__(owner)
        self.setTitle(self.tr("Columns"))
        self.setSubTitle(self.tr("Say which column of the file holds each field. Fields in bold are required."))
        self.origin_label = QLabel()
        self.origin_label.setObjectName("mappingOrigin")
        self.origin_label.setWordWrap(True)
        self.file_label = QLabel()
        self.fields_table = QTableWidget(0, 3)
        self.fields_table.setHorizontalHeaderLabels([self.tr("Field"), self.tr("Column in the file"),
                                                     self.tr("Problem")])
        self.fields_table.verticalHeader().setVisible(False)
        self.fields_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.fields_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.fields_table.horizontalHeader()
        header.setSectionResizeMode(FIELD_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(HEADER_COLUMN, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.preview = QTableWidget()
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.verticalHeader().setVisible(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: the dry run says nothing until it is done
        self.progress.setVisible(False)
        self.errors = FieldErrors(message_label())
        layout = QVBoxLayout(self)
        layout.addWidget(self.origin_label)
        layout.addWidget(self.file_label)
        layout.addWidget(self.fields_table, 3)
        layout.addWidget(QLabel(self.tr("The first rows of the file, under the fields they are mapped to:")))
        layout.addWidget(self.preview, 2)
        layout.addWidget(self.errors.message)
        layout.addWidget(self.progress)
        self.combos: dict[str, QComboBox] = {}
        self.offered: Mapping = {}
        self.remembered: Mapping | None = None
        self._filling = False
        self._running = False
        self._dry_for: Mapping | None = None
        self._shown: object = None

    # --- the mapping -----------------------------------------------------------------------------------------

    def initializePage(self) -> None:
        preview = self.owner.preview
        assert preview is not None
        if preview is self._shown:
            return  # the same file opened again unchanged: keep what was chosen
        self._shown = preview
        self.offered = dict(preview.mapping)
        self.remembered = dict(preview.mapping) if preview.mapping_origin == "remembered" else None
        self._dry_for = None
        self.origin_label.setText(self.tr(ORIGINS.get(preview.mapping_origin, "")))
        self.file_label.setText(self.tr("{file}: {rows:,} rows under the headers in row {header}.").format(
            file=preview.file_name, rows=preview.row_count, header=preview.header_row))
        self._filling = True
        self.combos.clear()
        fields = imports.fields(preview.entity)
        self.fields_table.setRowCount(len(fields))
        bold = QFont(self.font())
        bold.setBold(True)
        for row, field in enumerate(fields):
            item = QTableWidgetItem(self.tr(field.label))
            if field.required:
                item.setFont(bold)
            self.fields_table.setItem(row, FIELD_COLUMN, item)
            combo = QComboBox()
            combo.addItem(self.tr(NONE_CHOICE), None)
            for header in preview.headers:
                combo.addItem(header, header)
            chosen = preview.mapping.get(field.name)
            combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen else 0)
            combo.currentIndexChanged.connect(self._on_combo_current_index_changed)
            self.fields_table.setCellWidget(row, HEADER_COLUMN, combo)
            self.fields_table.setItem(row, PROBLEM_COLUMN, QTableWidgetItem())
            self.combos[field.name] = combo
        self.fields_table.setColumnWidth(HEADER_COLUMN, 220)
        self._filling = False
        self._refresh()

    def mapping(self) -> Mapping:
        return {name: combo.currentData() for name, combo in self.combos.items()}

    def set_mapping(self, mapping: Mapping) -> None:
        """Choose columns as the admin would (fields not named keep their choice)."""
        for name, header in mapping.items():
            combo = self.combos[name]
            combo.setCurrentIndex(max(0, combo.findData(header)) if header else 0)

    def hand_made(self) -> bool:
        """Chosen by hand and not yet kept for the source: what Cancel would lose."""
        current = self.mapping()
        return bool(self.combos) and current != self.offered and current != self.remembered

    def problems(self) -> dict[str, str]:
        preview = self.owner.preview
        return imports.mapping_errors(preview.entity, preview.headers, self.mapping()) if preview else {}

    def _on_combo_current_index_changed(self, _index: int) -> None:
        if not self._filling:
            self._refresh()

    def _refresh(self) -> None:
        problems = self.problems()
        for row, name in enumerate(self.combos):
            item = self.fields_table.item(row, PROBLEM_COLUMN)
            if item is None:
                continue
            item.setText(problems.get(name, ""))
            item.setForeground(ERROR_COLOR)
        self._show_preview()
        self.completeChanged.emit()

    def _show_preview(self) -> None:
        preview = self.owner.preview
        assert preview is not None
        labels = {f.name: f.label for f in imports.fields(preview.entity)}
        mapped = [(name, header) for name, header in self.mapping().items() if header]
        self.preview.clear()
        self.preview.setColumnCount(len(mapped))
        self.preview.setHorizontalHeaderLabels([f"{self.tr(labels[name])}\n← {header}" for name, header in mapped])
        rows = preview.rows[:PREVIEW_ROWS]
        self.preview.setRowCount(len(rows))
        positions = [preview.headers.index(header) for _name, header in mapped]
        for r, cells in enumerate(rows):
            for c, position in enumerate(positions):
                self.preview.setItem(r, c, QTableWidgetItem(cells[position] if position < len(cells) else ""))
        self.preview.resizeColumnsToContents()

    # --- the dry run -----------------------------------------------------------------------------------------

    def isComplete(self) -> bool:
        return bool(self.combos) and not self.problems() and not self._running

    def validatePage(self) -> bool:
        mapping = self.mapping()
        if self._dry_for == mapping and self.owner.dry is not None:
            return True
        if not self._running:
            self._set_running(True)
            self.errors.show_message(self.tr("Trying the import (nothing is written)…"))
            self.owner.start_dry_run(mapping, self.hand_made(), success=lambda r: self._tried(mapping, r),
                                     failure=self._failed)
        return False

    def _set_running(self, running: bool) -> None:
        self._running = running
        self.progress.setVisible(running)
        self.fields_table.setEnabled(not running)
        self.completeChanged.emit()
        self.owner.set_running(running)

    def _tried(self, mapping: Mapping, _result: ImportResult) -> None:
        self.remembered = dict(mapping) if self.hand_made() else self.remembered
        self._dry_for = mapping
        self.errors.clear()
        self._set_running(False)
        QTimer.singleShot(0, self.owner.next)  # outside the task callback, which validatePage may be inside

    def _failed(self, error: BaseException) -> None:
        self._set_running(False)
        self.errors.show_failure(error, self)

