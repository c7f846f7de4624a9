"""Each business write has one implementation: every way of recording a dispatch writes the same rows through
uc_answer_offer, a decline writes the same lines, the walk's preview names the lines the write records, and no other
code spells those writes, the activity rows' JSON or the allocation of credit again."""

from __future__ import annotations

import re
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Connection, text

from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.services import dispatch as dispatch_service
from unioncore_desktop.domain.services.dispatch import by_name_dispatch, dispatch_next_accepting, offer_next
from unioncore_desktop.domain.services.walk import preview_walk
from unioncore_desktop.paths import migrations_dir
from unioncore_desktop.seed.referral_world import World, build_world, make_request

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def today(session_factory) -> date:
    with session_factory() as s:
        return hall_clock(s).today


def _world(connection: Connection, today: date, code: str) -> World:
    """Five registrants: the first exempt, the second excluded from the employer; one request for one worker."""
    world = build_world(connection, code=code, registrants=5, requests=1, referral_date=today)
    connection.execute(text("UPDATE registrations SET exemption_reason = 'medical', exemption_start = :d, "
                            "version = version + 1 WHERE id = :r"), {"d": today, "r": world.registration_ids[0]})
    connection.execute(text("INSERT INTO member_exclusions (member_id, employer_id, reason) VALUES (:m, :e, 'x')"),
                       {"m": world.member_ids[1], "e": world.employer_id})
    return world


def _written(connection: Connection, world: World) -> dict[str, object]:
    """What the answer left on the world's request, with ids replaced by places in the world's list."""
    place = {r: i for i, r in enumerate(world.registration_ids)}
    request = world.request_ids[0]
    lines = [(place[r], rank, skip, outcome, mark, dispatched, note) for r, rank, skip, outcome, mark, dispatched, note
             in connection.execute(text(
                 "SELECT registration_id, rank, skip_reason, outcome, mark_issued, dispatch_id IS NOT NULL, note "
                 "FROM offer_lines WHERE request_id = :q ORDER BY id"), {"q": request})]
    dispatches = [(place[r], *rest) for r, *rest in connection.execute(text("""
        SELECT d.registration_id, d.status, d.by_name, d.via_bid, d.short_call, d.dispatch_date, d.note,
               e.source, e.started_on, e.job_class, q.status, q.workers_dispatched
        FROM dispatches d JOIN employment_history e ON e.id = d.employment_id
        JOIN labor_requests q ON q.id = d.request_id WHERE d.request_id = :q ORDER BY d.id"""), {"q": request})]
    activity = [(place[r], *rest) for r, *rest in connection.execute(text("""
        SELECT a.registration_id, a.action, a.before, a.after, a.note, a.dispatch_id IS NOT NULL
        FROM registration_activity a WHERE a.request_id = :q ORDER BY a.id"""), {"q": request})]
    registrations = connection.execute(text(
        "SELECT status, version FROM registrations WHERE id = ANY(:ids) ORDER BY id"),
        {"ids": world.registration_ids}).all()
    return {"lines": lines, "dispatches": dispatches, "activity": activity,
            "registrations": [tuple(r) for r in registrations]}


@pytest.mark.commits
def test_every_way_of_accepting_writes_the_same_rows_and_the_lines_the_preview_showed(
        uow, connection, session_factory, today, monkeypatch):
    worlds = {how: _world(connection, today, f"ONE_W_{i}")
              for i, how in enumerate(("server walk", "walk under python locks", "offer answered"))}
    previews = {}
    for how, world in worlds.items():
        with session_factory() as s:
            previews[how] = preview_walk(s, world.request_ids[0])
    dispatch_next_accepting(uow, request_id=worlds["server walk"].request_ids[0], idempotency_key=uuid.uuid4())
    with monkeypatch.context() as patch:
        patch.setattr(dispatch_service, "_one_go_applies", lambda *a: False)
        dispatch_next_accepting(uow, request_id=worlds["walk under python locks"].request_ids[0],
                                idempotency_key=uuid.uuid4())
    offered = worlds["offer answered"]
    offer_next(uow, request_id=offered.request_ids[0], registration_id=previews["offer answered"].next.registration_id,
               outcome="accepted", run_id=uuid.uuid4(), idempotency_key=uuid.uuid4())

    written = {how: _written(connection, world) for how, world in worlds.items()}
    first = written["server walk"]
    assert first["lines"] == [  # (place, rank, skip reason, outcome, mark, dispatch, note)
        (0, 1, "exempt", None, False, False, None),
        (1, 2, "excluded_employer", None, False, False, None),
        (2, 3, None, "accepted", False, True, None)]
    (_, action, before, after, note, linked), = first["activity"]
    assert (action, note, linked) == ("dispatched", None, True) and before == {**after, "status": "registered"}
    assert after["status"] == "dispatched" and first["dispatches"][0][1:5] == ("dispatched", False, False, False)
    assert written["walk under python locks"] == first
    assert written["offer answered"] == first
    for how, world in worlds.items():  # the preview named exactly the lines the write recorded
        preview = previews[how]
        shown = [(e.registration_id, e.rank, e.skip_reason) for e in (*preview.skipped, preview.next)]
        assert [(world.registration_ids[p], rank, skip) for p, rank, skip, *_ in written[how]["lines"]] == shown


