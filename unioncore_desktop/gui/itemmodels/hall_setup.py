"""Item models for the hall's set-up: the checklist, offices, the holiday calendar and contract codes."""

from __future__ import annotations

from collections.abc import Hashable

from PySide6.QtGui import QColor

from unioncore_desktop.domain.queries.hall_setup import ContractCodeRow, HolidayRow, OfficeDetail, SetupItem
from unioncore_desktop.gui.itemmodels.base import Column, RowTableModel

DONE_COLOR = QColor("#1b7a35")
MISSING_COLOR = QColor("#b3261e")
WHO = {"manager": "A manager", "admin": "An administrator"}


class ChecklistModel(RowTableModel[SetupItem]):
    columns = (
        Column("done", "Done", value=lambda item: "✓ Done" if item.done else "✗ Missing",
               foreground=lambda item: DONE_COLOR if item.done else MISSING_COLOR),
        Column("title", "Step"),
        Column("detail", "What the hall has"),
        Column("who", "Who does it", value=lambda item: WHO.get(item.who, item.who)),
    )

    def row_id(self, row: SetupItem) -> Hashable:
        return row.key


class OfficeModel(RowTableModel[OfficeDetail]):
    columns = (
        Column("code", "Code"),
        Column("name", "Office"),
        Column("region", "Region"),
        Column("opens_at", "Opens", value=lambda row: f"{row.opens_at:%H:%M}"),
        Column("closes_at", "Closes", value=lambda row: f"{row.closes_at:%H:%M}"),
        Column("registrations", "Live registrations", kind="int"),
    )


class HolidayModel(RowTableModel[HolidayRow]):
    """One year's holidays in date order; the month column groups them as the year view reads."""

    columns = (
        Column("month", "Month", sort_key=lambda row: row.day),
        Column("day", "Date", kind="date"),
        Column("weekday", "Weekday", sort_key=lambda row: row.day.weekday()),
        Column("name", "Holiday"),
    )

    def row_id(self, row: HolidayRow) -> Hashable:
        return row.day


class ContractCodeModel(RowTableModel[ContractCodeRow]):
    columns = (
        Column("code", "Code"),
        Column("description", "Description"),
        Column("books", "Books", kind="int"),
        Column("employers", "Employers", kind="int"),
    )

    def row_id(self, row: ContractCodeRow) -> Hashable:
        return row.code
