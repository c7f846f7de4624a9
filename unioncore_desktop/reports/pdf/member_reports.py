"""The member and employment reports: one member's current registrations, one member's employment history, and
everyone out on a job now by employer and worksite."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
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
)
from unioncore_desktop.reports.pdf.book_reports import dispatch_how

if TYPE_CHECKING:
    # Runtime imports would pull SQLAlchemy in through the queries modules; reports stay free of it.
    from unioncore_desktop.domain.queries.books import RegistrationRow
    from unioncore_desktop.domain.queries.dispatch import CurrentEmployees, DispatchRow
    from unioncore_desktop.domain.queries.employment_reports import EmploymentLine, MemberEmployment
    from unioncore_desktop.domain.queries.members import MemberDetail
    from unioncore_desktop.domain.queries.referral_reports import MemberBooks


def member_heading(member: MemberDetail) -> str:
    """'Smith, John · card 7464416 · Journeyman · active · (206) 555-0101'."""
    parts = [f"{member.last_name}, {member.first_name}", f"card {member.card_number}", label(member.classification),
             label(member.status)]
    phone = member.phone or member.mobile_phone
    if phone:
        parts.append(phone)
    return " \u00b7 ".join(parts)


# --- current registrations -----------------------------------------------------------------------------------------

REGISTRATION_COLUMNS = (
    Column("Book", weight=1.3),
    Column("Status", weight=1.0),
    Column("Position", width=0.55 * inch, align="right"),
    Column("Tier", width=0.32 * inch, align="center"),
    Column("APN", width=0.66 * inch, align="right", format=apn_text),
    Column("Registered", width=1.0 * inch),
    Column("Last re-sign", width=0.72 * inch),
    Column("Due", width=0.72 * inch),
    Column("Marks", width=0.42 * inch, align="right"),
    Column("Exemption", weight=1.6, wrap=True),
)


def exemption_text(r: RegistrationRow) -> str:
    if not r.exemption_reason:
        return ""
    start = r.exemption_start.isoformat() if r.exemption_start else "?"
    end = r.exemption_end.isoformat() if r.exemption_end else "open"
    return f"{label(r.exemption_reason)} {start} to {end}"


def registration_status(r: RegistrationRow) -> str:
    if r.status == "awaiting_reregistration" and r.reregister_by is not None:
        return f"Re-register by {r.reregister_by:%Y-%m-%d %H:%M}"
    if r.status == "dispatched":
        return "Out on a job"
    return label(r.status)


MARK_COLUMNS = (Column("Book", weight=1.3), Column("Marked on", width=0.95 * inch), Column("Request", weight=1.0),
                Column("Given by", weight=1.0))


def build_member_registrations(path: str | os.PathLike[str], context: ReportContext, books: MemberBooks) -> Path:
    """The member's live registrations in morning order: place on each book, APN, tier, re-sign dates, marks
    and exemptions (a member signed on several books in one visit has the same APN on each); then the live
    check marks with their day and request (landscape)."""
    live = books.live
    document = ReportDocument(context, landscape=True)
    document.add_heading(member_heading(books.visit.detail))
    rows: list[Row] = [(r.book_name, registration_status(r), r.position, r.tier, r.apn, r.registered_at,
                        r.last_resign_on, r.resign_due_on, r.marks, exemption_text(r)) for r in live]
    if rows:
        rows.append(Subtotal((f"{len(live):,} books", None, None, None, None, None, None, None,
                              sum(r.marks for r in live)), grand=True))
    document.add_table(REGISTRATION_COLUMNS, rows, empty_text="This member is on no book.")
    if live:
        document.add_note("Position: the place on the book's list now (tier, then APN); blank while out on a job or "
                          "awaiting re-registration.")
    if books.marks:
        document.add_heading("Live check marks")
        document.add_table(MARK_COLUMNS, [(m.book_name, m.marked_on, m.request_number, m.created_by)
                                          for m in books.marks], font_size=8)
    qualified = sorted(q.book_code for q in books.visit.detail.qualified_books)
    on = {r.book_code for r in live}
    summary = [SummaryLine("Books registered on", len(live), bold=True),
               SummaryLine("Registered (on the list)", sum(1 for r in live if r.status == "registered"), indent=1),
               SummaryLine("Out on a job", sum(1 for r in live if r.status == "dispatched"), indent=1),
               SummaryLine("Awaiting re-registration", sum(1 for r in live if r.status == "awaiting_reregistration"),
                           indent=1),
               SummaryLine("With an exemption", sum(1 for r in live if r.exemption_reason), indent=1),
               SummaryLine("Live check marks", sum(r.marks for r in live)),
               SummaryLine("Qualified books not signed", ", ".join(c for c in qualified if c not in on) or "none")]
    document.add_summary(summary)
    return document.build(path)


# --- employment history --------------------------------------------------------------------------------------------

EMPLOYMENT_COLUMNS = (
    Column("Employer", weight=1.7),
    Column("Worksite", weight=1.2),
    Column("Start", width=0.75 * inch),
    Column("End", width=0.75 * inch),
    Column("Reason", width=0.95 * inch),
    Column("Days", width=0.45 * inch, align="right"),
    Column("Hours", width=0.6 * inch, align="right"),
    Column("Book", weight=1.0),
    Column("Request", width=0.95 * inch),
    Column("How", width=0.75 * inch),
)


def employment_how(r: EmploymentLine) -> str:
    if r.request_number is None:
        return label(r.source)
    how = "by name" if r.by_name else "bid" if r.via_bid else "in turn"
    return how + (", short" if r.short_call else "")


def build_employment_history(path: str | os.PathLike[str], context: ReportContext,
                             history: MemberEmployment) -> Path:
    """Every job of the member, newest first, with the book and request of dispatched ones and totals of days
    and hours worked (landscape)."""
    rows_ = list(history.rows)
    document = ReportDocument(context, landscape=True)
    document.add_heading(member_heading(history.member))
    rows: list[Row] = [(r.employer_name, r.worksite_name, r.started_on, r.ended_on or "working",
                        label(r.termination_reason), r.days_worked, r.hours_worked, r.book_name, r.request_number,
                        employment_how(r)) for r in rows_]
    if rows:
        rows.append(Subtotal((f"{len(rows_):,} jobs", None, None, None, None, history.days_worked,
                              history.hours_worked), grand=True))
    document.add_table(EMPLOYMENT_COLUMNS, rows, empty_text="No employment is on record for this member.")
    current = [r for r in rows_ if r.ended_on is None]
    employers = Counter(r.employer_name for r in rows_)
    summary = [SummaryLine("Jobs", len(rows_), bold=True),
               SummaryLine("Dispatched by the hall", sum(1 for r in rows_ if r.request_number), indent=1),
               SummaryLine("Working now", len(current), indent=1),
               SummaryLine("Days worked (ended jobs)", history.days_worked, bold=True),
               SummaryLine("Hours worked", history.hours_worked),
               SummaryLine("Employers", len(employers))]
    if rows_:
        first = min(r.started_on for r in rows_)
        summary.append(SummaryLine("First job", first.isoformat()))
    ended = Counter(r.termination_reason for r in rows_ if r.termination_reason)
    if ended:
        summary.append(SummaryLine("How jobs ended", sum(ended.values())))
    summary += [SummaryLine(label(reason), n, indent=1) for reason, n in sorted(
        Counter(r.termination_reason for r in rows_ if r.termination_reason).items())]
    document.add_summary(summary)
    return document.build(path)


# --- current employees by employer and worksite ------------------------------------------------------------------

EMPLOYEE_COLUMNS = (
    Column("Card", width=0.75 * inch),
    Column("Member", weight=1.7),
    Column("Book", weight=1.1),
    Column("Request", width=0.95 * inch),
    Column("Dispatched", width=0.8 * inch),
    Column("Days out", width=0.6 * inch, align="right"),
    Column("How", width=0.85 * inch),
    Column("Status", width=0.8 * inch),
)


def days_out(row: DispatchRow, today: date) -> int:
    return (today - row.dispatch_date).days


def _worksite(row: DispatchRow) -> str:
    return row.worksite_name or "No worksite named"


def employee_rows(data: CurrentEmployees) -> list[Row]:
    """Employer heading, worksite heading, members, worksite subtotal, employer subtotal; the grand total."""
    out: list[Row] = []
    rows: Sequence[DispatchRow] = data.rows
    i = 0
    while i < len(rows):
        employer_id = rows[i].employer_id
        employer = rows[i].employer_name
        employer_count = 0
        sites: set[str] = set()
        while i < len(rows) and rows[i].employer_id == employer_id:
            site = _worksite(rows[i])
            out.append(GroupHeading(f"{employer} \u2014 {site}"))
            count = 0
            while i < len(rows) and rows[i].employer_id == employer_id and _worksite(rows[i]) == site:
                r = rows[i]
                out.append((r.card_number, r.member_name, r.book_name, r.request_number, r.dispatch_date,
                            days_out(r, data.today), dispatch_how(r), label(r.status)))
                count += 1
                i += 1
            out.append(Subtotal((None, f"{site}: {count:,} working")))
            employer_count += count
            sites.add(site)
        places = f"{len(sites)} worksites" if len(sites) > 1 else "1 worksite"
        out.append(Subtotal((None, f"{employer}: {employer_count:,} working at {places}")))
    if rows:
        out.append(Subtotal((None, f"All employers: {len(rows):,} working"), grand=True))
    return out


def build_current_employees(path: str | os.PathLike[str], context: ReportContext, data: CurrentEmployees) -> Path:
    """Everyone out on a job now (an active dispatch, however old), grouped employer then worksite, with a count
    per worksite, per employer and in all (landscape: the counts are written out beside the names)."""
    rows = list(data.rows)
    document = ReportDocument(context, landscape=True)
    document.add_table(EMPLOYEE_COLUMNS, employee_rows(data), empty_text="Nobody is out on a job.")
    by_book = Counter(r.book_name for r in rows)
    summary = [SummaryLine("Members working", len(rows), bold=True),
               SummaryLine("Employers", len({r.employer_id for r in rows})),
               SummaryLine("Worksites", len({(r.employer_id, _worksite(r)) for r in rows})),
               SummaryLine("Dispatched from", "")]
    summary += [SummaryLine(name, n, indent=1) for name, n in sorted(by_book.items())]
    document.add_summary(summary)
    return document.build(path)


__all__ = [
    "build_current_employees", "build_employment_history", "build_member_registrations", "days_out",
    "employment_how", "exemption_text", "member_heading", "registration_status",
]
