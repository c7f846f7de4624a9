"""The dues rules the database keeps against any client: staff logins, plain SQL, real commits, two connections."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import psycopg
import pytest
from sqlalchemy import Engine, exc, text
from sqlalchemy.orm import sessionmaker

from unioncore_desktop.domain.errors import DomainError, PermissionDenied
from unioncore_desktop.domain.queries import dues as q
from unioncore_desktop.domain.rules.dues import add_months, month_start
from unioncore_desktop.domain.services import dues as svc
from unioncore_desktop.domain.uow import UnitOfWork


@dataclass
class DuesDb:
    name: str
    dbs: object
    owner: Engine
    member: int
    other: int
    today: date

    @property
    def this(self) -> date:
        return month_start(self.today)

    def login(self, role: str) -> str:
        return self.dbs.make_staff(self.name, role)

    def engine(self, login: str | None = None) -> Engine:
        return self.dbs.engine(self.name, login)

    def uow(self, login: str | None = None) -> UnitOfWork:
        return UnitOfWork(sessionmaker(self.engine(login), expire_on_commit=False))


@pytest.fixture
def dues_db(databases) -> DuesDb:
    name = databases.create()
    owner = databases.engine(name)
    with owner.begin() as conn:
        ids = conn.execute(text("""
            INSERT INTO members (card_number, first_name, last_name, classification)
            VALUES ('7000001', 'Pat', 'Quinn', 'journeyman'), ('7000002', 'Sam', 'Lee', 'journeyman') RETURNING id
        """)).scalars().all()
        conn.execute(text("INSERT INTO dues_rates (classification, effective_from, amount) "
                          "VALUES ('journeyman', '2000-01-01', 75)"))
        today = conn.execute(text("SELECT uc_hall_today()")).scalar_one()
    db = DuesDb(name, databases, owner, ids[0], ids[1], today)
    for offset in (-2, -1, 0):
        svc.generate_charges(db.uow(), month=add_months(db.this, offset))
    return db


def _pg_error(info: pytest.ExceptionInfo) -> BaseException:
    return getattr(info.value, "orig", None) or info.value


def test_an_adjustment_approved_by_its_own_requester_is_refused_by_the_database(dues_db):
    manager = dues_db.login("manager+dues_clerk")  # requests as a clerk, decides as a manager
    other_manager = dues_db.login("manager")
    engine = dues_db.engine(manager)
    with engine.begin() as conn:
        adjustment_id = conn.execute(text("""
            INSERT INTO dues_adjustments (member_id, charge_id, type, amount, reason, requested_by)
            SELECT member_id, id, 'waiver', -75, 'Hardship', 'somebody_else' FROM dues_charges
            WHERE member_id = :m AND period = :p RETURNING id
        """), {"m": dues_db.member, "p": dues_db.this}).scalar_one()
        assert conn.execute(text("SELECT requested_by FROM dues_adjustments WHERE id = :id"),
                            {"id": adjustment_id}).scalar_one() == manager  # not what the client claimed
    with engine.begin() as conn, pytest.raises(exc.IntegrityError) as info:
        conn.execute(text("UPDATE dues_adjustments SET status = 'approved', version = version + 1 WHERE id = :id"),
                     {"id": adjustment_id})
    assert info.value.orig.diag.constraint_name == "ck_dues_adjustments_not_self_approved"
    with engine.begin() as conn, pytest.raises(exc.ProgrammingError):  # decided_by is the database's to write
        conn.execute(text("UPDATE dues_adjustments SET decided_by = 'forged', version = version + 1"))
    with dues_db.engine(other_manager).begin() as conn:
        conn.execute(text("UPDATE dues_adjustments SET status = 'approved', version = version + 1 WHERE id = :id"),
                     {"id": adjustment_id})
        assert conn.execute(text("SELECT decided_by FROM dues_adjustments WHERE id = :id"),
                            {"id": adjustment_id}).scalar_one() == other_manager


def test_a_closed_month_refuses_every_login_the_owner_included(dues_db):
    last = add_months(dues_db.this, -2)
    with dues_db.owner.begin() as conn:  # an adjustment requested in that month (set up with triggers off)
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("""
            INSERT INTO dues_adjustments (member_id, charge_id, type, amount, reason, requested_by, requested_on)
            SELECT member_id, id, 'late_fee', 5, 'Late', 'clerk_a', :d
            FROM dues_charges WHERE member_id = :m AND period = :p
        """), {"m": dues_db.member, "p": last, "d": last + timedelta(days=20)})
    manager = dues_db.login("manager")
    with pytest.raises(DomainError, match="waiting for a decision"):  # the service keeps to the checklist...
        svc.close_month(dues_db.uow(manager), month=last)
    with dues_db.engine(manager).begin() as conn:  # ...a client that skips it still cannot touch the month after
        conn.execute(text("UPDATE dues_periods SET status = 'closed', version = version + 1 WHERE month = :p"),
                     {"p": last})
    statements = [
        (("INSERT INTO payments (member_id, paid_on, amount, method, idempotency_key) "
          "VALUES (:m, :d, 75, 'cash', gen_random_uuid())"), "payments dated in it"),
        ("INSERT INTO dues_charges (member_id, period, classification, amount) VALUES (:o, :p, 'journeyman', 75)",
         "charges dated in it"),
        ("UPDATE dues_adjustments SET decision_note = 'x', version = version + 1 WHERE member_id = :m",
         "adjustments dated in it"),
        ("UPDATE dues_periods SET status = 'open', closed_at = NULL, version = version + 1 WHERE month = :p",
         "cannot be reopened"),
    ]
    params = {"m": dues_db.member, "o": dues_db.other, "p": last, "d": last + timedelta(days=3)}
    with dues_db.owner.begin() as conn:  # the hole it would fill is a month with no charge for `other`
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text("DELETE FROM dues_charges WHERE member_id = :o AND period = :p"), params)
    for engine in (dues_db.engine(dues_db.login("manager+dues_clerk")), dues_db.owner):
        for statement, message in statements:
            with engine.begin() as conn, pytest.raises(exc.DBAPIError, match=message):
                conn.execute(text(statement), params)
    with pytest.raises(DomainError, match="is closed"):
        svc.post_payment(dues_db.uow(dues_db.login("dues_clerk")), idempotency_key=uuid.uuid4(),
                         member_id=dues_db.member, amount="75", method="cash", paid_on=last + timedelta(days=3))


def test_payments_are_never_changed_or_deleted(dues_db):
    clerk = dues_db.login("dues_clerk")
    receipt = svc.post_payment(dues_db.uow(clerk), idempotency_key=uuid.uuid4(), member_id=dues_db.member,
                               amount="75", method="cash")
    for statement in ("UPDATE payments SET amount = 1", "DELETE FROM payments", "DELETE FROM payment_allocations",
                      "UPDATE dues_charges SET amount = 0"):
        with dues_db.owner.begin() as conn, pytest.raises(exc.DBAPIError, match="append-only"):
            conn.execute(text(statement))
        with dues_db.engine(clerk).begin() as conn, pytest.raises(exc.ProgrammingError) as info:
            conn.execute(text(statement))
        assert isinstance(_pg_error(info), psycopg.errors.InsufficientPrivilege)
    with dues_db.owner.connect() as conn:
        audit = conn.execute(text("SELECT db_user, member_id FROM audit_log WHERE table_name = 'payments' "
                                  "AND row_key = :id"), {"id": str(receipt.payment_id)}).one()
    assert tuple(audit) == (clerk, dues_db.member)


def test_the_same_key_posted_from_two_connections_at_once_gives_one_payment(dues_db):
    clerks = [dues_db.login("dues_clerk"), dues_db.login("dues_clerk")]
    key = uuid.uuid4()
    results: list[object] = []
    blocker = dues_db.owner.connect()
    blocker.execute(text("SELECT pg_advisory_lock(hashtextextended(:k, 4401))"), {"k": str(key)})

    def post(login: str) -> None:
        try:
            results.append(svc.post_payment(dues_db.uow(login), idempotency_key=key, member_id=dues_db.member,
                                            amount="150", method="cash"))
        except Exception as error:  # noqa: BLE001 - the assertion below shows it
            results.append(error)

    threads = [threading.Thread(target=post, args=(login,)) for login in clerks]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    with dues_db.owner.connect() as watcher:  # both posts are waiting on the key: release them together
        while watcher.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
                              ).scalar_one() < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    blocker.execute(text("SELECT pg_advisory_unlock_all()"))
    blocker.close()
    for thread in threads:
        thread.join(10)
    assert all(isinstance(r, q.PaymentReceipt) for r in results), results
    assert len({r.receipt_number for r in results}) == 1
    assert sorted(r.already_posted for r in results) == [False, True]
    with dues_db.owner.connect() as conn:
        assert conn.execute(text("SELECT count(*), sum(amount) FROM payments")).one() == (1, 150)
        assert conn.execute(text("SELECT sum(amount) FROM payment_allocations")).scalar_one() == 150
        assert conn.execute(text("SELECT last_number FROM receipt_counters")).scalar_one() == 1


def test_receipt_numbers_have_no_gaps_across_a_rollback(dues_db):
    clerk = dues_db.login("dues_clerk")
    uow = dues_db.uow(clerk)

    def post(**kwargs):
        return svc.post_payment(uow, idempotency_key=uuid.uuid4(), member_id=dues_db.member, method="cash",
                                **{"amount": "10", **kwargs})

    first = post()
    with dues_db.engine(clerk).connect() as conn:  # a post whose transaction is rolled back after numbering
        conn.execute(text("INSERT INTO payments (member_id, amount, method, idempotency_key) "
                          "VALUES (:m, 10, 'cash', gen_random_uuid())"), {"m": dues_db.member})
        conn.rollback()
    batch = svc.open_batch(uow, deposit_on=dues_db.today, deposit_total="0")
    svc.close_batch(uow, batch_id=batch.id)
    with pytest.raises(DomainError):  # refused after the trigger ran
        post(batch_id=batch.id)
    second = post()
    year, n = first.receipt_number.split("-")
    assert second.receipt_number == f"{year}-{int(n) + 1:06d}"


def test_grants_per_role(dues_db):
    clerk, other_clerk = dues_db.login("dues_clerk"), dues_db.login("dues_clerk")
    manager, dispatcher = dues_db.login("manager"), dues_db.login("dispatcher")
    as_clerk = dues_db.uow(clerk)

    batch = svc.open_batch(as_clerk, deposit_on=dues_db.today, deposit_total="75")
    receipt = svc.post_payment(as_clerk, idempotency_key=uuid.uuid4(), member_id=dues_db.member, amount="75",
                               method="check", reference="42", batch_id=batch.id)
    assert receipt.posted_by == clerk and receipt.batch_id == batch.id
    with pytest.raises(DomainError, match="opened batch"):
        svc.close_batch(dues_db.uow(other_clerk), batch_id=batch.id)
    assert svc.close_batch(as_clerk, batch_id=batch.id).closed_by == clerk
    request = svc.request_adjustment(as_clerk, member_id=dues_db.member, period=dues_db.this, amount="-75",
                                     type="hardship", reason="Out of work since spring")
    for action in (lambda: svc.decide_adjustment(as_clerk, adjustment_id=request.id, approve=True),
                   lambda: svc.close_month(as_clerk, month=add_months(dues_db.this, -2)),
                   lambda: svc.set_rate(as_clerk, classification="journeyman", effective_from=dues_db.this,
                                        amount="80"),
                   lambda: svc.generate_charges(as_clerk, month=add_months(dues_db.this, 1))):
        with pytest.raises(PermissionDenied):
            action()
    with dues_db.engine(clerk).begin() as conn, pytest.raises(exc.ProgrammingError):
        conn.execute(text("UPDATE receipt_counters SET last_number = 0"))

    as_manager = dues_db.uow(manager)
    assert svc.decide_adjustment(as_manager, adjustment_id=request.id, approve=True).decided_by == manager
    assert svc.set_rate(as_manager, classification="journeyman", effective_from=add_months(dues_db.this, 1),
                        amount="80").amount == 80
    assert svc.generate_charges(as_manager, month=add_months(dues_db.this, 1)).created == 2
    assert svc.close_month(as_manager, month=add_months(dues_db.this, -2)).closed_by == manager

    with dues_db.engine(dispatcher).connect() as conn:  # standing, never amounts
        standing = conn.execute(text("SELECT * FROM member_standing WHERE member_id = :m"),
                                {"m": dues_db.member}).one()
        assert standing.standing in ("good_standing", "in_arrears")
        assert set(standing._fields) == {"member_id", "standing", "months_behind", "paid_through"}
        for table in ("payments", "dues_charges", "dues_adjustments", "dues_charge_balances", "remittances",
                      "dues_member_standing", "audit_log"):
            with pytest.raises(exc.ProgrammingError) as info:
                conn.execute(text(f"SELECT 1 FROM {table}"))
            assert isinstance(_pg_error(info), psycopg.errors.InsufficientPrivilege)
            conn.rollback()


def test_remittances_are_written_by_clerks_and_frozen_once_posted(dues_db):
    clerk = dues_db.login("dues_clerk")
    with dues_db.owner.begin() as conn:
        employer = conn.execute(text("INSERT INTO employers (name) VALUES ('Harbor Electric') RETURNING id")
                                ).scalar_one()
    with dues_db.engine(clerk).begin() as conn:
        remittance = conn.execute(text("""
            INSERT INTO remittances (employer_id, period, check_number, check_amount, source_filename)
            VALUES (:e, :p, '8812', 150, 'harbor.xlsx') RETURNING id
        """), {"e": employer, "p": dues_db.this}).scalar_one()
        conn.execute(text("""
            INSERT INTO remittance_lines (remittance_id, line_no, card_number, name, amount, hours, member_id,
                                          match_status)
            VALUES (:r, 1, '7000001', 'QUINN PAT', 75, 160, :m, 'matched'),
                   (:r, 2, '999', 'UNKNOWN', 75, NULL, NULL, 'unknown_card')
        """), {"r": remittance, "m": dues_db.member})
        conn.execute(text("INSERT INTO remittance_column_maps (employer_id, mapping) VALUES (:e, :j)"),
                     {"e": employer, "j": '{"card_number": "A", "amount": "C"}'})
        conn.execute(text("UPDATE remittances SET status = 'posted', version = version + 1 WHERE id = :r"),
                     {"r": remittance})
        assert conn.execute(text("SELECT created_by, posted_at IS NOT NULL FROM remittances")).one() == (clerk, True)
    for engine, statement in ((dues_db.engine(clerk), "UPDATE remittances SET check_amount = 1, version = version + 1"),
                              (dues_db.engine(clerk), "UPDATE remittance_lines SET note = 'x', version = version + 1"),
                              (dues_db.engine(clerk), "DELETE FROM remittance_lines"),
                              (dues_db.owner, "DELETE FROM remittances")):
        with engine.begin() as conn, pytest.raises(exc.DBAPIError, match="posted"):
            conn.execute(text(statement))
    with dues_db.engine(clerk).begin() as conn, pytest.raises(exc.IntegrityError):
        conn.execute(text("INSERT INTO remittances (employer_id, period, check_number, check_amount) "
                          "VALUES (:e, :p, '8812', 150)"), {"e": employer, "p": dues_db.this})


def _totals(conn, member: int) -> list[tuple]:
    """The kept and the summed owed and paid of each of the member's months, side by side."""
    return conn.execute(text("""
        SELECT l.period, t.owed, t.paid, l.owed, l.paid FROM dues_charge_ledger AS l
        JOIN dues_charge_totals AS t ON t.charge_id = l.charge_id WHERE l.member_id = :m ORDER BY l.period
    """), {"m": member}).all()


