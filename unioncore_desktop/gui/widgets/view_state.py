"""What the user was looking at in a table (selection, current row, scroll position), kept by row id across a
model reset, so a live refresh never yanks the list out from under the dispatcher."""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel
from PySide6.QtWidgets import QAbstractItemView, QTableView

from unioncore_desktop.gui.itemmodels.base import RowTableModel

# Rows below the old top row tried, in order, as the new top when the top row itself has gone (signed off,
# dispatched): the list then stays where it was instead of jumping.
ANCHOR_ROWS = 50


@dataclass(frozen=True, slots=True)
class ViewState:
    selected: tuple[Hashable, ...]
    current: Hashable | None
    current_column: int
    anchors: tuple[Hashable, ...]  # the top visible row's id first, then the rows below it
    top_offset: int  # the top row's y in the viewport, negative when partly scrolled out (per-pixel scrolling)
    vertical: int
    horizontal: int


def capture(view: QTableView, model: RowTableModel[Any]) -> ViewState | None:
    """None for an empty table: there is nothing to keep."""
    if model.rowCount() == 0:
        return None
    selection = view.selectionModel()
    selected = tuple(model.row_id(row) for row in (model.row_at(i) for i in selection.selectedRows())
                     if row is not None)
    current_index = view.currentIndex()
    current_row = model.row_at(current_index)
    top = view.rowAt(0)
    anchors: list[Hashable] = []
    if top >= 0:
        for position in range(top, min(top + ANCHOR_ROWS, model.rowCount())):
            row = model.row_at(model.index(position, 0))
            if row is not None:
                anchors.append(model.row_id(row))
    return ViewState(
        selected=selected,
        current=model.row_id(current_row) if current_row is not None else None,
        current_column=max(current_index.column(), 0),
        anchors=tuple(anchors),
        top_offset=view.rowViewportPosition(top) if top >= 0 else 0,
        vertical=view.verticalScrollBar().value(),
        horizontal=view.horizontalScrollBar().value(),
    )


def restore(view: QTableView, model: RowTableModel[Any], state: ViewState | None) -> None:
    """Reselect the rows still present and put the same row back at the top (else the same scroll value)."""
    if state is None or model.rowCount() == 0:
        return
    # After a reset the view recomputes its scroll range lazily; scrolling now needs the new row count.
    view.doItemsLayout()
    last_column = max(model.columnCount() - 1, 0)
    selection = QItemSelection()
    for first, last in _runs(sorted(p for p in (model.index_for_id(i).row() for i in state.selected) if p >= 0)):
        selection.select(model.index(first, 0), model.index(last, last_column))
    selection_model = view.selectionModel()
    flags = QItemSelectionModel.SelectionFlag
    selection_model.select(selection, flags.ClearAndSelect | flags.Rows)
    if state.current is not None:
        current = model.index_for_id(state.current, min(state.current_column, last_column))
        if current.isValid():
            selection_model.setCurrentIndex(current, flags.NoUpdate)
    anchor = next((model.index_for_id(i) for i in state.anchors if model.index_for_id(i).isValid()), None)
    bar = view.verticalScrollBar()
    if anchor is None:
        bar.setValue(state.vertical)
    elif view.verticalScrollMode() == QAbstractItemView.ScrollMode.ScrollPerPixel:
        bar.setValue(view.verticalHeader().sectionPosition(anchor.row()) - state.top_offset)
    else:
        bar.setValue(view.verticalHeader().visualIndex(anchor.row()))
    view.horizontalScrollBar().setValue(state.horizontal)


@contextmanager
def kept(view: QTableView, model: RowTableModel[Any]) -> Iterator[None]:
    """`with kept(view, model): model.set_rows(rows)` refreshes without losing the user's place."""
    state = capture(view, model)
    yield
    restore(view, model, state)


def _runs(positions: list[int]) -> Iterator[tuple[int, int]]:
    """Consecutive positions as (first, last) pairs: one selection range per block, not per row."""
    start: int | None = None
    previous = 0  # the block's last position, once it has a start
    for position in positions:
        if start is None:
            start = previous = position
        elif position == previous + 1:
            previous = position
        elif position != previous:
            yield start, previous
            start = previous = position
    if start is not None:
        yield start, previous
