"""The remittance wizard's column page: which column of the list holds what, with a preview of the first rows and
what the lines add up to. Its Next imports the list: it starts the import and advances when the import is in."""

from __future__ import annotations

import functools
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from unioncore_desktop.domain.errors import DomainError
from unioncore_desktop.domain.rules import remittance as rules
from unioncore_desktop.domain.services.remittances import ImportSummary
from unioncore_desktop.gui import messages, theme
from unioncore_desktop.gui.widgets import copy_rows
from unioncore_desktop.gui.dues.remittance_owner import RemittanceOwner, RemittancePage
from unioncore_desktop.gui.itemmodels.formatting import format_money

NONE_CHOICE = "(not in this file)"


class MappingPage(RemittancePage):
    def __init__(self, owner: RemittanceOwner) -> None:
        super().__init__(owner)
        self.setTitle(self.tr("Columns"))
        self.setSubTitle(self.tr("Say which column holds what. The choice is remembered for this employer."))
        self.combos: dict[str, QComboBox] = {}
        grid = QGridLayout()
        for i, field in enumerate(rules.FIELDS):
            combo = QComboBox()
            combo.currentIndexChanged.connect(self._on_combo_current_index_changed)
            self.combos[field] = combo
            label = self.tr(rules.FIELD_LABELS[field]) + (
                "" if field in rules.REQUIRED_FIELDS else self.tr(" (optional)"))
            grid.addWidget(QLabel(label + ":"), i // 2, (i % 2) * 2)
            grid.addWidget(combo, i // 2, (i % 2) * 2 + 1)
        self.problem_label = QLabel()
        self.problem_label.setStyleSheet(f"color: {theme.css('#c62828')}")
        self.problem_label.setWordWrap(True)
        self.preview = QTableWidget()
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.verticalHeader().setVisible(False)
        copy_rows.install(self.preview)
        self.status_label = QLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.problem_label)
        layout.addWidget(QLabel(self.tr("The first rows of the file:")))
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.status_label)
        self._filling = False
        self._imported_for: tuple[Any, ...] | None = None
        self._importing = False

    def initializePage(self) -> None:
        table = self.owner.table
        assert table is not None
        chosen = rules.mapping_for(table.headers, self.owner.remembered_mapping)
        self._filling = True
        for field, combo in self.combos.items():
            combo.clear()
            combo.addItem(self.tr(NONE_CHOICE), None)
            for header in table.headers:
                combo.addItem(header, header)
            combo.setCurrentIndex(max(0, combo.findData(chosen.get(field))) if chosen.get(field) else 0)
        self._filling = False
        self._refresh()

    def mapping(self) -> dict[str, str | None]:
        return {field: combo.currentData() for field, combo in self.combos.items()}

    def set_mapping(self, mapping: dict[str, str | None]) -> None:
        for field, header in mapping.items():
            combo = self.combos[field]
            combo.setCurrentIndex(max(0, combo.findData(header)) if header else 0)

    def _on_combo_current_index_changed(self, _index: int) -> None:
        if not self._filling:
            self._refresh()

    def _refresh(self) -> None:
        table = self.owner.table
        if table is None:
            return
        mapping = self.mapping()
        errors = rules.mapping_errors(table.headers, mapping)
        self.problem_label.setText("\n".join(errors.values()))
        by_header = {header: field for field, header in mapping.items() if header}
        self.preview.clear()
        rows = table.preview(10)
        self.preview.setColumnCount(len(table.headers))
        self.preview.setRowCount(len(rows))
        self.preview.setHorizontalHeaderLabels([
            f"{h}\n→ {self.tr(rules.FIELD_LABELS[by_header[h]])}" if h in by_header else h for h in table.headers])
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(value)
                if table.headers[c] in by_header:
                    item.setBackground(theme.tint("#e3f2fd"))
                self.preview.setItem(r, c, item)
        if not errors:
            parsed = rules.parse_lines(table, mapping)
            unreadable = sum(1 for line in parsed.lines if line.problems)
            text = self.tr("{} lines totalling {}").format(len(parsed.lines), format_money(parsed.total))
            if parsed.stated_total is not None:
                text += self.tr("; the list's TOTAL row says {}").format(format_money(parsed.stated_total))
            if unreadable:
                text += self.tr("; {} line(s) have cells that cannot be read").format(unreadable)
            self.status_label.setText(text + ".")
        else:
            self.status_label.clear()
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        table = self.owner.table
        return table is not None and not rules.mapping_errors(table.headers, self.mapping()) and not self._importing

    def validatePage(self) -> bool:
        inputs = self.owner.import_inputs(self.mapping())
        if self._imported_for == inputs and self.owner.review is not None:
            return True
        if not self._importing:
            self._importing = True
            self.status_label.setText(self.tr("Importing and matching…"))
            self.completeChanged.emit()
            self.owner.start_import(self.mapping(), success=functools.partial(self._imported, inputs),
                                    failure=self._import_failed)
        return False

    def _imported(self, inputs: tuple[Any, ...], _summary: ImportSummary) -> None:
        self._importing = False
        self._imported_for = inputs
        self.completeChanged.emit()
        QTimer.singleShot(0, self.owner.next)  # outside the task callback, which validatePage may be inside

    def _import_failed(self, error: BaseException) -> None:
        self._importing = False
        self.completeChanged.emit()
        if isinstance(error, DomainError):
            self.status_label.setText(error.message)
            messages.warning(self, self.tr("Not imported"), error.message)
