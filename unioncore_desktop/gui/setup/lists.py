"""A set-up list: a TablePanel of small reference data (offices, contract codes, a year's holidays) with its
New/Edit buttons, a search that filters the rows on this workstation, Excel export, and a reload whenever
someone's write of its kind arrives."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.gui import events, icons, reporting
from unioncore_desktop.gui.itemmodels.base import RowTableModel
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.table_panel import TablePanel


class SetupList(QWidget):
    """Subclasses set `kind` (the change kind that reloads it), implement `load()` (runs in a worker) and
    `open_editor(row)` (None: a new one), and may add buttons to `self.buttons`."""

    loaded = Signal()
    kind = ""
    title = ""

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings, name: str,
                 model: RowTableModel[Any], *, can_write: bool, intro: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.can_write = can_write
        self.model = model
        model.setParent(self)
        self._rows: Sequence[Any] = ()
        self.dialog: QWidget | None = None
        self._sized = False
        self._select_after: object | None = None  # a saved row's id, selected once the reload shows it
        self.panel = TablePanel(name, model, settings=settings, search_placeholder=self.tr("Filter…"))
        self.panel.print_button.hide()
        self.panel.search_changed.connect(lambda _text: self._apply())
        self.panel.export_requested.connect(self.export)
        self.panel.row_activated.connect(lambda row: self.open_editor(row) if self.can_write else None)
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)  # buttons go before it
        self.new_action = self.action(self.tr("&New…"), "Ctrl+N", lambda: self.open_editor(None), "add")
        self.edit_action = self.action(self.tr("&Edit…"), "F2", self.edit_current)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.buttons)
        layout.addWidget(self.panel, 1)
        events.hub().data_changed.connect(self._on_hub_data_changed)

    def action(self, text: str, shortcut: str, slot: Callable[[], None], icon: str | None = None,
               *, writes: bool = True, at: int | None = None) -> QAction:
        """An action with its shortcut and a button for it; a write is disabled for a login that may not."""
        action = QAction(text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(f"{text.replace('&', '').replace('…', '')} ({shortcut})")
        if icon:
            action.setIcon(icons.get(icon))
        action.triggered.connect(lambda _checked=False: slot())
        action.setEnabled(self.can_write or not writes)
        self.addAction(action)
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.buttons.insertWidget(self.buttons.count() - 1 if at is None else at, button)  # before the stretch
        return action

    def load(self) -> Any:
        """The list's read (in a worker); `rows_of` takes its rows out of it on the GUI thread."""
        raise NotImplementedError

    def rows_of(self, loaded: Any) -> Sequence[Any]:
        rows: Sequence[Any] = loaded
        return rows

    def open_editor(self, row: Any | None) -> None:
        raise NotImplementedError

    def export_parameters(self) -> list[tuple[str, str]]:
        return [("Filter", self.panel.search_text() or "none")]

    def edit_current(self) -> None:
        row = self.panel.current_row()
        if row is not None:
            self.open_editor(row)

    def reload(self) -> None:
        self.runner.query(self.load, parent=self, key=(self.kind, id(self)), success=self._show,
                          name=f"load {self.title}")

    def _show(self, loaded: Any) -> None:
        self._rows = self.rows_of(loaded)
        self._apply()

    def _apply(self) -> None:
        rows = self._rows
        text = self.panel.search_text().casefold()
        shown = [row for row in rows if not text or text in " ".join(
            str(column.value(row)) for column in self.model.columns if column.value is not None).casefold()]
        self.panel.reload(shown)
        if shown and not self._sized:  # once, to the first rows: later reloads keep the user's widths
            self._sized = True
            self.panel.view.resizeColumnsToContents()
        if self._select_after is not None and self.panel.select_id(self._select_after):
            self._select_after = None
        self.loaded.emit()

    def export(self) -> None:
        reporting.export_model(self.runner, self.hall, self, self.model, self.title, self.export_parameters())

    def _on_hub_data_changed(self, kind: str, _ids: list, _initiator: object) -> None:
        if kind == self.kind:
            self.reload()

    def select_when_shown(self, row_id: object) -> None:
        """Select the row a dialog saved: now if it is shown, else when the reload its change started shows it."""
        self._select_after = row_id
        if self.panel.select_id(row_id):
            self._select_after = None

