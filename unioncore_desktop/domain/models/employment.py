"""Employment history: one row per job, written by dispatch and termination or imported from older systems."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from unioncore_desktop.domain.models.base import Base, Versioned, one_of
from unioncore_desktop.domain.vocab import EMPLOYMENT_SOURCES, TERMINATION_REASONS


class EmploymentRecord(Versioned, Base):
    __tablename__ = "employment_history"
    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="period_order"),
        CheckConstraint("days_worked IS NULL OR days_worked >= 0", name="days_worked_positive"),
        CheckConstraint("hours_worked IS NULL OR hours_worked >= 0", name="hours_worked_positive"),
        one_of("termination_reason", TERMINATION_REASONS, "termination_reason_known"),
        one_of("source", EMPLOYMENT_SOURCES, "source_known"),
        Index("ix_employment_history_member_id_started_on", "member_id", "started_on"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    worksite_id: Mapped[int | None] = mapped_column(ForeignKey("worksites.id"))
    job_class: Mapped[str | None] = mapped_column(String(40))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    termination_reason: Mapped[str | None] = mapped_column(String(20))
    days_worked: Mapped[int | None] = mapped_column(Integer)
    hours_worked: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    source: Mapped[str] = mapped_column(String(10), server_default="manual")
