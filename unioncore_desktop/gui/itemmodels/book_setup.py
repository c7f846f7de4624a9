"""The manage-books grid: every book with its place in the morning referral, what it dispatches under and what
it holds; retired books greyed."""

from __future__ import annotations

from PySide6.QtGui import QColor

from unioncore_desktop.domain.queries.book_setup import BookSetupRow
from unioncore_desktop.gui.itemmodels.base import Column, RowTableModel
from unioncore_desktop.gui.itemmodels.formatting import format_label

RETIRED_COLOR = QColor("#94a3b8")


def _retired(row: BookSetupRow) -> QColor | None:
    return None if row.active else RETIRED_COLOR


def _state(row: BookSetupRow) -> str:
    return "In use" if row.active else "Retired"


class BookSetupModel(RowTableModel[BookSetupRow]):
    columns = (
        Column("code", "Code", foreground=_retired),
        Column("name", "Name", foreground=_retired),
        Column("classification", "Classification", foreground=_retired),
        Column("morning_slot", "Slot", value=lambda r: f"{r.morning_slot:%H:%M}", sort_key=lambda r: r.morning_slot,
               foreground=_retired),
        Column("sort_order", "Order", kind="int", foreground=_retired),
        Column("region", "Region", formatter=lambda v: v or "All", foreground=_retired),
        Column("contract_code", "Contract", foreground=_retired),
        Column("agreement_type", "Agreement", formatter=format_label, foreground=_retired),
        Column("live_registrations", "On book", kind="int", foreground=_retired),
        Column("open_requests", "Open requests", kind="int", foreground=_retired),
        Column("rules_from", "Rules since", kind="date", foreground=_retired),
        Column("state", "State", value=_state, foreground=_retired,
               tooltip=lambda r: None if r.active else "Retired: takes no sign-ons and no requests; kept with "
                                                       "its history"),
    )
