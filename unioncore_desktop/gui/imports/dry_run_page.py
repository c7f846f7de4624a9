"""The import wizard's dry-run page: what the import would create, update, leave unchanged and reject, with
examples of each, and every rejected row with its field and reason (exportable to Excel). Nothing was written."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
)

from unioncore_desktop.domain.actions.imports import ImportResult
from unioncore_desktop.gui import icons, reporting
from unioncore_desktop.gui.imports.owner import ImportOwner, ImportPage
from unioncore_desktop.gui.itemmodels.imports import RejectionModel
from unioncore_desktop.gui.widgets.simple_table import loaded_order_table

OUTCOMES = ("created", "updated", "unchanged", "rejected")
OUTCOME_LABELS = {"created": "Would be created", "updated": "Would be updated", "unchanged": "Unchanged",
                  "rejected": "Rejected"}
OUTCOME_COLORS = {"created": "#2e7d32", "updated": "#1565c0", "unchanged": "#546e7a", "rejected": "#c62828"}


def count_of(result: ImportResult, outcome: str) -> int:
    return int(getattr(result, outcome))


def export_button(tip: str) -> QToolButton:
    button = QToolButton()
    button.setIcon(icons.get("export-excel"))
    button.setText(button.tr("Export to Excel"))
    button.setToolTip(tip)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    return button


class DryRunPage(ImportPage):
    def __init__(self, owner: ImportOwner) -> None:
        super().__init__(owner)
        self.setTitle(self.tr("Dry run"))
        self.setSubTitle(self.tr("What the import would do. Nothing has been written yet."))
        self.count_labels: dict[str, QLabel] = {}
        counts = QGridLayout()
        for column, outcome in enumerate(OUTCOMES):
            number = QLabel("–")
            number.setObjectName(f"{outcome}Count")
            number.setAlignment(Qt.AlignmentFlag.AlignCenter)
            number.setStyleSheet(f"font-size: 20pt; font-weight: bold; color: {OUTCOME_COLORS[outcome]}")
            caption = QLabel(self.tr(OUTCOME_LABELS[outcome]))
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            counts.addWidget(number, 0, column)
            counts.addWidget(caption, 1, column)
            self.count_labels[outcome] = number
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.examples = QTableWidget()
        self.examples.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.examples.verticalHeader().setVisible(False)
        self.rejections_label = QLabel()
        self.export_button = export_button(self.tr("Export the rejected rows with their reasons to Excel"))
        self.rejections_model = RejectionModel(parent=self)
        self.rejections = loaded_order_table(self.rejections_model)
        tools = QHBoxLayout()
        tools.addWidget(self.rejections_label, 1)
        tools.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(counts)
        layout.addWidget(self.summary_label)
        layout.addWidget(QLabel(self.tr("Examples:")))
        layout.addWidget(self.examples, 2)
        layout.addLayout(tools)
        layout.addWidget(self.rejections, 3)
        self.export_button.clicked.connect(self._on_export_button_clicked)

    def initializePage(self) -> None:
        result = self.owner.dry
        assert result is not None
        for outcome, label in self.count_labels.items():
            label.setText(f"{count_of(result, outcome):,}")
        parts = ", ".join(f"{name.replace('_', ' ')} {count:,}" for name, count in result.parts.items() if count)
        self.summary_label.setText(self.tr("{rows:,} rows read from {file} ({source}).").format(
            rows=result.rows_read, file=result.file_name, source=result.source)
            + (" " + self.tr("Besides: {}.").format(parts) if parts else ""))
        self._show_examples(result)
        self.rejections_model = RejectionModel(self.owner.field_labels(), parent=self)
        self.rejections_model.set_rows(result.rejections)
        self.rejections.setModel(self.rejections_model)
        self.rejections.resizeColumnsToContents()
        self.rejections_label.setText(
            self.tr("Rejected rows, each with its reason ({:,}):").format(result.rejected) if result.rejected
            else self.tr("No row is rejected."))
        self.export_button.setVisible(bool(result.rejected))
        self.rejections.setVisible(bool(result.rejected))

    def _show_examples(self, result: ImportResult) -> None:
        examples = [(outcome, example) for outcome in OUTCOMES for example in result.examples.get(outcome, ())]
        labels: list[str] = []
        for _outcome, example in examples:
            labels += [label for label, _value in example.cells if label not in labels]
        self.examples.clear()
        self.examples.setColumnCount(2 + len(labels))
        self.examples.setHorizontalHeaderLabels([self.tr("Outcome"), self.tr("Row"), *labels])
        self.examples.setRowCount(len(examples))
        for r, (outcome, example) in enumerate(examples):
            kind = QTableWidgetItem(self.tr(OUTCOME_LABELS[outcome]))
            kind.setForeground(QColor(OUTCOME_COLORS[outcome]))
            self.examples.setItem(r, 0, kind)
            self.examples.setItem(r, 1, QTableWidgetItem(str(example.row)))
            cells = dict(example.cells)
            for c, label in enumerate(labels):
                self.examples.setItem(r, 2 + c, QTableWidgetItem(cells.get(label, "")))
        self.examples.resizeColumnsToContents()

    def _on_export_button_clicked(self) -> None:
        result = self.owner.dry
        if result is None:
            return
        reporting.export_model(self.owner.runner, self.owner.hall, self, self.rejections_model,
                               self.tr("Rejected rows of an import"),
                               [("File", result.file_name), ("Source", result.source), ("Import", result.entity)])
