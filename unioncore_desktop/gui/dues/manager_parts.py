"""What the month-end panels share: a table that starts in the query's order, and their message lines (what a
command did, or why the server refused it)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QLabel, QTableView

from unioncore_desktop.domain.errors import ConnectionProblem, DomainError, ValidationError
from unioncore_desktop.gui import theme
from unioncore_desktop.gui.widgets.simple_table import simple_table


def sorted_table(model: QAbstractItemModel) -> QTableView:
    """A sortable table that starts in the query's order (oldest request first, rates by classification)."""
    view = simple_table(model)
    header = view.horizontalHeader()
    header.setSortIndicatorClearable(True)
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    model.sort(-1)
    return view


def message_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setVisible(False)
    return label


def say(label: QLabel, text: str, *, error: bool = False) -> None:
    label.setText(text)
    label.setStyleSheet(f"QLabel {{ color: {theme.css('#b00020')}; }}" if error else "")
    label.setVisible(bool(text))


def failure_text(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.errors.values())
    if isinstance(exc, (DomainError, ConnectionProblem)):
        return exc.message
    return str(exc)
