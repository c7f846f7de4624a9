"""The reports a manager can run from the Reports screen: what each asks for, how it loads, prints and exports.

Qt-free on purpose: `load` runs in a worker and calls the reports actions (domain/actions/reports.py), `pdf` and
`table` are the Qt-free report modules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from unioncore_desktop.domain.actions import Hall, reports
from unioncore_desktop.gui.roles import DUES_READERS, MANAGERS, REFERRAL_WRITERS
from unioncore_desktop.reports import ReportContext, tables
from unioncore_desktop.reports.base import label
from unioncore_desktop.reports.pdf import book_reports
from unioncore_desktop.reports.pdf import member_reports as member_pdf
from unioncore_desktop.reports.pdf import referral_reports as referral_pdf
from unioncore_desktop.reports.pdf.arrears import build_arrears_list
from unioncore_desktop.reports.pdf.daily_cash import build_daily_cash
from unioncore_desktop.reports.pdf.dues_summary import build_dues_summary
from unioncore_desktop.reports.pdf.out_of_work import build_all_books_list, build_out_of_work_list
from unioncore_desktop.reports.pdf.book_as_it_stood import build_book_as_it_stood
from unioncore_desktop.reports.pdf.dues_statement import build_dues_statement
from unioncore_desktop.reports.pdf.employer_contracts import build_employers_by_contract
from unioncore_desktop.reports.pdf.member_jobs import build_member_jobs
from unioncore_desktop.reports.pdf.referral_outcomes import build_by_name, build_fill_rate, build_terminations

BOOKS, DISPATCH, DUES = "Books", "Dispatch", "Dues"
GROUPS = (BOOKS, DISPATCH, DUES)
BOOK_ROLES = REFERRAL_WRITERS | MANAGERS
DUES_ROLES = DUES_READERS  # amounts: never a dispatcher's or an admin's

# Parameter kinds the screen knows how to ask for.
BOOK, ANY_BOOK, DAY, RANGE, DAYS, MEMBER, MONTHS, REASON, MIN_MONTHS, STANDING = (
    "book", "any_book", "day", "range", "days", "member", "months", "reason", "min_months", "standing")


@dataclass(frozen=True, slots=True)
class Params:
    """What the form holds; each report reads the fields it asked for."""

    book_id: int | None = None
    book_name: str = ""
    day: date | None = None
    start: date | None = None
    end: date | None = None
    days: int = 14
    member_id: int | None = None
    member_label: str = ""
    first_month: date | None = None
    last_month: date | None = None
    reason: str | None = None
    min_months: int = 1
    standing: str | None = None
    # the kinds in the block "more parameter kinds" below
    first_day: date | None = None
    last_day: date | None = None
    at: datetime | None = None  # naive: the hall's own clock time


@dataclass(frozen=True)
class ReportSpec:
    key: str
    group: str
    title: str
    description: str
    fields: tuple[str, ...]
    roles: frozenset[str]
    load: Callable[[Hall, Params], Any]                      # (hall, params) -> data, in a worker
    pdf: Callable[[Path, ReportContext, Any], Path]
    table: Callable[[Any], tables.Table]
    heading: Callable[[Params], str] | None = field(default=None)

    def title_for(self, params: Params) -> str:
        return self.heading(params) if self.heading else self.title


def describe(spec: ReportSpec, p: Params) -> list[tuple[str, str]]:
    """The parameters line printed on every page and logged with the run."""
    out: list[tuple[str, str]] = []
    for kind in spec.fields:
        if kind in (BOOK, ANY_BOOK):
            out.append(("Book", p.book_name or "all books"))
        elif kind == DAY:
            out.append(("Day", p.day.isoformat() if p.day else ""))
        elif kind == RANGE:
            out.append(("From", p.start.isoformat() if p.start else ""))
            out.append(("To", p.end.isoformat() if p.end else ""))
        elif kind == DAYS:
            out.append(("Within days", str(p.days)))
        elif kind == MEMBER:
            out.append(("Member", p.member_label))
        elif kind == MONTHS:
            out.append(("From month", p.first_month.strftime("%B %Y") if p.first_month else ""))
            out.append(("To month", p.last_month.strftime("%B %Y") if p.last_month else ""))
        elif kind == REASON:
            out.append(("Reason", label(p.reason) if p.reason else "all reasons"))
        elif kind == MIN_MONTHS:
            out.append(("At least months behind", str(p.min_months)))
        elif kind == STANDING:
            out.append(("Standing", label(p.standing) if p.standing else "all"))
        else:
            out += _describe_more(kind, p)
    return out


def validate(spec: ReportSpec, p: Params) -> dict[str, str]:
    """Messages by parameter kind, shown beside the field before anything runs."""
    errors: dict[str, str] = {}
    if BOOK in spec.fields and p.book_id is None:
        errors[BOOK] = "Pick a book."
    if DAY in spec.fields and p.day is None:
        errors[DAY] = "Enter a day."
    if RANGE in spec.fields and (p.start is None or p.end is None or p.start > p.end):
        errors[RANGE] = "The first day must be on or before the last day."
    if MEMBER in spec.fields and p.member_id is None:
        errors[MEMBER] = "Type a name or card number and pick the member from the list."
    if MONTHS in spec.fields and (p.first_month is None or p.last_month is None or p.first_month > p.last_month):
        errors[MONTHS] = "The first month must be on or before the last month."
    if DAYS in spec.fields and not 0 <= p.days <= 366:
        errors[DAYS] = "Between 0 and 366 days."
    errors.update(_validate_more(spec, p))
    return errors


# --- more parameter kinds: a range of days that defaults to one day, and a moment on the hall's clock -----------

DAY_RANGE, MOMENT = "day_range", "moment"


def _describe_more(kind: str, p: Params) -> list[tuple[str, str]]:
    if kind == DAY_RANGE:
        if p.first_day is not None and p.first_day == p.last_day:
            return [("Day", p.first_day.isoformat())]
        return [("From", p.first_day.isoformat() if p.first_day else ""),
                ("To", p.last_day.isoformat() if p.last_day else "")]
    if kind == MOMENT:
        return [("As it stood", f"{p.at:%Y-%m-%d %H:%M} hall time" if p.at else "")]
    return []


def _validate_more(spec: ReportSpec, p: Params) -> dict[str, str]:
    errors: dict[str, str] = {}
    if DAY_RANGE in spec.fields and (p.first_day is None or p.last_day is None or p.first_day > p.last_day):
        errors[DAY_RANGE] = "The first day must be on or before the last day."
    if MOMENT in spec.fields and p.at is None:
        errors[MOMENT] = "Enter a date and time."
    return errors


# --- loaders (worker side) -----------------------------------------------------------------------------------

T = TypeVar("T")


def _given(value: T | None) -> T:
    """A parameter `validate` requires: the screen runs no report without it."""
    assert value is not None
    return value


def _oow_pdf(path: Path, context: ReportContext, data: tuple[Any, list[Any]]) -> Path:
    return build_out_of_work_list(path, context, data[0], data[1])


SPECS: tuple[ReportSpec, ...] = (
    ReportSpec("out_of_work", BOOKS, "Out-of-Work List", "One book in queue order, tiers with subtotals.",
               (BOOK,), BOOK_ROLES, lambda h, p: reports.out_of_work(h, _given(p.book_id)), _oow_pdf,
               lambda data: tables.out_of_work_table(data[1]),
               heading=lambda p: f"Out-of-Work List — {p.book_name}"),
    ReportSpec("all_books", BOOKS, "All Books", "Every book's list in morning order, each on its own pages.",
               (), BOOK_ROLES, lambda h, _p: reports.all_books(h), build_all_books_list, tables.all_books_table),
    ReportSpec("unemployed", BOOKS, "Unemployed Counts", "Registered and not out on a job, book by tier.",
               (), BOOK_ROLES, lambda h, _p: reports.unemployed_counts(h), book_reports.build_unemployed_counts,
               tables.unemployed_counts_table),
    ReportSpec("resign_due", BOOKS, "Re-sign Due", "Who must re-sign within N days (overdue first).",
               (DAYS,), BOOK_ROLES, lambda h, p: reports.resign_due(h, p.days), book_reports.build_resign_due,
               tables.resign_due_table),
    ReportSpec("dropped", BOOKS, "Dropped", "Roll-offs in a date range, by reason.",
               (RANGE, REASON), BOOK_ROLES, lambda h, p: reports.dropped(h, _given(p.start), _given(p.end), p.reason),
               book_reports.build_dropped, tables.dropped_table),
    ReportSpec("referral_history", BOOKS, "Referral History", "Every registration change of one member.",
               (MEMBER,), BOOK_ROLES, lambda h, p: reports.referral_history(h, _given(p.member_id)),
               book_reports.build_referral_history, tables.referral_history_table,
               heading=lambda p: f"Referral History — {p.member_label}"),
    ReportSpec("open_requests", DISPATCH, "Open Requests", "Requests still needing workers, by referral morning.",
               (ANY_BOOK,), BOOK_ROLES, lambda h, p: reports.open_requests(h, p.book_id),
               book_reports.build_open_requests, tables.open_requests_table),
    ReportSpec("day_book", DISPATCH, "Day Book",
               "A day's dispatches, or a range's day by day, with totals by book and by employer.",
               (DAY_RANGE,), BOOK_ROLES, lambda h, p: reports.day_book(h, _given(p.first_day), p.last_day),
               book_reports.build_day_book, tables.day_book_table, heading=lambda p: f"Day Book — {_days(p)}"),
    ReportSpec("daily_cash", DUES, "Daily Cash", "A day's receipts by method, matching the deposit.",
               (DAY,), DUES_ROLES, lambda h, p: reports.daily_cash(h, _given(p.day)), build_daily_cash,
               tables.daily_cash_table),
    ReportSpec("dues_summary", DUES, "Dues Summary", "Billed, paid, collected and collection % by month.",
               (MONTHS,), DUES_ROLES,
               lambda h, p: reports.dues_summary(h, _given(p.first_month), _given(p.last_month)),
               build_dues_summary, tables.dues_summary_table),
    ReportSpec("arrears", DUES, "Arrears List", "Members behind on dues: months, balance, last payment.",
               (MIN_MONTHS, STANDING), DUES_ROLES,
               lambda h, p: reports.arrears(h, min_months=p.min_months, standing=p.standing),
               build_arrears_list, tables.arrears_table),
    # referral outcomes, the book at a past moment, employers by contract, one member's jobs and dues
    ReportSpec("fill_rate", DISPATCH, "Request Fill Rate",
               "Requests by book and employer: places needed, filled, cancelled, expired, open, and the fill rate.",
               (RANGE, ANY_BOOK), BOOK_ROLES,
               lambda h, p: reports.fill_rate(h, _given(p.start), _given(p.end), p.book_id),
               build_fill_rate, tables.fill_rate_table),
    ReportSpec("terminations", DISPATCH, "Terminations by Reason",
               "Dispatches ended in a date range, grouped by reason, with member, employer and dates.",
               (RANGE,), BOOK_ROLES, lambda h, p: reports.terminations(h, _given(p.start), _given(p.end)),
               build_terminations, tables.terminations_table),
    ReportSpec("by_name", DISPATCH, "By-Name Dispatches",
               "Forepersons sent by name (R13) in a date range, with the rule or exception each went under.",
               (RANGE,), BOOK_ROLES, lambda h, p: reports.by_name_dispatches(h, _given(p.start), _given(p.end)),
               build_by_name, tables.by_name_table),
    ReportSpec("employers_by_contract", DISPATCH, "Employers by Contract",
               "Each contract code: its employers, their worksites, contact and phone, active or not.",
               (), BOOK_ROLES, lambda h, _p: reports.employers_by_contract(h), build_employers_by_contract,
               tables.employers_by_contract_table),
    ReportSpec("book_as_it_stood", BOOKS, "Book As It Stood",
               "One book's list in the order it had at a chosen date and time (hall time).",
               (BOOK, MOMENT), BOOK_ROLES,
               lambda h, p: reports.book_as_it_stood(h, _given(p.book_id), _given(p.at)), build_book_as_it_stood,
               tables.book_as_it_stood_table,
               heading=lambda p: f"{p.book_name} As It Stood — {p.at:%Y-%m-%d %H:%M}" if p.at else "Book As It Stood"),
    ReportSpec("member_jobs", BOOKS, "Jobs for a Member",
               "Open requests on the books one member is qualified for: their place, eligible now, certifications.",
               (MEMBER,), BOOK_ROLES, lambda h, p: reports.member_jobs_today(h, _given(p.member_id)),
               build_member_jobs, tables.member_jobs_table,
               heading=lambda p: f"Jobs for {p.member_label}"),
    ReportSpec("dues_statement", DUES, "Dues Statement",
               "One member's charges, payments with receipt numbers and adjustments over months, running balance.",
               (MEMBER, MONTHS), DUES_ROLES,
               lambda h, p: reports.member_dues_statement(h, _given(p.member_id), _given(p.first_month),
                                                          _given(p.last_month)),
               build_dues_statement, tables.dues_statement_table,
               heading=lambda p: f"Dues Statement — {p.member_label}"),
)


def _days(p: Params) -> str:
    if p.first_day is None:
        return ""
    if p.last_day is None or p.last_day == p.first_day:
        return p.first_day.isoformat()
    return f"{p.first_day.isoformat()} to {p.last_day.isoformat()}"
# --- referral, member and employment reports ---------------------------------------------------------------------
# Dispatchers and managers (BOOK_ROLES): none of these shows an amount.

def _day_heading(title: str) -> Callable[[Params], str]:
    return lambda p: f"{title} \u2014 {p.day.isoformat() if p.day else ''}"


def _member_heading(title: str) -> Callable[[Params], str]:
    return lambda p: f"{title} \u2014 {p.member_label}"


REFERRAL_SPECS: tuple[ReportSpec, ...] = (
    ReportSpec("referral_summary", DISPATCH, "Daily Referral Summary",
               "A day per book: registered and unemployed, requests taken, dispatched, refused, marks, open places.",
               (DAY,), BOOK_ROLES, lambda h, p: reports.referral_summary(h, _given(p.day)),
               referral_pdf.build_referral_summary, tables.referral_summary_table,
               heading=_day_heading("Daily Referral Summary")),
    ReportSpec("morning_sheet", DISPATCH, "Morning Referral Sheet",
               "A referral morning on paper: each book's requests with the next eligible members to call.",
               (DAY, ANY_BOOK), BOOK_ROLES, lambda h, p: reports.morning_sheet(h, _given(p.day), p.book_id),
               referral_pdf.build_morning_sheet, tables.morning_sheet_table,
               heading=_day_heading("Morning Referral Sheet")),
    ReportSpec("bids", DISPATCH, "Bids", "Requests posted for bids and the bids on each, in list order, with outcome.",
               (RANGE, ANY_BOOK), BOOK_ROLES,
               lambda h, p: reports.bids(h, _given(p.start), _given(p.end), p.book_id), referral_pdf.build_bids,
               tables.bids_table),
    ReportSpec("current_employees", DISPATCH, "Current Employees",
               "Everyone out on a job now, by employer and worksite, with counts.",
               (), BOOK_ROLES, lambda h, _p: reports.current_employees(h), member_pdf.build_current_employees,
               tables.current_employees_table),
    ReportSpec("check_marks", BOOKS, "Check Marks",
               "Marks issued in a date range by book and member, and who reached the roll-off limit.",
               (RANGE, ANY_BOOK), BOOK_ROLES,
               lambda h, p: reports.check_marks(h, _given(p.start), _given(p.end), p.book_id),
               referral_pdf.build_check_marks, tables.check_marks_table),
    ReportSpec("member_registrations", BOOKS, "Member Registrations",
               "One member's books: position, APN, tier, re-sign dates, marks, exemptions.",
               (MEMBER,), BOOK_ROLES, lambda h, p: reports.member_registrations(h, _given(p.member_id)),
               member_pdf.build_member_registrations, tables.member_registrations_table,
               heading=_member_heading("Member Registrations")),
    ReportSpec("employment_history", BOOKS, "Employment History",
               "One member's jobs: employer, worksite, dates, reason, book and request; days worked.",
               (MEMBER,), BOOK_ROLES, lambda h, p: reports.employment_history(h, _given(p.member_id)),
               member_pdf.build_employment_history, tables.employment_history_table,
               heading=_member_heading("Employment History")),
)
# The screen lists each group in the order a hall reaches for them: the daily paper first, one member's last.
ORDER = ("out_of_work", "all_books", "unemployed", "resign_due", "book_as_it_stood", "dropped", "check_marks",
         "referral_history", "member_registrations", "employment_history", "member_jobs",
         "morning_sheet", "referral_summary", "day_book", "open_requests", "fill_rate", "bids", "by_name",
         "terminations", "current_employees", "employers_by_contract",
         "daily_cash", "dues_summary", "arrears", "dues_statement")
SPECS = tuple(sorted((*SPECS, *REFERRAL_SPECS), key=lambda s: ORDER.index(s.key)))


def specs_for(roles: frozenset[str]) -> list[ReportSpec]:
    """The reports this login may run; the database grants decide in the end, this only hides the rest."""
    return [s for s in SPECS if s.roles & roles]
