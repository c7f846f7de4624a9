"""Column specs and a table model over frozen row DTOs, so each screen's model only declares its columns."""

from __future__ import annotations

import operator
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Generic, Literal, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from unioncore_desktop.gui import theme
from unioncore_desktop.gui.itemmodels.formatting import (
    format_bool,
    format_date,
    format_datetime,
    format_int,
    format_money,
    format_text,
)

T = TypeVar("T")

ColumnKind = Literal["text", "int", "decimal", "date", "datetime", "bool"]

_DEFAULT_FORMATTERS: dict[str, Callable[[Any], str]] = {
    "text": format_text,
    "int": format_int,
    "decimal": format_money,
    "date": format_date,
    "datetime": format_datetime,
    "bool": format_bool,
}
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

AnyIndex = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class RowRole(IntEnum):
    """Roles beyond Qt's own: the row's id, the value to sort by, and the row DTO itself."""

    ROW_ID = Qt.ItemDataRole.UserRole + 1
    SORT_KEY = Qt.ItemDataRole.UserRole + 2
    ROW = Qt.ItemDataRole.UserRole + 3


@dataclass(frozen=True, slots=True)
class Column(Generic[T]):
    """One column of a RowTableModel: where its value comes from and how it is shown, sorted and exported.

    `value` defaults to the row attribute named `key`. `kind` picks the default formatter and alignment and is the
    type declared for Excel export. `sort_key` takes the row; by default the raw value (text case-folded).
    `tooltip` and `foreground` take the row and carry status (arrears, not eligible for dispatch).
    """

    key: str
    header: str
    value: Callable[[T], Any] | None = None
    kind: ColumnKind = "text"
    formatter: Callable[[Any], str] | None = None
    alignment: Qt.AlignmentFlag | None = None
    sort_key: Callable[[T], Any] | None = None
    tooltip: Callable[[T], str | None] | None = None
    foreground: Callable[[T], QColor | QBrush | None] | None = None

    def __post_init__(self) -> None:
        if self.kind not in _DEFAULT_FORMATTERS:
            raise ValueError(f"column {self.key!r}: unknown kind {self.kind!r}")
        if self.value is None:
            object.__setattr__(self, "value", operator.attrgetter(self.key))

    def raw(self, row: T) -> Any:
        assert self.value is not None
        return self.value(row)

    def display(self, row: T) -> str:
        formatter = self.formatter or _DEFAULT_FORMATTERS[self.kind]
        return formatter(self.raw(row))

    def sort_value(self, row: T) -> Any:
        if self.sort_key is not None:
            return self.sort_key(row)
        value = self.raw(row)
        return value.casefold() if isinstance(value, str) else value

    def text_alignment(self) -> Qt.AlignmentFlag:
        if self.alignment is not None:
            return self.alignment
        return _RIGHT if self.kind in ("int", "decimal") else _LEFT

    def export_value(self, row: T) -> Any:
        # Text exports as shown (vocabulary labels, composed names); typed kinds keep their type so Excel can
        # sum amounts and filter dates.
        value = self.raw(row)
        if value is None:
            return None
        return self.display(row) if self.kind == "text" else value


