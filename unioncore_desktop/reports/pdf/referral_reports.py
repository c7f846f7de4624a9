"""The referral reports: the daily referral summary, bids, check marks and the morning referral sheet. Each takes
its read model's rows and writes one PDF in the house frame."""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from unioncore_desktop.reports.base import (
    apn_text,
    FONT,
    FONT_BOLD,
    INK,
    MUTED,
    Column,
    GroupHeading,
    ReportContext,
    ReportDocument,
    Row,
    Subtotal,
    SummaryLine,
    label,
    pdf_text,
    report_table,
)
from unioncore_desktop.reports.pdf.book_reports import request_terms

if TYPE_CHECKING:
    # Runtime imports would pull SQLAlchemy in through the queries modules; reports stay free of it.
    from unioncore_desktop.domain.queries.referral_reports import (
        BidLine,
        BidRequest,
        CheckMarkLine,
        ReferralSummary,
    )
    from unioncore_desktop.domain.queries.morning_sheet import MorningSheet, SheetLine, SheetRequest


def _day(value: date) -> str:
    return f"{value.isoformat()} {value.strftime('%a')}"


# --- the daily referral summary --------------------------------------------------------------------------------

SUMMARY_FIELDS = ("registered", "unemployed", "requests_taken", "workers_asked", "requests_worked", "dispatched",
                  "declined", "no_answer", "marks", "open_places")
SUMMARY_HEADERS = ("Registered", "Unemployed", "Requests taken", "Workers asked", "Requests worked", "Dispatched",
                   "Declined", "No answer", "Check marks", "Open places")
_SUMMARY_PRINTED = ("Registered", "Unemployed", "Req. taken", "Workers asked", "Req. worked", "Dispatched", "Declined",
                    "No answer", "Marks", "Open places")  # whole words where the page has room for them


def build_referral_summary(path: str | os.PathLike[str], context: ReportContext, summary: ReferralSummary) -> Path:
    """Per book in morning order: the list (registered, unemployed), the day's requests, answers, dispatches
    and marks, and the places still open; a total line (landscape)."""
    columns = [Column("Book", weight=1.0)]
    columns += [Column(h, width=stringWidth(h, FONT_BOLD, 8.5) + 12, align="right") for h in _SUMMARY_PRINTED]
    rows: list[Row] = [(r.book_name, *(getattr(r, f) for f in SUMMARY_FIELDS)) for r in summary.rows]
    if rows:
        rows.append(Subtotal(("All books", *(summary.total(f) for f in SUMMARY_FIELDS)), grand=True))
    document = ReportDocument(context, landscape=True)
    document.add_table(columns, rows, font_size=8.5, empty_text="No active book.")
    as_of = "today" if summary.day == summary.today else f"the run time ({summary.today.isoformat()})"
    document.add_note(f"Registered, unemployed and open places are the books as they stand at {as_of}; the other "
                      f"columns count {_day(summary.day)}. Requests taken were received that day; requests worked "
                      "had that day as their referral morning.")
    document.add_summary([
        SummaryLine("Dispatched", summary.total("dispatched"), bold=True),
        SummaryLine("By name (R13)", summary.total("by_name"), indent=1),
        SummaryLine("Won by bid", summary.total("via_bid"), indent=1),
        SummaryLine("Answers recorded", summary.total("offers")),
        SummaryLine("Refused (declined)", summary.total("declined"), indent=1),
        SummaryLine("No answer", summary.total("no_answer"), indent=1),
        SummaryLine("Check marks issued", summary.total("marks")),
        SummaryLine("Requests taken", summary.total("requests_taken")),
        SummaryLine("Workers asked for", summary.total("workers_asked"), indent=1),
        SummaryLine("Open places left", summary.total("open_places"), bold=True),
    ])
    return document.build(path)


# --- bids (R8) -------------------------------------------------------------------------------------------------

OUTCOME_LABELS = {"dispatched": "Dispatched (won)", "declined": "Declined", "no_answer": "No answer",
                  "withdrawn": "Withdrawn", "waiting": "Waiting (bid stands)", "not reached": "Not reached",
                  "rejected": "Sent, employer rejected", "no_show": "Sent, no-show"}


