"""The dues ledger through its services and queries, against PostgreSQL, every service committing as at the hall.

Dates are relative to the hall's today (the server clock): months are counted back from the current one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal as D
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Connection, event, exc, text

from unioncore_desktop.domain.errors import (
    DomainError,
    PermissionDenied,
    ValidationError,
)
from unioncore_desktop.domain.queries import dues as q
from unioncore_desktop.domain.rules.dues import add_months, month_start
from unioncore_desktop.domain.services import dues as svc
from unioncore_desktop.domain.uow import UnitOfWork

if TYPE_CHECKING:
    from tests.conftest import CommittedDb

pytestmark = pytest.mark.commits  # the services' own COMMIT runs, as at the hall

RATES = {"apprentice_1": 35, "apprentice_2": 40, "apprentice_3": 45, "apprentice_4": 50, "apprentice_5": 55,
         "journeyman": 75, "foreman": 85, "retiree": 25}


@dataclass
class Hall:
    connection: Connection
    uow: UnitOfWork
    today: date
    db: CommittedDb

    @property
    def this(self) -> date:
        return month_start(self.today)

    def month(self, offset: int) -> date:
        return add_months(self.this, offset)

    def member(self, card: str, classification: str = "journeyman", status: str = "active") -> int:
        return self.connection.execute(text(
            "INSERT INTO members (card_number, first_name, last_name, classification, status) "
            "VALUES (:c, 'Pat', :l, :k, :s) RETURNING id"),
            {"c": card, "l": f"Member{card}", "k": classification, "s": status}).scalar_one()

    def bill(self, *offsets: int) -> None:
        for offset in offsets:
            svc.generate_charges(self.uow, month=self.month(offset))

    def pay(self, member_id: int, amount: str, method: str = "cash", reference: str | None = None,
            **kwargs) -> q.PaymentReceipt:
        return svc.post_payment(self.uow, idempotency_key=uuid.uuid4(), member_id=member_id, amount=amount,
                                method=method, reference=reference, **kwargs)

    def summary(self, member_id: int) -> q.MemberDuesSummary:
        return q.member_dues_summary(self.connection_session(), member_id)

    def connection_session(self):
        """A session reading through the test's connection (each statement sees what has committed)."""
        from sqlalchemy.orm import Session
        return Session(bind=self.connection)

    @contextmanager
    def acting_as(self, role: str) -> Iterator[str]:
        """Run the block's services as a new staff login in `role` (its grants apply, session_user is that login)."""
        login, engine = self.db.staff_engine(role)
        owner, self.uow = self.uow, UnitOfWork(lambda: self.db.session(engine))
        try:
            yield login
        finally:
            self.uow = owner


@pytest.fixture
def hall(connection, uow, committed_db) -> Hall:
    connection.execute(text("""
        INSERT INTO dues_rates (classification, effective_from, amount)
        SELECT key, DATE '2000-01-01', value::numeric FROM json_each_text(CAST(:rates AS json))
    """), {"rates": __import__("json").dumps(RATES)})
    today = connection.execute(text("SELECT uc_hall_today()")).scalar_one()
    return Hall(connection, uow, today, committed_db)


def behind_this_month(hall: Hall) -> int:
    """1 when this month's grace (to the 15th) has passed, else 0."""
    return 1 if hall.today.day > 15 else 0


def test_a_payment_covering_three_months_and_a_half(hall):
    m = hall.member("7000001")
    hall.bill(-3, -2, -1, 0)
    receipt = hall.pay(m, "262.50", method="check", reference="1001")
    assert [(a.period, a.amount) for a in receipt.applied] == [
        (hall.month(-3), D("75.00")), (hall.month(-2), D("75.00")), (hall.month(-1), D("75.00")),
        (hall.month(0), D("37.50"))]
    assert receipt.unapplied == 0 and receipt.credit == 0
    assert receipt.balance == D("37.50")
    assert receipt.paid_through == hall.month(-1)
    assert receipt.months_behind == behind_this_month(hall)
    assert receipt.receipt_number.startswith(f"{hall.today.year}-")
    assert receipt.posted_by == hall.connection.execute(text("SELECT session_user")).scalar_one()


