"""`unioncore integrity`: the demo hall is clean, each check finds a fault planted by plain SQL, the safe repairs
put their faults right in one audited transaction, and a login that may not read a check's tables is told so."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from tests.conftest import DatabaseFactory, PgServer
from unioncore_desktop import cli
from unioncore_desktop.db import migrate
from unioncore_desktop.domain.queries.integrity import CHECK_NAMES, integrity_report
from unioncore_desktop.domain.services.integrity import repair
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.seed.demo import seed_demo


class Hall:
    """A small demo hall seeded once for the module; faults are planted in rolled-back transactions on it, and
    tests that commit work on a copy of it."""

    def __init__(self, server: PgServer, template: str) -> None:
        self.factory = DatabaseFactory(server, template)
        self.name = self.factory.create()
        engine = create_engine(server.url(self.name), poolclass=NullPool)
        # the books need the demo's 4,000 members: those sent out come from the 2,135th active one on
        assert seed_demo(engine, members=4000, employers=100, jobs_per_member=2)
        self.engine = engine  # NullPool: no connection outlives its test, so the hall can be copied

    def copy(self) -> str:
        name = self.factory._create(f"uc_t_{uuid.uuid4().hex[:10]}", f'TEMPLATE "{self.name}"')
        engine = self.factory.engine(name)
        with engine.begin() as conn:
            migrate.close_to_public(conn)
        return name

    def url(self, database: str, login: str | None = None) -> str:
        return self.factory.server.url(database, login).replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.fixture(scope="module")
def hall(pg_server: PgServer, template_db: str) -> Iterator[Hall]:
    made = Hall(pg_server, template_db)
    yield made
    made.engine.dispose()
    made.factory.drop_all()


@pytest.fixture
def owner(hall: Hall) -> Iterator[Connection]:
    """The schema owner's connection to the hall, in a transaction rolled back after the test."""
    with hall.engine.connect() as conn:
        transaction = conn.begin()
        yield conn
        transaction.rollback()


def _report(conn: Connection):
    return integrity_report(Session(bind=conn, join_transaction_mode="create_savepoint"), examples=50)


def test_the_demo_hall_is_clean_and_every_check_ran(owner):
    report = _report(owner)
    assert [check.name for check in report.checks] == list(CHECK_NAMES)
    assert {check.name: check.count for check in report.checks} == dict.fromkeys(CHECK_NAMES, 0)
    assert report.clean and not report.skipped


def _one(conn: Connection, sql: str) -> tuple:
    row = conn.execute(text(sql)).first()
    assert row is not None, f"the demo hall has nothing to plant on: {sql}"
    return tuple(row)


def _without_triggers(conn: Connection) -> None:
    """The ledger's triggers refuse these faults for every login; the owner plants them below the triggers."""
    conn.execute(text("SET LOCAL session_replication_role = replica"))


def plant_registration_dispatched_alone(conn: Connection) -> str:
    reg, card = _one(conn, "SELECT g.id, m.card_number FROM registrations g JOIN members m ON m.id = g.member_id "
                           "WHERE g.status = 'registered' ORDER BY g.id LIMIT 1")
    conn.execute(text("UPDATE registrations SET status = 'dispatched', version = version + 1 WHERE id = :g"),
                 {"g": reg})
    return f"card {card}: registration {reg} "


def plant_dispatch_still_listed(conn: Connection) -> str:
    dispatch, reg = _one(conn, "SELECT d.id, d.registration_id FROM dispatches d "
                               "JOIN registrations g ON g.id = d.registration_id "
                               "WHERE d.status IN ('dispatched', 'checked_in', 'working') ORDER BY d.id LIMIT 1")
    conn.execute(text("UPDATE registrations SET status = 'registered', version = version + 1 WHERE id = :g"),
                 {"g": reg})
    return f"dispatch {dispatch} "


def plant_dispatch_mismatch(conn: Connection) -> str:
    dispatch, employer = _one(conn, "SELECT d.id, (SELECT min(e.id) FROM employers e WHERE e.id <> d.employer_id) "
                                    "FROM dispatches d ORDER BY d.id LIMIT 1")
    conn.execute(text("UPDATE dispatches SET employer_id = :e, version = version + 1 WHERE id = :d"),
                 {"e": employer, "d": dispatch})
    return f"dispatch {dispatch} "


