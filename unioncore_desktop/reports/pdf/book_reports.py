"""The daily book and dispatch reports: unemployed counts, re-sign due, dropped, open requests, the Day Book
and a member's referral history. Each takes the rows of its read-side query and writes one PDF."""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.lib.units import inch

from unioncore_desktop.reports.base import (
    apn_text,
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
    from unioncore_desktop.domain.queries.books import ActivityRow, DroppedRow, ResignDueRow, UnemployedCount
    from unioncore_desktop.domain.queries.dispatch import DayBook, DayBookTotal, DispatchRow
    from unioncore_desktop.domain.queries.requests import RequestRow

TIERS = (1, 2, 3, 4)


def _day(value: date) -> str:
    """'2026-11-24 Tue': a dispatcher reads deadlines by weekday."""
    return f"{value.isoformat()} {value.strftime('%a')}"


# --- unemployed counts ------------------------------------------------------------------------------------

def unemployed_matrix(counts: Iterable[UnemployedCount]) -> list[tuple[str, str, dict[int, int]]]:
    """(code, name, {tier: count}) per book, in the order the counts came (morning order)."""
    books: dict[int, tuple[str, str, dict[int, int]]] = {}
    for c in counts:
        books.setdefault(c.book_id, (c.book_code, c.book_name, {}))[2][c.tier] = c.count
    return list(books.values())


def build_unemployed_counts(path: str | os.PathLike[str], context: ReportContext,
                            counts: Iterable[UnemployedCount]) -> Path:
    """Book x tier: registered members not out on a job. Each tier has its own column, never a merged total
    only (inverted books have more in tier 2 or 3 than in tier 1)."""
    matrix = unemployed_matrix(counts)
    columns = [Column("Book", weight=2.0), Column("Code", weight=1.4)]
    columns += [Column(f"Tier {t}", width=0.75 * inch, align="right") for t in TIERS]
    columns.append(Column("Total", width=0.8 * inch, align="right"))
    rows: list[Row] = []
    totals = Counter[int]()
    for code, name, tiers in matrix:
        rows.append((name, code, *(tiers.get(t, 0) for t in TIERS), sum(tiers.values())))
        totals.update(tiers)
    if matrix:
        rows.append(Subtotal(("All books", "", *(totals.get(t, 0) for t in TIERS), sum(totals.values())),
                             grand=True))
    document = ReportDocument(context)
    document.add_table(columns, rows, font_size=9, empty_text="No one is unemployed on any book.")
    summary = [SummaryLine("Unemployed registrations", sum(totals.values()), bold=True)]
    summary += [SummaryLine(f"Tier {t}", totals.get(t, 0), indent=1) for t in TIERS]
    summary.append(SummaryLine("Books with registrants", len(matrix)))
    document.add_note("A member registered on several books is counted once on each book.")
    document.add_summary(summary)
    return document.build(path)


# --- re-sign due ------------------------------------------------------------------------------------------

RESIGN_COLUMNS = (
    Column("Due", width=0.95 * inch),
    Column("Book", weight=1.2),
    Column("Card", width=0.72 * inch),
    Column("Name", weight=1.8),
    Column("Tier", width=0.35 * inch, align="center"),
    Column("APN", width=0.68 * inch, align="right", format=apn_text),
    Column("Last re-sign", width=0.82 * inch),
    Column("", width=0.7 * inch),
)


def build_resign_due(path: str | os.PathLike[str], context: ReportContext, rows: Iterable[ResignDueRow]) -> Path:
    """Registrations due to re-sign (R7), overdue ones first under their own heading, then one group per due
    date with a count, so the desk knows how many to expect each day."""
    rows = list(rows)
    table: list[Row] = []
    overdue = [r for r in rows if r.overdue]
    upcoming = [r for r in rows if not r.overdue]
    if overdue:
        table.append(GroupHeading(f"Overdue: drop at the next drop run unless re-signed ({len(overdue):,})"))
        table += [_resign_cells(r) for r in overdue]
        table.append(Subtotal((None, None, None, "Overdue", None, None, None, f"{len(overdue):,}")))
    by_day: dict[date, list[ResignDueRow]] = defaultdict(list)
    for r in upcoming:
        by_day[r.resign_due_on].append(r)
    for day in sorted(by_day):
        group = by_day[day]
        table.append(GroupHeading(f"Due {_day(day)}"))
        table += [_resign_cells(r) for r in group]
        table.append(Subtotal((None, None, None, f"Due {day.isoformat()}", None, None, None, f"{len(group):,}")))
    if rows:
        table.append(Subtotal((None, None, None, "All", None, None, None, f"{len(rows):,}"), grand=True))
    document = ReportDocument(context)
    document.add_table(RESIGN_COLUMNS, table, empty_text="No one is due to re-sign in this window.")
    by_book = Counter(r.book_name for r in rows)
    summary = [SummaryLine("Registrations due", len(rows), bold=True), SummaryLine("Overdue", len(overdue))]
    summary += [SummaryLine(name, count, indent=1) for name, count in sorted(by_book.items())]
    document.add_summary(summary)
    return document.build(path)


def _resign_cells(r: ResignDueRow) -> tuple[object, ...]:
    return (_day(r.resign_due_on), r.book_name, r.card_number, r.display_name, r.tier, r.apn, r.last_resign_on,
            "OVERDUE" if r.overdue else "")


# --- dropped ----------------------------------------------------------------------------------------------

DROPPED_COLUMNS = (
    Column("Dropped", width=0.95 * inch),
    Column("Book", weight=1.2),
    Column("Card", width=0.72 * inch),
    Column("Name", weight=1.8),
    Column("Tier", width=0.35 * inch, align="center"),
    Column("APN", width=0.68 * inch, align="right", format=apn_text),
)


def build_dropped(path: str | os.PathLike[str], context: ReportContext, rows: Iterable[DroppedRow]) -> Path:
    """Roll-offs in a date range, one group per reason (re-sign, check marks, quit...) with its count."""
    rows = list(rows)
    table, by_reason = reason_groups(
        rows, lambda r: r.reason, label,
        lambda r: (_day(r.rolled_off_on), r.book_name, r.card_number, r.display_name, r.tier, r.apn),
        lead=3, counted="dropped")
    document = ReportDocument(context)
    document.add_table(DROPPED_COLUMNS, table, empty_text="No one was dropped in this period.")
    summary = [SummaryLine("Registrations dropped", len(rows), bold=True), *by_reason]
    summary.append(SummaryLine("Members", len({r.member_id for r in rows})))
    document.add_summary(summary)
    return document.build(path)


# --- open requests ----------------------------------------------------------------------------------------

REQUEST_COLUMNS = (
    Column("Referral", width=0.95 * inch),
    Column("Request", width=0.85 * inch),
    Column("Book", weight=1.0),
    Column("Employer", weight=1.8),
    Column("Worksite", weight=1.3),
    Column("Job class", weight=0.9),
    Column("Start", width=0.98 * inch),
    Column("Wanted", width=0.5 * inch, align="right"),
    Column("Sent", width=0.45 * inch, align="right"),
    Column("Open", width=0.45 * inch, align="right"),
    Column("Terms", weight=1.5, wrap=True),
)


def request_terms(r: RequestRow) -> str:
    """The flags a dispatcher works a request by: short call, by name, bidding, manual rules, no marks."""
    terms = []
    if r.short_call:
        terms.append("short call")
    if r.by_name:
        terms.append("by name")
    if r.bidding:
        terms.append("bidding")
    if r.manual_rules:
        terms.append(f"{r.agreement_type.upper()} manual rules")
    if r.no_mark_reasons:
        terms.append("no marks: " + ", ".join(label(x).lower() for x in r.no_mark_reasons))
    return "; ".join(terms)


def build_open_requests(path: str | os.PathLike[str], context: ReportContext, rows: Iterable[RequestRow]) -> Path:
    """Requests still needing workers, grouped by referral morning, in received order (landscape)."""
    rows = list(rows)
    table: list[Row] = []
    day: date | None = None
    for r in rows:
        if r.referral_date != day:
            day = r.referral_date
            table.append(GroupHeading(f"Referral {_day(day)}"))
        start = r.start_on.isoformat() + (f" {r.start_time}" if r.start_time else "")
        table.append((_day(r.referral_date), r.number, r.book_name, r.employer_name, r.worksite_name, r.job_class,
                      start, r.workers_requested, r.workers_dispatched, r.open_places, request_terms(r)))
    if rows:
        table.append(Subtotal((None, None, None, f"{len(rows):,} requests", None, None, None,
                               sum(r.workers_requested for r in rows), sum(r.workers_dispatched for r in rows),
                               sum(r.open_places for r in rows)), grand=True))
    document = ReportDocument(context, landscape=True)
    document.add_table(REQUEST_COLUMNS, table, empty_text="No request is waiting for workers.")
    by_book: dict[str, list[RequestRow]] = defaultdict(list)
    for r in rows:
        by_book[r.book_name].append(r)
    summary = [SummaryLine("Open places", sum(r.open_places for r in rows), bold=True)]
    summary += [SummaryLine(f"{name} ({len(group)} requests)", sum(r.open_places for r in group), indent=1)
                for name, group in by_book.items()]
    document.add_summary(summary)
    return document.build(path)


# --- the Day Book -----------------------------------------------------------------------------------------

DAY_BOOK_COLUMNS = (
    Column("Time", width=0.45 * inch),
    Column("Request", width=0.85 * inch),
    Column("Book", weight=1.0),
    Column("Employer", weight=1.7),
    Column("Worksite", weight=1.2),
    Column("Card", width=0.72 * inch),
    Column("Member", weight=1.6),
    Column("How", width=0.85 * inch),
    Column("Status", width=0.8 * inch),
    Column("Dispatcher", weight=1.0),
)
TOTAL_COLUMNS = (Column("Name", weight=3.0), Column("Dispatches", width=0.9 * inch, align="right"))


def dispatch_how(r: DispatchRow) -> str:
    """By name (R13, reported separately), won by bid (R8), short call (R9), or from the list in turn."""
    how = "by name" if r.by_name else "bid" if r.via_bid else "in turn"
    return how + (", short" if r.short_call else "")


def build_day_book(path: str | os.PathLike[str], context: ReportContext, day_book: DayBook) -> Path:
    """Every dispatch of the day (or of each day of a range, under its own heading with a subtotal) in dispatch
    order, then totals by book and by employer over the whole range (landscape)."""
    rows = list(day_book.rows)
    zone = context.zone
    table: list[Row] = []
    day: date | None = None
    count = 0
    for r in rows:
        if not day_book.one_day and r.dispatch_date != day:
            if day is not None:
                table.append(_day_subtotal(day, count))
            day, count = r.dispatch_date, 0
            table.append(GroupHeading(_day(day)))
        count += 1
        table.append((r.dispatched_at.astimezone(zone).strftime("%H:%M"), r.request_number, r.book_name,
                      r.employer_name, r.worksite_name, r.card_number, r.member_name, dispatch_how(r), label(r.status),
                      r.dispatched_by_name))
    if day is not None:
        table.append(_day_subtotal(day, count))
    if rows:
        table.append(Subtotal((None, None, None, f"{len(rows):,} dispatches"), grand=True))
    document = ReportDocument(context, landscape=True)
    document.add_table(DAY_BOOK_COLUMNS, table, empty_text="No one was dispatched on this day." if day_book.one_day
                       else "No one was dispatched in this period.")
    over = "" if day_book.one_day else f" over {day_book.day.isoformat()} – {day_book.end.isoformat()}"
    for heading, totals in ((f"Totals by book{over}", day_book.by_book),
                            (f"Totals by employer{over}", day_book.by_employer)):
        if totals:
            document.add_heading(heading)
            document.add_table(TOTAL_COLUMNS, _total_rows(totals), font_size=8.5)
    summary = [
        SummaryLine("Dispatches", day_book.total, bold=True),
        SummaryLine("By name (R13)", day_book.by_name_count, indent=1),
        SummaryLine("Won by bid", sum(r.via_bid for r in rows), indent=1),
        SummaryLine("Short calls", sum(r.short_call for r in rows), indent=1),
        SummaryLine("Books", len(day_book.by_book)),
        SummaryLine("Employers", len(day_book.by_employer)),
    ]
    if not day_book.one_day:
        summary.append(SummaryLine("Days with dispatches", len({r.dispatch_date for r in rows})))
    document.add_summary(summary)
    return document.build(path)


def _day_subtotal(day: date, count: int) -> Subtotal:
    return Subtotal((None, None, None, f"{day.isoformat()}: {count:,} dispatch{'es' if count != 1 else ''}"))


def _total_rows(totals: Sequence[DayBookTotal]) -> list[Row]:
    rows: list[Row] = [(t.name, t.dispatches) for t in totals]
    rows.append(Subtotal(("Total", sum(t.dispatches for t in totals)), grand=True))
    return rows


# --- a member's referral history --------------------------------------------------------------------------

ACTION_LABELS = {"sign_on": "Sign-on", "re_sign": "Re-sign", "exempt_start": "Exemption start",
                 "exempt_end": "Exemption end", "rolled_off": "Rolled off", "re_register": "Re-registered"}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action) or label(action)