def test_prepaying_a_year_leaves_credit_that_later_charges_consume(hall):
    m = hall.member("7000002")
    hall.bill(0)
    receipt = hall.pay(m, "900")
    assert receipt.unapplied == D("825.00") and receipt.balance == D("-825.00")
    assert receipt.paid_through == hall.month(11)
    summary = hall.summary(m)
    assert summary.months_ahead == 11 and summary.standing == "good_standing"
    run = svc.generate_charges(hall.uow, month=hall.month(1))
    assert run.credit_applied == D("75.00") and run.members_credited == 1
    summary = hall.summary(m)
    assert summary.credit == D("750.00") and summary.paid_through == hall.month(11)
    assert summary.months_ahead == 10


def test_a_rate_change_applies_from_the_first_month_it_is_in_force_on_the_1st(hall):
    m = hall.member("7000003")
    svc.set_rate(hall.uow, classification="journeyman", effective_from=hall.month(-2) + timedelta(days=14),
                 amount="80")
    hall.bill(-3, -2, -1, 0)
    ledger = q.member_ledger(hall.connection_session(), m)
    assert [(line.period, line.amount) for line in ledger if line.kind == "charge"] == [
        (hall.month(-3), D("75.00")), (hall.month(-2), D("75.00")), (hall.month(-1), D("80.00")),
        (hall.month(0), D("80.00"))]
    assert ledger[-1].balance == D("310.00")
    in_force = {r.classification: r.amount for r in q.rates_in_force(hall.connection_session(), hall.month(-2))}
    assert in_force["journeyman"] == D("75.00")


def test_a_waiver_makes_a_partly_paid_charge_fully_paid(hall):
    m = hall.member("7000004")
    hall.bill(0)
    hall.pay(m, "40")
    with hall.acting_as("dues_clerk"):
        request = svc.request_adjustment(hall.uow, member_id=m, period=hall.this, amount="-35", type="waiver",
                                         reason="Hardship: plant closure")
    assert request.status == "pending"
    assert [a.id for a in q.pending_adjustments(hall.connection_session())] == [request.id]
    with hall.acting_as("manager") as manager:
        decided = svc.decide_adjustment(hall.uow, adjustment_id=request.id, approve=True, note="OK per board")
    assert (decided.status, decided.decided_by) == ("approved", manager)
    summary = hall.summary(m)
    assert summary.balance == 0 and summary.paid_through == hall.this and summary.months_behind == 0


def test_waiving_a_paid_month_frees_the_money_for_the_next(hall):
    m = hall.member("7000005")
    hall.bill(-1, 0)
    hall.pay(m, "75")
    with hall.acting_as("dues_clerk"):
        request = svc.request_adjustment(hall.uow, member_id=m, period=hall.month(-1), amount="-75",
                                         type="credit", reason="Billed while on withdrawal card")
    with hall.acting_as("manager"):
        svc.decide_adjustment(hall.uow, adjustment_id=request.id, approve=True)
    summary = hall.summary(m)
    assert summary.balance == 0 and summary.credit == 0 and summary.paid_through == hall.this
    balances = hall.connection.execute(text(
        "SELECT period, owed, paid FROM dues_charge_balances WHERE member_id = :m ORDER BY period"), {"m": m}).all()
    assert [tuple(b) for b in balances] == [(hall.month(-1), D("0.00"), D("0.00")), (hall.this, D("75.00"), D("75.00"))]


def test_an_adjustment_decided_by_its_requester_is_refused(hall):
    m = hall.member("7000006")
    hall.bill(0)
    request = svc.request_adjustment(hall.uow, member_id=m, period=hall.this, amount="10", type="late_fee",
                                     reason="Paid after grace")
    with pytest.raises(ValidationError) as info:
        svc.decide_adjustment(hall.uow, adjustment_id=request.id, approve=False)
    assert "decision" in info.value.errors


def test_a_waiver_larger_than_the_month_is_refused(hall):
    m = hall.member("7000007")
    hall.bill(0)
    with pytest.raises(ValidationError) as info:
        svc.request_adjustment(hall.uow, member_id=m, period=hall.this, amount="-80", type="waiver", reason="x")
    assert "75.00" in info.value.errors["amount"]
    with pytest.raises(ValidationError) as info:
        svc.request_adjustment(hall.uow, member_id=m, period=hall.month(-5), amount="-5", type="waiver", reason="x")
    assert "period" in info.value.errors


