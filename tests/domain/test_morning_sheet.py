"""The morning referral sheet on a list built for it: each request gets its places then three spares in list
order, the skipped ones where the walk passes them, and a later request on the book the names after those the
earlier one takes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.services.morning_sheet import morning_sheet
from unioncore_desktop.seed.referral_world import make_book, make_employer, make_member, make_request, register

NAMES = ("Able", "Baker", "Cole", "Dunn", "Egan", "Fox", "Gray", "Hale", "Irwin", "Jones")


@pytest.fixture
def sheet_world(connection, session_factory):
    """Ten on the SHEET book in name order; Cole exempt, Egan excluded from the second employer. Two requests:
    the first for two workers, the second (the other employer, received later) for one."""
    with session_factory() as session:
        today = hall_clock(session).today
    book = make_book(connection, "SHEET")
    first, _ = make_employer(connection, "First Electric")
    second, _ = make_employer(connection, "Second Electric")
    people = {}
    for i, last in enumerate(NAMES, start=1):
        member = make_member(connection, last, books=["SHEET"])
        people[last] = member
        register(connection, member, book, apn=f"45000.{i:02d}",
                 exemption=("medical", date(2020, 1, 1)) if last == "Cole" else None)
    connection.execute(text("INSERT INTO member_exclusions (member_id, employer_id, reason) "
                            "VALUES (:m, :e, 'asked not to return')"), {"m": people["Egan"], "e": second})
    requests = [make_request(connection, book, first, referral_date=today, workers=2),
                make_request(connection, book, second, referral_date=today, workers=1)]
    return book, today, requests


def lines_of(request):
    return [(line.member_name.split(",")[0], line.rank, line.skip_reason, line.spare) for line in request.lines]


def test_each_request_gets_its_places_then_spares_and_the_skips_where_they_fall(session_factory, sheet_world):
    book, today, (first_id, second_id) = sheet_world
    with session_factory() as session:
        sheet = morning_sheet(session, today, book_id=book)
    assert [b.code for b in sheet.books] == ["SHEET"]
    first, second = sheet.books[0].requests
    assert (first.request.id, second.request.id) == (first_id, second_id)  # received order
    assert lines_of(first) == [("Able", 1, None, False), ("Baker", 2, None, False), ("Cole", 3, "exempt", False),
                               ("Dunn", 4, None, True), ("Egan", 5, None, True), ("Fox", 6, None, True)]
    # Able and Baker go to the first request; Egan may not be sent to the second employer
    assert lines_of(second) == [("Cole", 3, "exempt", False), ("Dunn", 4, None, False),
                                ("Egan", 5, "excluded_employer", False), ("Fox", 6, None, True),
                                ("Gray", 7, None, True), ("Hale", 8, None, True)]
    assert [line.member_name for line in second.to_call] == ["Dunn, Pat", "Fox, Pat", "Gray, Pat", "Hale, Pat"]
    assert first.issues_marks and sheet.today == today


def test_a_short_list_shows_everyone_left(session_factory, connection, sheet_world):
    book, today, (first_id, _second) = sheet_world
    connection.execute(text("UPDATE labor_requests SET workers_requested = 9, version = version + 1 WHERE id = :r"),
                       {"r": first_id})
    with session_factory() as session:
        sheet = morning_sheet(session, today, book_id=book)
    first, second = sheet.books[0].requests
    assert [line.member_name.split(",")[0] for line in first.to_call] == [n for n in NAMES if n != "Cole"]
    assert not [line for line in first.to_call if line.spare]  # nine wanted, nine eligible: no spare left
    assert second.to_call == ()  # the first request takes everyone who could go
    assert [(line.member_name.split(",")[0], line.skip_reason) for line in second.lines] == [
        ("Cole", "exempt"), ("Egan", "excluded_employer")]


def test_another_book_or_a_morning_before_the_requests_has_nothing(session_factory, connection, sheet_world):
    book, today, _ = sheet_world
    other = make_book(connection, "QUIET")
    with session_factory() as session:
        assert morning_sheet(session, today, book_id=other).books == ()
        assert morning_sheet(session, date(2001, 1, 2), book_id=book).books == ()
