"""Referral-outcome, past-list, employer, member-jobs and dues-statement reports built from a seeded hall's real
query output, read back with pdftotext (names, numbers, totals) and as workbooks with typed cells."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import text

from tests.reports.seeded_hall import SeededHall, seeded_hall
from unioncore_desktop.domain.queries import book_history, dispatch, dues_statement, employer_contracts, member_jobs
from unioncore_desktop.domain.queries import referral_outcomes as outcomes
from unioncore_desktop.domain.queries.books import book_list
from unioncore_desktop.domain.rules.dues import add_months, month_start
from unioncore_desktop.reports import export_table, tables
from unioncore_desktop.reports.pdf.book_as_it_stood import build_book_as_it_stood
from unioncore_desktop.reports.pdf.book_reports import build_day_book
from unioncore_desktop.reports.pdf.dues_statement import build_dues_statement
from unioncore_desktop.reports.pdf.employer_contracts import build_employers_by_contract
from unioncore_desktop.reports.pdf.member_jobs import build_member_jobs
from unioncore_desktop.reports.pdf.referral_outcomes import build_by_name, build_fill_rate, build_terminations


@pytest.fixture(scope="module")
def hall(pg_server, template_db) -> Iterator[SeededHall]:
    yield from seeded_hall(pg_server, template_db)


@pytest.fixture
def session(hall):
    with hall.session() as s:
        yield s


@pytest.fixture
def ctx(context):
    return replace(context, time_zone="America/Los_Angeles")


def flat(printed: str) -> str:
    """pdftotext's layout with runs of spaces made one: wrapped cells are read as words."""
    return re.sub(r"[ \t]+", " ", printed)


def workbook(tmp_path, table, name: str):
    columns, rows = table
    assert rows and all(len(row) == len(columns) for row in rows)
    path = export_table(tmp_path / f"{name}.xlsx", title=name, columns=columns, rows=rows)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert sheet.max_row == len(rows) + 1
    return sheet, [c.value for c in sheet[1]]


def column(sheet, header: list[str], name: str) -> list:
    index = header.index(name) + 1
    return [sheet.cell(r, index) for r in range(2, sheet.max_row + 1)]


# --- 1. labor request status with fill rate --------------------------------------------------------------------

def test_fill_rate_by_book_and_employer_with_totals(tmp_path, ctx, poppler, hall, session):
    start, end = hall.today - timedelta(days=45), hall.today
    report = outcomes.fill_rate(session, start, end)
    needed, filled, cancelled, expired, open_ = session.execute(text("""
        SELECT sum(workers_requested), sum(workers_dispatched),
               sum(workers_requested - workers_dispatched) FILTER (WHERE status = 'cancelled'),
               sum(workers_requested - workers_dispatched) FILTER (WHERE status = 'expired'),
               sum(workers_requested - workers_dispatched) FILTER (WHERE status IN ('open', 'partially_filled'))
        FROM labor_requests WHERE referral_date BETWEEN :s AND :e"""), {"s": start, "e": end}).one()
    assert (report.needed, report.filled) == (needed, filled) and cancelled >= 3 and expired > 0
    path = build_fill_rate(tmp_path / "fill.pdf", replace(ctx, title="Request Fill Rate"), report)
    printed = poppler.text(path)
    assert re.search(r"Employer\s+Requests\s+Needed\s+Filled\s+Cancelled\s+Expired\s+Open\s+Fill rate", printed)
    rate = f"{Decimal(filled) * 100 / Decimal(needed):.1f}%"
    assert re.search(rf"Total\s+\d+\s+{needed:,}\s+{filled:,}\s+{cancelled:,}\s+{expired:,}\s+{open_:,}\s+"
                     rf"{re.escape(rate)}", printed)
    acme = next(r for r in report.rows if r.book_name == "WIRE SEATTLE" and r.cancelled)
    assert re.search(rf"{re.escape(acme.employer_name)}\s+{acme.requests}\s+{acme.needed}\s+{acme.filled}\s+"
                     rf"{acme.cancelled}\s+{acme.expired}\s+{acme.open}\b", printed)
    assert "WIRE SEATTLE total" in printed and re.search(rf"Places needed\s+{needed:,}", printed)
    assert re.search(r"Cancelled\s+1\n", printed)  # requests by status: the one cancelled
    sheet, header = workbook(tmp_path, tables.fill_rate_table(report), "fill")
    assert header[:4] == ["Book", "Employer", "Requests", "Needed"]
    assert sum(c.value for c in column(sheet, header, "Needed")) == needed
    assert all(isinstance(c.value, int) for c in column(sheet, header, "Filled"))
    assert column(sheet, header, "Fill rate %")[0].number_format == "#,##0.00"
    seattle = next(r.book_id for r in report.rows if r.book_name == "WIRE SEATTLE")
    one = outcomes.fill_rate(session, start, end, seattle)
    assert {r.book_name for r in one.rows} == {"WIRE SEATTLE"}
    assert one.needed == sum(r.needed for r in report.rows if r.book_id == seattle)


