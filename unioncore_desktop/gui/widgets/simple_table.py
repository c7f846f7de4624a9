"""A read-only, sortable table view for detail tabs (lists that belong to one record)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView

from unioncore_desktop.gui.widgets import copy_rows


def simple_table(model: QAbstractItemModel, view: QTableView | None = None) -> QTableView:
    """A new view of `model`, or `view` (one a Designer form placed) set up as one."""
    view = view if view is not None else QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    header = view.horizontalHeader()
    header.setSortIndicatorClearable(True)
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # opens in the query's order, not by column 0
    view.setSortingEnabled(True)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)
    copy_rows.install(view)  # right-click Copy and Ctrl+C, as on every list
    return view


def loaded_order_table(model: QAbstractItemModel, view: QTableView | None = None) -> QTableView:
    """A simple table that starts in the order the rows were loaded (file order, book order, newest first); a
    header click sorts, a third click returns to that order."""
    view = simple_table(model, view)
    header = view.horizontalHeader()
    header.setSortIndicatorClearable(True)
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    return view
