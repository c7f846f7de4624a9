"""The dues ledger: rates, monthly periods, charges, payments and their allocations, adjustments, deposit
batches, and employer check-off remittances.

A ledger, not a mutable balance: charges, payments and allocations are append-only (a trigger refuses UPDATE
and DELETE for every role), and closing a month makes everything dated in it immutable. What a member owes is
derived: owed on a charge = its amount + the approved adjustments attached to it; balance = charges + approved
adjustments - payments (reversals are negative payments). The views `dues_charge_balances` and
`dues_member_standing` compute it for one member or for the whole hall, from each charge's owed and paid amounts,
which `dues_charge_totals` keeps as the ledger grows (so a hall-wide list does not sum every application again).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from unioncore_desktop.domain.models.base import Base, Versioned, one_of
from unioncore_desktop.domain.vocab import (
    ADJUSTMENT_STATUSES,
    ADJUSTMENT_TYPES,
    BATCH_STATUSES,
    CLASSIFICATIONS,
    CREDIT_TYPES,
    DEBIT_TYPES,
    DUES_PERIOD_STATUSES,
    PAYMENT_METHODS,
    REFERENCE_LENGTH,
    REMITTANCE_MATCH_STATUSES,
    REMITTANCE_STATUSES,
)

MONEY = Numeric(12, 2)
HALL_TODAY = text("uc_hall_today()")  # the hall's local date from the server clock (function in 0004)


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


class DuesRate(Versioned, Base):
    """The monthly rate for a classification from a date; the rate in force on the 1st of a month applies."""

    __tablename__ = "dues_rates"
    __table_args__ = (
        UniqueConstraint("classification", "effective_from"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        one_of("classification", CLASSIFICATIONS, "classification_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    classification: Mapped[str] = mapped_column(String(20))
    effective_from: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    created_by: Mapped[str] = mapped_column(String(63), server_default=text("session_user"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DuesPeriod(Versioned, Base):
    """One month of dues: due on the 1st, grace to `grace_until`. Closed months are immutable and close in
    order (a trigger refuses closing a month while an earlier one is open, and refuses reopening)."""

    __tablename__ = "dues_periods"
    __table_args__ = (
        CheckConstraint("extract(day FROM month) = 1", name="month_first_day"),
        CheckConstraint("due_on >= month AND grace_until >= due_on", name="dates_order"),
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_complete"),
        one_of("status", DUES_PERIOD_STATUSES, "status_known"),
    )

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    due_on: Mapped[date] = mapped_column(Date)
    grace_until: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), server_default="open")
    charges_generated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(63))


class DuesCharge(Base):
    """What one member was billed for one month (append-only; corrections are adjustments)."""

    __tablename__ = "dues_charges"
    __table_args__ = (
        UniqueConstraint("member_id", "period"),
        UniqueConstraint("id", "member_id"),  # target of the composite foreign keys that pin the member
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        Index("ix_dues_charges_period", "period"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    period: Mapped[date] = mapped_column(ForeignKey("dues_periods.month"))
    classification: Mapped[str] = mapped_column(String(20))
    rate_id: Mapped[int | None] = mapped_column(ForeignKey("dues_rates.id"))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str] = mapped_column(String(63), server_default=text("session_user"))


class DuesChargeTotal(Base):
    """One charge's owed (amount + approved adjustments) and paid (its applications), kept by the ledger's triggers
    (uc_dues_charge_totals) and written by no login: a cache of `dues_charge_ledger`, which the integrity check
    compares it with. The member and month are the charge's, copied so hall-wide lists read this table alone."""

    __tablename__ = "dues_charge_totals"
    __table_args__ = (
        ForeignKeyConstraint(["charge_id", "member_id"], ["dues_charges.id", "dues_charges.member_id"],
                             name="fk_dues_charge_totals_charge_id_dues_charges"),
        CheckConstraint("owed >= 0", name="owed_not_negative"),
        Index("ix_dues_charge_totals_member_id", "member_id"),
        Index("ix_dues_charge_totals_open", "member_id", "period", postgresql_where=text("paid < owed")),
    )

    charge_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    member_id: Mapped[int] = mapped_column(Integer)
    period: Mapped[date] = mapped_column(Date)
    owed: Mapped[Decimal] = mapped_column(MONEY)
    paid: Mapped[Decimal] = mapped_column(MONEY)