# --- 2. terminations by reason ----------------------------------------------------------------------------------

def test_terminations_grouped_by_reason(tmp_path, ctx, poppler, hall, session):
    rows = outcomes.terminations(session, hall.today - timedelta(days=7), hall.today)
    assert sorted(r.reason for r in rows) == ["laid_off", "rif"]
    path = build_terminations(tmp_path / "t.pdf", replace(ctx, title="Terminations by Reason"), rows)
    printed = poppler.text(path)
    assert printed.index("Laid off") < printed.index("RIF")
    for r in rows:
        line = next(x for x in printed.splitlines() if r.card_number in x and r.member_name in x)
        assert r.employer_name in line and r.request_number in line and hall.today.isoformat() in line
        assert re.search(r"\b8\.00\b", line)  # hours worked
    assert "Laid off: 1 ended" in printed and "RIF: 1 ended" in printed
    assert "All reasons: 2 ended" in printed and re.search(r"Dispatches ended\s+2\n", printed)
    sheet, header = workbook(tmp_path, tables.terminations_table(rows), "t")
    assert column(sheet, header, "Ended")[0].is_date and column(sheet, header, "Hours")[0].value == 8
    assert {c.value for c in column(sheet, header, "Reason")} == {"Laid off", "RIF"}


# --- 3. by-name dispatches --------------------------------------------------------------------------------------

def test_by_name_dispatches_with_the_rule_used(tmp_path, ctx, poppler, hall, session):
    rows = outcomes.by_name_dispatches(session, hall.today - timedelta(days=7), hall.today)
    assert [r.request_number for r in rows] == [hall.by_name_request]
    row = rows[0]
    path = build_by_name(tmp_path / "n.pdf", replace(ctx, title="By-Name Dispatches"), rows)
    printed = flat(poppler.text(path))
    line = next(x for x in printed.splitlines() if row.card_number in x)
    assert row.member_name in line and row.employer_name in line and hall.by_name_request in line
    assert f"T{row.tier} {row.apn:.2f}" in line
    for words in ("R13 foreperson by name", "attested not solicited", "PLA terms (R4)", "Named by the employer"):
        assert all(word in printed for word in words.split())
    assert "1 by name" in printed and re.search(r"By-name dispatches 1\n", printed)
    sheet, header = workbook(tmp_path, tables.by_name_table(rows), "n")
    assert column(sheet, header, "Attested")[0].value is True
    assert column(sheet, header, "APN")[0].value == float(row.apn)
    assert column(sheet, header, "Dispatched")[0].is_date


# --- 4. the book as it stood ------------------------------------------------------------------------------------

