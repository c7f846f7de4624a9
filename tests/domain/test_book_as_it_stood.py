"""A book's list as it stood at a past moment, rebuilt from the registration activity: who was on it, in which
order, exempt or not, with which marks, and which places changed since; the list of this very moment is the book's
list as the books screen shows it."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from unioncore_desktop.domain.errors import NotFound
from unioncore_desktop.domain.queries.book_history import book_as_it_stood
from unioncore_desktop.domain.queries.books import book_list, registration_row
from unioncore_desktop.domain.services.dispatch import dispatch_next_accepting
from unioncore_desktop.domain.services.registrations import sign_on, start_exemption
from unioncore_desktop.seed.referral_world import make_book, make_employer, make_member, make_request, register

pytestmark = pytest.mark.commits  # each step commits, so each has its own time on the server's clock


def moment(connection) -> datetime:
    return connection.execute(text("SELECT clock_timestamp()")).scalar_one()


def names(stood) -> list[str]:
    return [r.last_name for r in stood.rows]


def test_the_list_at_each_moment_of_a_morning(uow, connection, session_factory):
    book = make_book(connection, "STOOD_A")
    employer, site = make_employer(connection)
    adams = register(connection, make_member(connection, "Adams", books=["STOOD_A"]), book, apn="45000.01")
    baker_member = make_member(connection, "Baker", books=["STOOD_A"])
    register(connection, baker_member, book, apn="45000.02")
    chen = make_member(connection, "Chen", books=["STOOD_A"])
    today = connection.execute(text("SELECT uc_hall_today()")).scalar_one()
    before_anything = moment(connection)

    sign_on(uow, member_id=chen, book_ids=[book])
    signed_on = moment(connection)
    start_exemption(uow, registration_id=adams, expected_version=registration_row(session_factory(), adams).version,
                    reason="medical", start=today)
    exempted = moment(connection)
    request = make_request(connection, book, employer, worksite_id=site, referral_date=today)
    sent = dispatch_next_accepting(uow, request_id=request, idempotency_key=uuid.uuid4())
    assert sent.member_id == baker_member  # Adams exempt, Chen signed on today (R5)
    after = moment(connection)

    with session_factory() as s:
        first = book_as_it_stood(s, book, before_anything)
        assert names(first) == ["Adams", "Baker"] and [r.rank for r in first.rows] == [1, 2]
        assert all(r.changed_since for r in first.rows)  # the exemption and the dispatch came later
        assert first.rows[0].exemption_reason is None

        second = book_as_it_stood(s, book, signed_on)
        assert names(second) == ["Adams", "Baker", "Chen"] and not second.rows[2].changed_since

        third = book_as_it_stood(s, book, exempted)
        assert third.rows[0].exemption_reason == "medical" and not third.rows[0].changed_since
        assert third.rows[1].out_on is None

        now = book_as_it_stood(s, book, after)
        assert names(now) == ["Adams", "Chen"] and [r.rank for r in now.rows] == [1, 2]
        assert [r.registration_id for r in now.rows] == [r.registration_id for r in book_list(s, book)]
        assert now.at == after and not any(r.changed_since for r in now.rows)


def test_a_naive_time_is_read_on_the_halls_clock(connection, session_factory):
    book = make_book(connection, "STOOD_B")
    with session_factory() as s:
        zone = s.execute(text("SELECT coalesce((SELECT value FROM app_settings WHERE key = 'time_zone'), "
                              "'America/Los_Angeles')")).scalar_one()
        stood = book_as_it_stood(s, book, datetime(2026, 7, 1, 8, 30))
    assert stood.at == datetime(2026, 7, 1, 8, 30, tzinfo=ZoneInfo(zone)) and stood.rows == ()
    assert stood.book_code == "STOOD_B"


def test_marks_count_while_they_stood(connection, session_factory):
    book = make_book(connection, "STOOD_C")
    member = make_member(connection, "Diaz", books=["STOOD_C"])
    registration = register(connection, member, book, apn="45000.01")
    connection.execute(text("""
        INSERT INTO check_marks (registration_id, member_id, book_id, marked_on, created_at, removed_at,
                                 removed_by, removal_reason)
        VALUES (:g, :m, :b, DATE '2026-05-04', TIMESTAMPTZ '2026-05-04 09:00-07', NULL, NULL, NULL),
               (:g, :m, :b, DATE '2026-05-05', TIMESTAMPTZ '2026-05-05 09:00-07', TIMESTAMPTZ '2026-05-06 10:00-07',
                'someone', 'Could not be reached: phone out of order')
    """), {"g": registration, "m": member, "b": book})
    connection.execute(text("UPDATE registrations SET registered_at = TIMESTAMPTZ '2026-05-01 08:00-07', "
                            "version = version + 1 WHERE id = :g"), {"g": registration})
    with session_factory() as s:
        marks = [book_as_it_stood(s, book, datetime(2026, 5, day, 12)).rows[0].marks for day in (4, 5, 7)]
    assert marks == [1, 2, 1]


def test_a_book_that_is_gone(session_factory):
    with session_factory() as s, pytest.raises(NotFound):
        book_as_it_stood(s, 999_999, datetime(2026, 1, 1))


def test_history_written_without_its_before_leaves_the_state_the_last_change_left(connection, session_factory):
    """The demo's history (and older imports) write a re-sign or a dispatch without `before`: the place stood as
    the last row before the moment left it; a sign-on after the moment means it was not there yet."""
    book = make_book(connection, "STOOD_D")
    early, late = (make_member(connection, name, books=["STOOD_D"]) for name in ("Early", "Late"))
    places = {member: register(connection, member, book, apn=apn,
                               registered_at=datetime(2026, 4, day, 9, tzinfo=ZoneInfo("America/Los_Angeles")))
              for member, apn, day in ((early, "46100.01", 1), (late, "46110.01", 11))}
    connection.execute(text("""
        INSERT INTO registration_activity (registration_id, member_id, book_id, action, at, before, after)
        SELECT g.id, g.member_id, g.book_id, 'sign_on', g.registered_at, CAST(NULL AS jsonb),
               uc_registration_snapshot(g) || '{"apn": "46100.01"}'::jsonb
        FROM registrations g WHERE g.id = :early
        UNION ALL
        SELECT g.id, g.member_id, g.book_id, 're_sign', TIMESTAMPTZ '2026-04-20 10:00-07', NULL,
               uc_registration_snapshot(g)
        FROM registrations g WHERE g.id = :early
        UNION ALL
        SELECT g.id, g.member_id, g.book_id, 'sign_on', g.registered_at, NULL, uc_registration_snapshot(g)
        FROM registrations g WHERE g.id = :late
    """), {"early": places[early], "late": places[late]})
    with session_factory() as s:
        assert names(book_as_it_stood(s, book, datetime(2026, 4, 5, 12))) == ["Early"]
        stood = book_as_it_stood(s, book, datetime(2026, 4, 15, 12))
        assert names(stood) == ["Early", "Late"] and [r.changed_since for r in stood.rows] == [True, False]
        assert names(book_as_it_stood(s, book, datetime(2026, 3, 31, 12))) == []
