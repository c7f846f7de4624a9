"""Imports from a hall's old system: remembered column mappings, the record of each import run, and the staging
tables a run copies its checked rows into before one server function per entity writes them.

The staging tables are UNLOGGED (nothing in them outlives its transaction: the writing function deletes its run's
rows, and a rolled-back run leaves none) and owned by the schema: temporary tables are closed to every login. Only
admins may put rows in them (COPY needs INSERT); nobody but the owner reads them.
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
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from unioncore_desktop.domain.models.base import Base, Timestamped, Versioned, one_of
from unioncore_desktop.domain.vocab import IMPORT_ENTITIES


class ImportColumnMap(Versioned, Timestamped, Base):
    """Which column of a source's export holds which field, per entity and header layout (its signature), so a
    file mapped once by hand is mapped the same way next time."""

    __tablename__ = "import_column_maps"
    __table_args__ = (
        UniqueConstraint("source", "entity", "header_signature"),
        CheckConstraint("length(btrim(source)) > 0", name="source_present"),
        one_of("entity", IMPORT_ENTITIES, "entity_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(80))
    entity: Mapped[str] = mapped_column(String(20))
    header_signature: Mapped[str] = mapped_column(String(16))
    headers: Mapped[list[str]] = mapped_column(JSONB)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSONB)


class ImportRun(Base):
    """One committed import: what it read, created, updated, left unchanged and rejected (with the reasons), and
    for registrations each book's order in the source, which the book-order comparison reads back. Its audit row
    is the run's own; every row it wrote has its own audit row too."""

    __tablename__ = "import_runs"
    __table_args__ = (
        one_of("entity", IMPORT_ENTITIES, "entity_known"),
        CheckConstraint("rows_read >= 0 AND created >= 0 AND updated >= 0 AND unchanged >= 0 AND rejected >= 0",
                        name="counts_not_negative"),
        Index("ix_import_runs_entity_run_at", "entity", "run_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entity: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(80))
    file_name: Mapped[str] = mapped_column(String(260))
    header_signature: Mapped[str] = mapped_column(String(16))
    rows_read: Mapped[int] = mapped_column(Integer)
    created: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)
    summary: Mapped[dict[str, Any]] = mapped_column(JSONB)
    rejections: Mapped[list[Any]] = mapped_column(JSONB)
    source_order: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    run_by: Mapped[str] = mapped_column(String(63), server_default=text("session_user"))
    run_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


UNLOGGED: Any = {"prefixes": ["UNLOGGED"]}  # staging only: nothing in it outlives its transaction


class _Staged:
    run_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)


class StagedMember(_Staged, Base):
    __tablename__ = "import_stage_members"
    __table_args__ = UNLOGGED

    card_number: Mapped[str] = mapped_column(String(12))
    first_name: Mapped[str] = mapped_column(String(60))
    middle_name: Mapped[str | None] = mapped_column(String(60))
    last_name: Mapped[str] = mapped_column(String(60))
    suffix: Mapped[str | None] = mapped_column(String(10))
    classification: Mapped[str] = mapped_column(String(20))
    status: Mapped[str | None] = mapped_column(String(20))
    card_type: Mapped[str | None] = mapped_column(String(4))
    home_local: Mapped[str | None] = mapped_column(String(10))
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


class StagedEmployer(_Staged, Base):
    """One row of an employer export: the employer (found on file by name already, or new), and at most one
    contract period, worksite and contact of it."""

    __tablename__ = "import_stage_employers"
    __table_args__ = UNLOGGED

    employer_id: Mapped[int | None] = mapped_column(Integer)
    name_key: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(120))
    address_line1: Mapped[str | None] = mapped_column(String(120))
    city: Mapped[str | None] = mapped_column(String(60))
    state: Mapped[str | None] = mapped_column(String(2))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(120))
    contract_code: Mapped[str | None] = mapped_column(String(30))
    contract_effective: Mapped[date | None] = mapped_column(Date)
    contract_expires: Mapped[date | None] = mapped_column(Date)
    worksite_name: Mapped[str | None] = mapped_column(String(120))
    worksite_address: Mapped[str | None] = mapped_column(String(120))
    worksite_city: Mapped[str | None] = mapped_column(String(60))
    worksite_region: Mapped[str | None] = mapped_column(String(40))
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_title: Mapped[str | None] = mapped_column(String(80))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    contact_email: Mapped[str | None] = mapped_column(String(120))
    outcome: Mapped[str | None] = mapped_column(String(10))


class StagedRegistration(_Staged, Base):
    """A place on a book as the old system listed it; `position` is the row's place among the book's rows."""

    __tablename__ = "import_stage_registrations"
    __table_args__ = UNLOGGED

    member_id: Mapped[int] = mapped_column(Integer)
    book_id: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    tier: Mapped[int] = mapped_column(SmallInteger)
    apn: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    registered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    method: Mapped[str | None] = mapped_column(String(10))
    last_resign_on: Mapped[date | None] = mapped_column(Date)
    resign_due_on: Mapped[date | None] = mapped_column(Date)
    check_marks: Mapped[int] = mapped_column(SmallInteger)
    exemption_reason: Mapped[str | None] = mapped_column(String(20))
    exemption_start: Mapped[date | None] = mapped_column(Date)
    exemption_end: Mapped[date | None] = mapped_column(Date)
    registration_id: Mapped[int | None] = mapped_column(Integer)  # the place on file, once matched or created
    outcome: Mapped[str | None] = mapped_column(String(10))


class StagedDues(_Staged, Base):
    """A member's paid-through month (its first day) and balance in the old system (negative: credit)."""

    __tablename__ = "import_stage_dues"
    __table_args__ = UNLOGGED

    member_id: Mapped[int] = mapped_column(Integer)
    paid_through: Mapped[date] = mapped_column(Date)
    balance: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    outcome: Mapped[str | None] = mapped_column(String(10))


class StagedEmployment(_Staged, Base):
    __tablename__ = "import_stage_employment"
    __table_args__ = UNLOGGED

    member_id: Mapped[int] = mapped_column(Integer)
    employer_id: Mapped[int] = mapped_column(Integer)
    job_class: Mapped[str | None] = mapped_column(String(40))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    termination_reason: Mapped[str | None] = mapped_column(String(20))
    days_worked: Mapped[int | None] = mapped_column(Integer)
    hours_worked: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    # what the import decides when the members have imported history already: outcome, the row matched, what differs
    outcome: Mapped[str | None] = mapped_column(String(10))
    history_id: Mapped[int | None] = mapped_column(BigInteger)
    changed: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