def test_the_book_as_it_stood_this_morning_and_now(tmp_path, ctx, poppler, hall, session):
    book = session.execute(text("SELECT id FROM books WHERE code = 'WIRE_SEATTLE'")).scalar_one()
    now = session.execute(text("SELECT (now() AT TIME ZONE 'America/Los_Angeles') + interval '1 minute'")).scalar()
    current = book_history.book_as_it_stood(session, book, now.replace(second=0, microsecond=0))
    # the books screen's list, but for places registered later than the moment (the demo seeds today's sign-ons
    # from 09:05 on, ahead of a run just after midnight)
    listed = [r for r in book_list(session, book) if r.registered_at <= current.at]
    assert [r.registration_id for r in current.rows] == [r.registration_id for r in listed]
    assert [r.rank for r in current.rows] == list(range(1, len(listed) + 1))

    morning = book_history.book_as_it_stood(session, book, datetime.combine(hall.today, time(0, 0)))
    assert morning.at.astimezone(ctx.zone).time() == time(0, 0)
    foreperson = next(r for r in morning.rows if r.member_id == hall.by_name_member)  # sent by name since
    assert foreperson.changed_since and hall.by_name_member not in {r.member_id for r in current.rows}
    path = build_book_as_it_stood(tmp_path / "s.pdf", replace(ctx, title="WIRE SEATTLE As It Stood"), morning)
    printed = poppler.text(path)
    assert f"WIRE SEATTLE (WIRE_SEATTLE) as it stood {hall.today:%a %Y-%m-%d} 00:00 PST" in printed
    first = morning.rows[0]
    assert re.search(rf"^\s*1\s+{first.apn:.2f}\s+{re.escape(first.display_name)}\s+{first.card_number}\s+"
                     rf"{first.tier}\b", printed, re.M)
    line = next(x for x in printed.splitlines() if foreperson.card_number in x)
    assert line.rstrip().endswith("changed") and re.match(rf"\s*{foreperson.rank}\s", line)
    assert re.search(rf"Book total\s+{len(morning.rows):,} registered", printed)
    assert re.search(rf"Registered then\s+{len(morning.rows):,}\n", printed)
    sheet, header = workbook(tmp_path, tables.book_as_it_stood_table(morning), "s")
    assert [c.value for c in column(sheet, header, "Rank")] == list(range(1, len(morning.rows) + 1))
    assert column(sheet, header, "Registered")[0].is_date and column(sheet, header, "APN")[0].data_type == "n"


# --- 5. employers by contract -----------------------------------------------------------------------------------

def test_employers_by_contract_code(tmp_path, ctx, poppler, session):
    report = employer_contracts.employers_by_contract(session)
    codes = dict(report.codes)
    assert "WIREPERSON" in codes and report.rows
    path = build_employers_by_contract(tmp_path / "e.pdf", replace(ctx, title="Employers by Contract"), report)
    printed = poppler.text(path)
    for code, description in report.codes:
        employers = {r.employer_id for r in report.rows if r.contract_code == code}
        active = {r.employer_id for r in report.rows if r.contract_code == code and r.active and r.in_force}
        assert f"{code} — {description}" in printed
        block = printed[printed.index(f"{code} — {description}"):]
        if employers:
            assert re.search(rf"Total: {len(employers)} employers\s+{len(active)} active now", block)
        else:
            assert block.index("No employer on this code") < block.index("\n\n")
    row = next(r for r in report.rows if r.contact and r.worksites)
    line = next(x for x in printed.splitlines() if row.employer_name in x and (row.phone or "") in x)
    assert row.contact_phone in line and row.effective_on.isoformat() in line
    assert re.search(rf"Employer–contract links\s+{len(report.rows)}\n", printed)
    sheet, header = workbook(tmp_path, tables.employers_by_contract_table(report), "e")
    assert column(sheet, header, "Effective")[0].is_date and isinstance(column(sheet, header, "Active")[0].value, bool)
    assert all(isinstance(c.value, int) for c in column(sheet, header, "Worksites"))


# --- 6. a member's dues statement -------------------------------------------------------------------------------

