"""The server-side walk (uc_dispatch_walked) that sends the next registrant in one round trip: it writes what the
walk in Python writes, and when the list or the member changed between reading and locking it writes nothing
and the dispatch is walked again under the locks."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from unioncore_desktop.domain.models import Registration
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.services import dispatch as dispatch_service
from unioncore_desktop.domain.services.dispatch import dispatch_next_accepting
from unioncore_desktop.domain.services.referral_context import snapshot
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.seed.referral_world import (
    build_world,
    make_book,
    make_request,
    register,
)


def _list_with_skips(conn, today, code: str):
    """Six registrants: the first two exempt, the third excluded from the employer; a request for two."""
    world = build_world(conn, code=code, registrants=6, requests=1, workers=2, referral_date=today)
    conn.execute(text("UPDATE registrations SET exemption_reason = 'medical', exemption_start = :d, "
                      "version = version + 1 WHERE id = ANY(:ids)"), {"d": today, "ids": world.registration_ids[:2]})
    conn.execute(text("INSERT INTO member_exclusions (member_id, employer_id, reason) VALUES (:m, :e, 'x')"),
                 {"m": world.member_ids[2], "e": world.employer_id})
    return world


def _lines(conn, request_id):
    return conn.execute(text("SELECT registration_id, rank, skip_reason, outcome, dispatch_id IS NOT NULL "
                             "FROM offer_lines WHERE request_id = :r ORDER BY id"), {"r": request_id}).all()


def _read_then(change):
    """read_ahead as the service calls it, then `change()` once: what another workstation does meanwhile."""
    real = dispatch_service.read_ahead
    done = []

    def wrapper(*args, **kwargs):
        ahead = real(*args, **kwargs)
        if not done:
            done.append(True)
            change()
        return ahead

    return wrapper


@pytest.fixture
def today(session_factory):
    with session_factory() as s:
        return hall_clock(s).today


@pytest.fixture
def hall(databases):
    name = databases.create()
    admin = databases.engine(name)
    with admin.connect() as conn:
        today = conn.execute(text("SELECT uc_hall_today()")).scalar_one()
    login = databases.make_staff(name, "dispatcher", "Dispatcher One")
    engine = databases.engine(name, login, pool_size=1)

    class Hall:
        db, day, staff = admin, today, login
        factory = sessionmaker(engine, expire_on_commit=False)

        @classmethod
        def uow(cls) -> UnitOfWork:
            return UnitOfWork(cls.factory)

    return Hall


def test_one_go_writes_the_walk_the_activity_and_commits(hall):
    with hall.db.begin() as conn:
        world = _list_with_skips(conn, hall.day, "ONE_A")
    regs, request = world.registration_ids, world.request_ids[0]

    first = dispatch_next_accepting(hall.uow(), request_id=request, idempotency_key=uuid.uuid4())
    assert (first.registration_id, first.rank, first.outcome) == (regs[3], 4, "accepted")
    assert [(e.registration_id, e.rank, e.skip_reason) for e in first.skipped] == [
        (regs[0], 1, "exempt"), (regs[1], 2, "exempt"), (regs[2], 3, "excluded_employer")]
    assert (first.request_status, first.workers_dispatched, first.open_places) == ("partially_filled", 1, 1)
    # the next one is walked from the top again: the dispatched place is gone, so the next is rank 4 too
    second = dispatch_next_accepting(hall.uow(), request_id=request, idempotency_key=uuid.uuid4())
    assert (second.registration_id, second.rank, second.request_status) == (regs[4], 4, "filled")

    with hall.db.connect() as conn:
        assert _lines(conn, request) == [
            (regs[0], 1, "exempt", None, False), (regs[1], 2, "exempt", None, False),
            (regs[2], 3, "excluded_employer", None, False), (regs[3], 4, None, "accepted", True),
            (regs[0], 1, "exempt", None, False), (regs[1], 2, "exempt", None, False),
            (regs[2], 3, "excluded_employer", None, False), (regs[4], 4, None, "accepted", True)]
        line = conn.execute(text("SELECT id, dispatch_id FROM offer_lines WHERE registration_id = :g"),
                            {"g": regs[3]}).one()
        assert tuple(line) == (first.line_id, first.dispatch_id)
        sent = conn.execute(text(
            "SELECT d.dispatched_by, d.dispatch_date, d.via_bid, e.source, e.started_on, r.status, "
            "r.workers_dispatched FROM dispatches d JOIN employment_history e ON e.id = d.employment_id "
            "JOIN labor_requests r ON r.id = d.request_id WHERE d.id = :d"), {"d": first.dispatch_id}).one()
        assert tuple(sent) == (hall.staff, hall.day, False, "dispatch", hall.day, "filled", 2)
        before, after, by = conn.execute(text(
            "SELECT before, after, staff_login FROM registration_activity WHERE dispatch_id = :d "
            "AND action = 'dispatched'"), {"d": first.dispatch_id}).one()
        audited = conn.execute(text("SELECT count(*) FROM audit_log WHERE table_name = 'dispatches' "
                                    "AND row_key = :k"), {"k": str(first.dispatch_id)}).scalar_one()
    with Session(hall.db) as s:
        registration = s.get(Registration, regs[3])
        assert (registration.status, registration.version) == ("dispatched", 2)
        assert after == snapshot(registration)  # the same JSON the Python services write
    assert before == {**after, "status": "registered"} and by == hall.staff and audited == 1


def test_a_place_changed_after_reading_is_walked_again_under_the_locks(hall, monkeypatch):
    with hall.db.begin() as conn:
        world = _list_with_skips(conn, hall.day, "ONE_B")
    regs, request = world.registration_ids, world.request_ids[0]

    def exempt_the_first_eligible():
        with hall.db.begin() as conn:
            conn.execute(text("UPDATE registrations SET exemption_reason = 'medical', exemption_start = :d, "
                              "version = version + 1 WHERE id = :r"), {"d": hall.day, "r": regs[3]})

    monkeypatch.setattr(dispatch_service, "read_ahead", _read_then(exempt_the_first_eligible))
    result = dispatch_next_accepting(hall.uow(), request_id=request, idempotency_key=uuid.uuid4())
    assert (result.registration_id, result.rank) == (regs[4], 5)
    with hall.db.connect() as conn:  # the first try wrote nothing
        assert _lines(conn, request) == [
            (regs[0], 1, "exempt", None, False), (regs[1], 2, "exempt", None, False),
            (regs[2], 3, "excluded_employer", None, False), (regs[3], 4, "exempt", None, False),
            (regs[4], 5, None, "accepted", True)]
        assert conn.execute(text("SELECT count(*) FROM dispatches")).scalar_one() == 1


def test_in_an_outer_transaction_a_changed_place_is_walked_on_under_the_same_locks(uow, connection, today,
                                                                                    monkeypatch):
    world = _list_with_skips(connection, today, "ONE_C")
    regs, request = world.registration_ids, world.request_ids[0]

    def someone_moves_to_the_top():  # the last place read, now above everyone (another version of its row)
        connection.execute(text("UPDATE registrations SET apn = 1, version = version + 1 WHERE id = :r"),
                           {"r": regs[5]})

    monkeypatch.setattr(dispatch_service, "read_ahead", _read_then(someone_moves_to_the_top))
    result = dispatch_next_accepting(uow, request_id=request, idempotency_key=uuid.uuid4())
    assert (result.registration_id, result.rank) == (regs[5], 1)
    assert _lines(connection, request) == [(regs[5], 1, None, "accepted", True)]


@pytest.mark.commits
def test_a_member_sent_from_another_book_after_reading_is_skipped(uow, connection, today, monkeypatch):
    world = _list_with_skips(connection, today, "ONE_D")
    regs, request = world.registration_ids, world.request_ids[0]
    other_book = make_book(connection, "ONE_D2")
    connection.execute(text("INSERT INTO member_qualified_books (member_id, book_code, tier) VALUES (:m, 'ONE_D2', 1)"),
                       {"m": world.member_ids[3]})
    other_reg = register(connection, world.member_ids[3], other_book, apn="1.00")
    other_request = make_request(connection, other_book, world.employer_id, referral_date=today)

    def sent_elsewhere():
        connection.execute(text("""
            INSERT INTO dispatches (request_id, member_id, registration_id, book_id, employer_id, idempotency_key,
                                    dispatch_date)
            VALUES (:r, :m, :g, :b, :e, :k, :d)"""), {"r": other_request, "m": world.member_ids[3], "g": other_reg,
                                                     "b": other_book, "e": world.employer_id, "k": uuid.uuid4(),
                                                     "d": today})

    monkeypatch.setattr(dispatch_service, "read_ahead", _read_then(sent_elsewhere))
    result = dispatch_next_accepting(uow, request_id=request, idempotency_key=uuid.uuid4())
    assert (result.registration_id, result.rank) == (regs[4], 5)
    assert _lines(connection, request) == [
        (regs[0], 1, "exempt", None, False), (regs[1], 2, "exempt", None, False),
        (regs[2], 3, "excluded_employer", None, False), (regs[3], 4, "already_dispatched_today", None, False),
        (regs[4], 5, None, "accepted", True)]


@pytest.mark.commits
def test_started_on_is_the_later_of_the_start_and_today(uow, connection, today):
    world = build_world(connection, code="ONE_E", registrants=2, referral_date=today)
    later = make_request(connection, world.book_id, world.employer_id, referral_date=today,
                         start_on=today + timedelta(days=3))
    result = dispatch_next_accepting(uow, request_id=later, idempotency_key=uuid.uuid4())
    started = connection.execute(text("SELECT e.started_on FROM dispatches d JOIN employment_history e "
                                      "ON e.id = d.employment_id WHERE d.id = :d"), {"d": result.dispatch_id}).scalar()
    assert started == today + timedelta(days=3)


def test_a_dropped_connection_is_reported_and_the_same_key_sent_again_dispatches_once(hall, monkeypatch):
    """The workstation retries a command that met a lost connection with the same key: whether the first
    attempt never reached the server or committed and lost its answer, one dispatch results."""
    import psycopg

    from unioncore_desktop.domain.errors import ConnectionProblem

    with hall.db.begin() as conn:
        world = _list_with_skips(conn, hall.day, "ONE_DROP")
    request = world.request_ids[0]

    # never reached the server: the pooled connection was closed by the server before the command
    with hall.factory() as s:
        s.execute(text("SELECT 1"))
    with hall.db.begin() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :u"),
                     {"u": hall.staff})
    key = uuid.uuid4()
    with pytest.raises(ConnectionProblem):
        dispatch_next_accepting(hall.uow(), request_id=request, idempotency_key=key)
    first = dispatch_next_accepting(hall.uow(), request_id=request, idempotency_key=key)

    # committed, then the answer was lost on the way back
    real = dispatch_service.execute_and_commit

    def commit_then_drop(*args, **kwargs):
        real(*args, **kwargs)
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(dispatch_service, "execute_and_commit", commit_then_drop)
    second_key = uuid.uuid4()
    with pytest.raises(ConnectionProblem):
        dispatch_next_accepting(hall.uow(), request_id=request, idempotency_key=second_key)
    monkeypatch.undo()
    second = dispatch_next_accepting(hall.uow(), request_id=request, idempotency_key=second_key)

    assert second.replayed and second.registration_id != first.registration_id
    with hall.db.connect() as conn:
        sent = conn.execute(text("SELECT idempotency_key FROM dispatches WHERE request_id = :r ORDER BY id"),
                            {"r": request}).scalars().all()
    assert sent == [key, second_key]
