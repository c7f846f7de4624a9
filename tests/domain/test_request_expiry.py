"""Expiry (domain §3, book_rules.expire_unfilled): a request still needing workers after its start day expires the
next morning on the books that say so, once, with its reason and time; a partly filled request keeps its dispatches.
And the history of past requests finds them."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.queries.request_history import HistoryFilter, past_request, request_history
from unioncore_desktop.domain.services.dispatch import dispatch_next_accepting, reject_dispatch
from unioncore_desktop.domain.services.requests import expire_requests
from unioncore_desktop.seed.referral_world import make_book, make_employer, make_member, make_request, register

pytestmark = pytest.mark.commits  # the function's write commits, as at the hall


@pytest.fixture
def today(session_factory) -> date:
    with session_factory() as s:
        return hall_clock(s).today


@pytest.fixture
def books(connection):
    employer, site = make_employer(connection, "Expiry Electric")
    return {"expiring": make_book(connection, "EXP_ON", expire_unfilled=True),
            "keeping": make_book(connection, "EXP_OFF"),
            "employer": employer, "site": site}


def state(connection, request_id: int):
    return connection.execute(text(
        "SELECT status, workers_dispatched, expiry_reason, expired_at FROM labor_requests WHERE id = :r"),
        {"r": request_id}).one()


def test_an_unfilled_request_expires_the_morning_after_its_start_day_once(uow, connection, books, today):
    yesterday = today - timedelta(days=1)
    due = make_request(connection, books["expiring"], books["employer"], referral_date=yesterday)
    expired = expire_requests(uow)
    assert [(e.id, e.book_id, e.dispatched, e.requested) for e in expired] == [(due, books["expiring"], 0, 1)]
    status, dispatched, reason, at = state(connection, due)
    assert status == "expired" and dispatched == 0 and at is not None
    assert reason.startswith("Unfilled on its start day") and f"{yesterday:%d %b %Y}" in reason
    assert expire_requests(uow) == []  # idempotent: a second workstation (or cron) finds nothing
    audit = connection.execute(text(
        "SELECT changed_fields, db_user FROM audit_log WHERE table_name = 'labor_requests' AND row_key = :r "
        "AND action = 'UPDATE'"), {"r": str(due)}).all()
    assert len(audit) == 1 and {"status", "expired_at", "expiry_reason"} <= set(audit[0].changed_fields)
    assert audit[0].db_user == connection.execute(text("SELECT session_user")).scalar_one()


def test_only_books_that_expire_and_only_requests_past_their_start_day(uow, connection, books, today):
    yesterday = today - timedelta(days=1)
    kept = make_request(connection, books["keeping"], books["employer"], referral_date=yesterday)
    starts_today = make_request(connection, books["expiring"], books["employer"], referral_date=today)
    # received after the cutoff: worked a morning after its start date, so that morning is its start day
    worked_today = make_request(connection, books["expiring"], books["employer"], referral_date=today,
                                start_on=yesterday)
    later = make_book(connection, "EXP_LATER")  # expiry scheduled from tomorrow: not in force yet
    connection.execute(text("INSERT INTO book_rules (book_id, effective_from, expire_unfilled) VALUES (:b, :d, true)"),
                       {"b": later, "d": today + timedelta(days=1)})
    not_yet = make_request(connection, later, books["employer"], referral_date=yesterday)
    cancelled = make_request(connection, books["expiring"], books["employer"], referral_date=yesterday)
    connection.execute(text("UPDATE labor_requests SET status = 'cancelled', cancel_reason = 'job lost', "
                            "version = version + 1 WHERE id = :r"), {"r": cancelled})
    assert expire_requests(uow) == []
    assert [state(connection, r).status for r in (kept, starts_today, worked_today, not_yet)] == ["open"] * 4
    assert state(connection, cancelled).status == "cancelled"


def test_a_partly_filled_request_keeps_its_dispatch_and_its_remainder_expires(uow, connection, books, today):
    member = make_member(connection, "Partial", books=["EXP_ON"])
    register(connection, member, books["expiring"], apn="45000.01")
    request = make_request(connection, books["expiring"], books["employer"], referral_date=today, workers=3)
    sent = dispatch_next_accepting(uow, request_id=request, idempotency_key=uuid.uuid4()).dispatch_id
    connection.execute(text("UPDATE labor_requests SET start_on = start_on - 1, referral_date = referral_date - 1, "
                            "version = version + 1 WHERE id = :r"), {"r": request})
    [expired] = expire_requests(uow)
    assert (expired.id, expired.dispatched, expired.requested, expired.partly_filled) == (request, 1, 3, True)
    status, dispatched, reason, _at = state(connection, request)
    assert (status, dispatched) == ("expired", 1)
    assert reason.startswith("1 of 3 workers dispatched") and "the 2 unfilled expired" in reason
    assert connection.execute(text("SELECT status FROM dispatches WHERE id = :d"), {"d": sent}).scalar_one() \
        == "dispatched"
    # the employer turns the member away afterwards: the place comes back, the request stays expired
    reject_dispatch(uow, dispatch_id=sent, note="no badge")
    assert state(connection, request)[:2] == ("expired", 0)


def test_history_finds_closed_requests_by_date_book_status_and_employer(uow, connection, books, today,
                                                                          session_factory):
    yesterday = today - timedelta(days=1)
    expiring = make_request(connection, books["expiring"], books["employer"], referral_date=yesterday)
    other_employer, _ = make_employer(connection, "Other Outfit")
    cancelled = make_request(connection, books["keeping"], other_employer, referral_date=yesterday)
    connection.execute(text("UPDATE labor_requests SET status = 'cancelled', cancel_reason = 'job lost', "
                            "version = version + 1 WHERE id = :r"), {"r": cancelled})
    still_open = make_request(connection, books["keeping"], books["employer"], referral_date=yesterday)
    expire_requests(uow)
    window = HistoryFilter(first=yesterday, last=today)
    with session_factory() as s:
        found = {r.id: r for r in request_history(s, window)}
        assert set(found) >= {expiring, cancelled} and still_open not in found
        assert found[cancelled].reason == "job lost" and found[expiring].status == "expired"
        assert [r.id for r in request_history(s, HistoryFilter(yesterday, today, book_id=books["keeping"]))] \
            == [cancelled]
        assert [r.id for r in request_history(s, HistoryFilter(yesterday, today, status="expired",
                                                               text="expiry elec"))] == [expiring]
        assert request_history(s, HistoryFilter(today, today, book_id=books["expiring"])) == []
        past = past_request(s, expiring)
        assert past.detail.status == "expired" and past.expiry_reason and past.dispatches == ()
