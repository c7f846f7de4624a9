"""Column helpers shared by the models: optimistic versions, timestamps, CHECK lists from vocabularies."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import CheckConstraint, DateTime, Integer, func
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

if TYPE_CHECKING:
    from sqlalchemy import FromClause

from unioncore_desktop.domain.metadata import Base


def one_of(column: str, values: Iterable[str], name: str) -> CheckConstraint:
    """A CHECK that keeps a text column inside its vocabulary (named, so errors map back to the field)."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({quoted})", name=name)


class Versioned:
    """Optimistic concurrency: the row's version must advance by one on every update (a trigger enforces it)."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default="1")
    if TYPE_CHECKING:
        __table__: ClassVar[FromClause]  # the mapped class's, once declared

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 - SQLAlchemy declared_attr signature
        return {"version_id_col": cls.__table__.c.version}


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())


__all__ = ["Base", "Timestamped", "Versioned", "one_of"]
