"""Report presets: what makes a preset's name good, and the relative days a preset keeps instead of fixed dates.

A preset saved with relative dates keeps an anchor ("today", "the 1st of this month") and is read back against the
hall's today on the day it is used, so "Dropped, this month so far" stays this month's; a date that is no anchor
is kept as the date itself. Callers pass the hall's today: nothing here reads a clock."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta

from unioncore_desktop.domain.error_texts import PRESET_NAME_MISSING, PRESET_NAME_TAKEN

NAME_LENGTH = 80


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _last_month_start(day: date) -> date:
    return _month_start(_month_start(day) - timedelta(days=1))


ANCHORS: dict[str, Callable[[date], date]] = {
    "today": lambda t: t,
    "yesterday": lambda t: t - timedelta(days=1),
    "month_start": _month_start,
    "last_month_start": _last_month_start,
    "last_month_end": lambda t: _month_start(t) - timedelta(days=1),
    "year_start": lambda t: t.replace(month=1, day=1),
    "last_year_start": lambda t: date(t.year - 1, 1, 1),
}
# what the user reads: as a day, and as a month (a month parameter holds its 1st)
DAY_LABELS = {
    "today": "today", "yesterday": "yesterday", "month_start": "the 1st of this month",
    "last_month_start": "the 1st of last month", "last_month_end": "the last day of last month",
    "year_start": "1 January this year", "last_year_start": "1 January last year",
}
MONTH_LABELS = {
    "month_start": "this month", "last_month_start": "last month", "year_start": "January this year",
    "last_year_start": "January last year",
}
# On the 1st of a month "today" and "the 1st of this month" are one day: the first day of a range means the month,
# its last day (or a single day) means today.
STARTS_FIRST = ("month_start", "last_month_start", "year_start", "last_year_start", "today", "yesterday",
                "last_month_end")
ENDS_FIRST = ("today", "yesterday", "last_month_end", "month_start", "last_month_start", "year_start",
              "last_year_start")


def preset_name_errors(name: str, taken: Iterable[str], *, keeping: str | None = None) -> dict[str, str]:
    """{"name": sentence} when `name` is empty, too long, or (ignoring case and spaces around it) one of `taken`,
    the owner's other preset names for the report; `keeping` is the preset's own name when it is renamed."""
    cleaned = name.strip()
    if not cleaned:
        return {"name": PRESET_NAME_MISSING}
    if len(cleaned) > NAME_LENGTH:
        return {"name": f"A preset's name is at most {NAME_LENGTH} characters."}
    own = keeping.strip().casefold() if keeping is not None else None
    if any(other.strip().casefold() == cleaned.casefold() != own for other in taken):
        return {"name": PRESET_NAME_TAKEN}
    return {}


def anchor_for(value: date, today: date, *, month: bool = False, start: bool = False) -> str | None:
    """The anchor a date is kept as, or None when it is none of them (it is then kept as itself). A month
    parameter only takes month anchors; `start` says the date begins a range."""
    order: Sequence[str] = tuple(MONTH_LABELS) if month else (STARTS_FIRST if start else ENDS_FIRST)
    return next((anchor for anchor in order if ANCHORS[anchor](today) == value), None)


def resolve(kept: str, today: date) -> date:
    """The date a kept value means on `today`: an anchor, or an ISO date. ValueError for anything else."""
    if kept in ANCHORS:
        return ANCHORS[kept](today)
    return date.fromisoformat(kept)


def describe_kept(kept: str, *, month: bool = False) -> str:
    """'today', 'this month', or the fixed date as it is written ('2026-11-03', 'November 2026')."""
    if kept in ANCHORS:
        return (MONTH_LABELS if month else DAY_LABELS).get(kept, DAY_LABELS[kept])
    fixed = date.fromisoformat(kept)
    return fixed.strftime("%B %Y") if month else fixed.isoformat()
