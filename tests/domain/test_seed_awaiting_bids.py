"""The demo hall's members awaiting re-registration (R6) and bids on requests posted for bids (R8): each follows
from the seeded history the way the services would have written it, and the seed stays deterministic."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.queries.books import awaiting_reregistration
from unioncore_desktop.domain.queries.requests import request_bids
from unioncore_desktop.domain.rules.calendar import BusinessCalendar
from unioncore_desktop.domain.rules.referral import bid_referral_day, bid_window_open
from unioncore_desktop.domain.rules.registration import REREGISTER_REASONS, reregister_deadline
from unioncore_desktop.domain.services.drop_run import preview_drops
from unioncore_desktop.domain.services.referral_context import rules_for
from unioncore_desktop.domain.services.walk import preview_walk
from unioncore_desktop.domain.vocab import BID_SOURCES
from unioncore_desktop.seed import generate
from unioncore_desktop.seed.books import seed_books

ZONE = ZoneInfo("America/Los_Angeles")
A_MONDAY = date(2025, 11, 17)  # the deadline of a Friday's job end crosses the weekend


def _seed_hall(databases, today: date | None = None) -> tuple[Engine, date]:  # noqa: ANN001 - the conftest factory
    engine = databases.engine(databases.create())
    with engine.begin() as conn:
        if today is None:
            today = conn.execute(text("SELECT uc_hall_today()")).scalar_one()
        generate.bulk_mode(conn)
        generate.members(conn, 4000)
        generate.skills(conn, today)
        generate.employers(conn, 120)
        generate.holidays(conn, range(today.year - 2, today.year + 2))
        seed_books(conn, today=today)
    return engine, today


@pytest.fixture(scope="module")
def hall(pg_server, template_db):  # noqa: ANN001 - conftest fixtures
    """One hall seeded as of the server's today (module scope: several tests read it, none writes)."""
    from tests.conftest import DatabaseFactory

    factory = DatabaseFactory(pg_server, template_db)
    yield _seed_hall(factory)
    factory.drop_all()


def _calendar(session: Session) -> BusinessCalendar:
    return BusinessCalendar.of(session.execute(text("SELECT day FROM holidays")).scalars())


def test_awaiting_registrations_follow_jobs_that_ended(hall):
    engine, today = hall
    with Session(engine) as session:
        calendar = _calendar(session)
        rows = session.execute(text("""
            SELECT g.id, g.member_id, b.code, g.reregister_by, d.id AS dispatch_id, d.book_id, d.dispatch_date,
                   d.terminated_on, d.termination_reason, d.business_days_worked, d.status AS dispatch_status,
                   d.restored, e.ended_on AS employment_ended, e.termination_reason AS employment_reason,
                   e.days_worked,
                   (SELECT count(*) FROM dispatches x WHERE x.registration_id = g.id) AS dispatches,
                   (SELECT count(*) FROM registration_activity a
                     WHERE a.registration_id = g.id AND a.action = 'job_ended' AND a.dispatch_id = d.id
                       AND a.request_id = d.request_id AND a.before->>'status' = 'dispatched'
                       AND a.after->>'status' = 'awaiting_reregistration'
                       AND a.note LIKE '%re-register by%') AS job_ended_rows,
                   (SELECT count(*) FROM registration_activity a
                     WHERE a.registration_id = g.id AND a.action = 'dispatched' AND a.dispatch_id = d.id) AS sent_rows
            FROM registrations g
            JOIN books b ON b.id = g.book_id
            LEFT JOIN dispatches d ON d.registration_id = g.id AND d.member_id = g.member_id
                                   AND d.book_id = g.book_id
            LEFT JOIN employment_history e ON e.id = d.employment_id AND e.member_id = g.member_id
            WHERE g.status = 'awaiting_reregistration'
            ORDER BY b.code, g.reregister_by
        """)).mappings().all()
        assert 4 <= len(rows) <= 8
        assert 2 <= len({r["code"] for r in rows}) <= 3
        start_of_today = datetime.combine(today, time(0), ZONE)
        passed = [r for r in rows if r["reregister_by"] <= start_of_today]
        ahead = [r for r in rows if r["reregister_by"] >= start_of_today + timedelta(days=1)]
        assert len(passed) == 1 and len(ahead) == len(rows) - 1
        for r in rows:
            assert r["dispatches"] == 1 and r["dispatch_status"] == "terminated" and not r["restored"]
            assert r["termination_reason"] in REREGISTER_REASONS
            assert r["terminated_on"] < today and r["dispatch_date"] <= r["terminated_on"]
            assert (r["employment_ended"], r["employment_reason"]) == (r["terminated_on"], r["termination_reason"])
            days = calendar.business_days_between(r["dispatch_date"], r["terminated_on"])
            assert r["business_days_worked"] == r["days_worked"] == days
            assert (r["termination_reason"] == "turnaround") == (r["dispatch_date"] == r["terminated_on"])
            rules = rules_for(session, r["book_id"], r["terminated_on"])
            assert r["reregister_by"] == reregister_deadline(r["terminated_on"], calendar, ZONE, rules)
            assert r["job_ended_rows"] == 1 and r["sent_rows"] == 1

        # what the Books screen and the drop run make of them, on the server's clock
        seattle = session.execute(text("SELECT id FROM books WHERE code = 'WIRE_SEATTLE'")).scalar_one()
        shown = awaiting_reregistration(session, seattle)
        assert len(shown) >= 2 and [a.overdue for a in shown].count(True) == 1
        drops = {c.registration_id for c in preview_drops(session, as_of=today) if c.reason == "failed_re_register"}
        assert drops == {r["id"] for r in passed}


