"""Hall-wide settings kept in the database (hall name, time zone, whether this is a production database)."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from unioncore_desktop.domain.models.base import Base, Versioned

HALL_NAME = "hall_name"
TIME_ZONE = "time_zone"
ENVIRONMENT = "environment"  # 'production' makes seeding refuse without --force


class AppSetting(Versioned, Base):
    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
