"""A login's report presets, with the hall's today their relative dates are read against."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.queries.fragments import HALL_TODAY


@dataclass(frozen=True, slots=True)
class PresetRow:
    """One saved set of parameters: `parameters` as kept (relative dates as their anchors)."""

    id: int
    report: str
    name: str
    parameters: dict[str, Any]
    is_default: bool
    version: int


@dataclass(frozen=True, slots=True)
class PresetList:
    """The logged-in login's presets, by report then name, and the hall's today."""

    today: date
    presets: tuple[PresetRow, ...] = field(default=())

    def of(self, report: str) -> list[PresetRow]:
        return [p for p in self.presets if p.report == report]

    def default_of(self, report: str) -> PresetRow | None:
        return next((p for p in self.presets if p.report == report and p.is_default), None)


_COLUMNS = "id, report, name, parameters, is_default, version"
# Row-level security shows a staff login only its own rows; the condition says the same for the schema owner.
_MINE = "owner = session_user"


def my_presets(session: Session) -> PresetList:
    today = session.execute(text(f"SELECT {HALL_TODAY}")).scalar_one()
    rows = session.execute(text(
        f"SELECT {_COLUMNS} FROM report_presets WHERE {_MINE} ORDER BY report, lower(name), id")).all()
    return PresetList(today, tuple(PresetRow(*row) for row in rows))


def preset(session: Session, preset_id: int) -> PresetRow | None:
    row = session.execute(text(f"SELECT {_COLUMNS} FROM report_presets WHERE id = :id AND {_MINE}"),
                          {"id": preset_id}).one_or_none()
    return PresetRow(*row) if row is not None else None


def preset_names(session: Session, report: str) -> list[str]:
    return list(session.execute(text(f"SELECT name FROM report_presets WHERE report = :r AND {_MINE}"),
                                {"r": report}).scalars())
