"""Item models for the remittance wizard: the lines of a check-off list coloured by how they matched, and the
members who worked for the employer in the month but are not on the list."""

from __future__ import annotations

from PySide6.QtGui import QColor

from unioncore_desktop.domain.queries.remittances import MissingMember, RemittanceLineRow
from unioncore_desktop.gui.itemmodels.base import Column, RowTableModel
from unioncore_desktop.gui.itemmodels.formatting import format_label

STATUS_COLOURS = {
    "matched": QColor("#1b5e20"),
    "resolved": QColor("#2e7d32"),
    "excluded": QColor("#757575"),
    "unknown_card": QColor("#c62828"),
    "name_mismatch": QColor("#e65100"),
    "amount_odd": QColor("#8d6e00"),
}
STATUS_TEXT = {
    "matched": "Matched",
    "resolved": "Resolved",
    "excluded": "Excluded",
    "unknown_card": "Unknown card",
    "name_mismatch": "Name differs",
    "amount_odd": "Odd amount",
}


class RemittanceLineModel(RowTableModel[RemittanceLineRow]):
    """Remittance lines, coloured by how they matched; the tooltip says why a line waits for review."""

    columns = (
        Column("line_no", "Line", kind="int"),
        Column("card_number", "Card on list"),
        Column("name", "Name on list"),
        Column("amount", "Amount", kind="decimal"),
        Column("hours", "Hours", kind="decimal"),
        Column("member", "Member", value=lambda r: (f"{r.member_card_number} {r.member_name}"
                                                     if r.member_id is not None else "")),
        Column("expected_amount", "Rate", kind="decimal"),
        Column("match_status", "Status", formatter=lambda s: STATUS_TEXT.get(s, s),
               foreground=lambda r: STATUS_COLOURS.get(r.match_status), tooltip=lambda r: r.note),
        Column("note", "Why", tooltip=lambda r: r.note),
        Column("receipt_number", "Receipt"),
    )


class MissingMemberModel(RowTableModel[MissingMember]):
    columns = (
        Column("card_number", "Card"),
        Column("name", "Name"),
        Column("classification", "Classification", formatter=format_label),
        Column("source", "From", formatter=format_label),
        Column("started_on", "Started", kind="date"),
        Column("ended_on", "Ended", kind="date"),
    )

    def row_id(self, row: MissingMember) -> int:
        return row.member_id
