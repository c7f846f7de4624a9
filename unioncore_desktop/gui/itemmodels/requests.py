"""Item models for labor requests: the open-requests list of the Requests screen and the request history."""

from __future__ import annotations

from PySide6.QtGui import QColor

from unioncore_desktop.domain.queries.request_history import PastRequestRow
from unioncore_desktop.domain.queries.requests import RequestRow
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
