"""Display formatting shared by every table, so a date or an amount reads the same on every screen."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from PySide6.QtCore import QCoreApplication

_CENTS = Decimal("0.01")
# Times on screen are the hall's, like the printed ones, whatever the workstation's clock is set to. The main
# window sets it at log-in; None (tests of a lone widget) means the computer's own zone.
_hall_zone: tzinfo | None = None


def set_hall_zone(name: str | None) -> None:
    global _hall_zone
    _hall_zone = ZoneInfo(name) if name else None


def hall_time(value: datetime) -> datetime:
    """`value` on the hall's clock, for texts that format their own dates."""
    return value if value.tzinfo is None else value.astimezone(_hall_zone)


def format_text(value: object) -> str:
    return "" if value is None else str(value)


def format_int(value: int | None) -> str:
    return "" if value is None else str(value)


def format_date(value: date | None) -> str:
    """YYYY-MM-DD; a datetime shows its date at the hall."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = hall_time(value).date()
    return value.isoformat()


def format_datetime(value: datetime | None) -> str:
    """YYYY-MM-DD HH:MM in the hall's time zone (naive values are taken as already the hall's)."""
    if value is None:
        return ""
    return hall_time(value).strftime("%Y-%m-%d %H:%M")


def format_deadline(value: datetime, *, year: bool = True) -> str:
    """A deadline as it reads at the counter: one at midnight is the end of the day before ("end of Mon 23
    Nov"), not "Tue 24 Nov 00:00". Shown in `value`'s own zone (pass the hall's)."""
    day = "%a %d %b %Y" if year else "%a %d %b"
    if value.time() == time.min:
        return f"end of {value - timedelta(days=1):{day}}"
    return f"{value:{day} %H:%M}"


def format_money(value: Decimal | int | float | None) -> str:
    """Two places with thousands separators, rounded half up as on a receipt: 1234.5 -> '1,234.50'."""
    if value is None:
        return ""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    return f"{amount.quantize(_CENTS, rounding=ROUND_HALF_UP):,.2f}"


def format_bool(value: bool | None) -> str:
    if value is None:
        return ""
    return QCoreApplication.translate("formatting", "Yes") if value else QCoreApplication.translate("formatting", "No")


def format_label(value: str | None) -> str:
    """Human text for a vocabulary value: 'apprentice_3' -> 'Apprentice 3'; codes in capitals ('BA') stay."""
    if not value:
        return ""
    return value.replace("_", " ").capitalize() if value.upper() != value else value