HISTORY_COLUMNS = (
    Column("When", width=1.05 * inch),
    Column("Book", weight=1.0),
    Column("Action", width=1.05 * inch),
    Column("Change", weight=3.0, wrap=True),
    Column("Request", width=0.85 * inch),
    Column("By", weight=1.0),
    Column("Note", weight=1.6, wrap=True),
)


def build_referral_history(path: str | os.PathLike[str], context: ReportContext,
                           rows: Iterable[ActivityRow]) -> Path:
    """Every registration change of one member, oldest first, from the append-only activity rows
    (landscape; the member is named in the context's title or parameters)."""
    rows = list(rows)
    table: list[Row] = [(r.at, r.book_name, action_label(r.action), r.summary, r.request_number, r.staff_name, r.note)
                        for r in rows]
    document = ReportDocument(context, landscape=True)
    document.add_table(HISTORY_COLUMNS, table, empty_text="This member has no registration activity.")
    actions = Counter(action_label(r.action) for r in rows)
    summary = [SummaryLine("Registration changes", len(rows), bold=True)]
    summary += [SummaryLine(name, count, indent=1) for name, count in sorted(actions.items())]
    summary.append(SummaryLine("Books", len({r.book_code for r in rows})))
    document.add_summary(summary)
    return document.build(path)


__all__ = [
    "build_day_book", "build_dropped", "build_open_requests", "build_referral_history", "build_resign_due",
    "build_unemployed_counts", "dispatch_how", "request_terms", "unemployed_matrix",
]
