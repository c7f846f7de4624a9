"""Book reads: morning order, queue order (tier before APN, ties by registered-at then member id), subtotals,
a member's registrations and referral history, and the daily lists."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.queries.books import (
    book_list,
    dropped,
    list_books,
    member_registrations,
    referral_history,
    resign_due,
    tier_subtotals,
    unemployed_counts,
)
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.services.registrations import re_sign, resign, sign_on
from unioncore_desktop.seed.books import insert_books

_seq = iter(range(1, 100_000))


@pytest.fixture
def hall(connection):
    books = insert_books(connection)
    session = Session(bind=connection)
    clock = hall_clock(session)
    return books, session, clock.today, clock.now


def member(connection, last: str, qualified: dict[str, int] | None = None) -> int:
    member_id = connection.execute(text(
        "INSERT INTO members (card_number, first_name, last_name, classification) "
        "VALUES (:c, 'Pat', :l, 'journeyman') RETURNING id"), {"c": f"78{next(_seq):05d}", "l": last}).scalar_one()
    for code, tier in (qualified or {}).items():
        connection.execute(text("INSERT INTO member_qualified_books (member_id, book_code, tier) "
                                "VALUES (:m, :b, :t)"), {"m": member_id, "b": code, "t": tier})
    return member_id


def register(connection, member_id: int, book_id: int, **values) -> int:
    row = {"tier": 1, "apn": Decimal("45880.01"), "status": "registered", **values}
    return connection.execute(text(
        f"INSERT INTO registrations (member_id, book_id, {', '.join(row)}) "
        f"VALUES (:member_id, :book_id, {', '.join(':' + k for k in row)}) RETURNING id"),
        {"member_id": member_id, "book_id": book_id, **row}).scalar_one()


def test_books_come_in_morning_order_with_counts_per_tier(connection, hall):
    books, session, _, _ = hall
    for tier, n in ((1, 5), (2, 6), (3, 43)):
        for i in range(n):
            register(connection, member(connection, f"S{tier}{i}"), books["STOCKMAN"], tier=tier)
    register(connection, member(connection, "Gone"), books["STOCKMAN"], status="resigned")
    rows = list_books(session)
    assert [r.name for r in rows] == [
        "WIRE SEATTLE", "WIRE BREMERTON", "WIRE PT ANGELES", "SOUND & COMM", "MARINE", "STOCKMAN", "LT FXT MAINT",
        "RESIDENTIAL", "TECHNICIAN", "UTILITY WORKER", "TRADESHOW", "TERO APPR WIRE"]
    stockman = next(r for r in rows if r.code == "STOCKMAN")
    assert (stockman.tier_counts, stockman.total, stockman.contract_code) == ((5, 6, 43, 0), 54, "STOCKPERSON")
    tero = next(r for r in rows if r.code == "TERO_APPR_WIRE")
    assert (tero.agreement_type, tero.contract_code) == ("tero", "WIREPERSON")


def test_book_list_is_in_queue_order(connection, hall):
    books, session, _, now = hall
    ws = books["WIRE_SEATTLE"]
    old_tier3 = register(connection, member(connection, "Oldtimer"), ws, tier=3, apn=Decimal("44000.01"))
    tier1_late = register(connection, member(connection, "Late"), ws, tier=1, apn=Decimal("45900.02"))
    tier1_early = register(connection, member(connection, "Early"), ws, tier=1, apn=Decimal("45900.01"))
    # the same APN twice: registered-at decides, then member id
    b_member, a_member = member(connection, "Twin B"), member(connection, "Twin A")
    twin_later = register(connection, b_member, ws, tier=2, apn=Decimal("45000.05"), registered_at=now)
    twin_earlier = register(connection, a_member, ws, tier=2, apn=Decimal("45000.05"),
                            registered_at=now - timedelta(hours=1))
    lower_id, higher_id = member(connection, "Z"), member(connection, "Y")
    # registered the other way round, so registration ids cannot stand in for member ids
    same_time = [register(connection, m, ws, tier=4, apn=Decimal("45000.05"), registered_at=now)
                 for m in (higher_id, lower_id)][::-1]
    register(connection, member(connection, "Away"), ws, status="dispatched")
    rows = book_list(session, ws)
    assert [r.registration_id for r in rows] == [tier1_early, tier1_late, twin_earlier, twin_later, old_tier3,
                                                 *same_time]
    assert [r.rank for r in rows] == list(range(1, 8))
    assert isinstance(rows[0].apn, Decimal) and rows[0].apn == Decimal("45900.01")
    assert [(s.tier, s.count) for s in tier_subtotals(rows)] == [(1, 2), (2, 2), (3, 1), (4, 2)]


def test_book_list_flags_marks_exemptions_overdue_and_members_out_on_another_book(connection, hall):
    books, session, today, _ = hall
    ws, tradeshow = books["WIRE_SEATTLE"], books["TRADESHOW"]
    worker = member(connection, "Worker")
    marked = register(connection, worker, ws, resign_due_on=today - timedelta(days=1))
    working = register(connection, worker, tradeshow, status="dispatched")
    register(connection, member(connection, "Exempt"), ws, exemption_reason="medical",
             exemption_start=today - timedelta(days=3))
    for day, removed in ((1, False), (2, False), (3, True)):
        connection.execute(text(
            "INSERT INTO check_marks (registration_id, member_id, book_id, marked_on, removed_at, removal_reason) "
            "VALUES (:r, :m, :b, :d, CASE WHEN :x THEN now() END, CASE WHEN :x THEN 'wrong number' END)"),
            {"r": marked, "m": worker, "b": ws, "d": today - timedelta(days=day), "x": removed})
    employer = connection.execute(
        text("INSERT INTO employers (name) VALUES ('Harbor Electric') RETURNING id")).scalar_one()
    request = connection.execute(text(
        "INSERT INTO labor_requests (number, employer_id, book_id, workers_requested, start_on, referral_date) "
        "VALUES ('R-1', :e, :b, 1, :d, :d) RETURNING id"), {"e": employer, "b": tradeshow, "d": today}).scalar_one()
    connection.execute(text(
        "INSERT INTO dispatches (request_id, member_id, registration_id, book_id, employer_id, idempotency_key, "
        "dispatch_date) VALUES (:q, :m, :r, :b, :e, gen_random_uuid(), :d)"),
        {"q": request, "m": worker, "r": working, "b": tradeshow, "e": employer, "d": today})
    first, second = book_list(session, ws)
    assert (first.marks, first.resign_overdue, first.on_dispatch_book, first.exempt) == (2, True, "TRADESHOW", False)
    assert (second.exempt, second.exemption_reason, second.on_dispatch_book) == (True, "medical", None)
    assert [(c.book_code, c.tier, c.count) for c in unemployed_counts(session)] == [("WIRE_SEATTLE", 1, 1)]


def test_member_registrations_history_and_daily_lists(uow, connection, hall):
    books, session, today, _ = hall
    ahead = member(connection, "Ahead", {"WIRE_SEATTLE": 1})
    pat = member(connection, "Quinn", {"WIRE_SEATTLE": 1, "TRADESHOW": 2})
    sign_on(uow, member_id=ahead, book_ids=[books["WIRE_SEATTLE"]], method="email")
    seattle, tradeshow = sign_on(uow, member_id=pat, book_ids=[books["WIRE_SEATTLE"], books["TRADESHOW"]],
                                 method="email")
    re_sign(uow, registration_id=seattle.id, expected_version=seattle.version)
    resign(uow, registration_id=tradeshow.id, expected_version=tradeshow.version)
    rows = member_registrations(session, pat)
    assert [(r.book_code, r.status, r.position) for r in rows] == [("WIRE_SEATTLE", "registered", 2),
                                                                   ("TRADESHOW", "resigned", None)]
    history = referral_history(session, pat)
    assert [(h.book_code, h.action) for h in history] == [
        ("WIRE_SEATTLE", "sign_on"), ("TRADESHOW", "sign_on"), ("WIRE_SEATTLE", "re_sign"), ("TRADESHOW", "resign")]
    assert history[0].summary.startswith("tier 1, APN ")
    assert "status registered -> resigned" in history[3].summary
    assert history[0].staff_login  # the database user who did it

    due = resign_due(session, 30)
    assert {d.registration_id for d in due} == {r.id for r in member_registrations(session, ahead)} | {seattle.id}
    assert resign_due(session, 29) == []
    off = register(connection, pat, books["MARINE"], status="rolled_off", roll_off_reason="check_marks",
                   rolled_off_on=today - timedelta(days=2))
    assert [d.registration_id for d in dropped(session, today - timedelta(days=7), today)] == [off]
    assert dropped(session, today - timedelta(days=7), today, reason="failed_re_sign") == []


def test_demo_books_seed(databases):
    from unioncore_desktop.domain.services.drop_run import preview_drops
    from unioncore_desktop.seed import generate
    from unioncore_desktop.seed.books import seed_books

    name = databases.create()
    engine = databases.engine(name)
    with engine.begin() as conn:
        today = conn.execute(text("SELECT uc_hall_today()")).scalar_one()
        generate.bulk_mode(conn)
        generate.members(conn, 4000)
        generate.employers(conn, 120)
        generate.holidays(conn, range(today.year - 2, today.year + 2))
        seed_books(conn, today=today)
    with Session(engine) as session:
        books = {b.code: b for b in list_books(session)}
        assert len(books) == 12 and list(books)[:3] == ["WIRE_SEATTLE", "WIRE_BREMERTON", "WIRE_PT_ANGELES"]
        assert sum(b.total for b in books.values()) > 3500
        wire = books["WIRE_SEATTLE"]
        assert wire.tier_counts[0] > 4 * wire.tier_counts[1]  # mostly tier 1 on Wire
        stockman, technician = books["STOCKMAN"].tier_counts, books["TECHNICIAN"].tier_counts
        assert stockman[2] > stockman[0] + stockman[1] and technician[2] > technician[0] > technician[1]
        checks = session.execute(text("""
            SELECT
              (SELECT count(*) FROM (SELECT member_id FROM registrations g JOIN books b ON b.id = g.book_id
                                     WHERE b.code LIKE 'WIRE%' AND g.status = 'registered'
                                     GROUP BY member_id HAVING count(*) = 3 AND count(DISTINCT apn) = 1) x),
              (SELECT count(*) FROM registrations g WHERE NOT EXISTS (
                   SELECT 1 FROM member_qualified_books q JOIN books b ON b.code = q.book_code
                   WHERE q.member_id = g.member_id AND b.id = g.book_id AND q.tier <= g.tier)),
              (SELECT count(*) FROM (SELECT apn FROM registrations GROUP BY apn
                                     HAVING count(DISTINCT member_id) > 1 AND count(DISTINCT book_id) = 1) y),
              (SELECT count(*) FROM labor_requests q WHERE workers_dispatched <>
                   (SELECT count(*) FROM dispatches d WHERE d.request_id = q.id)),
              (SELECT count(*) FROM dispatches d JOIN registrations g ON g.id = d.registration_id
                WHERE d.status = 'working' AND g.status <> 'dispatched'),
              (SELECT count(*) FROM registrations g WHERE NOT EXISTS (
                   SELECT 1 FROM registration_activity a WHERE a.registration_id = g.id AND a.action = 'sign_on')),
              (SELECT count(*) FROM dispatches), (SELECT count(*) FROM offer_lines),
              (SELECT count(*) FROM employment_history WHERE source = 'dispatch'),
              (SELECT count(*) FROM labor_requests WHERE status = 'open' AND referral_date >= :today),
              (SELECT max(n) FROM (SELECT count(*) AS n FROM check_marks WHERE removed_at IS NULL
                                   GROUP BY registration_id) z)
        """), {"today": today}).one()
        (shared_apn, unqualified, same_apn_other_visits, bad_counters, working_not_dispatched, no_sign_on,
         dispatches, offer_lines, employment, open_requests, most_marks) = checks
        assert shared_apn > 400 and unqualified == 0 and same_apn_other_visits == 0
        assert bad_counters == 0 and working_not_dispatched == 0 and no_sign_on == 0
        assert dispatches > 150 and offer_lines > dispatches and employment == dispatches
        assert open_requests >= 15 and most_marks < 3
        reasons = {c.reason for c in preview_drops(session, as_of=today)}
        assert "failed_re_sign" in reasons