def bid_outcome(line: BidLine) -> str:
    if line.outcome.startswith("skipped: "):
        return "Skipped: " + label(line.outcome.removeprefix("skipped: ")).lower()
    text = OUTCOME_LABELS.get(line.outcome, label(line.outcome))
    return text + (", marked" if line.mark_issued else "")


def bid_request_heading(r: BidRequest) -> str:
    where = r.employer_name + (f" at {r.worksite_name}" if r.worksite_name else "")
    return (f"{r.number} · {r.book_name} · {where} · referral {_day(r.referral_date)} · "
            f"wanted {r.workers_requested}, sent {r.workers_dispatched} · {label(r.status)}")


BID_COLUMNS = (
    Column("#", width=0.3 * inch, align="right"),
    Column("Place now", width=0.68 * inch, align="right"),
    Column("Walk turn", width=0.68 * inch, align="right"),
    Column("Tier", width=0.35 * inch, align="center"),
    Column("APN", width=0.68 * inch, align="right", format=apn_text),
    Column("Card", width=0.75 * inch),
    Column("Member", weight=1.6),
    Column("Bid received", width=1.05 * inch),
    Column("Source", width=0.55 * inch),
    Column("Outcome", weight=1.4),
)


def build_bids(path: str | os.PathLike[str], context: ReportContext, requests: Iterable[BidRequest]) -> Path:
    """Each bid request (by referral morning) with its bids in list order: where each bidder stood, and how the
    bid ended (landscape)."""
    requests = list(requests)
    table: list[Row] = []
    for r in requests:
        table.append(GroupHeading(bid_request_heading(r)))
        if not r.bids:
            table.append((None, None, None, None, None, None, "No bids were placed: the walk goes to the whole list."))
            continue
        table += [(i, b.place_now, b.walk_turn, b.tier, b.apn, b.card_number, b.member_name, b.received_at,
                   label(b.source), bid_outcome(b)) for i, b in enumerate(r.bids, start=1)]
        table.append(Subtotal((None, None, None, None, None, None, f"{len(r.bids):,} bids", None, None,
                               f"{r.won:,} dispatched")))
    bids = [b for r in requests for b in r.bids]
    if requests:
        table.append(Subtotal((None, None, None, None, None, None, f"{len(requests):,} requests, {len(bids):,} bids",
                               None, None, f"{sum(r.won for r in requests):,} dispatched"), grand=True))
    document = ReportDocument(context, landscape=True)
    document.add_table(BID_COLUMNS, table, empty_text="No request was posted for bids in this period.")
    if bids:
        document.add_note("Bidders are ranked by their place on the list, never by bid time (R8). Place now: the "
                          "bidder's place on the whole book now (blank once off the list, e.g. out on the job). Walk "
                          "turn: their turn among the bidders on the request's frozen list, once the walk reached "
                          "them.")
    outcomes = Counter(bid_outcome(b) for b in bids)
    summary = [SummaryLine("Bid requests", len(requests), bold=True),
               SummaryLine("Without bids", sum(1 for r in requests if not r.bids), indent=1),
               SummaryLine("Bids placed", len(bids), bold=True)]
    summary += [SummaryLine(name, count, indent=1) for name, count in sorted(outcomes.items())]
    summary += [SummaryLine(f"By {label(source).lower()}", count)
                for source, count in sorted(Counter(b.source for b in bids).items())]
    summary.append(SummaryLine("Bidders", len({b.member_id for b in bids})))
    document.add_summary(summary)
    return document.build(path)


# --- check marks (R10) -------------------------------------------------------------------------------------------

MARK_COLUMNS = (
    Column("Marked", width=0.95 * inch),
    Column("Card", width=0.75 * inch),
    Column("Member", weight=1.5),
    Column("Reason", width=0.8 * inch),
    Column("Request", width=0.9 * inch),
    Column("Employer", weight=1.4),
    Column("Status", weight=1.5),
)
MEMBER_COLUMNS = (
    Column("Book", weight=1.1),
    Column("Card", width=0.75 * inch),
    Column("Member", weight=1.5),
    Column("In period", width=0.7 * inch, align="right"),
    Column("Live now", width=0.7 * inch, align="right"),
    Column("Limit", width=0.5 * inch, align="right"),
    Column("Standing", weight=1.5),
)


