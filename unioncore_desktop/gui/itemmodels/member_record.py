"""Item models for the member record: registrations with today's rank, the dispatch profile's three lists, and
bans. Dispatches, offers, employment and change history use the models their own screens use."""

from __future__ import annotations

from PySide6.QtGui import QColor

from unioncore_desktop.domain.queries.books import RegistrationRow
from unioncore_desktop.domain.queries.member_profile import ProfileBookRow, ProfileExclusionRow, ProfileSkillRow
from unioncore_desktop.domain.queries.member_record import BanRow
from unioncore_desktop.domain.rules.apn import format_apn
from unioncore_desktop.gui.itemmodels.base import Column, RowTableModel
from unioncore_desktop.gui.itemmodels.formatting import format_date, format_deadline, format_label

EXPIRED_COLOR = QColor("#b00020")
SOON_COLOR = QColor("#b45309")
PAST_COLOR = QColor("#94a3b8")
SKILL_STATES = {"expired": "Expired", "expires_soon": "Expires soon", "valid": "Valid", "no_expiry": "No expiry"}


def _exemption(row: RegistrationRow) -> str:
    if row.exemption_reason is None:
        return ""
    reason = format_label(row.exemption_reason)
    return f"{reason} to {format_date(row.exemption_end)}" if row.exemption_end else reason


def _deadline(row: RegistrationRow) -> str:
    """What the member must do next on this book, and by when."""
    if row.status == "awaiting_reregistration" and row.reregister_by is not None:
        return f"Re-register by {format_deadline(row.reregister_by)}"
    if row.status == "registered" and row.resign_due_on is not None and row.exemption_reason is None:
        return f"Re-sign by {format_date(row.resign_due_on)}"
    if row.status == "rolled_off":
        return f"Rolled off {format_date(row.rolled_off_on)} ({format_label(row.roll_off_reason)})"
    return ""


class RecordRegistrationModel(RowTableModel[RegistrationRow]):
    columns = (
        Column("book_name", "Book"),
        Column("status", "Status", formatter=format_label,
               foreground=lambda r: None if r.live else PAST_COLOR),
        Column("position", "Rank today", kind="int"),
        Column("tier", "Tier", kind="int"),
        Column("apn", "APN", kind="decimal", formatter=format_apn),
        Column("registered_at", "Registered", kind="date"),
        Column("last_resign_on", "Last re-sign", kind="date"),
        Column("marks", "Marks", kind="int"),
        Column("exemption", "Exemption", value=_exemption),
        Column("deadline", "Next deadline", value=_deadline),
        Column("restorations_used", "Restorations", kind="int"),
    )


class ProfileBookModel(RowTableModel[ProfileBookRow]):
    columns = (
        Column("book_name", "Book"),
        Column("book_code", "Code"),
        Column("tier", "Tier", kind="int"),
        Column("active", "Book in use", kind="bool"),
    )


def _skill_color(row: ProfileSkillRow) -> QColor | None:
    return {"expired": EXPIRED_COLOR, "expires_soon": SOON_COLOR}.get(row.state)


class SkillModel(RowTableModel[ProfileSkillRow]):
    columns = (
        Column("name", "Skill or certification", foreground=_skill_color),
        Column("number", "Number"),
        Column("expires_on", "Expires", kind="date", foreground=_skill_color),
        Column("state", "State", formatter=lambda s: SKILL_STATES.get(s, s), foreground=_skill_color,
               tooltip=lambda r: "An expired certification no longer counts when a call requires it."
               if r.expired else None),
    )


class ExclusionModel(RowTableModel[ProfileExclusionRow]):
    columns = (
        Column("employer_name", "Employer", foreground=lambda r: None if r.in_force else PAST_COLOR),
        Column("reason", "Reason"),
        Column("ends_on", "Ends", kind="date"),
        Column("in_force", "In force", kind="bool"),
    )


class BanModel(RowTableModel[BanRow]):
    columns = (
        Column("employer_name", "Employer", foreground=lambda r: None if r.in_force else PAST_COLOR),
        Column("reason", "Reason", formatter=format_label),
        Column("starts_on", "From", kind="date"),
        Column("ends_on", "Through", kind="date"),
        Column("in_force", "In force", kind="bool"),
    )