def test_dues_statement_of_one_member(tmp_path, ctx, poppler, session):
    member = session.execute(text("SELECT id FROM members WHERE card_number = '7464416'")).scalar_one()
    today = session.execute(text("SELECT uc_hall_today()")).scalar_one()
    first, last = add_months(month_start(today), -5), month_start(today)
    statement = dues_statement.dues_statement(session, member, first, last)
    owed_before = session.execute(text("""
        SELECT coalesce((SELECT sum(amount) FROM dues_charges WHERE member_id = :m AND period < :f), 0)
             - coalesce((SELECT sum(amount) FROM payments WHERE member_id = :m AND paid_on < :f), 0)
             + coalesce((SELECT sum(j.amount) FROM dues_adjustments j WHERE j.member_id = :m
                           AND j.status = 'approved' AND j.decided_at < :f), 0)"""),
        {"m": member, "f": first}).scalar_one()
    assert statement.opening_balance == owed_before
    payments = [line for line in statement.lines if line.kind == "payment"]
    assert payments and all(line.receipt_number for line in payments)
    path = build_dues_statement(tmp_path / "d.pdf", replace(ctx, title="Dues Statement — Smith, John (7464416)"),
                                statement)
    printed = poppler.text(path)
    assert "Smith, John · card 7464416 · Journeyman · Active" in printed
    assert re.search(rf"Balance brought forward from before {first:%B %Y}\s+{statement.opening_balance:,.2f}",
                     printed)
    for line in payments:
        assert re.search(rf"{line.on.isoformat()}\s+Payment\s+{line.receipt_number}\s+.*{-line.amount:,.2f}",
                         printed)
    assert re.search(rf"Closing balance\s+{statement.closing_balance:,.2f}", printed)
    assert re.search(rf"Dues charged\s+{statement.total('charge'):,.2f}", printed)
    paid = statement.summary.paid_through
    assert re.search(rf"Paid through \(today\)\s+{paid:%B %Y}" if paid else r"Paid through \(today\)\s+never", printed)
    sheet, header = workbook(tmp_path, tables.dues_statement_table(statement), "d")
    amounts = column(sheet, header, "Amount")
    assert sum(c.value for c in amounts[1:] if c.value is not None) == pytest.approx(
        float(statement.closing_balance - statement.opening_balance))
    assert amounts[1].number_format == "#,##0.00" and column(sheet, header, "Date")[1].is_date


# --- 7. jobs a member is qualified for --------------------------------------------------------------------------

def test_jobs_a_member_could_take_today(tmp_path, ctx, poppler, hall, session):
    """The first on WIRE SEATTLE who was not sent today may take the jobs; the one laid off today may not."""
    member = session.execute(text("""
        SELECT g.member_id FROM registrations g JOIN books b ON b.id = g.book_id
        WHERE b.code = 'WIRE_SEATTLE' AND g.status = 'registered' AND g.exemption_reason IS NULL
          AND NOT g.member_id = ANY(:sent)
        ORDER BY g.tier, g.apn LIMIT 1"""), {"sent": list(hall.ended_members)}).scalar_one()
    report = member_jobs.member_jobs(session, member)
    seattle = next(b for b in report.books if b.book_code == "WIRE_SEATTLE")
    assert seattle.status == "registered" and seattle.position is not None
    assert report.jobs and {j.request.book_id for j in report.jobs} <= {b.book_id for b in report.books}
    assert report.eligible_count > 0
    path = build_member_jobs(tmp_path / "j.pdf", replace(ctx, title="Jobs for a member"), report)
    printed = flat(poppler.text(path))
    assert f"{report.member_name} · card {report.card_number}" in printed
    assert re.search(rf"WIRE SEATTLE 1 Registered 1 {seattle.position} \d+", printed)
    for job in report.jobs:
        line = next(x for x in printed.splitlines() if job.request.number in x)
        assert re.search(rf" {job.request.open_places} {job.position} {'Yes' if job.eligible else 'No'}\b", line)
        assert all(skill in line for skill in job.required)
    assert re.search(rf"{len(report.jobs)} open requests .* {report.eligible_count} eligible now", printed)
    sheet, header = workbook(tmp_path, tables.member_jobs_table(report), "j")
    assert all(isinstance(c.value, bool) for c in column(sheet, header, "Eligible now"))
    assert column(sheet, header, "Referral")[0].is_date
    assert column(sheet, header, "Position")[0].value == seattle.position

    sent = member_jobs.member_jobs(session, hall.ended_members[0])  # sent and laid off today: not again today
    assert sent.jobs and not sent.eligible_count
    sent_text = flat(poppler.text(build_member_jobs(tmp_path / "sent.pdf", ctx, sent)))
    assert "already dispatched today" in sent_text.replace("\n", " ") or all(
        word in sent_text for word in ("already", "dispatched", "today"))