def plant_request_counters(conn: Connection) -> str:
    request, number = _one(conn, "SELECT r.id, r.number FROM labor_requests r WHERE r.workers_dispatched > 0 "
                                 "AND r.status IN ('filled', 'partially_filled') ORDER BY r.id LIMIT 1")
    conn.execute(text("UPDATE labor_requests SET workers_dispatched = 0, status = 'open', version = version + 1 "
                      "WHERE id = :r"), {"r": request})
    return f"request {number}:"


def plant_dispatched_while_exempt(conn: Connection) -> str:
    reg, card, on = _one(conn, "SELECT d.registration_id, m.card_number, d.dispatch_date FROM dispatches d "
                               "JOIN members m ON m.id = d.member_id WHERE d.registration_id IS NOT NULL "
                               "ORDER BY d.id LIMIT 1")
    conn.execute(text("UPDATE registrations SET exemption_reason = 'medical', exemption_start = :on, "
                      "exemption_end = NULL, version = version + 1 WHERE id = :g"), {"g": reg, "on": on})
    return f"card {card}: dispatched {on}"


def plant_payment_over_applied(conn: Connection) -> str:
    payment, member, charge, receipt = _one(conn, """
        SELECT p.id, p.member_id, a.charge_id, p.receipt_number FROM payments p
        JOIN payment_allocations a ON a.payment_id = p.id
        WHERE p.amount > 0 ORDER BY p.id LIMIT 1""")
    _without_triggers(conn)
    conn.execute(text("INSERT INTO payment_allocations (payment_id, member_id, charge_id, amount) "
                      "VALUES (:p, :m, :c, 10000)"), {"p": payment, "m": member, "c": charge})
    return f"receipt {receipt} "


def plant_voided_payment_applied(conn: Connection) -> str:
    payment, member, amount, receipt = _one(conn, """
        SELECT p.id, p.member_id, p.amount, p.receipt_number FROM payments p
        WHERE p.amount > 0 AND p.reverses_payment_id IS NULL
          AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reverses_payment_id = p.id)
          AND EXISTS (SELECT 1 FROM payment_allocations a WHERE a.payment_id = p.id)
        ORDER BY p.id LIMIT 1""")
    _without_triggers(conn)  # a reversal without the allocations a void writes beside it
    conn.execute(text("""
        INSERT INTO payments (receipt_number, member_id, amount, method, idempotency_key, reverses_payment_id,
                              void_reason)
        VALUES ('2099-000001', :m, :a, 'cash', :k, :p, 'planted')"""),
        {"m": member, "a": -amount, "k": uuid.uuid4(), "p": payment})
    return f"receipt {receipt} "


def plant_charge_over_applied(conn: Connection) -> str:
    member, card, charge, period, payment = _one(conn, """
        SELECT cb.member_id, m.card_number, cb.charge_id, to_char(cb.period, 'YYYY-MM'),
               (SELECT p.id FROM payments p WHERE p.member_id = cb.member_id ORDER BY p.id LIMIT 1)
        FROM dues_charge_balances cb JOIN members m ON m.id = cb.member_id
        WHERE cb.owed > 0 AND EXISTS (SELECT 1 FROM payments p WHERE p.member_id = cb.member_id)
        ORDER BY cb.charge_id LIMIT 1""")
    _without_triggers(conn)
    conn.execute(text("INSERT INTO payment_allocations (payment_id, member_id, charge_id, amount) "
                      "VALUES (:p, :m, :c, 10000)"), {"p": payment, "m": member, "c": charge})
    return f"card {card}, {period}:"


def plant_charge_totals_stale(conn: Connection) -> str:
    """A month's kept totals written by hand (only the owner can): the ledger itself is as it was."""
    charge, card, period = _one(conn, """
        SELECT t.charge_id, m.card_number, to_char(t.period, 'YYYY-MM') FROM dues_charge_totals t
        JOIN members m ON m.id = t.member_id WHERE t.paid > 0 ORDER BY t.charge_id LIMIT 1""")
    conn.execute(text("UPDATE dues_charge_totals SET paid = 0 WHERE charge_id = :c"), {"c": charge})
    return f"card {card}, {period}: kept as owing"


