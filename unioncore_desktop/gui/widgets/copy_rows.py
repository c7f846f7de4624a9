"""Copy for every table: a context menu with Copy and Ctrl+C, putting the selected rows on the clipboard as
tab-separated text with the column headers, so they paste into a spreadsheet or an e-mail as a grid."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QAbstractItemView

COPY_ACTION = "copyRowsAction"


def install(view: QAbstractItemView) -> QAction:
    """Give `view` a Copy action (Ctrl+C while it has focus, and on its right-click menu); idempotent."""
    existing = view.findChild(QAction, COPY_ACTION)
    if existing is not None:
        return existing
    action = QAction(_tr("&Copy"), view)
    action.setObjectName(COPY_ACTION)
    action.setShortcut(QKeySequence.StandardKey.Copy)
    # only this view's Ctrl+C: a search box or a form field keeps its own copy
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    action.setToolTip(_tr("Copy the selected rows"))
    action.triggered.connect(lambda _checked=False: copy_selected(view))
    view.addAction(action)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    return action


def selected_text(view: QAbstractItemView) -> str:
    """The selected rows (the current row when none is selected) in view order, the headers first."""
    model = view.model()
    if model is None:
        return ""
    selection = view.selectionModel()
    indexes = selection.selectedRows() if selection is not None else []
    if not indexes:
        indexes = sorted({index.siblingAtColumn(0) for index in selection.selectedIndexes()}, key=_order) \
            if selection is not None else []
    if not indexes and view.currentIndex().isValid():
        indexes = [view.currentIndex().siblingAtColumn(0)]
    if not indexes:
        return ""
    columns = [c for c in range(model.columnCount(indexes[0].parent())) if not _hidden(view, c)]
    header = [str(model.headerData(c, Qt.Orientation.Horizontal) or "") for c in columns]
    lines = ["\t".join(header)]
    for index in sorted(indexes, key=_order):
        cells = (model.index(index.row(), c, index.parent()).data(Qt.ItemDataRole.DisplayRole) for c in columns)
        lines.append("\t".join(_clean(cell) for cell in cells))
    return "\n".join(lines)


def copy_selected(view: QAbstractItemView) -> str:
    text = selected_text(view)
    if text:
        QGuiApplication.clipboard().setText(text)
    return text


def _order(index: QModelIndex) -> tuple[int, ...]:
    path: list[int] = []
    while index.isValid():
        path.insert(0, index.row())
        index = index.parent()
    return tuple(path)


def _hidden(view: QAbstractItemView, column: int) -> bool:
    is_hidden = getattr(view, "isColumnHidden", None)
    return bool(is_hidden(column)) if is_hidden is not None else False


def _clean(value: object) -> str:
    return "" if value is None else str(value).replace("\t", " ").replace("\n", " ")


def _tr(text: str) -> str:
    return QCoreApplication.translate("CopyRows", text)
