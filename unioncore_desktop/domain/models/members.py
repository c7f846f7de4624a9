"""Members and their side data: qualified books, skills and certifications, employer exclusions."""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    CheckConstraint,
    Computed,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import column, func

from unioncore_desktop.domain.models.base import Base, Timestamped, Versioned, one_of
from unioncore_desktop.domain.vocab import (
    CARD_NUMBER_PATTERN,
    CARD_TYPES,
    CLASSIFICATIONS,
    EMAIL_PATTERN,
    MEMBER_STATUSES,
)

NAME_OPS = {"last_key": "text_pattern_ops", "first_key": "text_pattern_ops"}


class Member(Versioned, Timestamped, Base):
    __tablename__ = "members"
    __table_args__ = (
        CheckConstraint(f"card_number ~ '{CARD_NUMBER_PATTERN}'", name="card_number_format"),
        CheckConstraint(f"email ~ '{EMAIL_PATTERN}'", name="email_format"),
        CheckConstraint("ssn_last4 ~ '^[0-9]{4}$'", name="ssn_last4_format"),
        CheckConstraint("date_of_birth >= DATE '1900-01-01'", name="date_of_birth_range"),
        CheckConstraint("initiation_date >= date_of_birth", name="initiation_after_birth"),
        CheckConstraint("length(btrim(first_name)) > 0", name="first_name_present"),
        CheckConstraint("length(btrim(last_name)) > 0", name="last_name_present"),
        CheckConstraint("length(notes) <= 4000", name="notes_length"),
        one_of("classification", CLASSIFICATIONS, "classification_known"),
        one_of("status", MEMBER_STATUSES, "status_known"),
        one_of("card_type", CARD_TYPES, "card_type_known"),
        Index("ix_members_phone_digits_trgm", "phone_digits", postgresql_using="gin",
              postgresql_ops={"phone_digits": "gin_trgm_ops"}),
        Index("ix_members_last_name_first_name", "last_name", "first_name"),
        # text_pattern_ops: a typed prefix is one range read in byte order (search's ORDER BY ... USING ~<~)
        # and carry the status (phones also the column their key is computed from, which an index-only scan needs),
        # so a search narrowed by status is read from the index alone
        Index("ix_members_last_first_key", "last_key", "first_key", "id", postgresql_ops=NAME_OPS,
              postgresql_include=["status"]),
        Index("ix_members_first_last_key", "first_key", "last_key", "id", postgresql_ops=NAME_OPS,
              postgresql_include=["status"]),
        Index("ix_members_phone_prefix", func.split_part(column("phone_digits"), "|", 1).label("phone"), "id",
              postgresql_ops={"phone": "text_pattern_ops"}, postgresql_include=["status", "phone_digits"]),
        Index("ix_members_phone_local_prefix",
              func.right(func.split_part(column("phone_digits"), "|", 1), 7).label("local"), "id",
              postgresql_ops={"local": "text_pattern_ops"}, postgresql_include=["status", "phone_digits"]),
        Index("ix_members_card_number_prefix", "card_number", postgresql_ops={"card_number": "varchar_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_number: Mapped[str] = mapped_column(String(12), unique=True)
    first_name: Mapped[str] = mapped_column(String(60))
    middle_name: Mapped[str | None] = mapped_column(String(60))
    last_name: Mapped[str] = mapped_column(String(60))
    suffix: Mapped[str | None] = mapped_column(String(10))
    address_line1: Mapped[str | None] = mapped_column(String(120))
    address_line2: Mapped[str | None] = mapped_column(String(120))
    city: Mapped[str | None] = mapped_column(String(60))
    state: Mapped[str | None] = mapped_column(String(2))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(20))
    mobile_phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(120))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    initiation_date: Mapped[date | None] = mapped_column(Date)
    classification: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), server_default="active")
    card_type: Mapped[str] = mapped_column(String(4), server_default="A")
    home_local: Mapped[str | None] = mapped_column(String(10))
    ssn_last4: Mapped[str | None] = mapped_column(String(4))
    notes: Mapped[str | None] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(
        Text, Computed("lower((((card_number)::text || ' '::text) || (first_name)::text) || ' '::text"
                       " || (last_name)::text)", persisted=True))
    phone_digits: Mapped[str] = mapped_column(
        Text, Computed("regexp_replace(((COALESCE(phone, ''::character varying))::text || '|'::text)"
                       " || (COALESCE(mobile_phone, ''::character varying))::text,"
                       " '[^0-9|]'::text, ''::text, 'g'::text)",
                       persisted=True))

    # lower-cased names: search matches query words against them exactly (through name_terms), by index
    first_key: Mapped[str] = mapped_column(Text, Computed("lower((first_name)::text)", persisted=True))
    last_key: Mapped[str] = mapped_column(Text, Computed("lower((last_name)::text)", persisted=True))

    qualified_books: Mapped[list[MemberQualifiedBook]] = relationship(
        back_populates="member", cascade="all, delete-orphan", order_by="MemberQualifiedBook.book_code")
    skills: Mapped[list[MemberSkill]] = relationship(
        back_populates="member", cascade="all, delete-orphan", order_by="MemberSkill.name")
    exclusions: Mapped[list[MemberExclusion]] = relationship(
        back_populates="member", cascade="all, delete-orphan")


class NameTerm(Base):
    """Every lower-cased first, middle and last name in use: the small vocabulary that typo-tolerant search
    matches query words against, before looking members up by exact name through a btree."""

    __tablename__ = "name_terms"
    __table_args__ = (
        # the names a typed word begins are one range of this index
        Index("ix_name_terms_prefix", "term", postgresql_ops={"term": "text_pattern_ops"}),
    )

    term: Mapped[str] = mapped_column(Text, primary_key=True)


class MemberQualifiedBook(Base):
    """A book (by code) and tier a member may sign (R5)."""

    __tablename__ = "member_qualified_books"
    __table_args__ = (
        CheckConstraint("tier BETWEEN 1 AND 4", name="tier_range"),
        UniqueConstraint("member_id", "book_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    book_code: Mapped[str] = mapped_column(ForeignKey("books.code", onupdate="CASCADE"))
    tier: Mapped[int] = mapped_column(SmallInteger)

    member: Mapped[Member] = relationship(back_populates="qualified_books")


class MemberSkill(Base):
    """A skill or certification (OSHA 30, cable splicing...) that specialty calls may require."""

    __tablename__ = "member_skills"
    __table_args__ = (CheckConstraint("length(btrim(name)) > 0", name="name_present"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    number: Mapped[str | None] = mapped_column(String(40))
    expires_on: Mapped[date | None] = mapped_column(Date)

    member: Mapped[Member] = relationship(back_populates="skills")


class MemberExclusion(Base):
    """An employer this member may not be referred to, until `ends_on` (open-ended when null)."""

    __tablename__ = "member_exclusions"
    __table_args__ = (CheckConstraint("length(btrim(reason)) > 0", name="reason_present"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    ends_on: Mapped[date | None] = mapped_column(Date)

    member: Mapped[Member] = relationship(back_populates="exclusions")
