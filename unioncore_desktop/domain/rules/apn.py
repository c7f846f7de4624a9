"""Applicant priority numbers (APN): the registration date as an Excel day serial plus two decimals that order
the sign-ups of that day. Always `Decimal` with two places, never int or float; never a key (they repeat)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal, InvalidOperation

from unioncore_desktop.domain.errors import DomainError

EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (it counts a phantom 29 Feb 1900, hence the 30th)
HUNDREDTH = Decimal("0.01")
LAST_HUNDREDTH = Decimal("0.99")


class ApnExhausted(DomainError):
    """All 99 APNs of a day are taken; two decimals cannot order a 100th sign-on visit."""


def excel_serial(day: date) -> int:
    """Days since 1899-12-30: excel_serial(date(2025, 8, 11)) == 45880."""
    return (day - EXCEL_EPOCH).days


def date_from_serial(serial: int | Decimal) -> date:
    """The day an APN or serial stands for (the decimals are ignored)."""
    return EXCEL_EPOCH + timedelta(days=int(serial))


def apn_date(apn: Decimal) -> date:
    return date_from_serial(apn)


def next_apn(today: date, max_apn_today: Decimal | None) -> Decimal:
    """The APN for a new sign-on visit today: today's serial plus the hundredth after the day's highest.

    `max_apn_today` is the highest APN already issued with today's serial across all books (None if none).
    Gaps are never reused: a later visit must sort after every earlier one of the day. A member signing
    several books in one visit gets this one APN on each. After .99 the day is full and `ApnExhausted` is
    raised; staff can sign the member on the next day (two decimals are what the hall's data and reports use).
    """
    serial = Decimal(excel_serial(today))
    if max_apn_today is None:
        return serial + HUNDREDTH
    if max_apn_today.to_integral_value(rounding=ROUND_DOWN) != serial:
        raise ValueError(f"APN {max_apn_today} is not from {today.isoformat()} (serial {serial})")
    fraction = max_apn_today - serial
    if fraction >= LAST_HUNDREDTH:
        raise ApnExhausted(f"All 99 priority numbers for {today:%d %b %Y} are taken; no further sign-on can be "
                           "ordered today.", field="apn")
    return (max_apn_today + HUNDREDTH).quantize(HUNDREDTH, rounding=ROUND_DOWN)


def format_apn(apn: Decimal) -> str:
    """'45880.01': always two places, as on the printed lists."""
    return f"{apn.quantize(HUNDREDTH):.2f}"


def parse_apn(text: str) -> Decimal:
    """An APN typed or imported as text; raises DomainError(field='apn') when it is not one."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise DomainError(f"'{text}' is not a priority number (e.g. 45880.01).", field="apn") from None
    if not value.is_finite() or value <= 0 or value != value.quantize(HUNDREDTH) or value >= Decimal("1e8"):
        raise DomainError(f"'{text}' is not a priority number (e.g. 45880.01).", field="apn")
    return value.quantize(HUNDREDTH)