def test_the_kept_totals_follow_every_write_to_the_ledger(dues_db):
    """Posting, a void, an approved waiver that releases what was paid, a denied one, and a new month's charges:
    after each, every month's kept owed and paid equal what the ledger sums to."""
    clerk, manager = dues_db.login("dues_clerk"), dues_db.login("manager")
    as_clerk, as_manager = dues_db.uow(clerk), dues_db.uow(manager)

    def same() -> list[tuple]:
        with dues_db.owner.connect() as conn:
            rows = _totals(conn, dues_db.member)
        assert rows and all((kept_owed, kept_paid) == (owed, paid) for _, kept_owed, kept_paid, owed, paid in rows)
        return rows

    first = svc.post_payment(as_clerk, idempotency_key=uuid.uuid4(), member_id=dues_db.member, amount="150",
                             method="cash")
    assert [paid for _, _, paid, _, _ in same()] == [75, 75, 0]
    svc.post_payment(as_clerk, idempotency_key=uuid.uuid4(), member_id=dues_db.member, amount="75", method="cash")
    svc.void_payment(as_clerk, payment_id=first.payment_id, reason="Check returned by the bank")
    assert [paid for _, _, paid, _, _ in same()] == [0, 0, 75]
    waiver = svc.request_adjustment(as_clerk, member_id=dues_db.member, period=dues_db.this, amount="-75",
                                    type="hardship", reason="Out of work")
    denied = svc.request_adjustment(as_clerk, member_id=dues_db.member, period=add_months(dues_db.this, -1),
                                    amount="-75", type="hardship", reason="Asked twice")
    svc.decide_adjustment(as_manager, adjustment_id=denied.id, approve=False)
    svc.decide_adjustment(as_manager, adjustment_id=waiver.id, approve=True)  # its 75 pays the oldest month
    assert [(owed, paid) for _, owed, paid, _, _ in same()] == [(75, 75), (75, 0), (0, 0)]
    svc.generate_charges(as_manager, month=add_months(dues_db.this, 1))
    assert len(same()) == 4