def plant_paid_through_behind(conn: Connection) -> str:
    """A payment written straight into the ledger, not through uc_post_payment: nothing applied it."""
    member, card = _one(conn, "SELECT cb.member_id, m.card_number FROM dues_charge_balances cb "
                              "JOIN members m ON m.id = cb.member_id WHERE cb.open > 0 ORDER BY cb.charge_id LIMIT 1")
    conn.execute(text("INSERT INTO payments (member_id, amount, method, idempotency_key) "
                      "VALUES (:m, 5000, 'cash', :k)"), {"m": member, "k": uuid.uuid4()})
    return f"card {card}:"


def plant_duplicate_members_name(conn: Connection) -> str:
    card, first, last = _one(conn, "SELECT card_number, first_name, last_name FROM members "
                                   "WHERE date_of_birth IS NOT NULL ORDER BY id LIMIT 1")
    conn.execute(text("""
        INSERT INTO members (card_number, first_name, last_name, classification, date_of_birth)
        SELECT 'Z9999001', upper(first_name), lower(last_name) || ' ', classification, date_of_birth
        FROM members WHERE card_number = :c"""), {"c": card})
    return f"cards {card}, Z9999001: {first} {last}"


def plant_duplicate_members_phone(conn: Connection) -> str:
    card, other, phone = _one(conn, """
        SELECT a.card_number, b.card_number, a.phone FROM members a JOIN members b ON b.id > a.id
        WHERE a.phone IS NOT NULL ORDER BY a.id, b.id LIMIT 1""")
    conn.execute(text("UPDATE members SET mobile_phone = '+1 ' || :p, version = version + 1 WHERE card_number = :c"),
                 {"p": phone, "c": other})
    return card


def plant_duplicate_employers(conn: Connection) -> str:
    employer, name = _one(conn, "SELECT id, name FROM employers ORDER BY id LIMIT 1")
    conn.execute(text("INSERT INTO employers (name) VALUES (:n)"), {"n": f"{name.upper()}, Inc."})
    return f"employers {employer} ({name}) and "


PLANTS = {name: globals()[f"plant_{name}"] for name in CHECK_NAMES}


@pytest.mark.parametrize("check", CHECK_NAMES)
def test_each_check_finds_its_planted_fault(owner, check):
    expected = PLANTS[check](owner)
    found = _report(owner).check(check)
    assert found.count and found.count >= 1
    assert any(expected in example for example in found.examples), (expected, found.examples)


def test_what_the_services_write_leaves_the_checks_clean(hall):
    """A void (the reversal and its mirror rows) and the end of a job (the registration restored, rolled off or
    awaiting re-registration) are not findings."""
    from unioncore_desktop.domain.services.dues import void_payment
    from unioncore_desktop.domain.services.terminations import terminate

    database = hall.copy()
    engine = hall.factory.engine(database)
    with engine.connect() as conn:
        today = conn.execute(text("SELECT uc_hall_today()")).scalar_one()
        payment = conn.execute(text("SELECT min(payment_id) FROM payment_allocations")).scalar_one()
        dispatches = conn.execute(text("SELECT id FROM dispatches WHERE status = 'working' ORDER BY id LIMIT 3")
                                  ).scalars().all()
    uow = UnitOfWork(sessionmaker(engine))
    void_payment(uow, payment_id=payment, reason="Check returned by the bank")
    for dispatch, reason in zip(dispatches, ("rif", "quit", "short_call_end"), strict=True):
        terminate(uow, dispatch_id=dispatch, reason=reason, ended_on=today)
    with Session(engine) as session:
        report = integrity_report(session)
    assert report.clean, [check.examples for check in report.checks if check.found]


def _cli(hall: Hall, database: str, capsys, *argv: str, login: str | None = None) -> tuple[int, str]:
    code = cli.main(["--url", hall.url(database, login), "integrity", *argv])
    return code, capsys.readouterr().out


