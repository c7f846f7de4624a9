"""Two (or eight) workstations dispatching at once, as real dispatcher logins on separate engines with real
commits: never the same member twice, never a request past its count, and the loser is told why."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from unioncore_desktop.domain.errors import DomainError
from unioncore_desktop.domain.services.dispatch import (
    ListChanged,
    dispatch_next_accepting,
    offer_next,
)
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.seed.referral_world import (
    build_world,
    make_book,
    make_request,
    register,
)


@pytest.fixture
def hall(databases):
    name = databases.create()
    admin = databases.engine(name)
    with admin.connect() as conn:
        today = conn.execute(text("SELECT uc_hall_today()")).scalar_one()
    staff = [databases.make_staff(name, "dispatcher", f"Dispatcher {i}") for i in range(8)]
    engines = [databases.engine(name, login, pool_size=1) for login in staff]

    class Hall:
        db, engine, day = name, admin, today

        @staticmethod
        def uow(i: int) -> UnitOfWork:
            return UnitOfWork(sessionmaker(engines[i], expire_on_commit=False))

    return Hall


def race(*calls: Callable[[], object]) -> list[object]:
    """Run the calls on their own threads, released together; each returns its result or its exception."""
    gate = threading.Barrier(len(calls))

    def run(call):
        gate.wait()
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - the outcome under test
            return exc

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


def invariants(engine) -> tuple[int, int]:
    """(members with more than one active dispatch, requests with more dispatches than workers requested)."""
    with engine.connect() as conn:
        doubles = conn.execute(text("""
            SELECT count(*) FROM (SELECT member_id FROM dispatches
                                  WHERE status IN ('dispatched', 'checked_in', 'working')
                                  GROUP BY member_id HAVING count(*) > 1) x""")).scalar_one()
        overfilled = conn.execute(text("""
            SELECT count(*) FROM labor_requests r
            WHERE (SELECT count(*) FROM dispatches d WHERE d.request_id = r.id
                   AND d.status NOT IN ('rejected', 'no_show')) > r.workers_requested
               OR r.workers_dispatched <> (SELECT count(*) FROM dispatches d WHERE d.request_id = r.id
                                          AND d.status NOT IN ('rejected', 'no_show'))""")).scalar_one()
    return doubles, overfilled


def test_two_workstations_filling_the_last_place_of_one_request(hall):
    with hall.engine.begin() as conn:
        world = build_world(conn, code="RACE_A", registrants=5, requests=1, referral_date=hall.day)
    request = world.request_ids[0]
    results = race(*(lambda i=i: dispatch_next_accepting(hall.uow(i), request_id=request,
                                                          idempotency_key=uuid.uuid4()) for i in range(2)))
    winners = [r for r in results if not isinstance(r, Exception)]
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(winners) == 1 and len(losers) == 1
    assert isinstance(losers[0], DomainError) and "is filled" in losers[0].message
    assert invariants(hall.engine) == (0, 0)


def test_two_requests_offered_the_same_top_registrant(hall):
    with hall.engine.begin() as conn:
        world = build_world(conn, code="RACE_B", registrants=5, requests=2, referral_date=hall.day)
    top = world.registration_ids[0]
    results = race(*(lambda i=i: offer_next(hall.uow(i), request_id=world.request_ids[i], registration_id=top,
                                            outcome="accepted", run_id=uuid.uuid4(), idempotency_key=uuid.uuid4())
                     for i in range(2)))
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(losers) == 1 and isinstance(losers[0], ListChanged)
    assert "was dispatched by Dispatcher" in losers[0].message and "has been refreshed" in losers[0].message
    with hall.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM offer_lines")).scalar_one() == 1  # the loser wrote nothing
    assert invariants(hall.engine) == (0, 0)


def test_the_same_member_offered_from_two_books(hall):
    with hall.engine.begin() as conn:
        first = build_world(conn, code="RACE_C", registrants=3, requests=1, referral_date=hall.day)
        member = first.member_ids[0]
        other = make_book(conn, "RACE_D")
        conn.execute(text("INSERT INTO member_qualified_books (member_id, book_code, tier) VALUES (:m, 'RACE_D', 1)"),
                     {"m": member})
        other_reg = register(conn, member, other, apn="45000.01")
        other_request = make_request(conn, other, first.employer_id, referral_date=hall.day)
    offers = [(first.request_ids[0], first.registration_ids[0]), (other_request, other_reg)]
    results = race(*(lambda i=i: offer_next(hall.uow(i), request_id=offers[i][0], registration_id=offers[i][1],
                                            outcome="accepted", run_id=uuid.uuid4(), idempotency_key=uuid.uuid4())
                     for i in range(2)))
    losers = [r for r in results if isinstance(r, Exception)]
    assert len(losers) == 1 and isinstance(losers[0], DomainError)
    assert "was dispatched by Dispatcher" in losers[0].message
    with hall.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM dispatches WHERE member_id = :m"),
                            {"m": member}).scalar_one() == 1
    assert invariants(hall.engine) == (0, 0)


def test_eight_workstations_hammering_three_requests(hall):
    with hall.engine.begin() as conn:
        world = build_world(conn, code="RACE_E", registrants=40, requests=3, workers=3, referral_date=hall.day)

    def workstation(i: int) -> int:
        sent = 0
        for n in range(4):
            try:
                dispatch_next_accepting(hall.uow(i), request_id=world.request_ids[(i + n) % 3],
                                        idempotency_key=uuid.uuid4())
                sent += 1
            except DomainError:
                pass
        return sent

    results = race(*(lambda i=i: workstation(i) for i in range(8)))
    assert sum(results) == 9
    assert invariants(hall.engine) == (0, 0)
    with hall.engine.connect() as conn:
        statuses = conn.execute(text("SELECT DISTINCT status FROM labor_requests")).scalars().all()
        sent_ranks = conn.execute(text("""
            SELECT g.apn FROM dispatches d JOIN registrations g ON g.id = d.registration_id ORDER BY g.apn
        """)).scalars().all()
    assert statuses == ["filled"]
    # whoever won each race, the nine sent are the top nine of the list
    assert sent_ranks == sorted(sent_ranks) and len(set(sent_ranks)) == 9
    with hall.engine.connect() as conn:
        top_nine = conn.execute(text("SELECT apn FROM registrations WHERE book_id = :b ORDER BY apn LIMIT 9"),
                                {"b": world.book_id}).scalars().all()
    assert sent_ranks == top_nine


