"""A table with its search box, row count and export/print buttons, so every list screen looks and behaves alike."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop.gui import icons
from unioncore_desktop.gui.itemmodels.base import RowTableModel
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.widgets import copy_rows, view_state

SEARCH_DELAY_MS = 200


class TablePanel(QWidget):
    """Search box, read-only table, row count and Export/Print buttons around one RowTableModel.

    The panel only reports what the user asked for (`search_changed`, `export_requested`, `print_requested`,
    `row_activated`); the owning window runs the query, export or print through its actions.
    `name` keys the saved header layout and last search in UiSettings.
    """

    search_changed = Signal(str)
    export_requested = Signal()
    print_requested = Signal()
    row_activated = Signal(object)

    def __init__(
        self,
        name: str,
        model: RowTableModel[Any] | None = None,
        *,
        settings: UiSettings | None = None,
        search_placeholder: str | None = None,
        search_delay_ms: int = SEARCH_DELAY_MS,
        parent: QWidget | None = None,
    ) -> None:
        """`search_delay_ms`: the pause in typing before `search_changed`; 0 for an owner that queries at once
        and coalesces keys itself while a query is out (SearchScreen)."""
        super().__init__(parent)
        self.name = name
        self._settings = settings
        self._last_emitted_search: str | None = None
        self._model: RowTableModel[Any] | None = None
        # "0 rows" only once a list has arrived: before that, or while an empty list reloads, it is loading
        self._has_rows = False
        self._busy = False

        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("searchEdit")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setPlaceholderText(search_placeholder or self.tr("Search…"))
        self.search_edit.setAccessibleName(search_placeholder or self.tr("Search"))
        self.search_edit.addAction(icons.get("search"), QLineEdit.ActionPosition.LeadingPosition)

        # Restarted on every keystroke, so one search goes out when the typing pauses.
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(search_delay_ms)

        self.busy_label = QLabel(self.tr("Searching…"))
        self.busy_label.setObjectName("busyIndicator")
        self.busy_label.setVisible(False)

        self.export_button = QToolButton()
        self.export_button.setIcon(icons.get("export-excel"))
        self.export_button.setText(self.tr("Export to Excel"))
        self.export_button.setToolTip(self.tr("Export the rows shown to an Excel workbook"))
        self.export_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)

        self.print_button = QToolButton()
        self.print_button.setIcon(icons.get("print"))
        self.print_button.setText(self.tr("Print"))
        self.print_button.setToolTip(self.tr("Print the rows shown"))
        self.print_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)

        self.view = QTableView()
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # Start unsorted, in the query's order (book order matters); a third click on a header returns to it.
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)
        self.view.setAccessibleName(self.tr("List"))
        copy_rows.install(self.view)

        self.row_count_label = QLabel()
        self.row_count_label.setObjectName("rowCount")

        top = QHBoxLayout()
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.busy_label)
        top.addStretch(0)
        top.addWidget(self.export_button)
        top.addWidget(self.print_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.row_count_label)

        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)
        self.search_edit.returnPressed.connect(self._on_search_edit_return_pressed)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)
        self.export_button.clicked.connect(self.export_requested)
        self.print_button.clicked.connect(self.print_requested)
        self.view.activated.connect(self._on_view_activated)

        if model is not None:
            self.set_model(model)
        else:
            self._update_row_count()

    # --- model and selection -------------------------------------------------------------------------------

    def model(self) -> RowTableModel[Any] | None:
        return self._model

    def set_model(self, model: RowTableModel[Any]) -> None:
        if self._model is not None:
            for signal, slot in self._count_signals(self._model):
                signal.disconnect(slot)
        self._model = model
        self._has_rows = model.rowCount() > 0
        self.view.setModel(model)
        for signal, slot in self._count_signals(model):
            signal.connect(slot)
        self._update_row_count()

    def reload(self, rows: Iterable[Any]) -> None:
        """Refresh with new rows of the same list: the selection, current row, scroll position and sort stay,
        matched by row id. Use `model().set_rows()` instead for a different list (another book, a new search)."""
        if self._model is None:
            raise RuntimeError("reload() needs a model")
        with view_state.kept(self.view, self._model):
            self._model.set_rows(rows)

    def current_row(self) -> Any | None:
        """The DTO of the focused row, or None."""
        if self._model is None:
            return None
        return self._model.row_at(self.view.currentIndex())

    def selected_rows(self) -> list[Any]:
        """DTOs of the selected rows, in view order."""
        if self._model is None:
            return []
        indexes = sorted(self.view.selectionModel().selectedRows(), key=lambda index: index.row())
        return [row for row in (self._model.row_at(index) for index in indexes) if row is not None]

    def select_id(self, row_id: Hashable) -> bool:
        """Select and scroll to the row with this id (after a save); False when it is not shown."""
        if self._model is None:
            return False
        index = self._model.index_for_id(row_id)
        if not index.isValid():
            return False
        self.view.selectRow(index.row())
        self.view.scrollTo(index)
        return True

    # --- search --------------------------------------------------------------------------------------------

    def report_buttons(self) -> list[QWidget]:
        """Export and Print: held disabled while either builds its file, so a second run cannot start."""
        return [self.export_button, self.print_button]

    def search_text(self) -> str:
        return self.search_edit.text().strip()

    def set_search_text(self, text: str) -> None:
        """Put text in the box; the search goes out after the usual pause."""
        self.search_edit.setText(text)

    @Slot(bool)
    def set_busy(self, busy: bool) -> None:
        self.busy_label.setVisible(busy)
        self._busy = busy
        self._update_row_count()

    # --- saved state ---------------------------------------------------------------------------------------

    def restore_state(self) -> None:
        """Restore column layout and the last search; call after set_model()."""
        if self._settings is None:
            return
        self._settings.restore_header(self.name, self.view.horizontalHeader())
        text = self._settings.last_search(self.name)
        if text:
            self.set_search_text(text)

    def save_state(self) -> None:
        """Save column layout and the current search; call from the owning window's closeEvent."""
        if self._settings is None:
            return
        self._settings.save_header(self.name, self.view.horizontalHeader())
        self._settings.set_last_search(self.name, self.search_text())

    # --- slots ---------------------------------------------------------------------------------------------

    def _on_search_edit_text_changed(self, _text: str) -> None:
        self._search_timer.start()

    def _on_search_edit_return_pressed(self) -> None:
        self._search_timer.stop()
        self._emit_search(force=True)

    def _on_search_timer_timeout(self) -> None:
        self._emit_search(force=False)

    def _emit_search(self, *, force: bool) -> None:
        text = self.search_text()
        # Typing and deleting back to the same text is not a new search; Enter always is (a manual refresh).
        if not force and text == self._last_emitted_search:
            return
        self._last_emitted_search = text
        self.search_changed.emit(text)

    def _on_view_activated(self, index: QModelIndex) -> None:
        row = self._model.row_at(index) if self._model is not None else None
        if row is not None:
            self.row_activated.emit(row)

    def _on_model_reset(self) -> None:
        self._has_rows = True
        self._update_row_count()

    def _update_row_count(self, *_args: object) -> None:
        count = self._model.rowCount() if self._model is not None else 0
        if count == 0 and (self._busy or not self._has_rows):
            self.row_count_label.setText(self.tr("Loading…"))
            return
        self.row_count_label.setText(self.tr("1 row") if count == 1 else self.tr("{count} rows").format(
            count=f"{count:,}"))

    def _count_signals(self, model: QAbstractItemModel) -> list[tuple[Any, Any]]:
        return [(model.modelReset, self._on_model_reset), (model.rowsInserted, self._on_model_reset),
                (model.rowsRemoved, self._update_row_count), (model.layoutChanged, self._update_row_count)]

