"""The hall's holiday calendar: business days are Monday to Friday minus these."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from unioncore_desktop.domain.models.base import Base, Versioned


class Holiday(Versioned, Base):
    __tablename__ = "holidays"
    __table_args__ = (CheckConstraint("length(btrim(name)) > 0", name="name_present"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
