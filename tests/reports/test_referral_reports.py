"""The referral, member and employment reports built from a seeded demo hall (its month of dispatches, offer
lines and marks, open requests and bids, employment history), read back with pdftotext and openpyxl: the
names, numbers and totals the database holds, and typed cells in the Excel."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

import openpyxl
import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session, sessionmaker

from unioncore_desktop.domain.queries.dispatch import current_employees
from unioncore_desktop.domain.queries.employment_reports import member_employment
from unioncore_desktop.domain.queries.referral_reports import (
    bid_report,
    check_mark_report,
    member_books,
    referral_summary,
)
from unioncore_desktop.domain.services.dispatch import dispatch_next_accepting
from unioncore_desktop.domain.services.morning_sheet import morning_sheet
from unioncore_desktop.domain.services.walk import preview_walk
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.reports import export_table, tables
from unioncore_desktop.reports.pdf.member_reports import (
    build_current_employees,
    build_employment_history,
    build_member_registrations,
)
from unioncore_desktop.reports.pdf.referral_reports import (
    build_bids,
    build_check_marks,
    build_morning_sheet,
    build_referral_summary,
)
from unioncore_desktop.seed.demo import seed_demo

MEMBERS = 4000  # the demo hall: its dispatch pool (pool members 2,135 on) sends a month of calls


@pytest.fixture(scope="module")
def hall(pg_server, template_db) -> Iterator[Engine]:  # noqa: ANN001 - conftest fixtures
    """One demo hall for the module (seeding takes seconds); tests read it, or write inside a rolled-back
    transaction."""
    from tests.conftest import DatabaseFactory

    factory = DatabaseFactory(pg_server, template_db)
    engine = factory.engine(factory.create())
    seed_demo(engine, members=MEMBERS, employers=120, jobs_per_member=3)
    yield engine
    engine.dispose()
    factory.drop_all()


@pytest.fixture
def conn(hall: Engine) -> Iterator[Connection]:
    """A connection whose writes are rolled back after the test."""
    with hall.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


@pytest.fixture
def session(conn: Connection) -> Session:
    return Session(bind=conn, join_transaction_mode="create_savepoint")


def scalar(conn: Connection, sql: str, **params: object) -> object:
    return conn.execute(text(sql), params).scalar_one()


def pdf_text(poppler, path) -> str:  # noqa: ANN001 - the conftest helper
    return poppler.text(path)


def number(value: int) -> str:
    return f"{value:,}"


def xlsx(tmp_path, name, table, context):  # noqa: ANN001, ANN201
    columns, rows = table
    path = export_table(tmp_path / f"{name}.xlsx", title=name, columns=columns, rows=rows, context=context)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header == [c.header for c in columns] and sheet.max_row == len(rows) + 1
    return sheet, header


def column(sheet, header, name):  # noqa: ANN001, ANN201
    index = header.index(name) + 1
    return [sheet.cell(r, index) for r in range(2, sheet.max_row + 1)]


# --- the daily referral summary --------------------------------------------------------------------------------

def test_daily_referral_summary_counts_the_day_by_book(tmp_path, context, poppler, conn, session):
    day = scalar(conn, "SELECT max(dispatch_date) FROM dispatches")
    summary = referral_summary(session, day)
    sent = dict(conn.execute(text("SELECT b.name, count(*) FROM dispatches d JOIN books b ON b.id = d.book_id "
                                  "WHERE d.dispatch_date = :d GROUP BY b.name"), {"d": day}).all())
    assert sent and {r.book_name: r.dispatched for r in summary.rows if r.dispatched} == sent
    marks = scalar(conn, "SELECT count(*) FROM check_marks WHERE marked_on = :d", d=day)
    registered = scalar(conn, "SELECT count(*) FROM registrations WHERE status = 'registered'")
    assert summary.total("marks") == marks and summary.total("registered") == registered
    seattle = next(r for r in summary.rows if r.book_code == "WIRE_SEATTLE")
    assert seattle.requests_worked >= 1 and seattle.registered > 500

    path = build_referral_summary(tmp_path / "summary.pdf", replace(
        context, title=f"Daily Referral Summary — {day}", parameters=[("Day", day.isoformat())]), summary)
    printed = pdf_text(poppler, path)
    assert f"Daily Referral Summary — {day}" in printed and "Page 1 of 1" in printed
    assert re.search(r"Book\s+Registered\s+Unemployed\s+Req\. taken\s+Workers asked\s+Req\. worked\s+Dispatched\s+"
                     r"Declined\s+No answer\s+Marks\s+Open places", printed)
    cells = " +".join(number(getattr(seattle, f)) for f in ("registered", "unemployed", "requests_taken",
                                                            "workers_asked", "requests_worked", "dispatched"))
    assert re.search(rf"WIRE SEATTLE +{cells}\b", printed)
    assert re.search(rf"All books +{number(summary.total('registered'))} +{number(summary.total('unemployed'))}",
                     printed)
    assert re.search(rf"Dispatched +{number(summary.total('dispatched'))}\n", printed)
    assert re.search(rf"Check marks issued +{marks}\n", printed)
    assert "STOCKMAN" in printed and "TERO APPR WIRE" in printed  # every active book, busy or not

    sheet, header = xlsx(tmp_path, "summary", tables.referral_summary_table(summary), context)
    assert column(sheet, header, "Day")[0].is_date and column(sheet, header, "Book")[0].value == "WIRE SEATTLE"
    assert [c.value for c in column(sheet, header, "Dispatched")] == [r.dispatched for r in summary.rows]
    assert all(type(c.value) is int for c in column(sheet, header, "Registered"))


# --- bids --------------------------------------------------------------------------------------------------------

def test_bids_by_request_in_list_order_with_outcomes(tmp_path, context, poppler, conn, session):
    today = scalar(conn, "SELECT uc_hall_today()")
    start, end = today - timedelta(days=40), today + timedelta(days=10)
    placed = scalar(conn, "SELECT count(*) FROM bids x JOIN labor_requests r ON r.id = x.request_id "
                          "WHERE r.referral_date BETWEEN :s AND :e", s=start, e=end)
    posted = scalar(conn, "SELECT count(*) FROM labor_requests WHERE bidding AND referral_date BETWEEN :s AND :e",
                    s=start, e=end)
    assert placed and posted
    # the walk reached the first bidder of one request (who declined) and another bidder withdrew
    request_id, bid_id, registration_id, book_id = conn.execute(text("""
        SELECT x.request_id, x.id, x.registration_id, r.book_id FROM bids x
        JOIN labor_requests r ON r.id = x.request_id JOIN registrations g ON g.id = x.registration_id
        WHERE g.status = 'registered' AND NOT x.withdrawn ORDER BY r.received_at, x.id LIMIT 1""")).one()
    conn.execute(text("""
        INSERT INTO offer_lines (run_id, request_id, book_id, registration_id, member_id, rank, tier, apn, outcome)
        SELECT gen_random_uuid(), :q, :b, g.id, g.member_id, 7, g.tier, g.apn, 'declined'
        FROM registrations g WHERE g.id = :g"""), {"q": request_id, "b": book_id, "g": registration_id})
    withdrawn = conn.execute(text("UPDATE bids SET withdrawn = true, version = version + 1 WHERE request_id = :q "
                                  "AND id <> :x RETURNING member_id"), {"q": request_id, "x": bid_id}).scalars().all()

    requests = bid_report(session, start, end)
    assert len(requests) == posted and sum(len(r.bids) for r in requests) == placed
    worked = next(r for r in requests if r.request_id == request_id)
    declined = next(b for b in worked.bids if b.bid_id == bid_id)
    assert (declined.outcome, declined.walk_turn, declined.walked) == ("declined", 7, True)
    assert declined.place_now == scalar(conn, f"""
        SELECT 1 + count(*) FROM registrations q JOIN registrations g ON g.id = {registration_id}
        WHERE q.book_id = g.book_id AND q.status = 'registered'
          AND (q.tier, q.apn, q.registered_at, q.member_id) < (g.tier, g.apn, g.registered_at, g.member_id)""")
    assert [b.member_id for b in worked.bids if b.withdrawn] == sorted(
        withdrawn, key=lambda m: [b.member_id for b in worked.bids].index(m))
    assert all(b.outcome == "withdrawn" for b in worked.bids if b.withdrawn) and worked.bids[-1].withdrawn == bool(
        withdrawn)
    waiting = [b for r in requests for b in r.bids if b.outcome == "waiting"]
    assert waiting and all(b.place_now and not b.walked for b in waiting)
    for r in requests:  # live bidders in list order (tier, then APN), never bid time
        places = [(b.tier, b.apn) for b in r.bids if not b.withdrawn]
        assert places == sorted(places)
        assert [b.place_now for b in r.bids if b.outcome == "waiting"] == sorted(
            b.place_now for b in r.bids if b.outcome == "waiting")

    path = build_bids(tmp_path / "bids.pdf", replace(context, title="Bids", parameters=[
        ("From", start.isoformat()), ("To", end.isoformat()), ("Book", "all books")]), requests)
    printed = pdf_text(poppler, path)
    heading = next(line for line in printed.splitlines() if worked.number in line)
    assert worked.book_name in heading and f"wanted {worked.workers_requested}" in heading
    line = next(line for line in printed.splitlines() if declined.card_number in line)
    assert re.search(rf"\b{number(declined.place_now)}\s+7\s+{declined.tier}\s+{declined.apn:.2f}\s+"
                     rf"{declined.card_number}\s+"
                     rf"{re.escape(declined.member_name)}", line) and "Declined" in line
    assert "Waiting (bid stands)" in printed and ("Withdrawn" in printed) == bool(withdrawn)
    assert f"{len(worked.bids)} bids" in printed
    total = f"{number(len(requests))} requests, {number(placed)} bids"
    assert total in printed and re.search(rf"Bids placed\s+{placed}\n", printed)

    sheet, header = xlsx(tmp_path, "bids", tables.bids_table(requests), context)
    assert all(c.is_date for c in column(sheet, header, "Referral date"))
    assert all(c.is_date for c in column(sheet, header, "Bid received"))
    positions = [c.value for c in column(sheet, header, "Place now") if c.value is not None]
    assert positions and all(type(p) is int for p in positions)
    assert all(isinstance(c.value, float) for c in column(sheet, header, "APN") if c.value is not None)
    assert "Declined" in [c.value for c in column(sheet, header, "Outcome")]


# --- member current registrations -----------------------------------------------------------------------------------

def test_member_registrations_on_each_book(tmp_path, context, poppler, conn, session):
    member_id = scalar(conn, """
        SELECT g.member_id FROM registrations g WHERE g.status = 'registered'
        GROUP BY g.member_id ORDER BY count(*) DESC, g.member_id LIMIT 1""")
    marked_on = scalar(conn, "SELECT uc_hall_today()") - timedelta(days=3)
    conn.execute(text("""
        INSERT INTO check_marks (registration_id, member_id, book_id, marked_on)
        SELECT g.id, g.member_id, g.book_id, :d FROM registrations g JOIN books b ON b.id = g.book_id
        WHERE g.member_id = :m AND g.status = 'registered' AND b.code = 'WIRE_BREMERTON'"""),
        {"m": member_id, "d": marked_on})
    books = member_books(session, member_id)
    visit, live = books.visit, books.live
    assert len(live) >= 3 and len({r.apn for r in live if r.book_code.startswith("WIRE")}) == 1  # one visit, one APN
    assert [(m.book_name, m.marked_on) for m in books.marks] == [("WIRE BREMERTON", marked_on)]
    name = f"{visit.detail.last_name}, {visit.detail.first_name}"
    path = build_member_registrations(tmp_path / "regs.pdf", replace(
        context, title=f"Member Registrations — {name}", parameters=[("Member", name)]), books)
    printed = pdf_text(poppler, path)
    assert f"card {visit.detail.card_number}" in printed
    for r in live:
        line = next(line for line in printed.splitlines() if line.startswith(r.book_name + " "))
        marks = 1 if r.book_code == "WIRE_BREMERTON" else 0
        assert re.search(rf"{re.escape(r.book_name)}\s+Registered\s+{number(r.position)}\s+{r.tier}\s+{r.apn:.2f}\s+"
                         rf"{r.registered_at.astimezone(context.zone):%Y-%m-%d}", line), line
        assert re.search(rf"\s{marks}\b", line[line.index(r.resign_due_on.isoformat()):]), line
    assert re.search(rf"{len(live)} books\s+1\n", printed) and re.search(rf"Books registered on\s+{len(live)}\n",
                                                                          printed)
    marks_part = printed[printed.index("Live check marks"):]
    assert re.search(rf"WIRE BREMERTON\s+{marked_on.isoformat()}", marks_part)

    sheet, header = xlsx(tmp_path, "regs", tables.member_registrations_table(books), context)
    assert [c.value for c in column(sheet, header, "Book")] == [r.book_name for r in live]
    assert [c.value for c in column(sheet, header, "Position")] == [r.position for r in live]
    assert [c.value for c in column(sheet, header, "Marks")] == [r.marks for r in live]
    assert all(c.is_date for c in column(sheet, header, "Registered"))
    assert column(sheet, header, "APN")[0].value == pytest.approx(float(live[0].apn))


# --- current employees by employer and worksite -----------------------------------------------------------------------

def test_current_employees_by_employer_and_worksite(tmp_path, context, poppler, conn, session):
    working = scalar(conn, "SELECT count(*) FROM dispatches WHERE status IN ('dispatched', 'checked_in', 'working')")
    # one old dispatch still on the job: no 120-day cut
    old = conn.execute(text("""
        UPDATE dispatches SET dispatch_date = dispatch_date - 400, version = version + 1
        WHERE id = (SELECT min(id) FROM dispatches WHERE status = 'working')
        RETURNING member_id, dispatch_date""")).one()
    data = current_employees(session)
    assert len(data.rows) == working > 0
    employers = {r.employer_id for r in data.rows}
    busiest = max(employers, key=lambda e: sum(1 for r in data.rows if r.employer_id == e))
    busy = [r for r in data.rows if r.employer_id == busiest]

    path = build_current_employees(tmp_path / "current.pdf", replace(context, title="Current Employees",
                                                                       parameters=[]), data)
    printed = pdf_text(poppler, path)
    assert re.search(rf"All employers: {number(working)} working", printed)
    assert re.search(rf"Members working\s+{working}\n", printed) and re.search(
        rf"Employers\s+{len(employers)}\n", printed)
    sites = {r.worksite_name or "No worksite named" for r in busy}
    places = f"{len(sites)} worksites" if len(sites) > 1 else "1 worksite"
    assert f"{busy[0].employer_name}: {len(busy)} working at {places}" in printed
    for site in sites:
        count = sum(1 for r in busy if (r.worksite_name or "No worksite named") == site)
        assert f"{busy[0].employer_name} — {site}" in printed and f"{site}: {count} working" in printed
    member = next(r for r in data.rows if r.member_id == old.member_id)
    line = next(line for line in printed.splitlines() if member.card_number in line)
    assert old.dispatch_date.isoformat() in line and re.search(rf"\b{(data.today - old.dispatch_date).days}\b", line)

    sheet, header = xlsx(tmp_path, "current", tables.current_employees_table(data), context)
    assert all(c.is_date for c in column(sheet, header, "Dispatched"))
    assert all(type(c.value) is int for c in column(sheet, header, "Days out"))
    assert {c.value for c in column(sheet, header, "Employer")} == {r.employer_name for r in data.rows}


# --- member employment history ----------------------------------------------------------------------------------------

def test_member_employment_history_with_totals(tmp_path, context, poppler, conn, session):
    member_id = scalar(conn, """
        SELECT d.member_id FROM dispatches d WHERE d.status = 'terminated'
          AND (SELECT count(*) FROM employment_history h WHERE h.member_id = d.member_id) >= 3
        ORDER BY d.id LIMIT 1""")
    history = member_employment(session, member_id)
    jobs, days, hours = conn.execute(text("SELECT count(*), sum(days_worked), sum(hours_worked) "
                                          "FROM employment_history WHERE member_id = :m"), {"m": member_id}).one()
    assert len(history.rows) == jobs and history.days_worked == days and history.hours_worked == hours
    dispatched = next(r for r in history.rows if r.request_number)
    assert dispatched.book_name and dispatched.ended_on

    name = f"{history.member.last_name}, {history.member.first_name}"
    path = build_employment_history(tmp_path / "jobs.pdf", replace(
        context, title=f"Employment History — {name}", parameters=[("Member", name)]), history)
    printed = pdf_text(poppler, path)
    assert f"card {history.member.card_number}" in printed
    line = next(line for line in printed.splitlines() if dispatched.request_number in line)
    assert dispatched.started_on.isoformat() in line and dispatched.book_name in line
    assert re.search(rf"{jobs} jobs\s+{number(days)}\s+{hours:,.2f}", printed)
    assert re.search(rf"Days worked \(ended jobs\)\s+{number(days)}\n", printed)
    assert re.search(rf"Jobs\s+{jobs}\n", printed)

    sheet, header = xlsx(tmp_path, "jobs", tables.employment_history_table(history), context)
    assert all(c.is_date for c in column(sheet, header, "Start"))
    assert sum(c.value or 0 for c in column(sheet, header, "Days worked")) == days
    assert column(sheet, header, "Hours worked")[0].number_format == "#,##0.00"


# --- the morning referral sheet ----------------------------------------------------------------------------------

def test_morning_referral_sheet_lists_each_request_with_the_names_to_call(tmp_path, context, poppler, conn, session):
    day = scalar(conn, "SELECT min(referral_date) FROM labor_requests WHERE status = 'open'")
    # the last request of the morning names its foreperson (R13)
    named = conn.execute(text("""
        UPDATE labor_requests SET by_name_member_id = (SELECT id FROM members WHERE card_number = '7464416'),
               by_name_attested = true, version = version + 1
        WHERE id = (SELECT id FROM labor_requests WHERE status = 'open' AND referral_date = :d
                    ORDER BY received_at DESC LIMIT 1)
        RETURNING number"""), {"d": day}).scalar_one()
    sheet = morning_sheet(session, day)
    due = conn.execute(text("SELECT number FROM labor_requests WHERE status IN ('open', 'partially_filled') "
                            "AND referral_date <= :d"), {"d": day}).scalars().all()
    assert sorted(r.request.number for r in sheet.requests) == sorted(due)
    first = sheet.books[0].requests[0]
    preview = preview_walk(session, first.request.id)
    assert first.to_call[0].member_id == preview.next.member_id  # the walk's next registrant is called first
    calls = [line for line in first.to_call if not line.spare]
    assert len(calls) == first.request.open_places and len(first.to_call) <= first.request.open_places + 3
    plain = next(r for r in sheet.requests if not r.request.bidding and r.request.book_name.startswith("WIRE"))
    assert len(plain.to_call) == plain.request.open_places + 3  # the places, then three spares
    assert [line.spare for line in plain.to_call] == [False] * plain.request.open_places + [True] * 3
    second = next((r for r in sheet.books[0].requests[1:]), None)
    if second is not None:  # the next request on the book goes on to the names after the first one's
        assert not {line.member_id for line in calls} & {line.member_id for line in second.to_call}

    path = build_morning_sheet(tmp_path / "sheet.pdf", replace(
        context, title=f"Morning Referral Sheet — {day}", parameters=[("Day", day.isoformat())]), sheet)
    printed = pdf_text(poppler, path)
    assert f"{sheet.books[0].name} · morning" in printed
    assert all(number_ in printed for number_ in due)
    assert re.search(r"Call\s+Rank\s+Tier\s+APN\s+Name\s+Card\s+Phone\s+Answer", printed)
    top = first.to_call[0]
    assert re.search(rf"^\s*1\s+{top.rank}\s+{top.tier}\s+{top.apn:.2f}\s+{re.escape(top.member_name)}\s+"
                     rf"{top.card_number}", printed, re.M)
    assert "spare" in printed
    by_name = printed[printed.index(named):]
    assert "by name: Smith, John (7464416) (outside the queue, R13)" in " ".join(by_name.split()[:60])
    assert re.search(rf"Places to fill\s+{sum(r.request.open_places for r in sheet.requests)}\n", printed)

    sheet_, header = xlsx(tmp_path, "sheet", tables.morning_sheet_table(sheet), context)
    assert all(c.is_date for c in column(sheet_, header, "Referral date"))
    assert column(sheet_, header, "Name")[0].value == (first.lines[0].member_name)
    assert all(type(c.value) is int for c in column(sheet_, header, "Rank"))


# --- check marks -----------------------------------------------------------------------------------------------------

def test_check_marks_by_book_and_member_with_the_roll_off_limit(tmp_path, context, poppler, conn, session):
    today = scalar(conn, "SELECT uc_hall_today()")
    start, end = today - timedelta(days=45), today
    # one marked registration takes marks up to the third and is rolled off that book (R10)
    registration_id, member_id, book_id = conn.execute(text("""
        SELECT registration_id, member_id, book_id FROM check_marks WHERE removed_at IS NULL
        GROUP BY registration_id, member_id, book_id ORDER BY count(*) DESC, registration_id LIMIT 1""")).one()
    used = set(conn.execute(text("SELECT marked_on FROM check_marks WHERE registration_id = :g AND removed_at IS NULL"),
                            {"g": registration_id}).scalars())
    free = [d for d in (today - timedelta(days=n) for n in range(30)) if d not in used]
    added = free[:3 - len(used)]
    for day in added:
        conn.execute(text("INSERT INTO check_marks (registration_id, member_id, book_id, marked_on) "
                          "VALUES (:g, :m, :b, :d)"), {"g": registration_id, "m": member_id, "b": book_id, "d": day})
    third = max([*used, *added])
    conn.execute(text("UPDATE registrations SET status = 'rolled_off', roll_off_reason = 'check_marks', "
                      "rolled_off_on = :d, version = version + 1 WHERE id = :g"), {"d": third, "g": registration_id})
    # and one mark is removed
    removed = conn.execute(text("""
        UPDATE check_marks SET removed_at = now(), removed_by = current_user, removal_reason = 'Phone was out',
               version = version + 1
        WHERE id = (SELECT min(id) FROM check_marks WHERE registration_id <> :g AND removed_at IS NULL)
        RETURNING id"""), {"g": registration_id}).scalar_one()
    issued = scalar(conn, "SELECT count(*) FROM check_marks WHERE marked_on BETWEEN :s AND :e", s=start, e=end)

    lines = check_mark_report(session, start, end)
    assert len(lines) == issued and any(line.id == removed and line.removed for line in lines)
    rolled = [line for line in lines if line.registration_id == registration_id]
    assert len(rolled) == 3 and all(line.reached_limit and line.allowed == 3 for line in rolled)
    assert {line.reason for line in lines} >= {"declined", "no_answer", None}

    path = build_check_marks(tmp_path / "marks.pdf", replace(
        context, title="Check Marks", parameters=[("From", start.isoformat()), ("To", end.isoformat())]), lines)
    printed = pdf_text(poppler, path)
    member = rolled[0]
    assert re.search(rf"{member.card_number}\s+{re.escape(member.member_name)}\s+3\s+3\s+3\s+"
                     rf"Rolled off {third.isoformat()}", printed)
    assert "Removed: Phone was out" in printed and "Declined" in printed and "No answer" in printed
    assert f"All books: {number(issued)} marks" in printed
    assert re.search(rf"Check marks issued\s+{issued}\n", printed)
    reached = len({line.registration_id for line in lines if line.reached_limit})
    assert re.search(rf"Reached the roll-off limit\s+{reached}\n", printed) and reached >= 1
    books = {line.book_name for line in lines}
    for name in books:
        assert re.search(rf"{re.escape(name)}: {number(sum(1 for x in lines if x.book_name == name))} marks", printed)

    sheet, header = xlsx(tmp_path, "marks", tables.check_marks_table(lines), context)
    assert all(c.is_date for c in column(sheet, header, "Marked on"))
    assert all(isinstance(c.value, bool) for c in column(sheet, header, "Removed"))
    assert all(type(c.value) is int for c in column(sheet, header, "Live marks now"))


# --- nothing to report ---------------------------------------------------------------------------------------------

def test_each_report_says_when_there_is_nothing_to_report(tmp_path, context, poppler, conn, session):
    quiet = date(2001, 1, 2)
    member_id = scalar(conn, "INSERT INTO members (card_number, first_name, last_name, classification) "
                             "VALUES ('Q0001', 'Quinn', 'Quiet', 'journeyman') RETURNING id")
    cases = [
        (build_bids, bid_report(session, quiet, quiet), "No request was posted for bids in this period."),
        (build_check_marks, check_mark_report(session, quiet, quiet), "No check mark was issued in this period."),
        (build_morning_sheet, morning_sheet(session, quiet), "No request is waiting for this referral morning."),
        (build_member_registrations, member_books(session, member_id), "This member is on no book."),
        (build_employment_history, member_employment(session, member_id),
         "No employment is on record for this member."),
        (build_current_employees, replace(current_employees(session), rows=()), "Nobody is out on a job."),
    ]
    for build, data, sentence in cases:
        path = build(tmp_path / f"{build.__name__}.pdf", context, data)
        assert sentence in pdf_text(poppler, path) and poppler.pages(path) == 1, build.__name__
    summary = referral_summary(session, quiet)
    assert summary.total("dispatched") == summary.total("marks") == summary.total("requests_taken") == 0
    assert re.search(r"Dispatched\s+0\n", pdf_text(poppler, build_referral_summary(tmp_path / "s.pdf", context,
                                                                                     summary)))


def test_a_bid_won_through_the_walk_shows_as_dispatched_at_its_frozen_place(tmp_path, context, poppler, conn):
    """The walk of a bidding request (the dispatch service) sends the best-placed bidder; the report reads the
    won bid at the place its frozen line records."""
    today = scalar(conn, "SELECT uc_hall_today()")
    request_id = scalar(conn, """
        SELECT r.id FROM labor_requests r WHERE r.bidding AND r.status = 'open'
          AND (SELECT count(*) FROM bids x WHERE x.request_id = r.id) >= 2 ORDER BY r.received_at LIMIT 1""")
    factory = sessionmaker(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
    with factory() as session:
        before = next(r for r in bid_report(session, today - timedelta(days=5), today + timedelta(days=10))
                      if r.request_id == request_id)
    result = dispatch_next_accepting(UnitOfWork(factory), request_id=request_id, idempotency_key=uuid.uuid4())
    with factory() as session:
        after = next(r for r in bid_report(session, today - timedelta(days=5), today + timedelta(days=10))
                     if r.request_id == request_id)
    won = next(b for b in after.bids if b.outcome == "dispatched")
    line_rank = scalar(conn, "SELECT rank FROM offer_lines WHERE dispatch_id = :d", d=result.dispatch_id)
    assert won.member_id == result.member_id == before.bids[0].member_id  # the best place, not the first bid
    assert won.walked and won.walk_turn == line_rank == 1 and after.won == 1  # the first bidder in list order
    assert before.bids[0].place_now > 1 and won.place_now is None  # below non-bidders on the book; out on the job
    others = [b.outcome for b in after.bids if b is not won and not b.withdrawn]
    still = "waiting" if after.status in ("open", "partially_filled") else "not reached"  # filled: nobody else asked
    assert others and others == [still] * len(others)

    path = build_bids(tmp_path / "won.pdf", replace(context, title="Bids"), [after])
    line = next(line for line in pdf_text(poppler, path).splitlines() if won.card_number in line)
    assert re.search(rf"^\s*1\s+1\s+{won.tier}\s+{won.apn:.2f}\s+{won.card_number}", line)
    assert "Dispatched (won)" in line
