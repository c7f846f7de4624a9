"""The audit log, written only by the audit trigger; staff roles may read it and nothing more."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Index, Integer, String, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from unioncore_desktop.domain.models.base import Base


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_table_name_row_key", "table_name", "row_key"),
        Index("ix_audit_log_member_id_changed_at", "member_id", "changed_at"),
        Index("ix_audit_log_db_user_changed_at", "db_user", "changed_at"),  # a staff member's activity
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    table_name: Mapped[str] = mapped_column(String(63))
    row_key: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(6))
    old_values: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    new_values: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    changed_fields: Mapped[list[str]] = mapped_column(ARRAY(Text))
    member_id: Mapped[int | None] = mapped_column(Integer)  # the member the row belongs to, for change history
    db_user: Mapped[str] = mapped_column(String(63))
    application_name: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.clock_timestamp())
    transaction_id: Mapped[int] = mapped_column(BigInteger)


class ReportRun(Base):
    """Every PDF or Excel file produced, with its parameters and who asked: printing is itself audited (§5).
    Append-only for every staff role; a login reads its own runs, a manager everyone's (row-level security,
    migration 0027). `report` is the Reports screen's key for the report (None: a list, slip or receipt)."""

    __tablename__ = "report_runs"
    __table_args__ = (
        CheckConstraint("kind IN ('pdf', 'xlsx')", name="kind_known"),
        Index("ix_report_runs_run_at", "run_at"),
        Index("ix_report_runs_run_by_run_at", "run_by", "run_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    title: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(4))
    report: Mapped[str | None] = mapped_column(String(40))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSONB)
    run_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    run_by: Mapped[str] = mapped_column(String(63), server_default=text("session_user"))
    application_name: Mapped[str | None] = mapped_column(
        Text, server_default=text("current_setting('application_name', true)"))
