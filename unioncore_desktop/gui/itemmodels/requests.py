"""Item models for labor requests: the open-requests list of the Requests screen, the bids on a request and the
request history."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from unioncore_desktop.domain.queries.request_history import PastRequestRow
from unioncore_desktop.domain.queries.requests import BidRow, RequestRow
from unioncore_desktop.domain.rules.apn import format_apn
from unioncore_desktop.gui.itemmodels.base import Column, RowTableModel
from unioncore_desktop.gui.itemmodels.formatting import format_label

_MUTED = QColor("#6B7280")


def no_mark_text(reasons: tuple[str, ...]) -> str:
    return ", ".join(format_label(r) for r in reasons)


def request_flags(row: RequestRow) -> str:
    """The short words a dispatcher scans for: short call, manual rules, by name, bids."""
    words = []
    if row.short_call:
        words.append("Short call")
    if row.manual_rules:
        words.append(f"{row.agreement_type.upper()} (manual rules)")
    if row.by_name:
        words.append("By name")
    if row.bidding:
        words.append("Bids")
    return " · ".join(words)


class RequestListModel(RowTableModel[RequestRow]):
    columns = (
        Column("referral_date", "Referral", kind="date"),
        Column("number", "Request"),
        Column("book_name", "Book"),
        Column("employer_name", "Employer"),
        Column("worksite_name", "Worksite"),
        Column("job_class", "Job class"),
        Column("workers", "Dispatched / wanted", value=lambda r: f"{r.workers_dispatched} of {r.workers_requested}",
               sort_key=lambda r: (r.open_places, r.workers_requested)),
        Column("status", "Status", formatter=format_label),
        Column("start_on", "Starts", kind="date"),
        Column("short_call", "Short call", kind="bool"),
        Column("no_mark", "No-mark reasons", value=lambda r: no_mark_text(r.no_mark_reasons),
               foreground=lambda r: _MUTED),
        Column("by_name", "By name", kind="bool"),
        Column("received_at", "Received", kind="datetime"),
    )


SOURCE_LABELS = {"phone": "Phone", "email": "E-mail", "web": "Web import"}


def bid_state(row: BidRow) -> str:
    if row.withdrawn:
        return "Withdrawn"
    if not row.registered:
        return "No registered place — passed over"
    return "In line"


def _passed_over(row: BidRow) -> QColor | None:
    return _MUTED if row.offer_order is None else None


def _state_tooltip(row: BidRow) -> str | None:
    if row.withdrawn:
        return "The member took the bid back; the walk passes over it."
    if not row.registered:
        return ("The member holds no registered place on this book now (dispatched, rolled off...), "
                "so the walk cannot offer them this job.")
    return None


class BidListModel(RowTableModel[BidRow]):
    """Bids in walk order; withdrawn bids and bidders without a place are greyed."""

    columns = (
        Column("offer_order", "Turn", kind="int", foreground=_passed_over,
               tooltip=lambda r: "Offered in this turn when the request is worked" if r.offer_order else None),
        Column("rank", "Rank", kind="int", foreground=_passed_over),
        Column("tier", "Tier", kind="int", foreground=_passed_over),
        Column("apn", "APN", formatter=lambda v: "" if v is None else format_apn(v),
               alignment=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, foreground=_passed_over),
        Column("card_number", "Card", foreground=_passed_over),
        Column("member_name", "Member", foreground=_passed_over),
        Column("source", "Bid by", formatter=lambda v: SOURCE_LABELS.get(v, v), foreground=_passed_over),
        Column("received_at", "Received", kind="datetime", foreground=_passed_over),
        Column("state", "Status", value=bid_state, foreground=_passed_over, tooltip=_state_tooltip),
    )


class PastRequestListModel(RowTableModel[PastRequestRow]):
    columns = (
        Column("start_on", "Starts", kind="date"),
        Column("number", "Request"),
        Column("book_name", "Book"),
        Column("employer_name", "Employer"),
        Column("status", "Status", formatter=format_label),
        Column("workers", "Dispatched / wanted", value=lambda r: f"{r.workers_dispatched} of {r.workers_requested}",
               sort_key=lambda r: (r.workers_dispatched, r.workers_requested)),
        Column("reason", "Why it closed"),
        Column("worksite_name", "Worksite"),
        Column("job_class", "Job class"),
        Column("closed_at", "Closed / last change", kind="datetime"),
        Column("referral_date", "Referral", kind="date"),
        Column("received_at", "Received", kind="datetime"),
    )