class RowTableModel(QAbstractTableModel, Generic[T]):
    """A read-only table over a list of frozen row DTOs; subclasses only declare `columns`.

    Sorting happens here, on the rows themselves: QSortFilterProxyModel over 100,000 rows took tens of seconds.
    Sort column -1 restores the order the rows were loaded in (the query's order, e.g. book order).
    """

    columns: Sequence[Column[Any]] = ()

    def __init__(self, rows: Iterable[T] = (), parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._loaded: list[T] = list(rows)
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._rows: list[T] = list(self._loaded)
        self._positions: dict[Hashable, int] = {}
        self._reindex()

    # --- our API -------------------------------------------------------------------------------------------

    def row_id(self, row: T) -> Hashable:
        """The row's identity; override when the DTO's key is not `id`."""
        row_id: Hashable = row.id  # type: ignore[attr-defined]
        return row_id

    @property
    def rows(self) -> Sequence[T]:
        """The rows in view order."""
        return tuple(self._rows)

    def set_rows(self, rows: Iterable[T]) -> None:
        """Replace every row, keeping the current sort."""
        self.beginResetModel()
        self._loaded = list(rows)
        self._rows = self._sorted(self._loaded)
        self._reindex()
        self.endResetModel()

    def add_row(self, row: T) -> None:
        """Add one row at the end as one inserted row: the view keeps its selection and scroll and repaints only
        the new line, where set_rows would reset it. A sorted table sorts it in (a reset)."""
        if 0 <= self._sort_column < len(self.columns):
            self.set_rows([*self._loaded, row])
            return
        self._loaded.append(row)
        position = len(self._rows)
        self.beginInsertRows(QModelIndex(), position, position)
        self._rows.append(row)
        self._positions[self.row_id(row)] = position
        self.endInsertRows()

    def replace_row(self, row: T) -> bool:
        """Swap in a fresh copy of the row with the same id; False when no such row is shown.

        The row keeps its place even if its sort value changed: a line jumping away after a save disorients.
        """
        position = self._positions.get(self.row_id(row))
        if position is None:
            return False
        old = self._rows[position]
        self._rows[position] = row
        for i, loaded in enumerate(self._loaded):
            if loaded is old:
                self._loaded[i] = row
                break
        if self.columns:
            self.dataChanged.emit(self.index(position, 0), self.index(position, len(self.columns) - 1))
        return True

    def row_at(self, index: AnyIndex) -> T | None:
        if not index.isValid() or index.model() is not self or not 0 <= index.row() < len(self._rows):
            return None
        return self._rows[index.row()]

    def row_by_id(self, row_id: Hashable) -> T | None:
        position = self._positions.get(row_id)
        return None if position is None else self._rows[position]

    def index_for_id(self, row_id: Hashable, column: int = 0) -> QModelIndex:
        """The index to select after a save; invalid when the id is not shown."""
        position = self._positions.get(row_id)
        return QModelIndex() if position is None else self.index(position, column)

    def export_columns(self) -> list[tuple[str, ColumnKind]]:
        """(header, kind) per column, for the Excel writer."""
        return [(self._header_text(column), column.kind) for column in self.columns]

    def export_rows(self) -> list[tuple[Any, ...]]:
        """Typed values (Decimal, date, ...) in view order; text columns as displayed."""
        return [tuple(column.export_value(row) for column in self.columns) for row in self._rows]

    # --- Qt overrides --------------------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = self.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(row)
        if role == Qt.ItemDataRole.EditRole:
            return column.raw(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return column.text_alignment()
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.tooltip(row) if column.tooltip is not None else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return _legible(column.foreground(row)) if column.foreground is not None else None
        if role == RowRole.ROW_ID:
            return self.row_id(row)
        if role == RowRole.SORT_KEY:
            return column.sort_value(row)
        if role == RowRole.ROW:
            return row
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Never fall back to super().headerData(): on PySide6 6.12 with Python 3.11 that call aborts the process.
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        column = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._header_text(column)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return column.text_alignment()
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Stable sort by the column's sort key; empty values last in either order; column -1: load order."""
        self._sort_column = column
        self._sort_order = order
        self.layoutAboutToBeChanged.emit()
        old_rows = self._rows
        self._rows = self._sorted(self._loaded)
        self._reindex()
        persistent = self.persistentIndexList()
        if persistent:
            new_positions = {id(row): i for i, row in enumerate(self._rows)}
            moved = [self.index(new_positions[id(old_rows[index.row()])], index.column()) for index in persistent]
            self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    # --- internals -----------------------------------------------------------------------------------------

    def _header_text(self, column: Column[Any]) -> str:
        return QCoreApplication.translate(type(self).__name__, column.header)

    def _sorted(self, rows: list[T]) -> list[T]:
        if not 0 <= self._sort_column < len(self.columns):
            return list(rows)
        column = self.columns[self._sort_column]
        keyed = [(column.sort_value(row), row) for row in rows]
        present = [pair for pair in keyed if pair[0] is not None]
        missing = [row for key, row in keyed if key is None]
        # reverse=True keeps equal keys in load order, so ties stay in the query's order both ways.
        present.sort(key=operator.itemgetter(0), reverse=self._sort_order == Qt.SortOrder.DescendingOrder)
        return [row for _, row in present] + missing

    def _reindex(self) -> None:
        self._positions = {self.row_id(row): i for i, row in enumerate(self._rows)}


def _legible(colour: QColor | QBrush | None) -> QColor | QBrush | None:
    """A column's status colour, turned for a dark palette (the columns name colours chosen for a light one)."""
    if colour is None:
        return None
    return theme.text_brush(colour.color()) if isinstance(colour, QBrush) else theme.text(colour)