def mark_reason(line: CheckMarkLine) -> str:
    return label(line.reason) if line.reason else "Entered"


def mark_status(line: CheckMarkLine) -> str:
    return f"Removed: {line.removal_reason}" if line.removed else "Live"


def mark_standing(line: CheckMarkLine) -> str:
    """Where the registration stands against the book's limit (R10: the Nth mark rolls it off that book)."""
    if line.rolled_off_for_marks:
        return "Rolled off" + (f" {line.rolled_off_on.isoformat()}" if line.rolled_off_on else "")
    if line.live_marks >= line.allowed:
        return "At the limit"
    if line.live_marks == line.allowed - 1:
        return "One more rolls off"
    return ""


def marks_by_registration(lines: Sequence[CheckMarkLine]) -> list[tuple[CheckMarkLine, int]]:
    """(the registration's latest line, its marks in the period), those reaching the limit first, then as the
    lines came (books in morning order, members by name)."""
    groups: dict[int, list[CheckMarkLine]] = defaultdict(list)
    for line in lines:
        groups[line.registration_id].append(line)
    out = [(group[-1], len(group)) for group in groups.values()]
    return sorted(out, key=lambda item: not item[0].reached_limit)


def build_check_marks(path: str | os.PathLike[str], context: ReportContext, lines: Iterable[CheckMarkLine]) -> Path:
    """Marks in the period by book, member and day with their reason; then each marked registration's count
    against the book's limit, those reaching the roll-off limit first."""
    lines = list(lines)
    table: list[Row] = []
    book: str | None = None  # landscape: a removal's reason and the employer read whole
    count = 0
    for line in lines:
        if line.book_name != book:
            if book is not None:
                table.append(Subtotal((None, None, f"{book}: {count:,} marks")))
            book, count = line.book_name, 0
            table.append(GroupHeading(book))
        table.append((_day(line.marked_on), line.card_number, line.member_name, mark_reason(line),
                      line.request_number, line.employer_name, mark_status(line)))
        count += 1
    if book is not None:
        table.append(Subtotal((None, None, f"{book}: {count:,} marks")))
        table.append(Subtotal((None, None, f"All books: {len(lines):,} marks"), grand=True))
    document = ReportDocument(context, landscape=True)
    document.add_table(MARK_COLUMNS, table, empty_text="No check mark was issued in this period.")
    registrations = marks_by_registration(lines)
    if registrations:
        document.add_heading("Marks per member and book")
        document.add_table(MEMBER_COLUMNS, [
            (last.book_name, last.card_number, last.member_name, n, last.live_marks, last.allowed,
             mark_standing(last)) for last, n in registrations], font_size=8)
    reasons = Counter(mark_reason(line) for line in lines)
    summary = [SummaryLine("Check marks issued", len(lines), bold=True)]
    summary += [SummaryLine(name, n, indent=1) for name, n in sorted(reasons.items())]
    summary += [SummaryLine("Removed since", sum(1 for line in lines if line.removed)),
                SummaryLine("Members marked", len({line.member_id for line in lines})),
                SummaryLine("Reached the roll-off limit", sum(1 for last, _ in registrations if last.reached_limit),
                            bold=True)]
    document.add_summary(summary)
    return document.build(path)


# --- the morning referral sheet ----------------------------------------------------------------------------------

SHEET_COLUMNS = (
    Column("Call", width=0.55 * inch),
    Column("Rank", width=0.4 * inch, align="right"),
    Column("Tier", width=0.32 * inch, align="center"),
    Column("APN", width=0.66 * inch, align="right", format=apn_text),
    Column("Name", weight=1.6),
    Column("Card", width=0.72 * inch),
    Column("Phone", width=1.0 * inch),
    Column("Answer", weight=1.3),
)
_REQUEST_STYLE = ParagraphStyle("sheet_request", fontName=FONT_BOLD, fontSize=9, leading=11.5, textColor=INK,
                                spaceBefore=6)
_TERMS_STYLE = ParagraphStyle("sheet_terms", fontName=FONT, fontSize=8, leading=10, textColor=MUTED, spaceAfter=2)