def test_repair_recounts_requests_and_applies_credit_in_one_audited_transaction(hall, capsys):
    database = hall.copy()
    engine = hall.factory.engine(database)
    with engine.begin() as conn:
        counted = plant_request_counters(conn)
        behind = plant_paid_through_behind(conn)
        twin = plant_duplicate_members_name(conn)
    code, out = _cli(hall, database, capsys)
    assert code == 1 and counted in out and behind in out and twin in out

    done = {r.check: r for r in repair(UnitOfWork(sessionmaker(engine)))}
    assert done["request_counters"].repaired == 1 and done["paid_through_behind"].repaired == 1
    with Session(engine) as session:
        report = integrity_report(session)
    assert report.check("request_counters").count == report.check("paid_through_behind").count == 0
    assert report.check("duplicate_members_name").count == 1  # duplicates are reported, never repaired
    with engine.connect() as conn:
        trail = conn.execute(text("""
            SELECT table_name, application_name, count(DISTINCT transaction_id) FROM audit_log
            WHERE application_name LIKE 'unioncore integrity --repair%' GROUP BY 1, 2 ORDER BY 1""")).all()
    assert [(t, a) for t, a, _ in trail] == [
        ("labor_requests", "unioncore integrity --repair: request_counters"),
        ("payment_allocations", "unioncore integrity --repair: paid_through_behind")]
    assert all(transactions == 1 for _, _, transactions in trail)

    code, out = _cli(hall, database, capsys, "--repair")  # nothing left to repair; the twin is still found
    assert code == 1 and "repair request_counters: 0 repaired" in out and twin in out


def test_a_dues_clerk_puts_stale_totals_right_from_the_ledger(hall, capsys):
    """The kept totals are what every balance reads; a stale month (planted below the triggers, as a restore of a
    partial dump might leave one) is found, and the repair sums it again from the ledger under the clerk's login."""
    database = hall.copy()
    engine = hall.factory.engine(database)
    with engine.begin() as conn:
        stale = plant_charge_totals_stale(conn)
    clerk = hall.factory.make_staff(database, "dues_clerk")
    code, out = _cli(hall, database, capsys, login=clerk)
    assert code == 1 and stale in out
    code, out = _cli(hall, database, capsys, "--repair", login=clerk)
    assert "repair charge_totals_stale: 1 repaired" in out and stale not in out
    with Session(engine) as session:
        assert integrity_report(session).check("charge_totals_stale").count == 0


def test_json_parses_and_a_clean_hall_exits_zero(hall, capsys):
    database = hall.copy()
    code, out = _cli(hall, database, capsys, "--json")
    document = json.loads(out)
    assert code == 0 and document["clean"] is True and document["repairs"] == []
    assert [c["name"] for c in document["checks"]] == list(CHECK_NAMES)
    assert all(c["count"] == 0 and c["skipped"] is None for c in document["checks"])


def test_a_manager_runs_every_check_and_is_told_which_repair_needs_a_dispatcher(hall, capsys):
    database = hall.copy()
    with hall.factory.engine(database).begin() as conn:
        plant_request_counters(conn)
        plant_paid_through_behind(conn)
    manager = hall.factory.make_staff(database, "manager")
    code, out = _cli(hall, database, capsys, "--repair", "--json", login=manager)
    document = json.loads(out)
    assert code == 1
    assert all(c["skipped"] is None for c in document["checks"])
    repairs = {r["check"]: r for r in document["repairs"]}
    assert repairs["request_counters"]["refused"] == "recounting requests needs a dispatcher login or the schema owner"
    assert repairs["paid_through_behind"]["repaired"] == 1
    counts = {c["name"]: c["count"] for c in document["checks"]}
    assert counts["request_counters"] == 1 and counts["paid_through_behind"] == 0
    left = next(c for c in document["checks"] if c["name"] == "request_counters")
    assert left["subject"] == "labor_requests" and len(left["ids"]) == 1 and left["repairable"]
    with hall.factory.engine(database).connect() as conn:  # the credit was applied under the manager's own login
        assert conn.execute(text("SELECT DISTINCT db_user FROM audit_log WHERE table_name = 'payment_allocations' "
                                 "AND application_name = 'unioncore integrity --repair: paid_through_behind'")
                            ).scalars().all() == [manager]

    dispatcher = hall.factory.make_staff(database, "dispatcher")
    code, out = _cli(hall, database, capsys, "--repair", login=dispatcher)
    assert "repair request_counters: 1 repaired" in out
    assert "repair paid_through_behind: refused: applying credit needs" in out
    assert "payment_over_applied" in out and "skipped" in out and "may not read payments" in out
    assert code == 0  # what this login could check is clean now


def test_an_admin_is_told_the_dues_checks_are_not_theirs(hall, capsys):
    database = hall.copy()
    admin = hall.factory.make_staff(database, "admin")
    code, out = _cli(hall, database, capsys, login=admin)
    assert code == 0
    assert "charge_over_applied" in out and "this login may not read dues_charge_ledger" in out
    assert "skipped for this login" in out.splitlines()[-1]
