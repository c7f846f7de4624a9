"""Registrations (a member's place on one book), their append-only activity, check marks and by-name bans."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
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
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from unioncore_desktop.domain.models.base import Base, Timestamped, Versioned, one_of
from unioncore_desktop.domain.vocab import (
    ACTIVITY_ACTIONS,
    EXEMPTION_REASONS,
    LIVE_REGISTRATION_STATUSES,
    REGISTRATION_METHODS,
    REGISTRATION_STATUSES,
    ROLL_OFF_REASONS,
)

LIVE = "status IN ({})".format(", ".join(f"'{s}'" for s in LIVE_REGISTRATION_STATUSES))


class Registration(Versioned, Timestamped, Base):
    """Queue order on a book: tier, APN, registered_at, member id. An APN repeats, so it is never a key."""

    __tablename__ = "registrations"
    __table_args__ = (
        CheckConstraint("tier BETWEEN 1 AND 4", name="tier_range"),
        CheckConstraint("apn > 0", name="apn_positive"),
        CheckConstraint("restorations_used >= 0", name="restorations_used_positive"),
        CheckConstraint("(exemption_reason IS NULL) = (exemption_start IS NULL)", name="exemption_complete"),
        CheckConstraint("exemption_end IS NULL OR exemption_end >= exemption_start", name="exemption_order"),
        CheckConstraint("(status = 'rolled_off') = (roll_off_reason IS NOT NULL)", name="roll_off_reason_present"),
        CheckConstraint("status <> 'awaiting_reregistration' OR reregister_by IS NOT NULL",
                        name="reregister_by_present"),
        one_of("status", REGISTRATION_STATUSES, "status_known"),
        one_of("method", REGISTRATION_METHODS, "method_known"),
        one_of("exemption_reason", EXEMPTION_REASONS, "exemption_reason_known"),
        one_of("roll_off_reason", ROLL_OFF_REASONS, "roll_off_reason_known"),
        Index("ux_registrations_member_id_book_id_live", "member_id", "book_id", unique=True,
              postgresql_where=text(LIVE)),
        Index("ix_registrations_queue", "book_id", "tier", "apn", "registered_at", "member_id",
              postgresql_where=text("status = 'registered'")),
        Index("ix_registrations_member_id", "member_id"),
        Index("ix_registrations_apn", "apn"),
        UniqueConstraint("id", "member_id", "book_id"),  # the target of offer lines' key (migration 0011)
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id"))
    tier: Mapped[int] = mapped_column(SmallInteger)
    apn: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    method: Mapped[str] = mapped_column(String(10), server_default="in_person")
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    status: Mapped[str] = mapped_column(String(30), server_default="registered")
    last_resign_on: Mapped[date | None] = mapped_column(Date)
    resign_due_on: Mapped[date | None] = mapped_column(Date)  # null while exempt
    restorations_used: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    exemption_reason: Mapped[str | None] = mapped_column(String(20))
    exemption_start: Mapped[date | None] = mapped_column(Date)
    exemption_end: Mapped[date | None] = mapped_column(Date)
    reregister_by: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # R6 deadline
    rolled_off_on: Mapped[date | None] = mapped_column(Date)
    roll_off_reason: Mapped[str | None] = mapped_column(String(30))


class RegistrationActivity(Base):
    """Every change to a registration, append-only for every staff role: the member's referral history."""

    __tablename__ = "registration_activity"
    __table_args__ = (
        one_of("action", ACTIVITY_ACTIONS, "action_known"),
        Index("ix_registration_activity_member_id_at", "member_id", "at"),
        Index("ix_registration_activity_registration_id", "registration_id"),
        Index("ix_registration_activity_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id"))
    action: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    request_id: Mapped[int | None] = mapped_column(ForeignKey("labor_requests.id"))
    dispatch_id: Mapped[int | None] = mapped_column(ForeignKey("dispatches.id"))
    note: Mapped[str | None] = mapped_column(Text)
    staff_login: Mapped[str] = mapped_column(String(63), server_default=text("session_user"))


class CheckMark(Versioned, Base):
    """R10: at most one live mark per member per book per day; removal keeps the row with its reason."""

    __tablename__ = "check_marks"
    __table_args__ = (
        CheckConstraint("(removed_at IS NULL) = (removal_reason IS NULL)", name="removal_reason_present"),
        CheckConstraint("removal_reason IS NULL OR length(btrim(removal_reason)) > 0", name="removal_reason_text"),
        Index("ux_check_marks_registration_id_marked_on_live", "registration_id", "marked_on", unique=True,
              postgresql_where=text("removed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id"))
    marked_on: Mapped[date] = mapped_column(Date)  # the hall's local date
    request_id: Mapped[int | None] = mapped_column(ForeignKey("labor_requests.id"))
    offer_line_id: Mapped[int | None] = mapped_column(ForeignKey("offer_lines.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    created_by: Mapped[str] = mapped_column(String(63), server_default=text("session_user"))
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    removed_by: Mapped[str | None] = mapped_column(String(63))
    removal_reason: Mapped[str | None] = mapped_column(Text)


class ReferralBan(Versioned, Base):
    """R12: after a quit or discharge, the member may not fill a by-name request from that employer until `ends_on`."""

    __tablename__ = "referral_bans"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="period_order"),
        Index("ix_referral_bans_member_id_employer_id", "member_id", "employer_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(20))
    dispatch_id: Mapped[int | None] = mapped_column(ForeignKey("dispatches.id"))
