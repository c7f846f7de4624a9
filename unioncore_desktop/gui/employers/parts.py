"""One grid of an employer's record (worksites, contacts, contracts, history) with its own buttons: add, edit,
remove where the record allows it, and export to Excel."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QToolButton, QVBoxLayout, QWidget

from unioncore_desktop.gui import icons
from unioncore_desktop.gui.itemmodels.base import RowTableModel
from unioncore_desktop.gui.widgets.simple_table import simple_table


def _button(text: str, icon: str | None = None, tip: str = "") -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(tip)
    if icon:
        button.setIcon(icons.get(icon))
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    return button


class PartGrid(QWidget):
    """The grid reports what the user asked for; the screen runs the dialogs and commands."""

    add_requested = Signal()
    edit_requested = Signal(object)  # the row
    remove_requested = Signal(object)
    export_requested = Signal()

    def __init__(self, model: RowTableModel[Any], *, add: str = "", remove: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.view = simple_table(model)
        self.add_button = _button(add, "add", self.tr("Insert")) if add else None
        self.edit_button = _button(self.tr("Ed&it…"), None, self.tr("Enter or double-click a row")) if add else None
        self.remove_button = _button(remove, "deactivate") if remove else None
        self.export_button = _button(self.tr("Export to Excel"), "export-excel",
                                     self.tr("Export the rows shown to an Excel workbook"))
        row = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.remove_button):
            if button is not None:
                row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.view, 1)

        if self.add_button is not None:
            self.add_button.setShortcut(QKeySequence(Qt.Key.Key_Insert))
            self.add_button.clicked.connect(self.add_requested)
        if self.edit_button is not None:
            self.edit_button.clicked.connect(self._on_edit)
            self.view.activated.connect(lambda _index: self._on_edit())
        if self.remove_button is not None:
            self.remove_button.clicked.connect(self._on_remove)
        self.export_button.clicked.connect(self.export_requested)
        self.view.selectionModel().currentRowChanged.connect(lambda *_args: self._update())
        model.modelReset.connect(self._update)
        self._writable = False
        self._update()

    def current(self) -> Any | None:
        return self.model.row_at(self.view.currentIndex())

    def set_writable(self, writable: bool) -> None:
        self._writable = writable
        self._update()

    def _update(self) -> None:
        has_row = self.current() is not None
        if self.add_button is not None:
            self.add_button.setEnabled(self._writable)
        for button in (self.edit_button, self.remove_button):
            if button is not None:
                button.setEnabled(self._writable and has_row)
        self.export_button.setEnabled(self.model.rowCount() > 0)

    def _on_edit(self) -> None:
        row = self.current()
        if row is not None and self._writable:
            self.edit_requested.emit(row)

    def _on_remove(self) -> None:
        row = self.current()
        if row is not None and self._writable:
            self.remove_requested.emit(row)