def sheet_call(line: SheetLine, order: int | None) -> str:
    if line.skip_reason is not None:
        return "skip"
    return "spare" if line.spare else str(order)


def sheet_calls(request: SheetRequest) -> list[tuple[str, SheetLine]]:
    """Each line with what the dispatcher does with it: call it for place 1, 2..., keep it as a spare, or skip it."""
    out: list[tuple[str, SheetLine]] = []
    order = 0
    for line in request.lines:
        if line.skip_reason is None and not line.spare:
            order += 1
        out.append((sheet_call(line, order), line))
    return out


def skip_text(line: SheetLine) -> str | None:
    return f"Skipped: {label(line.skip_reason).lower()}" if line.skip_reason else None


def sheet_rows(request: SheetRequest) -> list[Row]:
    return [(call, line.rank, line.tier, line.apn, line.member_name, line.card_number, line.phone, skip_text(line))
            for call, line in sheet_calls(request)]


def sheet_request_heading(request: SheetRequest) -> str:
    r = request.request
    where = r.employer_name + (f" at {r.worksite_name}" if r.worksite_name else "")
    start = r.start_on.isoformat() + (f" {r.start_time}" if r.start_time else "")
    return (f"{r.number} · {where} · start {start} · needs {r.open_places} "
            f"(asked {r.workers_requested}, sent {r.workers_dispatched})")


def sheet_request_terms(request: SheetRequest) -> str:
    r = request.request
    parts = [f"referral {_day(r.referral_date)}"]
    if r.job_class:
        parts.append(r.job_class)
    if r.requirements:
        parts.append("requires " + ", ".join(r.requirements))
    terms = request_terms(r)
    if request.by_name_member:
        terms = terms.replace("by name", f"by name: {request.by_name_member} (outside the queue, R13)")
    if terms:
        parts.append(terms)
    if r.bidding:
        parts.append("bidders only, in list order, Rank counting the bidders (the whole list when nobody bid)")
    parts.append("issues check marks" if request.issues_marks else "no check marks")
    return " · ".join(parts)


def build_morning_sheet(path: str | os.PathLike[str], context: ReportContext, sheet: MorningSheet) -> Path:
    """Each book in morning order, each request in received order with the names to call: numbered for its
    places, then spares, with the skipped ones above and why; an Answer column to write in at the counter."""
    document = ReportDocument(context)
    width = document.content_width
    for book in sheet.books:
        places = sum(r.request.open_places for r in book.requests)
        document.add_heading(f"{book.name} · morning {book.morning_slot.strftime('%H:%M')} · "
                             f"{len(book.requests)} requests, {places} places")
        for request in book.requests:
            rows = sheet_rows(request)
            parts: list[Flowable] = [Paragraph(escape(pdf_text(sheet_request_heading(request))), _REQUEST_STYLE),
                     Paragraph(escape(pdf_text(sheet_request_terms(request))), _TERMS_STYLE)]
            if rows:
                parts.append(report_table(SHEET_COLUMNS, rows, width=width, font_size=8, zone=context.zone))
            else:
                parts.append(Paragraph("No eligible registrant is on the list.", _TERMS_STYLE))
            document.add(KeepTogether(parts), Spacer(1, 4))
    if not sheet.books:
        document.add_note("No request is waiting for this referral morning.")
    elif sheet.day != sheet.today:
        document.add_note(f"Names are the lists as they stand on {_day(sheet.today)}: exemptions, dispatches and "
                          "bans may change before the morning.")
    requests = sheet.requests
    summary = [SummaryLine("Requests", len(requests), bold=True),
               SummaryLine("Places to fill", sum(r.request.open_places for r in requests), bold=True)]
    summary += [SummaryLine(f"{b.name}", sum(r.request.open_places for r in b.requests), indent=1)
                for b in sheet.books]
    summary.append(SummaryLine("Requests short of names", sum(
        1 for r in requests if len(r.to_call) < r.request.open_places)))
    document.add_summary(summary)
    return document.build(path)


__all__ = [
    "bid_outcome", "build_bids", "build_check_marks", "build_morning_sheet", "build_referral_summary", "mark_reason",
    "mark_standing", "mark_status", "marks_by_registration", "sheet_call", "sheet_calls", "sheet_rows", "skip_text",
]
