"""The US federal holidays of a year, and which business-day dates a change to the holiday calendar moves.

The federal holidays are computed here rather than taken from a library: eleven fixed rules (5 U.S.C. 6103)
and one observance rule do not justify a dependency. A holiday on a Saturday is observed the Friday before, on
a Sunday the Monday after, so a year's list holds the days the hall is closed in that year (New Year's Day of
the next year is observed on 31 December when it falls on a Saturday)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from unioncore_desktop.domain.rules.calendar import BusinessCalendar

JUNETEENTH_FROM = 2021  # made a federal holiday in June 2021


@dataclass(frozen=True, slots=True)
class FederalHoliday:
    day: date  # the day observed (a weekday)
    name: str
    actual: date  # the holiday itself, when it falls on a weekend

    @property
    def observed(self) -> bool:
        return self.day != self.actual


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th `weekday` (Monday 0) of the month; n = -1 the last one."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def observed_day(day: date) -> date:
    """Saturday -> the Friday before, Sunday -> the Monday after, a weekday -> itself."""
    if day.weekday() == 5:
        return day - timedelta(days=1)
    if day.weekday() == 6:
        return day + timedelta(days=1)
    return day


def _holidays_of(year: int) -> list[tuple[str, date]]:
    days = [
        ("New Year's Day", date(year, 1, 1)),
        ("Birthday of Martin Luther King, Jr.", _nth_weekday(year, 1, 0, 3)),
        ("Washington's Birthday", _nth_weekday(year, 2, 0, 3)),
        ("Memorial Day", _nth_weekday(year, 5, 0, -1)),
        ("Juneteenth National Independence Day", date(year, 6, 19)),
        ("Independence Day", date(year, 7, 4)),
        ("Labor Day", _nth_weekday(year, 9, 0, 1)),
        ("Columbus Day", _nth_weekday(year, 10, 0, 2)),
        ("Veterans Day", date(year, 11, 11)),
        ("Thanksgiving Day", _nth_weekday(year, 11, 3, 4)),
        ("Christmas Day", date(year, 12, 25)),
    ]
    return [(name, day) for name, day in days if name != "Juneteenth National Independence Day"
            or year >= JUNETEENTH_FROM]


def us_federal_holidays(year: int) -> list[FederalHoliday]:
    """The federal holidays observed in `year`, in date order (10 or 11 of them, or 12 when next year's New
    Year's Day is observed on 31 December)."""
    found = [FederalHoliday(observed_day(day), name if observed_day(day) == day else f"{name} (observed)", day)
             for y in (year, year + 1) for name, day in _holidays_of(y)]
    return sorted((h for h in found if h.day.year == year), key=lambda h: h.day)


def moved_business_day(day: date, business_days: int, before: BusinessCalendar, after: BusinessCalendar) -> date:
    """Where a date counted `business_days` business days from some earlier day under `before` lands under
    `after`: the count is taken back from `day` under the old calendar and made again under the new one."""
    start = before.add_business_days(day, -business_days)
    return after.add_business_days(start, business_days)


def changed_days(before: BusinessCalendar, after: BusinessCalendar) -> frozenset[date]:
    """Weekdays that are business days under one calendar and not the other."""
    return frozenset(d for d in before.holidays ^ after.holidays if d.weekday() < 5)
