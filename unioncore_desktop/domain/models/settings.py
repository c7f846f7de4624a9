"""Hall-wide settings kept in the database (hall name, address, phone, time zone, whether this is a production
database). Every key exists from the first migration that uses it, so a manager only ever updates values."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from unioncore_desktop.domain.models.base import Base, Versioned

# The keys are in domain/vocab.py (HALL_NAME, TIME_ZONE, ...): the reads name them without loading the models.


class AppSetting(Versioned, Base):
    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
