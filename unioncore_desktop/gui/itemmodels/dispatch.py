"""Item models for dispatching: the walk of one request, the frozen offer lines, and the dispatched list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from unioncore_desktop.domain.queries.dispatch import DispatchRow, OfferLineRow
from unioncore_desktop.gui import theme
from unioncore_desktop.gui.itemmodels.base import AnyIndex, Column, RowTableModel
from unioncore_desktop.gui.itemmodels.formatting import format_label

if TYPE_CHECKING:  # the walk's services (and the ORM models) load with the referral's actions, not with a grid
    from unioncore_desktop.domain.services.walk import WalkPreview

_MUTED = QColor("#6B7280")
_NEXT_FILL = QColor("#FFF4C2")
_ACCEPTED = QColor("#166534")
_MARKED = QColor("#B42318")

SKIP_TEXT = {
    "exempt": "Exempt (R14)",
    "banned": "Banned from this employer (R12)",
    "excluded_employer": "Excluded from this employer",
    "missing_skill": "Missing a required skill",
    "arrears_hold": "Dues arrears hold",
    "already_dispatched_today": "Already dispatched / on a job",
    "not_qualified": "Not qualified / not active",
}
OUTCOME_TEXT = {"accepted": "Accepted", "declined": "Declined", "no_answer": "No answer"}


def format_apn(value: Decimal | None) -> str:
    """An APN is a day serial and a hundredth, never an amount: no thousands separator."""
    return "" if value is None else f"{value:.2f}"


def skip_text(reason: str | None) -> str:
    return SKIP_TEXT.get(reason or "", format_label(reason))


def line_text(skip_reason: str | None, outcome: str | None, mark_issued: bool) -> str:
    """'Skipped — Exempt (R14)', 'Declined — check mark issued', 'Accepted'."""
    if skip_reason:
        return f"Skipped — {skip_text(skip_reason)}"
    text = OUTCOME_TEXT.get(outcome or "", format_label(outcome))
    if outcome in ("declined", "no_answer"):
        text += " — check mark issued" if mark_issued else " — no mark"
    return text


@dataclass(frozen=True, slots=True)
class WalkLine:
    """One line of the walk as the referral screen lists it: answered in this run, skipped above the next
    eligible registrant, the next one, or an eligible one after them."""

    key: str  # unique in the list: state + registration
    state: str  # answered, skipped, next, upcoming
    registration_id: int
    member_id: int
    rank: int
    tier: int
    apn: Decimal
    card_number: str
    member_name: str
    text: str
    mark_issued: bool = False
    outcome: str | None = None
    dispatch_id: int | None = None
    at: datetime | None = None
    recorded_by: str | None = None

    @property
    def id(self) -> str:
        return self.key


def walk_lines(preview: WalkPreview, closed: str | None = None) -> list[WalkLine]:
    """Answered lines first (the run so far), then everyone skipped above the next one, the next, the rest.
    `closed` says why nothing can be offered now (filled, cancelled, not this morning's): the next one is then
    shown eligible, never highlighted as the one to call."""
    lines = [WalkLine(f"a{a.line_id}", "answered", a.registration_id, a.member_id, a.rank, a.tier, a.apn,
                      a.card_number, a.member_name, line_text(a.skip_reason, a.outcome, a.mark_issued),
                      a.mark_issued, a.outcome, a.dispatch_id, a.at, a.recorded_by)
             for a in preview.answered]
    lines += [WalkLine(f"s{e.registration_id}", "skipped", e.registration_id, e.member_id, e.rank, e.tier, e.apn,
                       e.card_number, e.member_name, f"Skipped — {skip_text(e.skip_reason)}")
              for e in preview.skipped]
    if preview.next is not None:
        e = preview.next
        if closed is None:
            lines.append(WalkLine(f"n{e.registration_id}", "next", e.registration_id, e.member_id, e.rank, e.tier,
                                  e.apn, e.card_number, e.member_name, "NEXT ELIGIBLE — offer the job"))
        else:
            lines.append(WalkLine(f"u{e.registration_id}", "upcoming", e.registration_id, e.member_id, e.rank,
                                  e.tier, e.apn, e.card_number, e.member_name, f"Eligible — {closed}"))
    lines += [WalkLine(f"u{e.registration_id}", "upcoming", e.registration_id, e.member_id, e.rank, e.tier, e.apn,
                       e.card_number, e.member_name, "Eligible, after the next")
              for e in preview.upcoming]
    return lines


def _line_color(line: WalkLine) -> QColor | None:
    if line.state == "skipped" or line.state == "upcoming":
        return _MUTED
    if line.outcome == "accepted":
        return _ACCEPTED
    if line.mark_issued:
        return _MARKED
    return None


class WalkModel(RowTableModel[WalkLine]):
    columns = (
        Column("rank", "Rank", kind="int"),
        Column("tier", "Tier", kind="int"),
        Column("apn", "APN", kind="decimal", formatter=format_apn),
        Column("card_number", "Card"),
        Column("member_name", "Name"),
        Column("at", "Answered", kind="datetime"),
        Column("text", "Skip reason / answer", foreground=_line_color),
    )

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # The next eligible registrant stands out on the whole row, not only in one column.
        if index.isValid() and role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.FontRole):
            line = self.rows[index.row()] if index.row() < self.rowCount() else None
            if line is not None and line.state == "next":
                if role == Qt.ItemDataRole.BackgroundRole:
                    return theme.tint_brush(_NEXT_FILL)
                font = QFont()
                font.setBold(True)
                return font
            return None
        return super().data(index, role)


class OfferHistoryModel(RowTableModel[OfferLineRow]):
    columns = (
        Column("rank", "Rank", kind="int"),
        Column("tier", "Tier", kind="int"),
        Column("apn", "APN", kind="decimal", formatter=format_apn),
        Column("card_number", "Card"),
        Column("member_name", "Member"),
        Column("line", "Skip reason / outcome", value=lambda r: line_text(r.skip_reason, r.outcome, r.mark_issued)),
        Column("mark_issued", "Mark", kind="bool"),
        Column("recorded_by_name", "By"),
        Column("at", "When", kind="datetime"),
        Column("request_number", "Request"),
    )


def dispatch_reason(row: DispatchRow) -> str | None:
    """Why the dispatch ended: the termination reason, or what the dispatcher recorded for a rejection or no-show."""
    if row.termination_reason:
        return format_label(row.termination_reason)
    return row.note if row.status in ("rejected", "no_show") else None


class DispatchListModel(RowTableModel[DispatchRow]):
    columns = (
        Column("dispatched_at", "Dispatched", kind="datetime"),
        Column("card_number", "Card"),
        Column("member_name", "Member"),
        Column("book_name", "Book"),
        Column("employer_name", "Employer"),
        Column("worksite_name", "Worksite"),
        Column("request_number", "Request"),
        Column("status", "Status", formatter=format_label),
        Column("short_call", "Short call", kind="bool"),
        Column("by_name", "By name", kind="bool"),
        Column("checked_in_at", "Checked in", kind="datetime"),
        Column("terminated_on", "Ended", kind="date"),
        Column("termination_reason", "Reason", value=dispatch_reason),
        Column("dispatched_by_name", "Dispatcher"),
    )