def test_no_login_writes_the_kept_totals_and_two_connections_cannot_overpay_a_month(dues_db):
    """A clerk with psql cannot make a member look paid by writing the totals; two clerks applying money to one
    month from two connections at once add up, and the second is refused once the month would be paid past what
    it owes (the month's row is updated under its lock, so the second sees the first)."""
    clerk, manager = dues_db.login("dues_clerk"), dues_db.login("manager")
    for login in (clerk, manager):
        for statement in ("UPDATE dues_charge_totals SET paid = owed", "DELETE FROM dues_charge_totals",
                          "INSERT INTO dues_charge_totals SELECT * FROM dues_charge_totals",
                          "SELECT uc_dues_charge_totals()"):
            with dues_db.engine(login).begin() as conn, pytest.raises(exc.ProgrammingError) as info:
                conn.execute(text(statement))
            assert isinstance(_pg_error(info), psycopg.errors.InsufficientPrivilege), statement

    with dues_db.owner.begin() as conn:  # two payments held as credit, neither applied yet
        payments = conn.execute(text("""
            INSERT INTO payments (member_id, amount, method, idempotency_key)
            VALUES (:m, 50, 'cash', gen_random_uuid()), (:m, 50, 'cash', gen_random_uuid()) RETURNING id
        """), {"m": dues_db.member}).scalars().all()
        charge = conn.execute(text("SELECT id FROM dues_charges WHERE member_id = :m AND period = :p"),
                              {"m": dues_db.member, "p": dues_db.this}).scalar_one()
    apply = text("INSERT INTO payment_allocations (payment_id, member_id, charge_id, amount) VALUES (:p, :m, :c, 50)")
    first = dues_db.engine(clerk).connect()
    first.execute(apply, {"p": payments[0], "m": dues_db.member, "c": charge})  # uncommitted: holds the month's row
    outcome: list[BaseException | None] = []

    def second() -> None:
        try:
            with dues_db.engine(dues_db.login("dues_clerk")).begin() as conn:
                conn.execute(apply, {"p": payments[1], "m": dues_db.member, "c": charge})
            outcome.append(None)
        except exc.DBAPIError as error:
            outcome.append(error)

    thread = threading.Thread(target=second)
    thread.start()
    deadline = time.monotonic() + 10
    with dues_db.owner.connect() as watcher:  # the second waits on the month's row
        while watcher.execute(text("SELECT count(*) FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted")
                              ).scalar_one() < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
    first.commit()
    first.close()
    thread.join(10)
    assert outcome and outcome[0] is not None and "More would be applied to a month" in str(outcome[0])
    with dues_db.owner.connect() as conn:
        assert conn.execute(text("SELECT owed, paid FROM dues_charge_totals WHERE charge_id = :c"),
                            {"c": charge}).one() == (75, 50)
        assert conn.execute(text("SELECT sum(amount) FROM payment_allocations WHERE charge_id = :c"),
                            {"c": charge}).scalar_one() == 50


