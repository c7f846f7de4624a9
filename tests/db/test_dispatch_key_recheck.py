"""uc_dispatch_walked re-checks the dispatch key after locking the request: the caller's one-statement read may
predate a retry of the same dispatch that committed while it waited, and then the function writes nothing (the
caller replays the first dispatch)."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.services.dispatch import _DISPATCH_AHEAD_SQL, dispatch_next_accepting
from unioncore_desktop.domain.vocab import ACTIVE_DISPATCH_STATUSES
from unioncore_desktop.seed.referral_world import build_world

pytestmark = pytest.mark.commits  # the services' own COMMIT runs, as at the hall


def _call(connection, request_id, key, today, places):
    """The function as the service calls it, with every place read as eligible from the top."""
    last = places[-1]
    return connection.execute(text(_DISPATCH_AHEAD_SQL), {
        "request": request_id, "run": uuid.uuid4(), "key": key, "today": today, "note": None,
        "active": list(ACTIVE_DISPATCH_STATUSES), "ut": last.tier, "ua": last.apn, "ur": last.registered_at,
        "um": last.member_id, "ids": [p.id for p in places], "versions": [p.version for p in places],
        "skips": [None] * len(places)}).all()


def test_a_used_key_writes_nothing_and_a_fresh_one_dispatches(uow, session_factory, connection):
    with session_factory() as s:
        today = hall_clock(s).today
    world = build_world(connection, code="KEY_R", registrants=3, requests=2, referral_date=today)
    used = uuid.uuid4()
    dispatch_next_accepting(uow, request_id=world.request_ids[0], idempotency_key=used)
    places = connection.execute(text(
        "SELECT id, version, tier, apn, registered_at, member_id FROM registrations "
        "WHERE book_id = :b AND status = 'registered' ORDER BY apn LIMIT 1"), {"b": world.book_id}).all()
    before = connection.execute(text("SELECT count(*) FROM dispatches")).scalar_one()

    assert _call(connection, world.request_ids[1], used, today, places) == []
    assert connection.execute(text("SELECT count(*) FROM dispatches")).scalar_one() == before
    assert connection.execute(text("SELECT count(*) FROM offer_lines WHERE request_id = :r"),
                              {"r": world.request_ids[1]}).scalar_one() == 0

    rows = _call(connection, world.request_ids[1], uuid.uuid4(), today, places)
    assert [r[2] for r in rows] == [places[0].id]
