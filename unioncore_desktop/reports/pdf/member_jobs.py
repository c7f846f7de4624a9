"""The jobs a member could be sent to today: their place on each book they are qualified for, then the open
requests on those books, each with whether the walk would offer it to them now and the certifications it needs
against those they hold."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.lib.units import inch

from unioncore_desktop.reports.base import (
    Column,
    ReportContext,
    ReportDocument,
    Row,
    Subtotal,
    SummaryLine,
    label,
)

if TYPE_CHECKING:
    # Runtime import would pull SQLAlchemy in through the queries module; reports stay free of it.
    from unioncore_desktop.domain.queries.member_jobs import MemberBook, MemberJob, MemberJobs

BOOK_COLUMNS = (
    Column("Book", weight=1.6),
    Column("Qualified tier", width=0.9 * inch, align="center"),
    Column("On the book", weight=1.4),
    Column("Tier", width=0.4 * inch, align="center"),
    Column("Position", width=0.7 * inch, align="right"),
    Column("Marks", width=0.5 * inch, align="right"),
)
JOB_COLUMNS = (
    Column("Referral", width=0.72 * inch),
    Column("Request", width=0.95 * inch),
    Column("Book", weight=1.1),
    Column("Employer", weight=1.9, wrap=True),
    Column("Start", width=0.98 * inch),
    Column("Open", width=0.4 * inch, align="right"),
    Column("Position", width=0.58 * inch, align="right"),
    Column("Eligible", width=0.55 * inch, align="center"),
    Column("Why not", weight=1.2, wrap=True),
    Column("Requires", weight=1.0, wrap=True),
    Column("Holds", weight=1.0, wrap=True),
)


def book_state(b: MemberBook) -> str:
    return label(b.status) if b.status else "not signed on"


def eligible_text(job: MemberJob) -> str:
    return "Yes" if job.eligible else "No"


def held_text(job: MemberJob) -> str:
    if not job.required:
        return ""
    held = ", ".join(job.held) or "none"
    return held + (f" (missing {', '.join(job.missing)})" if job.missing else "")


def job_terms(job: MemberJob) -> str:
    r = job.request
    terms = [t for t, on in (("short call", r.short_call), ("bidding", r.bidding), ("by name", r.by_name)) if on]
    return f" ({', '.join(terms)})" if terms else ""


def build_member_jobs(path: str | os.PathLike[str], context: ReportContext, report: MemberJobs) -> Path:
    """The member's books, then every open request on them in referral order (landscape)."""
    document = ReportDocument(context, landscape=True)
    out = f" · out now on request {report.out_on}" if report.out_on else ""
    document.add_heading(f"{report.member_name} · card {report.card_number} · {report.today.isoformat()}{out}")
    books: list[Row] = [(b.book_name, b.qualified_tier, book_state(b), b.tier, b.position, b.marks)
                        for b in report.books]
    document.add_table(BOOK_COLUMNS, books, font_size=8.5,
                       empty_text="This member is qualified for no active book.")
    document.add_heading("Open requests on these books")
    jobs: list[Row] = []
    for job in report.jobs:
        r = job.request
        start = r.start_on.isoformat() + (f" {r.start_time}" if r.start_time else "")
        jobs.append((r.referral_date, r.number, r.book_name, r.employer_name + job_terms(job), start, r.open_places,
                     job.position, eligible_text(job), job.why_not, ", ".join(job.required), held_text(job)))
    if report.jobs:
        jobs.append(Subtotal((None, None, None, f"{len(report.jobs):,} open requests", None,
                              sum(j.request.open_places for j in report.jobs), None, report.eligible_count,
                              "eligible now"), grand=True))
    document.add_table(JOB_COLUMNS, jobs, empty_text="No request is open on these books.")
    document.add_summary([
        SummaryLine("Books qualified for", len(report.books), bold=True),
        SummaryLine("Registered on", sum(1 for b in report.books if b.status == "registered"), indent=1),
        SummaryLine("Open requests", len(report.jobs), bold=True),
        SummaryLine("Eligible now", report.eligible_count, indent=1),
        SummaryLine("Missing a certification", sum(1 for j in report.jobs if j.missing), indent=1),
    ])
    document.add_note("Eligible now: the walk would offer this member the job today when their turn comes: "
                      "exemption, dispatches today, qualification, suspension, exclusions, certifications and a "
                      "dues hold are checked as the walk checks them, a sign-on of today waits for the next day's "
                      "list (R5) and a request with bids goes to its bidders (R8). Position: the place on the book.")
    return document.build(path)


__all__ = ["book_state", "build_member_jobs", "eligible_text", "held_text", "job_terms"]
