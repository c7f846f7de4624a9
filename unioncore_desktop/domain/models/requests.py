"""Labor requests from employers, and bids on posted requests (R8)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    ARRAY,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from unioncore_desktop.domain.models.base import Base, Timestamped, Versioned, one_of
from unioncore_desktop.domain.vocab import (
    AGREEMENT_TYPES,
    BID_SOURCES,
    NO_MARK_REASONS,
    REQUEST_STATUSES,
)

_NO_MARK_ARRAY = "ARRAY[{}]::text[]".format(", ".join(f"'{r}'" for r in NO_MARK_REASONS))


class LaborRequest(Versioned, Timestamped, Base):
    """An employer's call for workers. `workers_dispatched` is kept by a trigger on dispatches, and its CHECK
    is what makes over-filling impossible even for a client that skips the services."""

    __tablename__ = "labor_requests"
    __table_args__ = (
        CheckConstraint("workers_requested BETWEEN 1 AND 500", name="workers_requested_range"),
        CheckConstraint("workers_dispatched >= 0 AND workers_dispatched <= workers_requested",
                        name="not_overfilled"),
        CheckConstraint("duration_days IS NULL OR duration_days > 0", name="duration_days_positive"),
        CheckConstraint("wage IS NULL OR wage > 0", name="wage_positive"),
        CheckConstraint(f"no_mark_reasons <@ {_NO_MARK_ARRAY}", name="no_mark_reasons_known"),
        CheckConstraint("by_name_member_id IS NULL OR by_name_attested", name="by_name_attested"),
        CheckConstraint("status <> 'cancelled' OR length(btrim(cancel_reason)) > 0", name="cancel_reason_present"),
        CheckConstraint("status <> 'expired' OR (expired_at IS NOT NULL AND length(btrim(expiry_reason)) > 0)",
                        name="expiry_recorded"),
        one_of("status", REQUEST_STATUSES, "status_known"),
        one_of("agreement_type", AGREEMENT_TYPES, "agreement_type_known"),
        Index("ix_labor_requests_book_id_status", "book_id", "status"),
        Index("ix_labor_requests_referral_date", "referral_date"),
        Index("ix_labor_requests_employer_id", "employer_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    worksite_id: Mapped[int | None] = mapped_column(ForeignKey("worksites.id"))
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id"))
    job_class: Mapped[str | None] = mapped_column(String(40))
    workers_requested: Mapped[int] = mapped_column(SmallInteger)
    workers_dispatched: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    wage: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    start_on: Mapped[date] = mapped_column(Date)
    start_time: Mapped[str | None] = mapped_column(String(5))  # 'HH:MM' report time as the employer gave it
    duration_days: Mapped[int | None] = mapped_column(SmallInteger)  # expected business days; <= 10 is a short call
    short_call: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    referral_date: Mapped[date] = mapped_column(Date)  # R3, computed from received_at in the hall's zone
    agreement_type: Mapped[str] = mapped_column(String(10), server_default="standard")
    no_mark_reasons: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    requirements: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default=text("'{}'::text[]"))
    by_name_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    by_name_attested: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    bidding: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    report_to: Mapped[str | None] = mapped_column(String(200))
    comments: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), server_default="open")
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    expired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # set by uc_expire_requests
    expiry_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(63), server_default=text("session_user"))


class Bid(Versioned, Base):
    """R8: a bid taken by phone, e-mail or web import; bidders are ranked by list position, not bid time."""

    __tablename__ = "bids"
    __table_args__ = (
        UniqueConstraint("request_id", "member_id"),
        one_of("source", BID_SOURCES, "source_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("labor_requests.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    source: Mapped[str] = mapped_column(String(10))
    withdrawn: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_by: Mapped[str] = mapped_column(String(63), server_default=text("session_user"))