def test_charges_run_once_per_month_and_list_members_without_a_rate(hall):
    billed = hall.member("7000010")
    honorary = hall.member("7000011", classification="honorary")
    hall.member("7000012", status="inactive")
    first = svc.generate_charges(hall.uow, month=hall.this)
    assert first.created == 1 and first.already_billed == 0
    assert [(e.member_id, e.classification) for e in first.exceptions] == [(honorary, "honorary")]
    again = svc.generate_charges(hall.uow, month=hall.this + timedelta(days=9))  # any day names its month
    assert again.created == 0 and again.already_billed == 1
    svc.set_rate(hall.uow, classification="honorary", effective_from=date(2000, 1, 1), amount="0")
    third = svc.generate_charges(hall.uow, month=hall.this)
    assert third.created == 1 and third.exceptions == ()
    assert hall.summary(honorary).paid_through == hall.this  # a $0 month is covered
    hall.pay(honorary, "20")  # a gift from someone who owes nothing stays as credit
    assert (hall.summary(honorary).credit, hall.summary(honorary).months_ahead) == (D("20.00"), 0)
    assert hall.summary(billed).balance == D("75.00")


def test_voiding_reopens_the_months_it_paid_and_is_idempotent(hall):
    m = hall.member("7000020")
    hall.bill(-1, 0)
    first = hall.pay(m, "75", method="check", reference="500")
    second = hall.pay(m, "100")
    assert hall.summary(m).credit == D("25.00")
    reversal = svc.void_payment(hall.uow, payment_id=first.payment_id, reason="Check returned NSF")
    assert reversal.amount == D("-75.00") and reversal.reverses_payment_id == first.payment_id
    assert [a.amount for a in reversal.applied] == [D("-75.00")]
    summary = hall.summary(m)
    # the second payment's credit now covers part of the reopened month
    assert summary.balance == D("50.00") and summary.credit == 0
    assert summary.paid_through is None
    assert svc.void_payment(hall.uow, payment_id=first.payment_id, reason="again").already_posted
    with pytest.raises(DomainError):
        svc.void_payment(hall.uow, payment_id=reversal.payment_id, reason="undo")
    # the check number is free again once its payment is voided
    assert hall.pay(m, "75", method="check", reference="500").amount == D("75.00")
    assert second.receipt_number < reversal.receipt_number


def test_a_check_number_reused_for_the_same_member_is_refused(hall):
    m = hall.member("7000021")
    other = hall.member("7000022")
    hall.pay(m, "75", method="check", reference="1234")
    with pytest.raises(ValidationError) as info:
        hall.pay(m, "80", method="check", reference="1234")
    assert "reference" in info.value.errors
    assert hall.pay(other, "75", method="check", reference="1234").member_id == other
    assert hall.pay(m, "75", method="money_order", reference="1234").method == "money_order"


def test_posting_the_same_key_twice_returns_the_first_payment(hall):
    m = hall.member("7000030")
    key = uuid.uuid4()
    first = svc.post_payment(hall.uow, idempotency_key=key, member_id=m, amount="75", method="cash")
    again = svc.post_payment(hall.uow, idempotency_key=key, member_id=m, amount="75.00", method="cash")
    assert again.already_posted and not first.already_posted
    assert again.receipt_number == first.receipt_number
    assert hall.connection.execute(text("SELECT count(*) FROM payments")).scalar_one() == 1
    with pytest.raises(DomainError, match="different payment"):
        svc.post_payment(hall.uow, idempotency_key=key, member_id=m, amount="80", method="cash")


def test_a_batch_cannot_be_deposited_after_today(hall):
    with pytest.raises(ValidationError) as info:
        svc.open_batch(hall.uow, deposit_on=hall.today + timedelta(days=1), deposit_total="150")
    assert "after today" in info.value.errors["deposit_on"]
    assert hall.connection.execute(text("SELECT count(*) FROM payment_batches")).scalar_one() == 0
    assert svc.open_batch(hall.uow, deposit_on=hall.today - timedelta(days=3), deposit_total="150").id


