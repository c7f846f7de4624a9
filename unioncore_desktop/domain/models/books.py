"""Offices, out-of-work books and their effective-dated rule settings."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    SmallInteger,
    String,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from unioncore_desktop.domain.models.base import Base, Timestamped, Versioned, one_of
from unioncore_desktop.domain.vocab import AGREEMENT_TYPES, BOOK_CODE_PATTERN


class Office(Versioned, Base):
    """R1: where in-person actions happen; they are stamped with the office."""

    __tablename__ = "offices"
    __table_args__ = (
        CheckConstraint("length(btrim(name)) > 0", name="name_present"),
        CheckConstraint("closes_at > opens_at", name="hours_order"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    region: Mapped[str | None] = mapped_column(String(40))
    opens_at: Mapped[time] = mapped_column(Time, server_default=text("'08:00'"))
    closes_at: Mapped[time] = mapped_column(Time, server_default=text("'16:30'"))


class Book(Versioned, Timestamped, Base):
    """One out-of-work list. Its name is not its contract code (STOCKMAN uses STOCKPERSON); tiers live on
    registrations, never as separate books."""

    __tablename__ = "books"
    __table_args__ = (
        one_of("agreement_type", AGREEMENT_TYPES, "agreement_type_known"),
        CheckConstraint(f"code ~ '{BOOK_CODE_PATTERN}'", name="code_format"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    classification: Mapped[str] = mapped_column(String(40))
    region: Mapped[str | None] = mapped_column(String(40))  # null: jurisdiction-wide
    contract_code: Mapped[str | None] = mapped_column(ForeignKey("contract_codes.code"))
    agreement_type: Mapped[str] = mapped_column(String(10), server_default="standard")
    morning_slot: Mapped[time] = mapped_column(Time)
    sort_order: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))


class BookRules(Versioned, Base):
    """A book's rule settings from `effective_from` on; the row in force on a day decides (see rules.book_rules)."""

    __tablename__ = "book_rules"
    __table_args__ = (
        UniqueConstraint("book_id", "effective_from"),
        CheckConstraint("resign_days > 0 AND resign_grace_days >= 0", name="resign_days_positive"),
        CheckConstraint("check_marks_allowed > 0", name="check_marks_allowed_positive"),
        CheckConstraint("short_call_free_days >= 0 AND short_call_free_days <= short_call_max_days",
                        name="short_call_days_order"),
        CheckConstraint("short_call_restorations >= 0", name="short_call_restorations_positive"),
        CheckConstraint("reregister_business_days > 0", name="reregister_business_days_positive"),
        CheckConstraint("exemption_cap_months > 0", name="exemption_cap_months_positive"),
        CheckConstraint("by_name_ban_days >= 0", name="by_name_ban_days_positive"),
        CheckConstraint("max_days_on_book IS NULL OR max_days_on_book > 0", name="max_days_on_book_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("books.id"))
    effective_from: Mapped[date] = mapped_column(Date)
    resign_days: Mapped[int] = mapped_column(SmallInteger, server_default="30")
    resign_grace_days: Mapped[int] = mapped_column(SmallInteger, server_default="0")
    resign_monthly_window: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    check_marks_allowed: Mapped[int] = mapped_column(SmallInteger, server_default="3")
    short_call_max_days: Mapped[int] = mapped_column(SmallInteger, server_default="10")
    short_call_free_days: Mapped[int] = mapped_column(SmallInteger, server_default="3")
    short_call_restorations: Mapped[int] = mapped_column(SmallInteger, server_default="2")
    reregister_business_days: Mapped[int] = mapped_column(SmallInteger, server_default="1")
    exemption_cap_months: Mapped[int] = mapped_column(SmallInteger, server_default="6")
    bidding_enabled: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    bid_opens: Mapped[time] = mapped_column(Time, server_default=text("'17:30'"))
    bid_closes: Mapped[time] = mapped_column(Time, server_default=text("'07:00'"))
    bid_checkin_by: Mapped[time] = mapped_column(Time, server_default=text("'15:00'"))
    request_cutoff: Mapped[time] = mapped_column(Time, server_default=text("'15:00'"))
    by_name_ban_days: Mapped[int] = mapped_column(SmallInteger, server_default="14")
    max_days_on_book: Mapped[int | None] = mapped_column(SmallInteger)
    arrears_hold: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    discharge_suspension: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    expire_unfilled: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
