"""R5: a day's referral uses the list as it stood that morning. A place registered since the start of the hall's
day is not considered (no offer line, not offered even when the list above it is exhausted) until the next day;
a restored place keeps its old registered_at and is offered at once. Both the walk read in Python and the
server-side walk (uc_dispatch_walked) apply it."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from unioncore_desktop.domain.errors import DomainError
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.services import dispatch as dispatch_service
from unioncore_desktop.domain.services.dispatch import dispatch_next_accepting, offer_next, reject_dispatch
from unioncore_desktop.domain.services.walk import preview_walk
from unioncore_desktop.seed.referral_world import (
    make_book,
    make_employer,
    make_member,
    make_request,
    register,
)

pytestmark = pytest.mark.commits  # the services' own COMMIT runs, as at the hall


@pytest.fixture
def clock(session_factory):
    with session_factory() as s:
        return hall_clock(s)


def day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


# when the second registrant signed on, from the start of the hall's day (None: just now) -> offered today?
CASES = {
    "a minute after the day began": (timedelta(minutes=1), False),
    "just now": (None, False),
    "a minute before the day began": (timedelta(minutes=-1), True),
    "last week": (timedelta(days=-7), True),
}


def one_place_list(connection, clock, since_start: timedelta | None, code: str):
    """An exempt registrant (skipped: the list above is exhausted), then the one the case is about."""
    book = make_book(connection, code)
    employer, site = make_employer(connection)
    top = register(connection, make_member(connection, "Top", books=[code]), book, apn="45000.01",
                   exemption=("medical", clock.today))
    at = clock.now if since_start is None else day_start(clock.today, clock.zone) + since_start
    member = make_member(connection, "Case", books=[code])
    case = register(connection, member, book, apn="45000.02", registered_at=at)
    return book, employer, site, top, case


@pytest.mark.parametrize(("since_start", "today_offered"), list(CASES.values()), ids=list(CASES))
@pytest.mark.parametrize("one_go", [True, False], ids=["server walk", "walk under python locks"])
def test_a_sign_on_of_the_day_waits_for_the_next_days_list(uow, session_factory, connection, clock, monkeypatch,
                                                            since_start, today_offered, one_go):
    if not one_go:
        monkeypatch.setattr(dispatch_service, "_one_go_applies", lambda *a: False)
    book, employer, site, top, case = one_place_list(connection, clock, since_start, "R5_A")
    request = make_request(connection, book, employer, worksite_id=site, referral_date=clock.today)

    with session_factory() as s:
        preview = preview_walk(s, request)
    assert [e.registration_id for e in preview.skipped] == [top]
    assert (preview.next.registration_id if preview.next else None) == (case if today_offered else None)
    assert preview.signed_on_today == (0 if today_offered else 1)

    if today_offered:
        result = dispatch_next_accepting(uow, request_id=request, idempotency_key=uuid.uuid4())
        assert (result.registration_id, result.rank) == (case, 2)
        assert [e.registration_id for e in result.skipped] == [top]
        return
    with pytest.raises(DomainError, match="No one on the list"):
        dispatch_next_accepting(uow, request_id=request, idempotency_key=uuid.uuid4())
    assert connection.execute(text("SELECT count(*) FROM offer_lines WHERE request_id = :r"),
                              {"r": request}).scalar_one() == 0
    with pytest.raises(DomainError, match="signed on today"):
        offer_next(uow, request_id=request, registration_id=case, outcome="accepted", run_id=uuid.uuid4(),
                   idempotency_key=uuid.uuid4())

    # the next day (as if the sign-on had been a day earlier), the place is on the list and offered
    connection.execute(text("UPDATE registrations SET registered_at = registered_at - interval '1 day', "
                            "version = version + 1 WHERE id = :r"), {"r": case})
    with session_factory() as s:
        assert preview_walk(s, request).next.registration_id == case
    result = dispatch_next_accepting(uow, request_id=request, idempotency_key=uuid.uuid4())
    assert (result.registration_id, result.rank) == (case, 2)
    assert [e.registration_id for e in result.skipped] == [top]


@pytest.mark.parametrize("how", ["offer_next", "server walk"])
def test_a_sign_on_of_the_day_above_the_next_one_is_not_on_the_list(uow, connection, clock, monkeypatch, how):
    """A sign-on of the day with a better APN is not above anyone today: ranks and skip lines leave it out, and
    the server-side walk agrees with the list read ahead (it does not fall back to walking under Python's locks)."""
    book, employer, site, top, case = one_place_list(connection, clock, None, "R5_B")
    connection.execute(text("UPDATE registrations SET apn = 1, version = version + 1 WHERE id = :r"), {"r": case})
    old = register(connection, make_member(connection, "Old", books=["R5_B"]), book, apn="45000.05")
    request = make_request(connection, book, employer, worksite_id=site, referral_date=clock.today)
    if how == "offer_next":
        result = offer_next(uow, request_id=request, registration_id=old, outcome="accepted", run_id=uuid.uuid4(),
                            idempotency_key=uuid.uuid4())
    else:
        def no_fallback(*args, **kwargs):
            raise AssertionError("the server-side walk wrote nothing")

        monkeypatch.setattr(dispatch_service, "LockedList", no_fallback)
        result = dispatch_next_accepting(uow, request_id=request, idempotency_key=uuid.uuid4())
    assert (result.registration_id, result.rank) == (old, 2)
    assert connection.execute(text("SELECT registration_id, rank FROM offer_lines WHERE request_id = :r "
                                    "ORDER BY id"), {"r": request}).all() == [(top, 1), (old, 2)]


def test_a_restored_registrant_keeps_their_place_on_todays_list(uow, session_factory, connection, clock):
    """Sent on an earlier day and turned away by the employer: back at the old place, offered today."""
    code = "R5_C"
    book = make_book(connection, code)
    employer, site = make_employer(connection)
    member = make_member(connection, "Restored", books=[code])
    registered = day_start(clock.today, clock.zone) - timedelta(days=20)
    reg = register(connection, member, book, apn="45000.01", registered_at=registered)
    first = make_request(connection, book, employer, worksite_id=site, referral_date=clock.today)
    sent = dispatch_next_accepting(uow, request_id=first, idempotency_key=uuid.uuid4())
    connection.execute(text("UPDATE dispatches SET dispatch_date = dispatch_date - 3, version = version + 1 "
                            "WHERE id = :d"), {"d": sent.dispatch_id})
    reject_dispatch(uow, dispatch_id=sent.dispatch_id, note="turned away")
    assert connection.execute(text("SELECT status, registered_at FROM registrations WHERE id = :r"),
                              {"r": reg}).one() == ("registered", registered)

    request = make_request(connection, book, employer, worksite_id=site, referral_date=clock.today)
    with session_factory() as s:
        assert preview_walk(s, request).next.registration_id == reg
    assert dispatch_next_accepting(uow, request_id=request, idempotency_key=uuid.uuid4()).registration_id == reg


def test_by_name_dispatch_is_not_a_walk(uow, connection, clock):
    """R13 skips the queue: a foreperson named by the employer may be sent on the day they signed on."""
    code = "R5_D"
    book = make_book(connection, code)
    employer, site = make_employer(connection)
    member = make_member(connection, "Foreperson", books=[code])
    register(connection, member, book, apn="45000.01", registered_at=clock.now)
    request = make_request(connection, book, employer, worksite_id=site, referral_date=clock.today,
                           by_name_member_id=member)
    row = dispatch_service.by_name_dispatch(uow, request_id=request, idempotency_key=uuid.uuid4())
    assert row.member_id == member