def test_a_batch_closes_only_when_it_balances(hall):
    m = hall.member("7000040")
    batch = svc.open_batch(hall.uow, deposit_on=hall.today, deposit_total="150")
    hall.pay(m, "75", batch_id=batch.id)
    hall.pay(m, "70", method="check", reference="77", batch_id=batch.id)
    summary = q.batch_summary(hall.connection_session(), batch.id)
    assert (summary.payment_count, summary.payments_total, summary.difference) == (2, D("145.00"), D("5.00"))
    assert {t.method: t.total for t in summary.by_method} == {"cash": D("75.00"), "check": D("70.00")}
    with pytest.raises(ValidationError) as info:
        svc.close_batch(hall.uow, batch_id=batch.id)
    assert "5.00" in info.value.errors["deposit_total"]
    # the database refuses it as well, whatever the client checked
    with pytest.raises(exc.IntegrityError, match="does not balance"):
        hall.connection.execute(text("UPDATE payment_batches SET status = 'closed', version = version + 1 "
                                     "WHERE id = :id"), {"id": batch.id})
    svc.set_batch_total(hall.uow, batch_id=batch.id, deposit_total="145", version=summary.version)
    closed = svc.close_batch(hall.uow, batch_id=batch.id)
    assert closed.status == "closed" and closed.closed_by
    with pytest.raises(ValidationError) as info:
        hall.pay(m, "10", batch_id=batch.id)
    assert "batch" in info.value.errors


def test_closing_a_month_follows_its_checklist_then_freezes_it(hall):
    m = hall.member("7000050")
    hall.bill(-2, -1)
    batch = svc.open_batch(hall.uow, deposit_on=hall.month(-2) + timedelta(days=3), deposit_total="75")
    hall.pay(m, "75", batch_id=batch.id, paid_on=hall.month(-2) + timedelta(days=3))
    with hall.acting_as("dues_clerk"):
        pending = svc.request_adjustment(hall.uow, member_id=m, period=hall.month(-2), amount="5",
                                         type="late_fee", reason="Late")
    session = hall.connection_session()
    checklist = q.close_checklist(session, hall.month(-2))
    assert not checklist.ready
    assert {i.key for i in checklist.items if not i.ok} == {"adjustments", "batches"}
    with pytest.raises(ValidationError):
        svc.close_month(hall.uow, month=hall.month(-2))
    with hall.acting_as("manager"):
        svc.decide_adjustment(hall.uow, adjustment_id=pending.id, approve=False, note="First time")
    svc.close_batch(hall.uow, batch_id=batch.id)
    with pytest.raises(DomainError, match="earlier"):
        svc.close_month(hall.uow, month=hall.month(-1))
    closed = svc.close_month(hall.uow, month=hall.month(-2))
    assert closed.status == "closed" and closed.closed_by
    assert q.close_checklist(session, hall.month(-2)).period_status == "closed"

    with pytest.raises(DomainError, match="is closed"):
        hall.pay(m, "75", paid_on=hall.month(-2) + timedelta(days=20))
    with pytest.raises(DomainError, match="is closed"):
        svc.generate_charges(hall.uow, month=hall.month(-2))
    # a correction for the closed month is entered today, in an open month
    with hall.acting_as("dues_clerk"):
        fix = svc.request_adjustment(hall.uow, member_id=m, period=hall.month(-2), amount="-10", type="correction",
                                     reason="Billed at the wrong rate")
    assert fix.requested_on == hall.today
    with pytest.raises(exc.DBAPIError, match="cannot be reopened"):
        hall.connection.execute(text("UPDATE dues_periods SET status = 'open', closed_at = NULL, "
                                     "version = version + 1 WHERE month = :m"), {"m": hall.month(-2)})


