"""Hall-wide settings kept in the database (hall name, address, phone, time zone, whether this is a production
database). Every key exists from the first migration that uses it, so a manager only ever updates values."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from unioncore_desktop.domain.models.base import Base, Versioned

HALL_NAME = "hall_name"
HALL_ADDRESS = "hall_address"  # one or more lines, as printed on letters and reports
HALL_PHONE = "hall_phone"
TIME_ZONE = "time_zone"
ENVIRONMENT = "environment"  # 'production' makes seeding refuse without --force


class AppSetting(Versioned, Base):
    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