class PaymentBatch(Versioned, Base):
    """A deposit keyed as one batch: closing is refused unless its payments add up to the deposit total."""

    __tablename__ = "payment_batches"
    __table_args__ = (
        CheckConstraint("deposit_total >= 0", name="deposit_total_not_negative"),
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_complete"),
        one_of("status", BATCH_STATUSES, "status_known"),
        Index("ix_payment_batches_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deposit_on: Mapped[date] = mapped_column(Date)
    deposit_total: Mapped[Decimal] = mapped_column(MONEY)
    status: Mapped[str] = mapped_column(String(10), server_default="open")
    note: Mapped[str | None] = mapped_column(Text)
    opened_by: Mapped[str] = mapped_column(String(63), server_default=text("session_user"))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    closed_by: Mapped[str | None] = mapped_column(String(63))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Payment(Base):
    """A receipt. Append-only: a void is a second, negative payment that reverses the first (same member,
    `reverses_payment_id`, a reason). The receipt number and `posted_by` are set by the database."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("id", "member_id"),
        ForeignKeyConstraint(["reverses_payment_id", "member_id"], ["payments.id", "payments.member_id"],
                             name="fk_payments_reverses_payment_id_payments"),
        CheckConstraint("(reverses_payment_id IS NULL AND amount > 0) OR (reverses_payment_id IS NOT NULL "
                        "AND amount < 0)", name="amount_sign"),
        CheckConstraint("(reverses_payment_id IS NULL) = (void_reason IS NULL)", name="void_reason_present"),
        CheckConstraint("void_reason IS NULL OR length(btrim(void_reason)) > 0", name="void_reason_text"),
        CheckConstraint("receipt_number ~ '^[0-9]{4}-[0-9]{6}$'", name="receipt_number_format"),
        one_of("method", PAYMENT_METHODS, "method_known"),
        Index("ix_payments_member_id_paid_on", "member_id", "paid_on"),
        Index("ix_payments_paid_on", "paid_on"),
        Index("ix_payments_batch_id", "batch_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    receipt_number: Mapped[str] = mapped_column(String(11), unique=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    paid_on: Mapped[date] = mapped_column(Date, server_default=HALL_TODAY)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    method: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str | None] = mapped_column(String(REFERENCE_LENGTH))  # check or money-order number
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("payment_batches.id"))
    idempotency_key: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    reverses_payment_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    void_reason: Mapped[str | None] = mapped_column(Text)
    posted_by: Mapped[str] = mapped_column(String(63), server_default=text("session_user"))
    posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class PaymentAllocation(Base):
    """Money from one payment applied to one charge (append-only; a negative row gives money back to the
    payment as credit: a void's mirror rows, or the excess released when a waiver is approved)."""

    __tablename__ = "payment_allocations"
    __table_args__ = (
        ForeignKeyConstraint(["payment_id", "member_id"], ["payments.id", "payments.member_id"],
                             name="fk_payment_allocations_payment_id_payments"),
        ForeignKeyConstraint(["charge_id", "member_id"], ["dues_charges.id", "dues_charges.member_id"],
                             name="fk_payment_allocations_charge_id_dues_charges"),
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        Index("ix_payment_allocations_payment_id", "payment_id"),
        Index("ix_payment_allocations_charge_id", "charge_id"),
        Index("ix_payment_allocations_member_id", "member_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    payment_id: Mapped[int] = mapped_column(BigInteger)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    charge_id: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    allocated_on: Mapped[date] = mapped_column(Date, server_default=HALL_TODAY)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ReceiptCounter(Base):
    """The last receipt number issued in a year. The payment trigger locks and advances this row, so numbers
    are gapless: a rolled-back payment rolls its number back too."""

    __tablename__ = "receipt_counters"
    __table_args__ = (CheckConstraint("last_number >= 0", name="last_number_not_negative"),)

    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class DuesAdjustment(Versioned, Base):
    """A signed change to what is owed on one charge (negative: waiver, hardship, credit; positive: late fee,
    reinstatement; a correction either way). Pending until a manager other than the requester decides it:
    the database sets `decided_by` and its CHECK refuses a requester deciding their own request."""

    __tablename__ = "dues_adjustments"
    __table_args__ = (
        ForeignKeyConstraint(["charge_id", "member_id"], ["dues_charges.id", "dues_charges.member_id"],
                             name="fk_dues_adjustments_charge_id_dues_charges"),
        CheckConstraint("amount <> 0", name="amount_not_zero"),
        CheckConstraint(f"(type NOT IN ({_quoted(CREDIT_TYPES)}) OR amount < 0) "
                        f"AND (type NOT IN ({_quoted(DEBIT_TYPES)}) OR amount > 0)", name="sign_matches_type"),
        CheckConstraint("length(btrim(reason)) > 0", name="reason_present"),
        CheckConstraint("(status = 'pending') = (decided_by IS NULL)", name="decision_complete"),
        CheckConstraint("decided_by <> requested_by", name="not_self_approved"),
        one_of("type", ADJUSTMENT_TYPES, "type_known"),
        one_of("status", ADJUSTMENT_STATUSES, "status_known"),
        Index("ix_dues_adjustments_member_id", "member_id"),
        Index("ix_dues_adjustments_charge_id", "charge_id"),
        Index("ix_dues_adjustments_pending", "requested_on", postgresql_where=text("status = 'pending'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    charge_id: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), server_default="pending")
    requested_by: Mapped[str] = mapped_column(String(63), server_default=text("session_user"))
    requested_on: Mapped[date] = mapped_column(Date, server_default=HALL_TODAY)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    decided_by: Mapped[str | None] = mapped_column(String(63))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)


class Remittance(Versioned, Base):
    """An employer's check-off check and its list. Drafts are edited freely; a posted remittance is immutable
    (trigger), and a live one's check number is unique per employer (a file imported twice is refused)."""

    __tablename__ = "remittances"
    __table_args__ = (
        CheckConstraint("check_amount > 0", name="check_amount_positive"),
        CheckConstraint("extract(day FROM period) = 1", name="period_first_day"),
        CheckConstraint("(status = 'posted') = (posted_at IS NOT NULL)", name="posted_complete"),
        one_of("status", REMITTANCE_STATUSES, "status_known"),
        Index("ix_remittances_employer_id", "employer_id"),
        Index("ux_remittances_employer_id_check_number_live", "employer_id", "check_number", unique=True,
              postgresql_where=text("status <> 'cancelled'")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    period: Mapped[date] = mapped_column(Date)  # first of the month the check pays for
    check_number: Mapped[str] = mapped_column(String(40))
    check_amount: Mapped[Decimal] = mapped_column(MONEY)
    received_on: Mapped[date] = mapped_column(Date, server_default=HALL_TODAY)
    status: Mapped[str] = mapped_column(String(10), server_default="draft")
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("payment_batches.id"))
    source_filename: Mapped[str | None] = mapped_column(String(260))
    created_by: Mapped[str] = mapped_column(String(63), server_default=text("session_user"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    posted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RemittanceLine(Versioned, Base):
    """One line of a remittance as imported, with how it matched a member and the payment it became."""

    __tablename__ = "remittance_lines"
    __table_args__ = (
        UniqueConstraint("remittance_id", "line_no"),
        CheckConstraint("line_no > 0", name="line_no_positive"),
        CheckConstraint("hours IS NULL OR hours >= 0", name="hours_not_negative"),
        one_of("match_status", REMITTANCE_MATCH_STATUSES, "match_status_known"),
        Index("ix_remittance_lines_member_id", "member_id"),
        Index("ix_remittance_lines_payment_id", "payment_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    remittance_id: Mapped[int] = mapped_column(ForeignKey("remittances.id", ondelete="CASCADE"))
    line_no: Mapped[int] = mapped_column(Integer)
    card_number: Mapped[str | None] = mapped_column(String(40))  # as printed on the employer's list
    name: Mapped[str | None] = mapped_column(String(120))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    hours: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    match_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))


class RemittanceColumnMap(Versioned, Base):
    """How one employer's spreadsheet columns map to card number, name, amount and hours."""

    __tablename__ = "remittance_column_maps"

    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), primary_key=True)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSONB)