def test_ledger_reports_and_lookup(hall):
    good = hall.member("7000060")
    behind = hall.member("7000061", classification="foreman")
    hall.bill(-4, -3, -2, -1, 0)
    hall.pay(good, "375", method="card")
    hall.pay(behind, "85", method="check", reference="9")
    session = hall.connection_session()

    ledger = q.member_ledger(session, behind)
    assert [line.kind for line in ledger] == ["charge"] * 5 + ["payment"]
    assert ledger[-1].balance == D("340.00") and ledger[-1].applied[0].period == hall.month(-4)

    arrears = q.arrears_list(session)
    assert [row.member_id for row in arrears] == [behind]
    assert arrears[0].standing == "suspended" and arrears[0].months_behind == 3 + behind_this_month(hall)
    assert arrears[0].paid_through == hall.month(-4) and arrears[0].last_payment_amount == D("85.00")
    assert q.arrears_list(session, sort="name", descending=False)[0].member_id == behind
    with pytest.raises(ValidationError):
        q.arrears_list(session, sort="password")

    cash = q.daily_cash(session, hall.today)
    assert cash.total == D("460.00")
    assert {(t.method, t.count, t.total) for t in cash.by_method} == {("card", 1, D("375.00")),
                                                                     ("check", 1, D("85.00"))}

    summary = {row.period: row for row in q.dues_summary(session, hall.month(-4), hall.this)}
    assert summary[hall.month(-4)].members_billed == 2 and summary[hall.month(-4)].members_paid == 2
    assert summary[hall.month(-3)].collected == D("75.00") and summary[hall.month(-3)].collection_pct == D("46.9")

    found = q.find_members_for_posting(session, "7000061")
    assert found[0].member_id == behind and found[0].standing == "suspended"
    assert q.member_dues_summary(session, good).current_rate == D("75.00")


def test_clerks_cannot_bill_close_months_or_set_rates(hall):
    hall.member("7000070")
    with hall.acting_as("dues_clerk"):
        for action in (lambda: svc.generate_charges(hall.uow, month=hall.this),
                       lambda: svc.set_rate(hall.uow, classification="foreman", effective_from=hall.this, amount=90),
                       lambda: svc.open_period(hall.uow, month=hall.month(1))):
            with pytest.raises(PermissionDenied):
                action()


def test_a_batch_and_its_receipts_are_read_in_one_statement_for_the_whole_batch(hall):
    """The posting screen's batch: every receipt as payment_receipt gives it, without a query per payment."""
    first, second = hall.member("7000061"), hall.member("7000062")
    hall.bill(-1, 0)
    batch = svc.open_batch(hall.uow, deposit_on=hall.today, deposit_total="400")
    hall.pay(first, "75", batch_id=batch.id)
    hall.pay(second, "200", method="check", reference="4411", batch_id=batch.id)  # two months and credit
    hall.pay(first, "30", method="money_order", batch_id=batch.id)  # a money order needs no number
    void = svc.void_payment(hall.uow, payment_id=hall.pay(second, "10", batch_id=batch.id).payment_id,
                            reason="keyed twice", batch_id=batch.id)
    session = hall.connection_session()
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(hall.connection, "before_cursor_execute", record)
    try:
        receipts = q.batch_receipts(session, batch.id)
    finally:
        event.remove(hall.connection, "before_cursor_execute", record)
    assert len([s for s in statements if "SAVEPOINT" not in s]) == 1
    expected = [q.payment_receipt(session, p.payment_id) for p in q.batch_payments(session, batch.id)]
    assert receipts == expected and len(receipts) == 5 and receipts[-1].payment_id == void.payment_id
    assert any(r.applied for r in receipts) and any(r.unapplied for r in receipts)
    page = q.posting_batch(session, batch.id)
    assert page.summary == q.batch_summary(session, batch.id) and page.receipts == expected


def test_the_posting_look_up_reads_each_match_with_its_standing_in_the_search_order(hall):
    """The page and every match's standing come from one statement; the order is the member search's, and each
    balance is the one the member's own summary shows (an empty look-up lists members in name order)."""
    from unioncore_desktop.domain.queries.members import search_members

    ids = [hall.member(card) for card in ("7000091", "7000092", "7000093", "7000901")]
    for member_id, name in zip(ids, ("Lookupson", "Lookup", "Lookupova", "Lookup"), strict=True):
        hall.connection.execute(text("UPDATE members SET last_name = :n, version = version + 1 WHERE id = :m"),
                                {"n": name, "m": member_id})
    hall.bill(-1, 0)
    hall.pay(ids[1], "75")
    hall.pay(ids[2], "200")
    session = hall.connection_session()
    for query in ("70009", "lookup", "pat lookup", ""):
        found = q.find_members_for_posting(session, query)
        expected = [m.id for m in search_members(session, query, limit=20)]
        assert [row.member_id for row in found] == expected and expected, query
        for row in found:
            summary = hall.summary(row.member_id)
            assert (row.balance, row.paid_through, row.standing) == (summary.balance, summary.paid_through,
                                                                     summary.standing), query
    assert q.find_members_for_posting(session, "nobody-by-this-name") == []
