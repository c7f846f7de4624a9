"""A staff member's saved parameters for a report, by name; each login sees and changes only its own (row-level
security in migration 0027), so the owner defaults to the login and cannot be set to anyone else's."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, CheckConstraint, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from unioncore_desktop.domain.models.base import Base, Timestamped, Versioned

PRESET_NAME_LENGTH = 80


class ReportPreset(Versioned, Timestamped, Base):
    """One named set of parameters of one report; at most one per owner and report is that owner's default."""

    __tablename__ = "report_presets"
    __table_args__ = (
        UniqueConstraint("owner", "report", "name"),
        CheckConstraint("length(btrim(name)) > 0 AND name = btrim(name)", name="name_present"),
        CheckConstraint("length(btrim(report)) > 0", name="report_present"),
        CheckConstraint("jsonb_typeof(parameters) = 'object'", name="parameters_object"),
        Index("ux_report_presets_owner_report_default", "owner", "report", unique=True,
              postgresql_where=text("is_default")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(63), server_default=text("session_user"))
    report: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(PRESET_NAME_LENGTH))
    parameters: Mapped[dict[str, Any]] = mapped_column(JSONB)
    is_default: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
