"""Business days and APNs: the arithmetic every referral deadline and queue position rests on."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from unioncore_desktop.domain.errors import DomainError
from unioncore_desktop.domain.rules.apn import (
    ApnExhausted,
    apn_date,
    date_from_serial,
    excel_serial,
    format_apn,
    next_apn,
    parse_apn,
)
from unioncore_desktop.domain.rules.calendar import BusinessCalendar, add_months, close_of_day

LA = ZoneInfo("America/Los_Angeles")
LABOR_DAY = date(2025, 9, 1)  # Monday
THANKSGIVING = date(2025, 11, 27)  # Thursday
CAL = BusinessCalendar.of([LABOR_DAY, THANKSGIVING, date(2025, 12, 25)])


@pytest.mark.parametrize(("day", "expected"), [
    (date(2025, 8, 11), True),   # Monday
    (date(2025, 8, 15), True),   # Friday
    (date(2025, 8, 16), False),  # Saturday
    (date(2025, 8, 17), False),  # Sunday
    (LABOR_DAY, False),
    (THANKSGIVING, False),
    (date(2025, 11, 28), True),  # the day after is not in this hall's calendar
])
def test_is_business_day(day: date, expected: bool) -> None:
    assert CAL.is_business_day(day) is expected


@pytest.mark.parametrize(("day", "expected"), [
    (date(2025, 8, 11), date(2025, 8, 12)),
    (date(2025, 8, 15), date(2025, 8, 18)),  # Fri -> Mon
    (date(2025, 8, 16), date(2025, 8, 18)),  # Sat -> Mon
    (date(2025, 8, 29), date(2025, 9, 2)),   # Fri before Labor Day -> Tue
    (date(2025, 11, 26), date(2025, 11, 28)),  # Wed before Thanksgiving -> Fri
])
def test_next_business_day(day: date, expected: date) -> None:
    assert CAL.next_business_day(day) == expected


@pytest.mark.parametrize(("day", "n", "expected"), [
    (date(2025, 8, 11), 0, date(2025, 8, 11)),
    (date(2025, 8, 16), 0, date(2025, 8, 16)),  # n == 0 never moves, even off a weekend
    (date(2025, 8, 16), 1, date(2025, 8, 18)),
    (date(2025, 8, 11), 5, date(2025, 8, 18)),
    (date(2025, 8, 29), 1, date(2025, 9, 2)),
    (date(2025, 8, 29), 2, date(2025, 9, 3)),
    (date(2025, 9, 2), -1, date(2025, 8, 29)),
    (date(2025, 8, 18), -5, date(2025, 8, 11)),
])
def test_add_business_days(day: date, n: int, expected: date) -> None:
    assert CAL.add_business_days(day, n) == expected


def test_previous_and_on_or_after() -> None:
    assert CAL.previous_business_day(date(2025, 9, 2)) == date(2025, 8, 29)
    assert CAL.on_or_after(date(2025, 8, 30)) == date(2025, 9, 2)
    assert CAL.on_or_after(date(2025, 9, 2)) == date(2025, 9, 2)


@pytest.mark.parametrize(("start", "end", "expected"), [
    (date(2025, 8, 11), date(2025, 8, 11), 1),   # same day
    (date(2025, 8, 11), date(2025, 8, 13), 3),
    (date(2025, 8, 11), date(2025, 8, 14), 4),
    (date(2025, 8, 11), date(2025, 8, 15), 5),
    (date(2025, 8, 11), date(2025, 8, 22), 10),
    (date(2025, 8, 11), date(2025, 8, 25), 11),
    (date(2025, 8, 16), date(2025, 8, 17), 0),   # a weekend
    (date(2025, 8, 15), date(2025, 8, 18), 2),   # Fri..Mon
    (date(2025, 8, 25), date(2025, 9, 5), 9),    # Labor Day inside
    (date(2025, 8, 12), date(2025, 8, 11), 0),   # end before start
])
def test_business_days_between_inclusive(start: date, end: date, expected: int) -> None:
    assert CAL.business_days_between(start, end) == expected


def test_business_days_between_matches_day_by_day_count() -> None:
    start = date(2025, 8, 1)
    for offset in range(0, 200, 7):
        for length in range(40):
            a = start + timedelta(days=offset)
            b = a + timedelta(days=length)
            brute = sum(CAL.is_business_day(a + timedelta(days=i)) for i in range(length + 1))
            assert CAL.business_days_between(a, b) == brute, (a, b)


@pytest.mark.parametrize(("day", "closes_at", "expected"), [
    (date(2025, 8, 14), None, datetime(2025, 8, 16, 0, 0, tzinfo=LA)),      # Thu -> all of Fri
    (date(2025, 8, 15), None, datetime(2025, 8, 19, 0, 0, tzinfo=LA)),      # Fri -> all of Mon
    (date(2025, 8, 15), time(16, 30), datetime(2025, 8, 18, 16, 30, tzinfo=LA)),
    (date(2025, 8, 29), None, datetime(2025, 9, 3, 0, 0, tzinfo=LA)),       # Labor Day skipped
    (date(2025, 8, 16), None, datetime(2025, 8, 19, 0, 0, tzinfo=LA)),      # Sat -> Mon
])
def test_close_of_next_business_day(day: date, closes_at: time | None, expected: datetime) -> None:
    assert CAL.close_of_next_business_day(day, LA, closes_at=closes_at) == expected


def test_close_of_business_counts_several_days() -> None:
    assert CAL.close_of_next_business_day(date(2025, 8, 14), LA, business_days=2) == close_of_day(
        date(2025, 8, 18), LA)


@pytest.mark.parametrize(("day", "months", "expected"), [
    (date(2025, 1, 15), 6, date(2025, 7, 15)),
    (date(2025, 8, 31), 6, date(2026, 2, 28)),
    (date(2024, 1, 31), 1, date(2024, 2, 29)),
    (date(2025, 12, 15), 1, date(2026, 1, 15)),
    (date(2025, 3, 31), -1, date(2025, 2, 28)),
])
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


# --- APN ---

@pytest.mark.parametrize(("day", "serial"), [
    (date(2025, 8, 11), 45880),
    (date(2000, 1, 1), 36526),
    (date(1900, 3, 1), 61),
])
def test_excel_serial_round_trip(day: date, serial: int) -> None:
    assert excel_serial(day) == serial
    assert date_from_serial(serial) == day


@pytest.mark.parametrize(("max_today", "expected"), [
    (None, "45880.01"),
    ("45880.01", "45880.02"),
    ("45880.00", "45880.01"),  # imported rows may hold .00
    ("45880.09", "45880.10"),
    ("45880.98", "45880.99"),
])
def test_next_apn(max_today: str | None, expected: str) -> None:
    apn = next_apn(date(2025, 8, 11), None if max_today is None else Decimal(max_today))
    assert apn == Decimal(expected)
    assert str(apn) == expected  # two places exactly, as numeric(10,2) stores it
    assert apn_date(apn) == date(2025, 8, 11)


def test_next_apn_after_99_is_a_domain_error() -> None:
    with pytest.raises(ApnExhausted, match="All 99 priority numbers"):
        next_apn(date(2025, 8, 11), Decimal("45880.99"))


def test_next_apn_refuses_another_days_maximum() -> None:
    with pytest.raises(ValueError, match="not from 2025-08-11"):
        next_apn(date(2025, 8, 11), Decimal("45879.50"))


def test_format_apn() -> None:
    assert format_apn(Decimal("45880.1")) == "45880.10"
    assert format_apn(Decimal(45880)) == "45880.00"


@pytest.mark.parametrize(("text", "expected"), [
    ("45880.01", Decimal("45880.01")),
    (" 45880.1 ", Decimal("45880.10")),
    ("45880", Decimal("45880.00")),
])
def test_parse_apn(text: str, expected: Decimal) -> None:
    assert parse_apn(text) == expected
    assert parse_apn(text).as_tuple().exponent == -2


@pytest.mark.parametrize("text", ["", "abc", "45880.001", "-1", "0", "NaN", "1e9"])
def test_parse_apn_rejects(text: str) -> None:
    with pytest.raises(DomainError) as caught:
        parse_apn(text)
    assert caught.value.field == "apn"
