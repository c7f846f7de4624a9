"""Item models for the members screen: the list, employment history and change history."""

from __future__ import annotations

from unioncore_desktop.domain.queries.members import ChangeRow, EmploymentRow, MemberListRow
from unioncore_desktop.gui.itemmodels.base import Column, RowTableModel
from unioncore_desktop.gui.itemmodels.formatting import format_label


class MemberListModel(RowTableModel[MemberListRow]):
    columns = (
        Column("card_number", "Card"),
        Column("display_name", "Name", sort_key=lambda r: (r.last_name.casefold(), r.first_name.casefold())),
        Column("classification", "Classification", formatter=format_label),
        Column("status", "Status", formatter=format_label),
        Column("card_type", "Type"),
        Column("home_local", "Local"),
        Column("phone", "Phone"),
        Column("city", "City"),
        Column("initiation_date", "Initiated", kind="date"),
    )


class EmploymentModel(RowTableModel[EmploymentRow]):
    columns = (
        Column("started_on", "Started", kind="date"),
        Column("ended_on", "Ended", kind="date"),
        Column("employer_name", "Employer"),
        Column("worksite_name", "Worksite"),
        Column("job_class", "Job class"),
        Column("termination_reason", "Reason", formatter=format_label),
        Column("days_worked", "Days", kind="int"),
        Column("hours_worked", "Hours", kind="decimal"),
        Column("source", "Source", formatter=format_label),
    )


class ChangeHistoryModel(RowTableModel[ChangeRow]):
    columns = (
        Column("changed_at", "When", kind="datetime"),
        Column("changed_by", "Who"),
        Column("action", "Action", formatter=format_label),
        Column("area", "Area"),
        Column("field", "Field", formatter=format_label),
        Column("old", "Old value"),
        Column("new", "New value"),
    )

    def row_id(self, row: ChangeRow) -> object:
        return (row.changed_at, row.area, row.field)