@pytest.mark.commits
def test_a_decline_writes_the_lines_an_acceptance_would_and_its_mark(uow, connection, today):
    accepted, declined = _world(connection, today, "ONE_D_A"), _world(connection, today, "ONE_D_D")
    dispatch_next_accepting(uow, request_id=accepted.request_ids[0], idempotency_key=uuid.uuid4())
    result = offer_next(uow, request_id=declined.request_ids[0], registration_id=declined.registration_ids[2],
                        outcome="declined", run_id=uuid.uuid4(), idempotency_key=uuid.uuid4(), note=" busy ")
    assert result.mark_issued and result.live_marks == 1
    lines = _written(connection, declined)["lines"]
    assert lines[:-1] == _written(connection, accepted)["lines"][:-1]
    assert lines[-1] == (2, 3, None, "declined", True, False, "busy")
    mark = connection.execute(text("SELECT offer_line_id FROM check_marks WHERE registration_id = :r"),
                              {"r": declined.registration_ids[2]}).scalar_one()
    assert mark == connection.execute(text("SELECT max(id) FROM offer_lines WHERE request_id = :q"),
                                      {"q": declined.request_ids[0]}).scalar_one()


@pytest.mark.commits
def test_a_by_name_dispatch_is_the_same_write_with_no_lines(uow, connection, today):
    world = _world(connection, today, "ONE_BN")
    foreperson = world.member_ids[3]
    request = make_request(connection, world.book_id, world.employer_id, worksite_id=world.worksite_id,
                           referral_date=today, by_name_member_id=foreperson)
    world.request_ids[0] = request
    row = by_name_dispatch(uow, request_id=request, idempotency_key=uuid.uuid4(), note="  named  ")
    written = _written(connection, world)
    assert written["lines"] == []
    assert written["dispatches"] == [(3, "dispatched", True, False, False, today, "named", "dispatch", today, None,
                                      "filled", 1)]
    (place, action, before, after, note, linked), = written["activity"]
    assert (place, action, note, linked) == (3, "dispatched", "by name", True)
    assert before == {**after, "status": "registered"} and row.id is not None


# --- no second spelling -----------------------------------------------------------------------------------------

def _sources(*globs: str) -> dict[str, str]:
    return {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
            for pattern in globs for p in sorted(ROOT.glob(pattern))}


def _spelled(pattern: str, *globs: str) -> list[str]:
    return sorted(name for name, source in _sources(*globs).items() if re.search(pattern, source, re.IGNORECASE))


SQL_SOURCES = ("migrations/sql/**/*.sql",)
CODE = ("unioncore_desktop/**/*.py", "bench/*.py")


def test_a_dispatch_and_its_lines_are_written_only_by_uc_answer_offer():
    for table in ("dispatches", "offer_lines"):
        assert _spelled(rf"INSERT INTO {table}\b", *SQL_SOURCES) == ["migrations/sql/functions/uc_answer_offer.sql"]
        # the demo seed writes years of history in bulk, as the services would have
        assert _spelled(rf"INSERT INTO {table}\b", *CODE) == ["unioncore_desktop/seed/books.py"]
    assert _spelled(r"\b(Dispatch|OfferLine|EmploymentRecord)\(", "unioncore_desktop/domain/services/*.py") == []


def test_the_activity_json_is_spelled_only_by_uc_registration_snapshot():
    assert _spelled(r"'apn',", *SQL_SOURCES, *CODE) == ["migrations/sql/functions/uc_registration_snapshot.sql"]
    assert "uc_registration_snapshot" in (migrations_dir() / "sql" / "functions" / "uc_answer_offer.sql").read_text()


def test_credit_is_applied_only_by_uc_apply_credit():
    running_totals = r"sum\(avail\) OVER"
    assert _spelled(running_totals, *SQL_SOURCES, *CODE) == ["migrations/sql/functions/uc_apply_credit.sql"]
    assert _spelled(r"uc_apply_credit\(", "migrations/sql/functions/uc_post_payment.sql") == [
        "migrations/sql/functions/uc_post_payment.sql"]
