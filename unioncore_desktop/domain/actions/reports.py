"""Reports: the choices the reports screen offers, the data of each report, and the audit row of every run."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from unioncore_desktop.domain.actions import Hall
from unioncore_desktop.domain.queries import (
    book_history,
    books,
    dispatch,
    dues,
    dues_statement,
    employer_contracts,
    member_jobs,
    referral_outcomes,
    requests,
)
from unioncore_desktop.domain.queries import employment_reports as employment_q
from unioncore_desktop.domain.queries import referral_reports as referral_q
from unioncore_desktop.domain.queries.hall import HallFacts
from unioncore_desktop.domain.queries.morning_sheet import MorningSheet
from unioncore_desktop.domain.services import morning_sheet as sheet
from unioncore_desktop.domain.services import report_runs


def start_report(hall: Hall, title: str, kind: str, parameters: Sequence[tuple[str, str]], *,
                 report: str | None = None) -> HallFacts:
    """Log the run (who printed what; `report`: the Reports screen's key) and return the facts printed on every
    page."""
    return report_runs.start_report(hall.uow(), title=title, kind=kind, parameters=parameters, report=report)


def setup(hall: Hall) -> books.BooksToday:
    return hall.read(books.books_today)


def out_of_work(hall: Hall, book_id: int) -> tuple[books.BookSummary, list[books.BookListRow]]:
    return hall.read(books.out_of_work_list, book_id)


def all_books(hall: Hall) -> list[tuple[books.BookSummary, list[books.BookListRow]]]:
    return hall.read(books.all_books_lists)


def unemployed_counts(hall: Hall) -> list[books.UnemployedCount]:
    return hall.read(books.unemployed_counts)


def resign_due(hall: Hall, within_days: int) -> list[books.ResignDueRow]:
    return hall.read(books.resign_due, within_days)


def dropped(hall: Hall, start: date, end: date, reason: str | None) -> list[books.DroppedRow]:
    return hall.read(books.dropped, start, end, reason)


def referral_history(hall: Hall, member_id: int) -> list[books.ActivityRow]:
    return hall.read(books.referral_history, member_id)


def open_requests(hall: Hall, book_id: int | None) -> list[requests.RequestRow]:
    return hall.read(requests.open_requests, book_id=book_id)


def day_book(hall: Hall, day: date, last_day: date | None = None) -> dispatch.DayBook:
    return hall.read(dispatch.day_book, day, last_day)


def daily_cash(hall: Hall, day: date) -> dues.DailyCash:
    return hall.read(dues.daily_cash, day)


def dues_summary(hall: Hall, first_month: date, last_month: date) -> list[dues.DuesSummaryRow]:
    return hall.read(dues.dues_summary, first_month, last_month)


def arrears(hall: Hall, *, min_months: int, standing: str | None) -> list[dues.ArrearsRow]:
    return hall.read(dues.arrears_list, min_months=min_months, standing=standing)


# --- referral outcomes, the book at a past moment, employers by contract, one member's jobs and dues -----------

def fill_rate(hall: Hall, start: date, end: date, book_id: int | None = None) -> referral_outcomes.FillRate:
    return hall.read(referral_outcomes.fill_rate, start, end, book_id)


def terminations(hall: Hall, start: date, end: date) -> list[referral_outcomes.TerminationRow]:
    return hall.read(referral_outcomes.terminations, start, end)


def by_name_dispatches(hall: Hall, start: date, end: date) -> list[referral_outcomes.ByNameRow]:
    return hall.read(referral_outcomes.by_name_dispatches, start, end)


def book_as_it_stood(hall: Hall, book_id: int, at: datetime) -> book_history.BookAsItStood:
    return hall.read(book_history.book_as_it_stood, book_id, at)


def employers_by_contract(hall: Hall) -> employer_contracts.EmployersByContract:
    return hall.read(employer_contracts.employers_by_contract)


def member_jobs_today(hall: Hall, member_id: int) -> member_jobs.MemberJobs:
    return hall.read(member_jobs.member_jobs, member_id)


def member_dues_statement(hall: Hall, member_id: int, first_month: date,
                          last_month: date) -> dues_statement.DuesStatement:
    return hall.read(dues_statement.dues_statement, member_id, first_month, last_month)
# --- referral and employment reports ----------------------------------------------------------------------------

def referral_summary(hall: Hall, day: date) -> referral_q.ReferralSummary:
    return hall.read(referral_q.referral_summary, day)


def bids(hall: Hall, start: date, end: date, book_id: int | None) -> list[referral_q.BidRequest]:
    return hall.read(referral_q.bid_report, start, end, book_id)


def member_registrations(hall: Hall, member_id: int) -> referral_q.MemberBooks:
    return hall.read(referral_q.member_books, member_id)


def current_employees(hall: Hall) -> dispatch.CurrentEmployees:
    return hall.read(dispatch.current_employees)


def employment_history(hall: Hall, member_id: int) -> employment_q.MemberEmployment:
    return hall.read(employment_q.member_employment, member_id)


def morning_sheet(hall: Hall, day: date, book_id: int | None) -> MorningSheet:
    return hall.read(sheet.morning_sheet, day, book_id=book_id)


def check_marks(hall: Hall, start: date, end: date, book_id: int | None) -> list[referral_q.CheckMarkLine]:
    return hall.read(referral_q.check_mark_report, start, end, book_id)
