"""How referral turned out over a date range: labor requests' fill rate by book and employer, dispatches ended by
reason, and by-name dispatches with what allowed each (R13, reported apart from the list's order)."""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.lib.units import inch

from unioncore_desktop.reports.base import (
    Column,
    GroupHeading,
    ReportContext,
    ReportDocument,
    Row,
    Subtotal,
    SummaryLine,
    label,
    reason_groups,
)

if TYPE_CHECKING:
    # Runtime imports would pull SQLAlchemy in through the queries modules; reports stay free of it.
    from unioncore_desktop.domain.queries.referral_outcomes import ByNameRow, FillRate, FillRateRow, TerminationRow


def percent_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.1f}%"


def _rate(filled: int, needed: int) -> str:
    if not needed:
        return ""
    return percent_text((Decimal(filled) * 100 / Decimal(needed)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# --- labor request status with fill rate ----------------------------------------------------------------------

FILL_COLUMNS = (
    Column("Employer", weight=3.0),
    Column("Requests", width=0.7 * inch, align="right"),
    Column("Needed", width=0.65 * inch, align="right"),
    Column("Filled", width=0.65 * inch, align="right"),
    Column("Cancelled", width=0.75 * inch, align="right"),
    Column("Expired", width=0.65 * inch, align="right"),
    Column("Open", width=0.6 * inch, align="right"),
    Column("Fill rate", width=0.75 * inch, align="right"),
)


def _fill_cells(name: str, rows: Iterable[FillRateRow]) -> tuple[object, ...]:
    rows = list(rows)
    needed, filled = sum(r.needed for r in rows), sum(r.filled for r in rows)
    return (name, sum(r.requests for r in rows), needed, filled, sum(r.cancelled for r in rows),
            sum(r.expired for r in rows), sum(r.open for r in rows), _rate(filled, needed))


def build_fill_rate(path: str | os.PathLike[str], context: ReportContext, report: FillRate) -> Path:
    """One group per book (morning order) with a line per employer and the book's subtotal, then the totals.
    Places: needed = filled + cancelled + expired + open."""
    by_book: dict[str, list[FillRateRow]] = defaultdict(list)
    for r in report.rows:
        by_book[r.book_name].append(r)
    table: list[Row] = []
    for name, rows in by_book.items():
        table.append(GroupHeading(name))
        table += [_fill_cells(r.employer_name, [r]) for r in rows]
        table.append(Subtotal(_fill_cells(f"{name} total", rows)))
    if report.rows:
        table.append(Subtotal(_fill_cells("Total", report.rows), grand=True))
    document = ReportDocument(context)
    document.add_table(FILL_COLUMNS, table, empty_text="No labor request was worked in this period.")
    totals = report.rows
    summary = [SummaryLine("Places needed", report.needed, bold=True),
               SummaryLine("Filled", report.filled, indent=1),
               SummaryLine("Cancelled", sum(r.cancelled for r in totals), indent=1),
               SummaryLine("Expired", sum(r.expired for r in totals), indent=1),
               SummaryLine("Still open", sum(r.open for r in totals), indent=1),
               SummaryLine("Fill rate", percent_text(report.fill_rate), bold=True),
               SummaryLine("Requests", sum(n for _s, n in report.by_status), bold=True)]
    summary += [SummaryLine(label(status), count, indent=1) for status, count in report.by_status]
    document.add_note("A place is filled while a member is on it; a rejection or no-show gives it back to the "
                      "request. Requests are counted by their referral morning.")
    document.add_summary(summary)
    return document.build(path)


# --- dispatches ended, by reason ------------------------------------------------------------------------------

REASON_LABELS = {"rif": "RIF"}  # reduction in force


def reason_label(reason: str) -> str:
    return REASON_LABELS.get(reason) or label(reason)


TERMINATION_COLUMNS = (
    Column("Ended", width=0.8 * inch),
    Column("Card", width=0.72 * inch),
    Column("Member", weight=1.6),
    Column("Employer", weight=1.8),
    Column("Worksite", weight=1.0),
    Column("Book", weight=1.1),
    Column("Request", width=0.95 * inch),
    Column("Dispatched", width=0.8 * inch),
    Column("Days", width=0.45 * inch, align="right"),
    Column("Hours", width=0.6 * inch, align="right"),
    Column("Then", width=0.95 * inch),
)


def after_end(r: TerminationRow) -> str:
    """What the end did to the member's place: back to it (R9), or not (short call or not)."""
    if r.restored:
        return "old place back"
    return "short call" if r.short_call else ""


def build_terminations(path: str | os.PathLike[str], context: ReportContext,
                       rows: Iterable[TerminationRow]) -> Path:
    """One group per termination reason, each with its count, then the counts per reason (landscape)."""
    rows = list(rows)
    table, by_reason = reason_groups(
        rows, lambda r: r.reason, reason_label,
        lambda r: (r.terminated_on, r.card_number, r.member_name, r.employer_name, r.worksite_name, r.book_name,
                   r.request_number, r.dispatch_date, r.business_days_worked, r.hours_worked, after_end(r)),
        lead=2, counted="ended")
    document = ReportDocument(context, landscape=True)
    document.add_table(TERMINATION_COLUMNS, table, empty_text="No dispatch ended in this period.")
    summary = [SummaryLine("Dispatches ended", len(rows), bold=True), *by_reason]
    summary.append(SummaryLine("Members", len({r.card_number for r in rows})))
    summary.append(SummaryLine("Employers", len({r.employer_name for r in rows})))
    document.add_summary(summary)
    return document.build(path)


# --- by-name dispatches ---------------------------------------------------------------------------------------

BY_NAME_COLUMNS = (
    Column("Dispatched", width=1.0 * inch),
    Column("Card", width=0.72 * inch),
    Column("Member", weight=1.4),
    Column("Employer", weight=1.5),
    Column("Request", width=0.95 * inch),
    Column("Book", weight=1.2),
    Column("Place", width=0.95 * inch),
    Column("Rule / exception", weight=2.0, wrap=True),
    Column("Status", width=0.72 * inch),
    Column("Dispatcher", weight=1.1),
)


def by_name_rule(r: ByNameRow) -> str:
    """What allowed the dispatch: R13 foreperson by name, the no-solicitation attestation, and a PLA/CWA/TERO
    request's own terms (R4)."""
    parts = ["R13 foreperson by name"]
    parts.append("attested not solicited" if r.attested else "NO attestation on file")
    if not r.named_on_request:
        parts.append("request names someone else")
    if r.agreement_type != "standard":
        parts.append(f"{r.agreement_type.upper()} terms (R4)")
    if r.note:
        parts.append(r.note)
    return "; ".join(parts)


def book_place(r: ByNameRow) -> str:
    return f"T{r.tier} {r.apn:.2f}" if r.tier is not None and r.apn is not None else "off the book"


def build_by_name(path: str | os.PathLike[str], context: ReportContext, rows: Iterable[ByNameRow]) -> Path:
    """Every by-name dispatch in the range with the rule it went under, then counts by employer and book."""
    rows = list(rows)
    zone = context.zone
    table: list[Row] = [
        (r.dispatched_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"), r.card_number, r.member_name, r.employer_name,
         r.request_number, r.book_name, book_place(r), by_name_rule(r), label(r.status), r.dispatched_by_name)
        for r in rows]
    if rows:
        table.append(Subtotal((None, None, f"{len(rows):,} by name"), grand=True))
    document = ReportDocument(context, landscape=True)
    document.add_table(BY_NAME_COLUMNS, table, empty_text="No one was dispatched by name in this period.")
    employers = Counter(r.employer_name for r in rows)
    summary = [SummaryLine("By-name dispatches", len(rows), bold=True),
               SummaryLine("Without attestation", sum(1 for r in rows if not r.attested), indent=1),
               SummaryLine("Under PLA/CWA/TERO terms", sum(1 for r in rows if r.agreement_type != "standard"),
                           indent=1),
               SummaryLine("Employers", len(employers), bold=True)]
    summary += [SummaryLine(name, count, indent=1) for name, count in sorted(employers.items())]
    document.add_summary(summary)
    return document.build(path)


__all__ = ["after_end", "book_place", "build_by_name", "build_fill_rate", "build_terminations", "by_name_rule",
           "percent_text",
           "reason_label"]
