"""The Excel side of each printed report: `(columns, rows)` with raw typed values for `xlsx.export_table`.

One flat row per record (no group or subtotal rows) so staff can sort, filter and pivot in Excel; the group a
PDF prints as a heading (tier, reason, method) is a column here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from unioncore_desktop.reports.base import label
from unioncore_desktop.reports.pdf.book_reports import (
    TIERS,
    action_label,
    dispatch_how,
    request_terms,
    unemployed_matrix,
)
from unioncore_desktop.reports.pdf.daily_cash import payment_note
from unioncore_desktop.reports.pdf.dues_statement import entry_note
from unioncore_desktop.reports.pdf.out_of_work import status_note
from unioncore_desktop.reports.pdf.referral_outcomes import by_name_rule, reason_label
from unioncore_desktop.reports.pdf.member_reports import (
    days_out,
    employment_how,
    exemption_text,
    registration_status,
)
from unioncore_desktop.reports.pdf.referral_reports import (
    SUMMARY_FIELDS,
    SUMMARY_HEADERS,
    bid_outcome,
    mark_reason,
    mark_standing,
    sheet_calls,
    skip_text,
)
from unioncore_desktop.reports.xlsx import XlsxColumn

if TYPE_CHECKING:
    # Runtime imports would pull SQLAlchemy in through the queries modules; reports stay free of it.
    from unioncore_desktop.domain.queries.books import (
        ActivityRow,
        BookListRow,
        BookSummary,
        DroppedRow,
        ResignDueRow,
        UnemployedCount,
    )
    from unioncore_desktop.domain.queries.book_history import BookAsItStood
    from unioncore_desktop.domain.queries.dispatch import CurrentEmployees, DayBook
    from unioncore_desktop.domain.queries.dues_statement import DuesStatement
    from unioncore_desktop.domain.queries.employer_contracts import EmployersByContract
    from unioncore_desktop.domain.queries.member_jobs import MemberJobs
    from unioncore_desktop.domain.queries.referral_outcomes import ByNameRow, FillRate, TerminationRow
    from unioncore_desktop.domain.queries.dues import ArrearsRow, DailyCash, DuesSummaryRow, PaymentReceipt
    from unioncore_desktop.domain.queries.employment_reports import MemberEmployment
    from unioncore_desktop.domain.queries.morning_sheet import MorningSheet
    from unioncore_desktop.domain.queries.referral_reports import (
        BidRequest,
        CheckMarkLine,
        MemberBooks,
        ReferralSummary,
    )
    from unioncore_desktop.domain.queries.requests import RequestRow

Table = tuple[list[XlsxColumn], list[tuple[Any, ...]]]


def _cols(*spec: tuple[str, str]) -> list[XlsxColumn]:
    return [XlsxColumn(header, kind) for header, kind in spec]  # type: ignore[arg-type]


_BOOK_LIST = (("Rank", "int"), ("Tier", "int"), ("APN", "decimal"), ("Card", "text"), ("Last name", "text"),
              ("First name", "text"), ("Registered", "datetime"), ("Method", "text"), ("Last re-sign", "date"),
              ("Re-sign due", "date"), ("Marks", "int"), ("Exempt", "bool"), ("Exemption", "text"),
              ("Exemption ends", "date"), ("Re-sign overdue", "bool"), ("Out on book", "text"), ("Status", "text"))


def _book_list_cells(r: BookListRow) -> tuple[Any, ...]:
    return (r.rank, r.tier, r.apn, r.card_number, r.last_name, r.first_name, r.registered_at, label(r.method),
            r.last_resign_on, r.resign_due_on, r.marks, r.exempt, label(r.exemption_reason), r.exemption_end,
            r.resign_overdue, r.on_dispatch_book, status_note(r))


def out_of_work_table(rows: Iterable[BookListRow]) -> Table:
    return _cols(*_BOOK_LIST), [_book_list_cells(r) for r in rows]


def all_books_table(books: Iterable[tuple[BookSummary, Sequence[BookListRow]]]) -> Table:
    rows = [(book.name, book.code, *_book_list_cells(r)) for book, book_rows in books for r in book_rows]
    return _cols(("Book", "text"), ("Book code", "text"), *_BOOK_LIST), rows


def unemployed_counts_table(counts: Iterable[UnemployedCount]) -> Table:
    columns = _cols(("Book", "text"), ("Code", "text"), *((f"Tier {t}", "int") for t in TIERS), ("Total", "int"))
    rows = [(name, code, *(tiers.get(t, 0) for t in TIERS), sum(tiers.values()))
            for code, name, tiers in unemployed_matrix(counts)]
    return columns, rows


def resign_due_table(rows: Iterable[ResignDueRow]) -> Table:
    columns = _cols(("Re-sign due", "date"), ("Overdue", "bool"), ("Book", "text"), ("Card", "text"),
                    ("Last name", "text"), ("First name", "text"), ("Tier", "int"), ("APN", "decimal"),
                    ("Last re-sign", "date"))
    return columns, [(r.resign_due_on, r.overdue, r.book_name, r.card_number, r.last_name, r.first_name, r.tier,
                      r.apn, r.last_resign_on) for r in rows]


def dropped_table(rows: Iterable[DroppedRow]) -> Table:
    columns = _cols(("Dropped on", "date"), ("Reason", "text"), ("Book", "text"), ("Card", "text"),
                    ("Last name", "text"), ("First name", "text"), ("Tier", "int"), ("APN", "decimal"))
    return columns, [(r.rolled_off_on, label(r.reason), r.book_name, r.card_number, r.last_name, r.first_name,
                      r.tier, r.apn) for r in rows]


def open_requests_table(rows: Iterable[RequestRow]) -> Table:
    columns = _cols(("Referral date", "date"), ("Request", "text"), ("Book", "text"), ("Employer", "text"),
                    ("Worksite", "text"), ("Job class", "text"), ("Start", "date"), ("Start time", "text"),
                    ("Wanted", "int"), ("Sent", "int"), ("Open", "int"), ("Short call", "bool"),
                    ("By name", "bool"), ("Bidding", "bool"), ("Agreement", "text"), ("Received", "datetime"),
                    ("Status", "text"), ("Terms", "text"))
    return columns, [(r.referral_date, r.number, r.book_name, r.employer_name, r.worksite_name, r.job_class,
                      r.start_on, r.start_time, r.workers_requested, r.workers_dispatched, r.open_places,
                      r.short_call, r.by_name, r.bidding, r.agreement_type.upper(), r.received_at, label(r.status),
                      request_terms(r)) for r in rows]


def day_book_table(day_book: DayBook) -> Table:
    columns = _cols(("Day", "date"), ("Dispatched", "datetime"), ("Request", "text"), ("Book", "text"),
                    ("Employer", "text"), ("Worksite", "text"), ("Card", "text"), ("Member", "text"), ("How", "text"),
                    ("By name", "bool"), ("Bid", "bool"), ("Short call", "bool"), ("Status", "text"),
                    ("Dispatcher", "text"))
    return columns, [(r.dispatch_date, r.dispatched_at, r.request_number, r.book_name, r.employer_name,
                      r.worksite_name, r.card_number, r.member_name, dispatch_how(r), r.by_name, r.via_bid,
                      r.short_call, label(r.status), r.dispatched_by_name) for r in day_book.rows]


# --- referral outcomes, the book as it stood, employers by contract, a member's jobs and dues statement ---------

def fill_rate_table(report: FillRate) -> Table:
    columns = _cols(("Book", "text"), ("Employer", "text"), ("Requests", "int"), ("Needed", "int"),
                    ("Filled", "int"), ("Cancelled", "int"), ("Expired", "int"), ("Open", "int"),
                    ("Fill rate %", "decimal"))
    return columns, [(r.book_name, r.employer_name, r.requests, r.needed, r.filled, r.cancelled, r.expired, r.open,
                      r.fill_rate) for r in report.rows]


def terminations_table(rows: Iterable[TerminationRow]) -> Table:
    columns = _cols(("Ended", "date"), ("Reason", "text"), ("Card", "text"), ("Member", "text"),
                    ("Employer", "text"), ("Worksite", "text"), ("Book", "text"), ("Request", "text"),
                    ("Dispatched", "date"), ("Business days", "int"), ("Hours", "decimal"), ("Short call", "bool"),
                    ("Old place back", "bool"))
    return columns, [(r.terminated_on, reason_label(r.reason), r.card_number, r.member_name, r.employer_name,
                      r.worksite_name, r.book_name, r.request_number, r.dispatch_date, r.business_days_worked,
                      r.hours_worked, r.short_call, r.restored) for r in rows]


def by_name_table(rows: Iterable[ByNameRow]) -> Table:
    columns = _cols(("Dispatched", "datetime"), ("Card", "text"), ("Member", "text"), ("Employer", "text"),
                    ("Worksite", "text"), ("Request", "text"), ("Book", "text"), ("Tier", "int"), ("APN", "decimal"),
                    ("Agreement", "text"), ("Attested", "bool"), ("Rule / exception", "text"), ("Status", "text"),
                    ("Dispatcher", "text"))
    return columns, [(r.dispatched_at, r.card_number, r.member_name, r.employer_name, r.worksite_name,
                      r.request_number, r.book_name, r.tier, r.apn, r.agreement_type.upper(), r.attested,
                      by_name_rule(r), label(r.status), r.dispatched_by_name) for r in rows]


def book_as_it_stood_table(report: BookAsItStood) -> Table:
    columns = _cols(("Rank", "int"), ("Tier", "int"), ("APN", "decimal"), ("Card", "text"), ("Last name", "text"),
                    ("First name", "text"), ("Registered", "datetime"), ("Last re-sign", "date"),
                    ("Re-sign due", "date"), ("Marks", "int"), ("Exemption", "text"), ("Exemption ends", "date"),
                    ("Out on", "text"), ("Changed since", "bool"))
    return columns, [(r.rank, r.tier, r.apn, r.card_number, r.last_name, r.first_name, r.registered_at,
                      r.last_resign_on, r.resign_due_on, r.marks, label(r.exemption_reason), r.exemption_end,
                      r.out_on, r.changed_since) for r in report.rows]


def employers_by_contract_table(report: EmployersByContract) -> Table:
    columns = _cols(("Contract code", "text"), ("Employer", "text"), ("Active", "bool"), ("In force", "bool"),
                    ("Effective", "date"), ("Expires", "date"), ("City", "text"), ("Phone", "text"),
                    ("Contact", "text"), ("Contact phone", "text"), ("Worksites", "int"), ("Worksite names", "text"))
    return columns, [(r.contract_code, r.employer_name, r.active, r.in_force, r.effective_on, r.expires_on, r.city,
                      r.phone, r.contact, r.contact_phone, len(r.worksites), ", ".join(r.worksites))
                     for r in report.rows]


def member_jobs_table(report: MemberJobs) -> Table:
    columns = _cols(("Referral", "date"), ("Request", "text"), ("Book", "text"), ("Employer", "text"),
                    ("Worksite", "text"), ("Start", "date"), ("Start time", "text"), ("Open", "int"),
                    ("Position", "int"), ("Eligible now", "bool"), ("Why not", "text"),
                    ("Certifications required", "text"), ("Held", "text"), ("Missing", "text"))
    return columns, [(j.request.referral_date, j.request.number, j.request.book_name, j.request.employer_name,
                      j.request.worksite_name, j.request.start_on, j.request.start_time, j.request.open_places,
                      j.position, j.eligible, j.why_not, ", ".join(j.required), ", ".join(j.held),
                      ", ".join(j.missing)) for j in report.jobs]


def dues_statement_table(statement: DuesStatement) -> Table:
    columns = _cols(("Date", "date"), ("Entry", "text"), ("Receipt", "text"), ("Month", "date"),
                    ("Description", "text"), ("Amount", "decimal"), ("Counts", "bool"), ("Balance", "decimal"))
    opening = (statement.first_month, "Balance brought forward", None, None, None, None, True,
               statement.opening_balance)
    return columns, [opening] + [(line.on, entry_note(line), line.receipt_number, line.period, line.description,
                                  line.amount, line.counts, line.balance) for line in statement.lines]


def referral_history_table(rows: Iterable[ActivityRow]) -> Table:
    columns = _cols(("When", "datetime"), ("Book", "text"), ("Action", "text"), ("Change", "text"),
                    ("Request", "text"), ("By", "text"), ("Note", "text"))
    return columns, [(r.at, r.book_name, action_label(r.action), r.summary, r.request_number, r.staff_name, r.note)
                     for r in rows]


def receipts_table(receipts: Iterable[PaymentReceipt]) -> Table:
    columns = _cols(("Receipt", "text"), ("Date", "date"), ("Card", "text"), ("Member", "text"),
                    ("Amount", "decimal"), ("Method", "text"), ("Reference", "text"), ("Applied to", "text"),
                    ("Held as credit", "decimal"), ("Balance after", "decimal"), ("Paid through", "date"),
                    ("Standing", "text"), ("Posted by", "text"))
    return columns, [(r.receipt_number, r.paid_on, r.card_number, r.member_name, r.amount, label(r.method),
                      r.reference, ", ".join(f"{a.period:%b %Y} {a.amount:,.2f}" for a in r.applied), r.unapplied,
                      r.balance, r.paid_through, label(r.standing), r.posted_by) for r in receipts]


def daily_cash_table(cash: DailyCash) -> Table:
    columns = _cols(("Date", "date"), ("Method", "text"), ("Receipt", "text"), ("Card", "text"),
                    ("Member", "text"), ("Reference", "text"), ("Batch", "int"), ("Posted by", "text"),
                    ("Note", "text"), ("Amount", "decimal"))
    return columns, [(p.paid_on, label(p.method), p.receipt_number, p.card_number, p.member_name, p.reference,
                      p.batch_id, p.posted_by, payment_note(p), p.amount)
                     for p in sorted(cash.payments, key=lambda p: (p.method, p.receipt_number))]


def dues_summary_table(rows: Iterable[DuesSummaryRow]) -> Table:
    columns = _cols(("Month", "date"), ("Period", "text"), ("Billed", "int"), ("Paid in full", "int"),
                    ("Total due", "decimal"), ("Collected", "decimal"), ("Outstanding", "decimal"),
                    ("Collected %", "decimal"))
    return columns, [(r.period, label(r.status), r.members_billed, r.members_paid, r.total_due, r.collected,
                      r.outstanding, r.collection_pct) for r in rows]


def arrears_table(rows: Iterable[ArrearsRow]) -> Table:
    columns = _cols(("Card", "text"), ("Name", "text"), ("Classification", "text"), ("Status", "text"),
                    ("Months behind", "int"), ("Balance", "decimal"), ("Paid through", "date"),
                    ("Last payment", "date"), ("Last amount", "decimal"), ("Standing", "text"))
    return columns, [(r.card_number, r.name, label(r.classification), label(r.status), r.months_behind, r.balance,
                      r.paid_through, r.last_payment_on, r.last_payment_amount, label(r.standing)) for r in rows]


# --- referral and employment reports ----------------------------------------------------------------------------

def referral_summary_table(summary: ReferralSummary) -> Table:
    columns = _cols(("Day", "date"), ("Book", "text"), ("Book code", "text"),
                    *((h, "int") for h in SUMMARY_HEADERS), ("By name", "int"), ("Won by bid", "int"),
                    ("Answers", "int"), ("Open requests", "int"))
    return columns, [(summary.day, r.book_name, r.book_code, *(getattr(r, f) for f in SUMMARY_FIELDS), r.by_name,
                      r.via_bid, r.offers, r.open_requests) for r in summary.rows]


def bids_table(requests: Iterable[BidRequest]) -> Table:
    columns = _cols(("Referral date", "date"), ("Request", "text"), ("Book", "text"), ("Employer", "text"),
                    ("Worksite", "text"), ("Wanted", "int"), ("Sent", "int"), ("Request status", "text"),
                    ("Order", "int"), ("Place now", "int"), ("Walk turn", "int"), ("Tier", "int"),
                    ("APN", "decimal"), ("Card", "text"), ("Member", "text"), ("Bid received", "datetime"),
                    ("Source", "text"), ("Withdrawn", "bool"), ("Outcome", "text"), ("Mark issued", "bool"))
    rows = [(r.referral_date, r.number, r.book_name, r.employer_name, r.worksite_name, r.workers_requested,
             r.workers_dispatched, label(r.status), i, b.place_now, b.walk_turn, b.tier, b.apn, b.card_number,
             b.member_name, b.received_at, label(b.source), b.withdrawn, bid_outcome(b), b.mark_issued)
            for r in requests for i, b in enumerate(r.bids, start=1)]
    return columns, rows


def member_registrations_table(books: MemberBooks) -> Table:
    columns = _cols(("Card", "text"), ("Member", "text"), ("Book", "text"), ("Status", "text"), ("Position", "int"),
                    ("Tier", "int"), ("APN", "decimal"), ("Registered", "datetime"), ("Method", "text"),
                    ("Last re-sign", "date"), ("Re-sign due", "date"), ("Marks", "int"),
                    ("Restorations used", "int"), ("Exemption", "text"), ("Exemption from", "date"),
                    ("Exemption to", "date"), ("Re-register by", "datetime"))
    member = books.visit.detail
    name = f"{member.last_name}, {member.first_name}"
    return columns, [(member.card_number, name, r.book_name, registration_status(r), r.position, r.tier, r.apn,
                      r.registered_at, label(r.method), r.last_resign_on, r.resign_due_on, r.marks,
                      r.restorations_used, exemption_text(r), r.exemption_start, r.exemption_end, r.reregister_by)
                     for r in books.live]


def current_employees_table(data: CurrentEmployees) -> Table:
    columns = _cols(("Employer", "text"), ("Worksite", "text"), ("Card", "text"), ("Member", "text"),
                    ("Book", "text"), ("Request", "text"), ("Dispatched", "date"), ("Days out", "int"),
                    ("How", "text"), ("Status", "text"), ("Checked in", "datetime"))
    return columns, [(r.employer_name, r.worksite_name, r.card_number, r.member_name, r.book_name, r.request_number,
                      r.dispatch_date, days_out(r, data.today), dispatch_how(r), label(r.status), r.checked_in_at)
                     for r in data.rows]


def employment_history_table(history: MemberEmployment) -> Table:
    columns = _cols(("Card", "text"), ("Employer", "text"), ("Worksite", "text"), ("Job class", "text"),
                    ("Start", "date"), ("End", "date"), ("Reason", "text"), ("Days worked", "int"),
                    ("Hours worked", "decimal"), ("Book", "text"), ("Request", "text"), ("How", "text"))
    card = history.member.card_number
    return columns, [(card, r.employer_name, r.worksite_name, r.job_class, r.started_on, r.ended_on,
                      label(r.termination_reason), r.days_worked, r.hours_worked, r.book_name, r.request_number,
                      employment_how(r)) for r in history.rows]


def morning_sheet_table(sheet: MorningSheet) -> Table:
    columns = _cols(("Referral date", "date"), ("Book", "text"), ("Request", "text"), ("Employer", "text"),
                    ("Worksite", "text"), ("Start", "date"), ("Needs", "int"), ("Call", "text"), ("Rank", "int"),
                    ("Tier", "int"), ("APN", "decimal"), ("Name", "text"), ("Card", "text"), ("Phone", "text"),
                    ("Skipped", "text"))
    rows: list[tuple[Any, ...]] = []
    for book in sheet.books:
        for request in book.requests:
            r = request.request
            rows += [(sheet.day, book.name, r.number, r.employer_name, r.worksite_name, r.start_on, r.open_places,
                      call, line.rank, line.tier, line.apn, line.member_name, line.card_number, line.phone,
                      skip_text(line)) for call, line in sheet_calls(request)]
    return columns, rows


def check_marks_table(lines: Iterable[CheckMarkLine]) -> Table:
    columns = _cols(("Marked on", "date"), ("Book", "text"), ("Card", "text"), ("Last name", "text"),
                    ("First name", "text"), ("Reason", "text"), ("Request", "text"), ("Employer", "text"),
                    ("Removed", "bool"), ("Removal reason", "text"), ("Live marks now", "int"), ("Limit", "int"),
                    ("Reached limit", "bool"), ("Standing", "text"))
    return columns, [(m.marked_on, m.book_name, m.card_number, m.last_name, m.first_name, mark_reason(m),
                      m.request_number, m.employer_name, m.removed, m.removal_reason, m.live_marks, m.allowed,
                      m.reached_limit, mark_standing(m)) for m in lines]


__all__ = [
    "Table",
    "all_books_table",
    "arrears_table",
    "bids_table",
    "book_as_it_stood_table",
    "by_name_table",
    "check_marks_table",
    "current_employees_table",
    "daily_cash_table",
    "day_book_table",
    "dropped_table",
    "dues_statement_table",
    "dues_summary_table",
    "employers_by_contract_table",
    "employment_history_table",
    "fill_rate_table",
    "member_jobs_table",
    "member_registrations_table",
    "morning_sheet_table",
    "open_requests_table",
    "out_of_work_table",
    "receipts_table",
    "referral_history_table",
    "referral_summary_table",
    "resign_due_table",
    "terminations_table",
    "unemployed_counts_table",
]
