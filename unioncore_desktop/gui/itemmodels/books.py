"""Item models for the out-of-work books: one book's list in queue order (the drop run's preview is in
itemmodels/drop_run.py, loaded with its dialog)."""

from __future__ import annotations

import functools
from collections.abc import Hashable
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor, QFont

from unioncore_desktop.domain.queries.books import BookListRow
from unioncore_desktop.domain.rules.apn import format_apn
from unioncore_desktop.gui import theme
from unioncore_desktop.gui.itemmodels.base import (
    AnyIndex,
    Column,
    RowRole,
    RowTableModel,
)
from unioncore_desktop.gui.itemmodels.formatting import format_date, format_label

# Status colours, the same family as the style sheet: slate for exempt, amber for a re-sign that is late.
EXEMPT_COLOR = QColor("#94a3b8")
OVERDUE_COLOR = QColor("#b45309")
# A light tint per tier, so the tiers read as blocks even when a filter or a sort mixes the rows.
TIER_SHADES = {1: None, 2: QColor("#eef2ff"), 3: QColor("#ecfdf5"), 4: QColor("#fefce8")}


def _tr(text: str) -> str:
    return QCoreApplication.translate("BookListModel", text)


def exemption_text(row: BookListRow) -> str:
    if row.exemption_reason is None:
        return ""
    reason = format_label(row.exemption_reason)
    return f"{reason} to {format_date(row.exemption_end)}" if row.exemption_end else reason


def status_tooltip(row: BookListRow) -> str | None:
    """Why the row looks the way it does: the text a dispatcher reads before phoning the member."""
    notes = []
    if row.exempt:
        notes.append(_tr("Exempt ({}): skipped when dispatching, no re-sign needed").format(exemption_text(row)))
    elif row.exemption_reason is not None:
        notes.append(_tr("Exemption recorded ({}) but not in effect today").format(exemption_text(row)))
    if row.resign_overdue:
        notes.append(_tr("Re-sign overdue (was due {}): drops at the next drop run").format(
            format_date(row.resign_due_on)))
    if row.on_dispatch_book:
        notes.append(_tr("Out on dispatch from the {} book").format(row.on_dispatch_book))
    if row.marks:
        notes.append(_tr("{} check mark(s) on this book").format(row.marks))
    return "\n".join(notes) or None


def _status(row: BookListRow) -> str:
    parts = []
    if row.exempt:
        parts.append(_tr("Exempt"))
    if row.resign_overdue:
        parts.append(_tr("Re-sign overdue"))
    if row.on_dispatch_book:
        parts.append(_tr("On dispatch ({})").format(row.on_dispatch_book))
    return ", ".join(parts)


class BookListModel(RowTableModel[BookListRow]):
    """A book's registrants. Rank is the domain's queue position, so filtering or sorting never renumbers it."""

    columns = (
        Column("rank", "Rank", kind="int"),
        Column("tier", "Tier", kind="int"),
        Column("apn", "APN", kind="decimal", formatter=format_apn),
        Column("display_name", "Name", sort_key=lambda r: (r.last_name.casefold(), r.first_name.casefold())),
        Column("card_number", "Card"),
        Column("registered_at", "Registered", kind="date"),
        Column("method", "Method", formatter=format_label),
        Column("last_resign_on", "Last re-sign", kind="date"),
        Column("resign_due_on", "Re-sign due", kind="date"),
        Column("marks", "Marks", kind="int"),
        Column("exemption", "Exemption", value=exemption_text),
        Column("status", "Status", value=_status),
    )

    def row_id(self, row: BookListRow) -> Hashable:
        return row.registration_id

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # A view asks ~10 roles per visible cell on every paint: unhandled ones leave at once.
        if role not in _BOOK_ROLES or not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[index.column()].display(self._rows[index.row()])
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.ForegroundRole:
            return (theme.text_brush(EXEMPT_COLOR) if row.exempt
                    else theme.text_brush(OVERDUE_COLOR) if row.resign_overdue else None)
        if role == Qt.ItemDataRole.BackgroundRole:
            shade = TIER_SHADES.get(row.tier)
            return theme.tint_brush(shade) if shade is not None else None
        if role == Qt.ItemDataRole.FontRole:
            overdue_cell = row.resign_overdue and self.columns[index.column()].key == "resign_due_on"
            if row.on_dispatch_book or overdue_cell:
                return _font(italic=bool(row.on_dispatch_book), bold=overdue_cell)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return status_tooltip(row)
        return super().data(index, role)


@functools.cache
def _font(*, italic: bool = False, bold: bool = False) -> QFont:
    """Made on first use (a QFont needs the application) and shared."""
    font = QFont()
    font.setItalic(italic)
    font.setBold(bold)
    return font


_BOOK_ROLES = frozenset({
    Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole, Qt.ItemDataRole.TextAlignmentRole,
    Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole,
    Qt.ItemDataRole.FontRole, *RowRole,
})