# --- 8. the Day Book over a range -------------------------------------------------------------------------------

def test_day_book_over_two_days_with_day_subtotals(tmp_path, ctx, poppler, hall, session):
    one = dispatch.day_book(session, hall.today)
    assert one.one_day and one.total == 2  # the foreperson and the RIF; the layoff was the day before
    days = dispatch.day_book(session, hall.today - timedelta(days=6), hall.today)
    assert not days.one_day and days.total == 3
    path = build_day_book(tmp_path / "db.pdf", replace(ctx, title="Day Book"), days)
    printed = poppler.text(path)
    dates = sorted({r.dispatch_date for r in days.rows})
    assert len(dates) == 2
    assert printed.index(f"{dates[0]:%Y-%m-%d %a}") < printed.index(f"{dates[1]:%Y-%m-%d %a}")
    assert f"{dates[0].isoformat()}: 1 dispatch\n" in printed.replace("  ", "") or re.search(
        rf"{dates[0].isoformat()}: 1 dispatch\b", printed)
    assert re.search(rf"{dates[1].isoformat()}: 2 dispatches", printed) and "3 dispatches" in printed
    assert f"Totals by book over {days.day.isoformat()} – {hall.today.isoformat()}" in printed
    assert re.search(r"WIRE SEATTLE\s+3\n", printed) and re.search(r"By name \(R13\)\s+1\n", printed)
    assert re.search(r"Days with dispatches\s+2\n", printed)
    one_text = poppler.text(build_day_book(tmp_path / "one.pdf", ctx, one))
    assert "2 dispatches" in one_text and "dispatch\n" not in one_text and "Days with dispatches" not in one_text
    sheet, header = workbook(tmp_path, tables.day_book_table(days), "db")
    assert [c.value.date() for c in column(sheet, header, "Day")] == sorted(r.dispatch_date for r in days.rows)


def test_empty_ranges_say_so(tmp_path, ctx, poppler):
    far = date(2001, 1, 1)
    empty_fill = outcomes.FillRate(far, far, (), ())
    assert "No labor request was worked in this period." in poppler.text(build_fill_rate(tmp_path / "f.pdf", ctx,
                                                                                         empty_fill))
    assert "No dispatch ended in this period." in poppler.text(build_terminations(tmp_path / "t.pdf", ctx, []))
    assert "No one was dispatched by name" in poppler.text(build_by_name(tmp_path / "n.pdf", ctx, []))


def test_one_page_of_each_renders(tmp_path, ctx, poppler, hall, session):
    """A picture of each report's first page (kept beside the test's files for a look)."""
    book = session.execute(text("SELECT id FROM books WHERE code = 'WIRE_SEATTLE'")).scalar_one()
    member = session.execute(text("SELECT id FROM members WHERE card_number = '7464416'")).scalar_one()
    start = hall.today - timedelta(days=30)
    built = [
        build_fill_rate(tmp_path / "fill.pdf", ctx, outcomes.fill_rate(session, start, hall.today)),
        build_terminations(tmp_path / "term.pdf", ctx, outcomes.terminations(session, start, hall.today)),
        build_by_name(tmp_path / "byname.pdf", ctx, outcomes.by_name_dispatches(session, start, hall.today)),
        build_book_as_it_stood(tmp_path / "stood.pdf", ctx, book_history.book_as_it_stood(
            session, book, datetime.combine(hall.today, time(0, 0)))),
        build_employers_by_contract(tmp_path / "emp.pdf", ctx, employer_contracts.employers_by_contract(session)),
        build_dues_statement(tmp_path / "dues.pdf", ctx, dues_statement.dues_statement(
            session, member, add_months(month_start(hall.today), -3), month_start(hall.today))),
        build_member_jobs(tmp_path / "jobs.pdf", ctx, member_jobs.member_jobs(session, hall.by_name_member)),
        build_day_book(tmp_path / "daybook.pdf", ctx, dispatch.day_book(session, start, hall.today)),
    ]
    for path in built:
        png = poppler.png(path, path.with_suffix(""))
        assert png.stat().st_size > 10_000, path.name
