"""Migration 0009's cheaper trigger bodies leave every audit row, version check, updated_at, request count and
error exactly as the bodies they replaced: the same writes run twice in one transaction (same now(), same
transaction id, sequences put back between the runs), once under each set of bodies, and all they left is
compared."""

from __future__ import annotations

import importlib.util
import uuid
from datetime import date

import pytest
from sqlalchemy import Connection, exc, text
from sqlalchemy.orm import Session

from unioncore_desktop.db import migrate
from unioncore_desktop.domain.errors import DomainError
from unioncore_desktop.domain.services.dispatch import dispatch_next_accepting, reject_dispatch
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.paths import migrations_dir
from unioncore_desktop.seed.referral_world import build_world

FUNCTIONS = ("uc_audit", "uc_check_version", "uc_dispatch_fills_request")
AUDIT_COLUMNS = ("table_name", "row_key", "action", "old_values", "new_values", "changed_fields", "member_id",
                 "db_user", "application_name", "transaction_id")


def _migration():
    spec = importlib.util.spec_from_file_location("m0009", migrations_dir() / "versions" / "0009_cheaper_triggers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


M0009 = _migration()


def _install(conn: Connection, bodies: tuple[str, ...]) -> None:
    driver = conn.connection.driver_connection
    for body in bodies:
        driver.execute(body.encode())  # plain SQL: no parameters, so '%' in RAISE is left alone


def _sequences(conn: Connection) -> list[tuple[str, int, bool]]:
    names = conn.execute(text("SELECT quote_ident(sequencename) FROM pg_sequences "
                              "WHERE schemaname = 'public' ORDER BY 1")).scalars().all()
    return [(n, *conn.execute(text(f"SELECT last_value, is_called FROM {n}")).one()) for n in names]


def _attempt(conn: Connection, statement: str, params: dict | None = None) -> str | None:
    """Run a write that may be refused, in its own savepoint: the error (SQLSTATE, constraint, message) or None."""
    try:
        with conn.begin_nested():
            conn.execute(text(statement), params or {})
    except exc.DBAPIError as error:
        diag = error.orig.diag
        return f"{diag.sqlstate} {diag.constraint_name} {diag.message_primary}"
    return None


def _writes(conn: Connection, world) -> list:
    """The same writes each run: inserts, updates that change something or only the version, a stale update, a
    delete, rows keyed by something other than id, and dispatches that count places on requests."""
    out: list = []
    member = conn.execute(text(
        "INSERT INTO members (card_number, first_name, last_name, classification, phone) "
        "VALUES ('8100001', 'Ada', 'Byrne', 'journeyman', '(206) 555-0100') RETURNING id")).scalar_one()
    conn.execute(text("UPDATE members SET phone = '(206) 555-0111', notes = 'moved', version = version + 1 "
                      "WHERE id = :m"), {"m": member})
    conn.execute(text("UPDATE members SET version = version + 1 WHERE id = :m"), {"m": member})  # no change
    out.append(_attempt(conn, "UPDATE members SET notes = 'stale' WHERE id = :m", {"m": member}))
    out.append(_attempt(conn, "UPDATE members SET notes = 'skip', version = version + 2 WHERE id = :m",
                        {"m": member}))
    skill = conn.execute(text("INSERT INTO member_skills (member_id, name) VALUES (:m, 'OSHA 30') RETURNING id"),
                         {"m": member}).scalar_one()
    conn.execute(text("DELETE FROM member_skills WHERE id = :s"), {"s": skill})
    conn.execute(text("INSERT INTO holidays (day, name) VALUES (DATE '2031-07-04', 'Independence Day')"))
    conn.execute(text("UPDATE holidays SET name = 'Fourth of July', version = version + 1 "
                      "WHERE day = DATE '2031-07-04'"))
    conn.execute(text("UPDATE app_settings SET value = 'Local 46 Hall', version = version + 1 "
                      "WHERE key = 'hall_name'"))
    conn.execute(text("UPDATE registrations SET exemption_reason = 'medical', exemption_start = :d, "
                      "version = version + 1 WHERE id = ANY(:ids)"),
                 {"d": date(2031, 1, 1), "ids": world.registration_ids[:2]})

    factory = lambda: Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)  # noqa: E731
    dispatched = []
    for request_id in world.request_ids[:2]:
        for n in range(2):
            result = dispatch_next_accepting(UnitOfWork(factory), request_id=request_id,
                                             idempotency_key=uuid.UUID(int=request_id * 10 + n))
            dispatched.append(result.dispatch_id)
            out.append((result.registration_id, result.request_status, result.workers_dispatched))
    reject_dispatch(UnitOfWork(factory), dispatch_id=dispatched[0], note="turned away")  # gives the place back
    conn.execute(text("UPDATE labor_requests SET status = 'cancelled', version = version + 1 WHERE id = :r"),
                 {"r": world.request_ids[2]})
    try:
        dispatch_next_accepting(UnitOfWork(factory), request_id=world.request_ids[2],
                                idempotency_key=uuid.UUID(int=999))
    except DomainError as error:
        out.append(error.message)
    out.append(_attempt(conn, "INSERT INTO dispatches (request_id, member_id, registration_id, book_id, employer_id, "
                              "idempotency_key, dispatch_date, by_name, via_bid, short_call) "
                              "SELECT :r, :m, :g, :b, :e, gen_random_uuid(), DATE '2031-01-02', true, false, false",
                        {"r": world.request_ids[2], "m": world.member_ids[-1], "g": world.registration_ids[-1],
                         "b": world.book_id, "e": world.employer_id}))

    out.append(conn.execute(text(
        f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit_log WHERE transaction_id = txid_current() ORDER BY id")).all())
    out.append(conn.execute(text("SELECT id, status, workers_dispatched, version, updated_at = now() "
                                 "FROM labor_requests WHERE id = ANY(:ids) ORDER BY id"),
                            {"ids": world.request_ids[:3]}).all())
    out.append(conn.execute(text("SELECT to_jsonb(s) FROM app_settings s ORDER BY key")).all())
    out.append(conn.execute(text("SELECT id, status, version, updated_at FROM registrations WHERE id = ANY(:ids) "
                                 "ORDER BY id"), {"ids": world.registration_ids[:8]}).all())
    return out


def _run(conn: Connection, world, bodies: tuple[str, ...]) -> list:
    sequences = _sequences(conn)
    savepoint = conn.begin_nested()
    _install(conn, bodies)
    try:
        return _writes(conn, world)
    finally:
        savepoint.rollback()
        for name, value, called in sequences:
            conn.execute(text("SELECT setval(:n, :v, :c)"), {"n": name, "v": value, "c": called})


def test_cheaper_bodies_write_what_the_previous_ones_wrote(connection):
    world = build_world(connection, code="EQUIV", registrants=12, requests=3, workers=2,
                        referral_date=connection.execute(text("SELECT uc_hall_today()")).scalar_one())
    connection.execute(text("SET LOCAL application_name = 'equivalence'"))
    current = _run(connection, world, (M0009.AUDIT, M0009.CHECK_VERSION, M0009.FILLS_REQUEST))
    previous = _run(connection, world, (M0009.PREVIOUS_AUDIT, M0009.PREVIOUS_CHECK_VERSION,
                                        M0009.PREVIOUS_FILLS_REQUEST))
    audit_rows = current[-4]
    assert len(audit_rows) > 20
    assert {row.action for row in audit_rows} == {"INSERT", "UPDATE", "DELETE"}
    assert "P0001" in str(current[0]) and "P0001" in str(current[1])  # the stale and skipping updates
    assert "ck_labor_requests_not_overfilled" in str(current[-5])  # a dispatch on a cancelled request
    assert current[-4] == previous[-4]  # the audit rows first, for a readable failure
    assert current == previous


def test_downgrade_restores_the_previous_bodies(databases):
    name = databases.create_empty()
    engine = databases.engine(name)

    def bodies() -> dict[str, str]:
        with engine.connect() as conn:
            return dict(conn.execute(text("SELECT proname, prosrc FROM pg_proc WHERE proname = ANY(:n)"),
                                     {"n": list(FUNCTIONS)}).all())

    migrate.upgrade(engine, "0008")
    before = bodies()
    migrate.upgrade(engine)
    assert all(bodies()[f] != before[f] for f in FUNCTIONS)
    migrate.downgrade(engine, "0008")
    assert bodies() == before


@pytest.mark.parametrize("statement", [
    "UPDATE labor_requests SET workers_requested = workers_requested + 1 WHERE id = :r",
    "UPDATE labor_requests SET workers_requested = workers_requested + 1, version = version + 2 WHERE id = :r",
])
def test_an_update_that_does_not_advance_the_version_by_one_is_refused(connection, statement):
    world = build_world(connection, code="EQUIVV", registrants=1, requests=1, workers=1, referral_date=date.today())
    with pytest.raises(exc.DBAPIError, match="must advance its version by one"):
        connection.execute(text(statement), {"r": world.request_ids[0]})
