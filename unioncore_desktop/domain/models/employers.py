"""Employers with their contracts (by contract code and period), worksites and contacts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Computed, Date, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from unioncore_desktop.domain.models.base import Base, Timestamped, Versioned


class ContractCode(Base):
    """One of the hall's agreements (WIREPERSON, SOUND & COMM...): codes are data, not an enum."""

    __tablename__ = "contract_codes"
    __table_args__ = (CheckConstraint("length(btrim(description)) > 0", name="description_present"),)

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    description: Mapped[str] = mapped_column(String(120))


class Employer(Versioned, Timestamped, Base):
    __tablename__ = "employers"
    __table_args__ = (
        CheckConstraint("length(btrim(name)) > 0", name="name_present"),
        Index("ix_employers_search_text_trgm", "search_text", postgresql_using="gist",
              postgresql_ops={"search_text": "gist_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    address_line1: Mapped[str | None] = mapped_column(String(120))
    address_line2: Mapped[str | None] = mapped_column(String(120))
    city: Mapped[str | None] = mapped_column(String(60))
    state: Mapped[str | None] = mapped_column(String(2))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(120))
    notes: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    search_text: Mapped[str] = mapped_column(Text, Computed("lower((name)::text)", persisted=True))

    contracts: Mapped[list[EmployerContract]] = relationship(
        back_populates="employer", cascade="all, delete-orphan",
        order_by="(EmployerContract.contract_code, EmployerContract.effective_on)")
    worksites: Mapped[list[Worksite]] = relationship(
        back_populates="employer", cascade="all, delete-orphan", order_by="Worksite.name")
    contacts: Mapped[list[EmployerContact]] = relationship(
        back_populates="employer", cascade="all, delete-orphan", order_by="EmployerContact.name")


class EmployerContract(Versioned, Base):
    """One period of one contract code held by an employer; periods of the same code never overlap."""

    __tablename__ = "employer_contracts"
    __table_args__ = (
        CheckConstraint("expires_on IS NULL OR expires_on >= effective_on", name="period_order"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id", ondelete="CASCADE"), index=True)
    contract_code: Mapped[str] = mapped_column(ForeignKey("contract_codes.code"), index=True)
    effective_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)

    employer: Mapped[Employer] = relationship(back_populates="contracts")


class Worksite(Versioned, Base):
    __tablename__ = "worksites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    address_line1: Mapped[str | None] = mapped_column(String(120))
    city: Mapped[str | None] = mapped_column(String(60))
    state: Mapped[str | None] = mapped_column(String(2))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    region: Mapped[str | None] = mapped_column(String(40))
    report_to: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))

    employer: Mapped[Employer] = relationship(back_populates="worksites")


class EmployerContact(Versioned, Base):
    """A person at the employer; at most one is primary (a partial unique index says so)."""

    __tablename__ = "employer_contacts"
    __table_args__ = (
        Index("uq_employer_contacts_primary", "employer_id", unique=True, postgresql_where=text("is_primary")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    title: Mapped[str | None] = mapped_column(String(80))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(120))
    is_primary: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))

    employer: Mapped[Employer] = relationship(back_populates="contacts")
