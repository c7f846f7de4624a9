"""The hall's business-day calendar: Monday to Friday minus the holidays staff maintain.

Every referral deadline (R3 referral date, R6 re-registration, R9 job length) counts business days, so they
all go through one `BusinessCalendar` built from the `holidays` table.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """Business days of one hall. Immutable and cheap to build: services make one per unit of work."""

    holidays: frozenset[date] = frozenset()

    @classmethod
    def of(cls, holidays: Iterable[date]) -> BusinessCalendar:
        return cls(frozenset(holidays))

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def next_business_day(self, day: date) -> date:
        """The first business day strictly after `day`."""
        day += _ONE_DAY
        while not self.is_business_day(day):
            day += _ONE_DAY
        return day

    def previous_business_day(self, day: date) -> date:
        """The last business day strictly before `day`."""
        day -= _ONE_DAY
        while not self.is_business_day(day):
            day -= _ONE_DAY
        return day

    def on_or_after(self, day: date) -> date:
        """`day` itself when it is a business day, else the next one."""
        return day if self.is_business_day(day) else self.next_business_day(day)

    def add_business_days(self, day: date, n: int) -> date:
        """The n-th business day after `day` (before it when n < 0); n == 0 returns `day` unchanged.

        `day` itself need not be a business day: add_business_days(Saturday, 1) is Monday.
        """
        step = self.next_business_day if n > 0 else self.previous_business_day
        for _ in range(abs(n)):
            day = step(day)
        return day

    def business_days_between(self, start: date, end: date) -> int:
        """Business days in [start, end], both ends included (a job's length); 0 when end < start.

        A job dispatched Monday and ended Friday of the same week worked 5 business days; started and ended
        the same business day, 1.
        """
        if end < start:
            return 0
        total_days = (end - start).days + 1
        full_weeks, rest = divmod(total_days, 7)
        weekdays = full_weeks * 5 + sum(1 for i in range(rest) if (start + timedelta(days=i)).weekday() < 5)
        holidays = sum(1 for h in self.holidays if start <= h <= end and h.weekday() < 5)
        return weekdays - holidays

    def close_of_next_business_day(self, day: date, zone: ZoneInfo, *, business_days: int = 1,
                                   closes_at: time | None = None) -> datetime:
        """The deadline "by the close of the next business day" after `day` (R6), as an aware instant.

        With `closes_at` None the whole deadline day counts (e-mail re-registrations arrive after hours), and
        the instant returned is the following midnight: it is exclusive, so late means `at >= deadline`.
        """
        return close_of_day(self.add_business_days(day, max(business_days, 1)), zone, closes_at)


def close_of_day(day: date, zone: ZoneInfo, closes_at: time | None = None) -> datetime:
    """The exclusive instant ending business on `day`: `closes_at` that day, or the next midnight when None."""
    if closes_at is None:
        return datetime.combine(day + _ONE_DAY, time(0), zone)
    return datetime.combine(day, closes_at, zone)


def add_months(day: date, months: int) -> date:
    """Same day-of-month `months` later, clamped to the month's end (31 Aug + 6 months = 28/29 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, _stdlib_calendar.monthrange(year, month)[1]))


_HHMM = re.compile(r"(\d{1,2}):?(\d{2})")
HHMM_FORMAT = "Give a time as HH:MM (24-hour)."


def parse_hhmm(text: str | None) -> time | None:
    """A time of day as typed: '7:00', '0700', '700', '17:30'; blank -> None. Anything else raises ValueError
    with the message to show beside the field."""
    text = (text or "").strip()
    if not text:
        return None
    m = _HHMM.fullmatch(text)
    if m is None or int(m[1]) >= 24 or int(m[2]) >= 60:
        raise ValueError(HHMM_FORMAT)
    return time(int(m[1]), int(m[2]))
