"""Staff administration tables: the logins with their roles and state, and one person's recent activity."""

from __future__ import annotations

from PySide6.QtGui import QColor

from unioncore_desktop.domain.queries.staff import ActivityRow, StaffRow
from unioncore_desktop.domain.vocab import label
from unioncore_desktop.gui.itemmodels.base import Column, RowTableModel

INACTIVE_COLOR = QColor("#94a3b8")
MISSING_COLOR = QColor("#b45309")


def _state_color(row: StaffRow) -> QColor | None:
    if row.login_missing:
        return MISSING_COLOR
    return None if row.state == "active" else INACTIVE_COLOR


def _state_tip(row: StaffRow) -> str | None:
    if row.login_missing:
        return "The server has no login of this name any more (dropped outside the app); the history keeps it."
    if not row.active:
        return "Deactivated: the login cannot connect; its history keeps the name."
    return None


class StaffModel(RowTableModel[StaffRow]):
    columns = (
        Column("login", "Login", foreground=_state_color),
        Column("full_name", "Name", foreground=_state_color),
        Column("roles", "Roles", value=lambda r: ", ".join(label(role) for role in r.roles),
               foreground=_state_color),
        Column("state", "State", value=lambda r: label(r.state), foreground=_state_color, tooltip=_state_tip),
        Column("last_change", "Last change", kind="datetime", foreground=_state_color),
    )


class ActivityModel(RowTableModel[ActivityRow]):
    columns = (
        Column("changed_at", "When", kind="datetime"),
        Column("table_name", "Record", formatter=label),
        Column("row_key", "Id"),
        Column("action", "Change", value=lambda r: {"INSERT": "Added", "UPDATE": "Changed",
                                                    "DELETE": "Removed"}.get(r.action, r.action)),
        Column("changed_fields", "Fields", value=lambda r: ", ".join(label(f) for f in r.changed_fields)),
        Column("application_name", "From"),
    )
