"""A report's parameters (`catalog.Params`) as a preset keeps them, and back.

Qt-free, and generic over Params' fields, so a field added to Params for a new report is kept in presets without
a change here: dates as an anchor relative to the hall's today ("today", "month_start", domain/rules/
report_presets.py) or as the ISO date itself, everything else as its JSON value. Reading back is forgiving: a
field a preset lacks, or that no longer reads as its type, takes Params' default and is named in `problems`."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from unioncore_desktop.domain.rules.report_presets import ANCHORS, anchor_for, describe_kept, resolve
from unioncore_desktop.gui.reports.catalog import Params

_PLAIN = (str, int, float, bool)
# month parameters hold the 1st of their month; a range's first day prefers month anchors on the 1st
MONTH_FIELDS = frozenset({"first_month", "last_month"})
START_FIELDS = frozenset({"start", "first_month", "first_day"})


def _types() -> dict[str, tuple[type, ...]]:
    hints = typing.get_type_hints(Params)
    return {f.name: tuple(t for t in typing.get_args(hints[f.name]) or (hints[f.name],)) for f in
            dataclasses.fields(Params)}


def _is_date(types: tuple[type, ...]) -> bool:
    return date in types


def _is_moment(types: tuple[type, ...]) -> bool:
    return datetime in types


def _keep_moment(value: datetime, today: date, relative: bool) -> str:
    """A moment on the hall's clock as its day (an anchor or the ISO date) and its time: "today 07:00"."""
    day = (anchor_for(value.date(), today) if relative else None) or value.date().isoformat()
    return f"{day} {value:%H:%M}"


def _resolve_moment(kept: str, today: date) -> datetime:
    day, _, clock = kept.rpartition(" ")
    return datetime.combine(resolve(day, today), time.fromisoformat(clock))


def keep(params: Params, today: date, *, relative: bool) -> dict[str, Any]:
    """What a preset keeps of `params`; with `relative`, a date on an anchor keeps the anchor."""
    kept: dict[str, Any] = {}
    for name in _types():
        value = getattr(params, name)
        if isinstance(value, datetime):
            kept[name] = _keep_moment(value, today, relative)
        elif isinstance(value, date):
            anchor = (anchor_for(value, today, month=name in MONTH_FIELDS, start=name in START_FIELDS)
                      if relative else None)
            kept[name] = anchor or value.isoformat()
        elif value is None or isinstance(value, _PLAIN):
            kept[name] = value
        # anything else has no JSON form yet and is left out: the form's own value stays when the preset is used
    return kept


@dataclass(frozen=True, slots=True)
class Restored:
    params: Params
    problems: tuple[str, ...]  # fields kept in a form that no longer reads; they took Params' defaults
    given: frozenset[str]  # the fields the preset holds


def restore(kept: Mapping[str, Any], today: date) -> Restored:
    """The Params a preset means on `today`."""
    defaults = Params()
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, types in _types().items():
        if name not in kept:
            continue
        value = kept[name]
        try:
            if value is None and type(None) in types:
                values[name] = None
            elif _is_moment(types) and isinstance(value, str):
                values[name] = _resolve_moment(value, today)
            elif _is_date(types) and isinstance(value, str):
                values[name] = resolve(value, today)
            elif isinstance(value, tuple(t for t in types if t in _PLAIN)) and not (
                    isinstance(value, bool) and bool not in types):
                values[name] = value
            else:
                raise ValueError(value)
        except ValueError:
            problems.append(name)
            values[name] = getattr(defaults, name)
    return Restored(dataclasses.replace(defaults, **values), tuple(problems), frozenset(values))


def kept_dates(kept: Mapping[str, Any], fields: frozenset[str] | None = None) -> list[tuple[str, str]]:
    """(field, how it is kept) for the date fields of `kept`: 'today', 'this month', '2026-11-03'."""
    out = []
    for name, types in _types().items():
        value = kept.get(name)
        if not isinstance(value, str) or (fields is not None and name not in fields):
            continue
        if _is_moment(types):
            day, _, clock = value.rpartition(" ")
            out.append((name, f"{describe_kept(day)} {clock}"))
        elif _is_date(types):
            out.append((name, describe_kept(value, month=name in MONTH_FIELDS)))
    return out


def kept_relative(kept: Mapping[str, Any]) -> bool:
    """Whether a preset was saved with relative dates: any of its dates an anchor, or none fixed. Updating it
    keeps its dates the way it was saved."""
    dates = [kept.get(name) if _is_date(types) else str(kept.get(name)).rpartition(" ")[0]
             for name, types in _types().items()
             if (_is_date(types) or _is_moment(types)) and isinstance(kept.get(name), str)]
    return any(value in ANCHORS for value in dates) or not dates
