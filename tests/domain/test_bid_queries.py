"""The bids on a request as the bids panel lists them: in the order the dispatch walk offers them (list place,
never bid time), bidders who lost their place after the live ones, withdrawn bids last."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from unioncore_desktop.domain.models import LaborRequest
from unioncore_desktop.domain.queries.requests import request_bids
from unioncore_desktop.domain.services.walk import load_places
from unioncore_desktop.seed.referral_world import make_book, make_employer, make_member, make_request, register

LA = ZoneInfo("America/Los_Angeles")
EVENING = datetime(2025, 8, 11, 17, 30, tzinfo=LA)


@pytest.fixture
def bidding(connection):
    """A bidding book with five registrants: Top (not bidding) above four bidders whose bid times run the other
    way round from their places."""
    book = make_book(connection, "BIDQ", bidding_enabled=True)
    employer, _ = make_employer(connection, "Bid Query Co")
    request = make_request(connection, book, employer, referral_date=date(2025, 8, 12), bidding=True)
    people = {}
    places = [("Top", 1, "45000.01"), ("Able", 1, "45100.01"), ("Baker", 1, "45100.02"), ("Cole", 2, "44000.01"),
              ("Dunn", 1, "45300.01")]
    for last, tier, apn in places:
        member = make_member(connection, last, books=["BIDQ"])
        people[last] = (member, register(connection, member, book, apn=apn, tier=tier))
    for minutes, last in enumerate(["Cole", "Dunn", "Baker", "Able"]):  # the worst place bids first
        bid(connection, request, *people[last], EVENING + timedelta(minutes=minutes))
    return book, request, people


def bid(connection, request: int, member: int, registration: int, at: datetime, source: str = "phone") -> int:
    return connection.execute(text(
        "INSERT INTO bids (request_id, member_id, registration_id, source, received_at) "
        "VALUES (:q, :m, :g, :s, :at) RETURNING id"),
        {"q": request, "m": member, "g": registration, "s": source, "at": at}).scalar_one()


def names(rows) -> list[str]:
    return [r.member_name.split(",")[0] for r in rows]


def walk_order(session, request_id: int) -> list[int]:
    """Member ids in the order the dispatch walk would offer the request now."""
    request = session.get(LaborRequest, request_id)
    return [p.member_id for p in load_places(session, request, listed_before=datetime.now(LA))]


def test_bids_are_listed_in_list_order_with_the_book_rank(session_factory, bidding):
    _, request, _people = bidding
    with session_factory() as session:
        rows = request_bids(session, request)
        assert names(rows) == ["Able", "Baker", "Dunn", "Cole"]  # tier 2 last, whatever its APN or bid time
        assert [r.rank for r in rows] == [2, 3, 4, 5]  # Top holds rank 1 without bidding
        assert [r.offer_order for r in rows] == [1, 2, 3, 4]
        assert [(r.tier, r.apn) for r in rows[2:]] == [(1, Decimal("45300.01")), (2, Decimal("44000.01"))]
        assert all(r.registered and r.source == "phone" and not r.withdrawn for r in rows)
        assert [r.member_id for r in rows] == walk_order(session, request)


def test_withdrawn_bids_come_last_and_the_walk_passes_them_over(session_factory, connection, bidding):
    _, request, people = bidding
    connection.execute(text("UPDATE bids SET withdrawn = true, version = version + 1 WHERE member_id = :m"),
                       {"m": people["Able"][0]})
    with session_factory() as session:
        rows = request_bids(session, request)
        assert names(rows) == ["Baker", "Dunn", "Cole", "Able"]
        able = rows[-1]
        assert able.withdrawn and able.offer_order is None and able.rank == 2  # still on the book
        assert [r.offer_order for r in rows[:3]] == [1, 2, 3]
        assert [r.member_id for r in rows if r.offer_order] == walk_order(session, request)


def test_a_bidder_who_lost_their_place_shows_no_position(session_factory, connection, bidding):
    book, request, people = bidding
    baker, baker_place = people["Baker"]
    connection.execute(text("UPDATE registrations SET status = 'rolled_off', roll_off_reason = 'check_marks', "
                            "rolled_off_on = current_date, version = version + 1 WHERE id = :g"), {"g": baker_place})
    with session_factory() as session:
        rows = request_bids(session, request)
        assert names(rows) == ["Able", "Dunn", "Cole", "Baker"]
        lost = rows[-1]
        assert not lost.registered and (lost.rank, lost.tier, lost.apn, lost.offer_order) == (None,) * 4
        assert not lost.withdrawn
        assert [r.rank for r in rows[:3]] == [2, 3, 4]  # the book closed up behind the roll-off
        assert [r.member_id for r in rows if r.offer_order] == walk_order(session, request)

    # Signed on again with a new APN: the live place counts, not the bid's.
    new_place = register(connection, baker, book, apn="46000.01")
    with session_factory() as session:
        rows = request_bids(session, request)
        assert names(rows) == ["Able", "Dunn", "Baker", "Cole"]
        assert (rows[2].registration_id, rows[2].rank, rows[2].apn) == (new_place, 4, Decimal("46000.01"))


def test_a_request_without_bids_lists_nothing(session_factory, connection, bidding):
    book, _, _ = bidding
    employer, _ = make_employer(connection, "Quiet Co")
    quiet = make_request(connection, book, employer, referral_date=date(2025, 8, 12), bidding=True)
    with session_factory() as session:
        assert request_bids(session, quiet) == []
