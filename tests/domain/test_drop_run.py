"""The drop run: preview shows who drops as of a day and why; apply does exactly that, once."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from unioncore_desktop.domain.errors import (
    DomainError,
    PermissionDenied,
    ValidationError,
)
from unioncore_desktop.domain.models import Registration
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.services.drop_run import (
    apply_drops,
    preview_drops,
    snapshot_sql,
)
from unioncore_desktop.domain.services.referral_context import snapshot
from unioncore_desktop.domain.services.registrations import re_sign
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.seed.books import insert_books


@pytest.fixture
def hall(connection):
    books = insert_books(connection)
    with Session(bind=connection) as session:
        clock = hall_clock(session)
    return books, clock.today, clock.now


_member_seq = iter(range(1, 100_000))


def member(connection, last: str = "Quinn") -> int:
    n = next(_member_seq)
    return connection.execute(text(
        "INSERT INTO members (card_number, first_name, last_name, classification) "
        "VALUES (:c, 'Pat', :l, 'journeyman') RETURNING id"), {"c": f"79{n:05d}", "l": last}).scalar_one()


def register(connection, member_id: int, book_id: int, **values) -> int:
    row = {"tier": 1, "apn": Decimal("45880.01"), "status": "registered", **values}
    columns = ", ".join(row)
    return connection.execute(text(
        f"INSERT INTO registrations (member_id, book_id, {columns}) "
        f"VALUES (:member_id, :book_id, {', '.join(':' + k for k in row)}) RETURNING id"),
        {"member_id": member_id, "book_id": book_id, **row}).scalar_one()


def test_preview_lists_who_drops_and_why(uow, connection, hall):
    books, today, now = hall
    ws, wb, wp = books["WIRE_SEATTLE"], books["WIRE_BREMERTON"], books["WIRE_PT_ANGELES"]
    late = register(connection, member(connection, "Late"), ws, resign_due_on=today - timedelta(days=1))
    register(connection, member(connection, "OnTime"), ws, resign_due_on=today)
    travel = register(connection, member(connection, "Travel"), ws, exemption_reason="traveling",
                      exemption_start=today - timedelta(days=200), exemption_end=today - timedelta(days=1))
    register(connection, member(connection, "Soldier"), ws, exemption_reason="military",
             exemption_start=today - timedelta(days=400))
    gone = member(connection, "Gone")
    gone_regs = [register(connection, gone, wb, status="awaiting_reregistration",
                          reregister_by=now - timedelta(days=1)),
                 register(connection, gone, ws, resign_due_on=today + timedelta(days=5)),
                 register(connection, gone, wp, resign_due_on=today + timedelta(days=5))]
    waiting = member(connection, "Waiting")
    register(connection, waiting, wb, status="awaiting_reregistration", reregister_by=now + timedelta(days=2))
    register(connection, member(connection, "Working"), wp, status="dispatched",
             resign_due_on=today - timedelta(days=9))

    preview = preview_drops(uow, as_of=today)
    got = {(c.registration_id, c.reason) for c in preview}
    assert got == {(late, "failed_re_sign"), (travel, "exemption_expired"),
                   *((r, "failed_re_register") for r in gone_regs)}
    by_id = {c.registration_id: c for c in preview}
    assert by_id[late].member == "Late, Pat" and by_id[late].book == "WIRE SEATTLE"
    assert "re-sign was due by" in by_id[late].detail
    assert "all books" in by_id[gone_regs[1]].detail
    # "who would drop if run as of" a later day: the on-time re-sign and the waiting member too
    later = {c.reason for c in preview_drops(connection_session(connection), as_of=today + timedelta(days=6))}
    assert later == {"failed_re_sign", "exemption_expired", "failed_re_register"}
    assert len(preview_drops(connection_session(connection), as_of=today + timedelta(days=6))) == len(preview) + 2


def connection_session(connection) -> Session:
    return Session(bind=connection)


def test_apply_does_what_the_preview_showed_once(uow, connection, hall):
    books, today, now = hall
    ws, wb = books["WIRE_SEATTLE"], books["WIRE_BREMERTON"]
    late = register(connection, member(connection), ws, resign_due_on=today - timedelta(days=3))
    travel = register(connection, member(connection), wb, exemption_reason="under_scale",
                      exemption_start=today - timedelta(days=190), exemption_end=today - timedelta(days=10))
    gone = member(connection)
    awaiting = register(connection, gone, wb, status="awaiting_reregistration", reregister_by=now - timedelta(hours=30))
    other = register(connection, gone, ws, resign_due_on=today + timedelta(days=20))

    keys = [c.key for c in preview_drops(uow, as_of=today)]
    result = apply_drops(uow, as_of=today, expected=keys)
    assert (result.rolled_off, result.exemptions_ended) == (3, 1)
    rows = {r.id: r for r in connection.execute(text(
        "SELECT id, status, roll_off_reason, rolled_off_on, exemption_reason, resign_due_on FROM registrations"))}
    assert (rows[late].status, rows[late].roll_off_reason, rows[late].rolled_off_on) == \
        ("rolled_off", "failed_re_sign", today)
    assert {rows[awaiting].roll_off_reason, rows[other].roll_off_reason} == {"failed_re_register"}
    assert rows[travel].status == "registered" and rows[travel].exemption_reason is None
    assert rows[travel].resign_due_on == today + timedelta(days=30)
    notes = connection.execute(text(
        "SELECT registration_id, action, note FROM registration_activity ORDER BY id")).all()
    assert {(r.registration_id, r.action) for r in notes} == {
        (late, "roll_off"), (awaiting, "roll_off"), (other, "roll_off"), (travel, "exempt_end")}
    assert all(r.note.startswith(f"Drop run as of {today:%Y-%m-%d}: ") for r in notes)

    # idempotent: nothing new to drop, and retrying the same apply changes nothing
    assert preview_drops(uow, as_of=today) == []
    again = apply_drops(uow, as_of=today, expected=keys)
    assert (again.rolled_off, again.exemptions_ended) == (0, 0)
    assert connection.execute(text("SELECT count(*) FROM registration_activity")).scalar_one() == 4


def test_apply_refuses_when_the_list_changed_since_the_preview(uow, connection, hall):
    books, today, _ = hall
    registration = register(connection, member(connection), books["WIRE_SEATTLE"], resign_due_on=today)
    keys = [c.key for c in preview_drops(uow, as_of=today + timedelta(days=1))]
    assert keys == [(registration, "failed_re_sign")]
    version = connection.execute(text("SELECT version FROM registrations")).scalar_one()
    re_sign(uow, registration_id=registration, expected_version=version)
    with pytest.raises(ValidationError) as info:
        apply_drops(uow, as_of=today + timedelta(days=1), expected=keys)  # the future cannot be applied
    assert info.value.field == "as_of"
    late = register(connection, member(connection), books["WIRE_SEATTLE"], resign_due_on=today - timedelta(days=1))
    with pytest.raises(DomainError, match="preview again"):
        apply_drops(uow, as_of=today, expected=[])
    assert connection.execute(text("SELECT status FROM registrations WHERE id = :i"), {"i": late}).scalar_one() \
        == "registered"


def test_max_days_on_book_when_the_book_sets_it(uow, connection, hall):
    books, today, now = hall
    connection.execute(text("UPDATE book_rules SET max_days_on_book = 365, version = version + 1 "
                            "WHERE book_id = :b"), {"b": books["TRADESHOW"]})
    old = register(connection, member(connection), books["TRADESHOW"], registered_at=now - timedelta(days=400),
                   resign_due_on=today + timedelta(days=3))
    register(connection, member(connection), books["TRADESHOW"], registered_at=now - timedelta(days=100),
             resign_due_on=today + timedelta(days=3))
    register(connection, member(connection), books["WIRE_SEATTLE"], registered_at=now - timedelta(days=900),
             resign_due_on=today + timedelta(days=3))
    assert [(c.registration_id, c.reason) for c in preview_drops(uow, as_of=today)] == [(old, "max_days_on_book")]


def test_a_run_over_4000_registrations_drops_exactly_the_overdue(uow, connection, hall):
    """How long it takes: bench/drop_run.py."""
    books, today, _ = hall
    connection.execute(text("""
        INSERT INTO members (card_number, first_name, last_name, classification)
        SELECT (8000000 + i)::text, 'Pat', 'M' || i, 'journeyman' FROM generate_series(1, 4000) AS i
    """))
    connection.execute(text("""
        INSERT INTO registrations (member_id, book_id, tier, apn, status, resign_due_on)
        SELECT m.id, (CAST(:books AS int[]))[1 + m.id % 12], 1 + m.id % 3, 45000 + m.id % 500 + 0.01, 'registered',
               CAST(:today AS date) + (m.id % 50) - 5
        FROM members m WHERE m.card_number LIKE '80%'
    """), {"books": list(books.values()), "today": today})
    preview = preview_drops(uow, as_of=today)
    result = apply_drops(uow, as_of=today, expected=[c.key for c in preview])
    assert result.rolled_off == len(preview) == 400


def test_the_run_writes_the_same_activity_snapshot_as_the_services(connection, hall):
    books, today, _ = hall
    registration_id = register(connection, member(connection), books["WIRE_SEATTLE"], resign_due_on=today,
                               exemption_reason="traveling", exemption_start=today, exemption_end=today,
                               last_resign_on=today - timedelta(days=3))
    with Session(bind=connection) as session:
        from_sql = session.execute(text(f"SELECT {snapshot_sql('g')} FROM registrations g WHERE id = :i"),
                                   {"i": registration_id}).scalar_one()
        assert from_sql == snapshot(session.get(Registration, registration_id))


def test_only_a_manager_applies_the_drop_run(databases):
    name = databases.create()
    for role, allowed in (("dispatcher", False), ("manager", True)):
        engine = databases.engine(name, databases.make_staff(name, role, f"Drop {role.title()}"))
        uow = UnitOfWork(sessionmaker(engine))
        as_of = date(2026, 1, 5)
        if allowed:
            assert apply_drops(uow, as_of=as_of, expected=[]).rolled_off == 0
        else:
            with pytest.raises(PermissionDenied, match="manager"):
                apply_drops(uow, as_of=as_of, expected=[])
        engine.dispose()