def test_bids_on_posted_requests_come_from_registered_members_in_the_window(hall):
    engine, _today = hall
    with Session(engine) as session:
        calendar = _calendar(session)
        now = session.execute(text("SELECT now()")).scalar_one()
        posted = session.execute(text("""
            SELECT id, number, book_id, referral_date, received_at FROM labor_requests
            WHERE bidding AND status IN ('open', 'partially_filled') ORDER BY number
        """)).all()
        assert len(posted) >= 2
        assert session.execute(text("SELECT count(*) FROM bids b JOIN labor_requests q ON q.id = b.request_id "
                                    "WHERE NOT q.bidding")).scalar_one() == 0
        withdrawn = 0
        sources: Counter[str] = Counter()
        for request_id, number, book_id, referral_date, received_at in posted:
            bids = session.execute(text("""
                SELECT x.id, x.member_id, x.received_at, x.source, x.withdrawn, g.status, g.book_id, g.member_id
                       AS holder, g.exemption_reason,
                       (SELECT count(*) FROM registration_activity a
                         WHERE a.registration_id = g.id AND a.action = 'bid' AND a.request_id = x.request_id
                           AND a.at = x.received_at AND a.note = 'bid by ' || x.source) AS activity
                FROM bids x JOIN registrations g ON g.id = x.registration_id
                WHERE x.request_id = :r
            """), {"r": request_id}).mappings().all()
            assert 3 <= len(bids) <= 6, number
            assert len({b["source"] for b in bids}) >= 2, number
            rules = rules_for(session, book_id, referral_date)
            for b in bids:
                assert (b["status"], b["book_id"], b["holder"]) == ("registered", book_id, b["member_id"])
                assert b["exemption_reason"] is None and b["activity"] == 1
                local = b["received_at"].astimezone(ZONE)
                assert bid_window_open(local, rules) and bid_referral_day(local, calendar, rules) == referral_date
                assert local.date() == calendar.previous_business_day(referral_date)  # the evening before
                assert received_at < b["received_at"] < now
                sources[b["source"]] += 1
                withdrawn += b["withdrawn"]
            shown = request_bids(session, request_id)
            live = [s for s in shown if not s.withdrawn]
            assert [s.offer_order for s in live] == list(range(1, len(live) + 1))
            assert [s.rank for s in live] == sorted(s.rank for s in live)
            assert all(s.offer_order is None for s in shown if s.withdrawn)
            # the morning's walk goes to the bidders, and one of them can take the job
            walked = preview_walk(session, request_id)
            assert walked.next is not None, number
            assert walked.next.member_id in {b["member_id"] for b in bids if not b["withdrawn"]}, number
        assert withdrawn == 1 and set(sources) == set(BID_SOURCES)


def _fingerprint(engine: Engine) -> tuple[list, list]:
    with engine.connect() as conn:
        awaiting = conn.execute(text("""
            SELECT m.card_number, b.code, g.apn, g.reregister_by, d.terminated_on, d.termination_reason
            FROM registrations g JOIN members m ON m.id = g.member_id JOIN books b ON b.id = g.book_id
            JOIN dispatches d ON d.registration_id = g.id
            WHERE g.status = 'awaiting_reregistration' ORDER BY 1, 2
        """)).all()
        bids = conn.execute(text("""
            SELECT q.number, m.card_number, x.source, x.received_at, x.withdrawn
            FROM bids x JOIN labor_requests q ON q.id = x.request_id JOIN members m ON m.id = x.member_id
            ORDER BY 1, 2
        """)).all()
    return awaiting, bids


def test_the_same_day_seeds_the_same_awaiting_members_and_bids(databases):
    first, _ = _seed_hall(databases, A_MONDAY)
    second, _ = _seed_hall(databases, A_MONDAY)
    awaiting, bids = _fingerprint(first)
    assert (awaiting, bids) == _fingerprint(second)
    # a Monday: jobs ended on Friday are due by the close of Monday; the one ended Thursday was due Friday
    friday_close = datetime.combine(A_MONDAY - timedelta(days=2), time(0), ZONE)
    assert sorted({(a.terminated_on, a.reregister_by) for a in awaiting}) == [
        (A_MONDAY - timedelta(days=4), friday_close),
        (A_MONDAY - timedelta(days=3), datetime.combine(A_MONDAY + timedelta(days=1), time(0), ZONE))]
    assert bids and {b.received_at.astimezone(ZONE).date() for b in bids} == {A_MONDAY - timedelta(days=3)}


def test_every_open_request_in_the_demo_has_someone_to_offer_it_to(hall):
    """A new user's first morning referral finds a next registrant on every request (skills included)."""
    engine, _today = hall
    with Session(engine) as session:
        open_ids = session.execute(text(
            "SELECT id, number FROM labor_requests WHERE status IN ('open', 'partially_filled') ORDER BY number"
        )).all()
        assert open_ids
        nobody = [number for request_id, number in open_ids if preview_walk(session, request_id).next is None]
    assert nobody == []