def test_a_month_whose_totals_are_missing_refuses_money_until_they_are_written_back(dues_db):
    """A month written below the triggers and never rebuilt has no totals row: applying money to it, or approving
    an adjustment on it, is refused rather than left unchecked, and the repair's function writes it back."""
    clerk, manager = dues_db.login("dues_clerk"), dues_db.login("manager")
    waiver = svc.request_adjustment(dues_db.uow(clerk), member_id=dues_db.member, period=dues_db.this,
                                    amount="-75", type="hardship", reason="Out of work")
    with dues_db.owner.begin() as conn:
        charge = conn.execute(text("SELECT id FROM dues_charges WHERE member_id = :m AND period = :p"),
                              {"m": dues_db.member, "p": dues_db.this}).scalar_one()
        conn.execute(text("DELETE FROM dues_charge_totals WHERE charge_id = :c"), {"c": charge})
    with pytest.raises(DomainError, match="kept totals are missing"):
        svc.post_payment(dues_db.uow(clerk), idempotency_key=uuid.uuid4(), member_id=dues_db.member, amount="225",
                         method="cash")
    with pytest.raises(DomainError, match="kept totals are missing"):
        svc.decide_adjustment(dues_db.uow(manager), adjustment_id=waiver.id, approve=True)
    with dues_db.engine(clerk).begin() as conn:
        assert conn.execute(text("SELECT uc_rebuild_dues_charge_totals(NULL)")).scalar_one() == 1
    svc.post_payment(dues_db.uow(clerk), idempotency_key=uuid.uuid4(), member_id=dues_db.member, amount="225",
                     method="cash")
    with dues_db.owner.connect() as conn:
        assert conn.execute(text("SELECT owed, paid FROM dues_charge_totals WHERE charge_id = :c"),
                            {"c": charge}).one() == (75, 75)
