"""Staff members. Each is a PostgreSQL login role; which groups it belongs to lives in the catalog, not here."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from unioncore_desktop.domain.models.base import Base, Timestamped, Versioned
from unioncore_desktop.domain.vocab import LOGIN_PATTERN


class Staff(Versioned, Timestamped, Base):
    __tablename__ = "staff"
    __table_args__ = (CheckConstraint(f"login ~ '{LOGIN_PATTERN}'", name="login_format"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    login: Mapped[str] = mapped_column(String(63), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
