"""Base for an area that is a searchable list beside one record: the newest search wins, the selection
survives refreshes, and writes from any window refresh the list.

Search as you type asks at the first key, with no pause: a name search takes a few milliseconds, so a fixed wait
would be most of what the user waits for. Keys typed while a search is out are coalesced into one search for
the text as it then stands, sent when the answer arrives; an answer for text no longer in the box is dropped."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.gui import events
from unioncore_desktop.gui.itemmodels.base import RowTableModel
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskHandle, TaskRunner
from unioncore_desktop.gui.widgets.table_panel import TablePanel
from unioncore_desktop.gui.widgets.when_shown import ReloadWhenShown


class SearchScreen(QWidget):
    """Subclasses set `area` and `kind`, implement `find(text)` (runs in a worker) and lay out `self.panel`."""

    loaded = Signal()  # the list has results (used by --screenshot and tests)
    record_shown = Signal()  # a record's detail is on screen
    area = ""  # names the saved layout and last search
    kind = ""  # the data_changed kind that refreshes this list

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings, model: RowTableModel[Any],
                 placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.settings = settings
        self.model = model
        self.panel = TablePanel(self.area, model, settings=settings, search_placeholder=placeholder,
                                search_delay_ms=0)
        self.panel.search_changed.connect(self._on_panel_search_changed)
        self.panel.search_edit.installEventFilter(self)
        self._shown_search: str | None = None
        self._search_out: TaskHandle | None = None  # the one search on its way
        self._search_next: str | None = None  # typed while it was out: searched when it comes back
        # behind another area, a change only marks the screen stale: `refresh` runs once it is shown
        self.when_shown = ReloadWhenShown(self, self.refresh)
        events.hub().data_changed.connect(self._on_hub_data_changed)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        # Down (or Page Down) from the search goes to the results, on the first row when none is chosen yet
        if (watched is self.panel.search_edit and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent) and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_PageDown)):
            self.focus_results()
            return True
        return super().eventFilter(watched, event)

    def focus_results(self) -> None:
        view = self.panel.view
        if not view.currentIndex().isValid() and self.model.rowCount() > 0:
            view.setCurrentIndex(view.model().index(0, 0))
        view.setFocus(Qt.FocusReason.OtherFocusReason)

    def focus_start(self) -> None:
        """Opening the area starts in its search."""
        self.panel.search_edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.panel.search_edit.selectAll()

    def find_rows(self, text: str) -> list[Any]:
        raise NotImplementedError

    def lay_out(self, title: QWidget, detail: QWidget) -> None:
        """The list on the left; the record's title and detail on the right."""
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(title)
        right_layout.addWidget(detail, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.panel)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def start(self) -> None:
        """Restore the saved layout and last search, and run it."""
        self.panel.restore_state()
        self.search(self.panel.search_text())

    def search(self, text: str) -> None:
        self.panel.set_busy(True)
        if self._search_out is not None and not self._search_out.done:
            self._search_next = text
            return
        self._search_next = None
        self._search_out = self.runner.query(
            lambda: self.find_rows(text), parent=self, key=f"{self.area}-search",
            success=lambda rows: self._on_search_answered(text, rows),
            failure=lambda _exc: self._on_search_answered(text, None), name=f"search {self.area}")

    def _on_search_answered(self, text: str, rows: list | None) -> None:
        waiting, self._search_next = self._search_next, None
        self._search_out = None
        if waiting is not None:  # typed on meanwhile: this answer is stale, ask for what is there now
            self.search(waiting)
        elif rows is not None:
            self._show_results(text, rows)
        else:
            self.panel.set_busy(False)

    def kept_selection(self) -> object | None:
        row = self.panel.current_row()
        return self.model.row_id(row) if row is not None else None

    def _show_results(self, text: str, rows: list) -> None:
        # the same search again (a refresh after someone's save) keeps the user's place; a new one starts afresh
        keep = self.kept_selection()
        if text == self._shown_search:
            self.panel.reload(rows)
        else:
            self.model.set_rows(rows)
        current = self.panel.current_row()
        if keep is not None and (current is None or self.model.row_id(current) != keep):
            self.panel.select_id(keep)
        self._shown_search = text
        self.panel.set_busy(False)
        self.loaded.emit()

    def _on_panel_search_changed(self, text: str) -> None:
        self.settings.set_last_search(self.area, text)
        self.search(text)

    def _on_hub_data_changed(self, kind: str, _ids: list, _initiator: object) -> None:
        if kind == self.kind and not self.when_shown.defer():
            self.search(self.panel.search_text())

    def refresh(self) -> None:
        """Everything shown, read again (a subclass adds its record)."""
        self.search(self.panel.search_text())

    def save_state(self) -> None:
        self.panel.save_state()
