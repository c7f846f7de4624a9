"""Dispatches and the offer lines that freeze the list as it stood when each one was made."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
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
from sqlalchemy.orm import Mapped, mapped_column

from unioncore_desktop.domain.models.base import Base, Versioned, one_of
from unioncore_desktop.domain.vocab import (
    ACTIVE_DISPATCH_STATUSES,
    DISPATCH_STATUSES,
    OFFER_OUTCOMES,
    SKIP_REASONS,
    TERMINATION_REASONS,
)

ACTIVE = "status IN ({})".format(", ".join(f"'{s}'" for s in ACTIVE_DISPATCH_STATUSES))


class Dispatch(Versioned, Base):
    """A member sent to a request. A member holds at most one active dispatch (a unique index): two
    workstations can never send the same member twice."""

    __tablename__ = "dispatches"
    __table_args__ = (
        UniqueConstraint("request_id", "member_id"),
        CheckConstraint("(status = 'terminated') = (termination_reason IS NOT NULL)",
                        name="termination_reason_present"),
        CheckConstraint("terminated_on IS NULL OR terminated_on >= dispatch_date", name="termination_order"),
        CheckConstraint("business_days_worked IS NULL OR business_days_worked >= 0",
                        name="business_days_worked_positive"),
        one_of("status", DISPATCH_STATUSES, "status_known"),
        one_of("termination_reason", TERMINATION_REASONS, "termination_reason_known"),
        Index("ux_dispatches_member_id_active", "member_id", unique=True, postgresql_where=text(ACTIVE)),
        Index("ix_dispatches_member_id", "member_id"),
        Index("ix_dispatches_dispatch_date", "dispatch_date"),
        Index("ix_dispatches_book_id", "book_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("labor_requests.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id"))  # null for by-name off-book
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id"))
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    worksite_id: Mapped[int | None] = mapped_column(ForeignKey("worksites.id"))
    employment_id: Mapped[int | None] = mapped_column(ForeignKey("employment_history.id"))
    idempotency_key: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    dispatched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    dispatch_date: Mapped[date] = mapped_column(Date)  # hall-local date
    by_name: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    via_bid: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    short_call: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    status: Mapped[str] = mapped_column(String(20), server_default="dispatched")
    checked_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    terminated_on: Mapped[date | None] = mapped_column(Date)
    termination_reason: Mapped[str | None] = mapped_column(String(20))
    business_days_worked: Mapped[int | None] = mapped_column(SmallInteger)
    hours_worked: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    restored: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))  # R9 old place given back
    dispatched_by: Mapped[str] = mapped_column(String(63), server_default=text("session_user"))
    note: Mapped[str | None] = mapped_column(Text)


class OfferLine(Base):
    """One registrant considered while working a request: skipped (with why) or offered (with the answer).
    Append-only for every staff role: the frozen list that answers a grievance."""

    __tablename__ = "offer_lines"
    __table_args__ = (
        CheckConstraint("(skip_reason IS NULL) <> (outcome IS NULL)", name="skip_or_outcome"),
        CheckConstraint("rank > 0", name="rank_positive"),
        one_of("skip_reason", SKIP_REASONS, "skip_reason_known"),
        one_of("outcome", OFFER_OUTCOMES, "outcome_known"),
        Index("ix_offer_lines_request_id_run", "request_id", "run_id", "rank"),
        Index("ix_offer_lines_member_id", "member_id"),
        Index("ix_offer_lines_dispatch_id", "dispatch_id", postgresql_where=text("dispatch_id IS NOT NULL")),
        # the line's member and book are its registration's, checked in one lookup of a row the walk has locked
        ForeignKeyConstraint(["registration_id", "member_id", "book_id"],
                             ["registrations.id", "registrations.member_id", "registrations.book_id"]),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    run_id: Mapped[uuid.UUID] = mapped_column(Uuid)  # one walk of the queue
    request_id: Mapped[int] = mapped_column(ForeignKey("labor_requests.id"))
    book_id: Mapped[int] = mapped_column(Integer)
    registration_id: Mapped[int] = mapped_column(Integer)
    member_id: Mapped[int] = mapped_column(Integer)
    rank: Mapped[int] = mapped_column(Integer)
    tier: Mapped[int] = mapped_column(SmallInteger)
    apn: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    skip_reason: Mapped[str | None] = mapped_column(String(30))
    outcome: Mapped[str | None] = mapped_column(String(20))
    mark_issued: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    dispatch_id: Mapped[int | None] = mapped_column(ForeignKey("dispatches.id"))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    recorded_by: Mapped[str] = mapped_column(String(63), server_default=text("session_user"))
