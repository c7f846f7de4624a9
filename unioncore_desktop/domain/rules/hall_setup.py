"""What makes the hall's own set-up valid: its settings, offices, holidays and contract codes. The forms, the
services and (where it can) the database agree on these."""

from __future__ import annotations

import re
from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

MAX_LENGTHS = {
    "hall_name": 120, "hall_address": 300, "hall_phone": 30, "time_zone": 60,
    "office_code": 20, "office_name": 80, "region": 40, "holiday_name": 80,
    "contract_code": 30, "description": 120,
}
OFFICE_CODE_PATTERN = r"^[A-Z0-9_-]{2,20}$"
CONTRACT_CODE_PATTERN = r"^[A-Z0-9][A-Z0-9 &/._-]{0,29}$"
_PHONE = re.compile(r"^[0-9()+./ -]{7,30}$")
EARLIEST_HOLIDAY = date(2000, 1, 1)
LATEST_HOLIDAY = date(2100, 12, 31)


def time_zone_error(name: str | None) -> str | None:
    """None when `name` is an IANA time zone this machine knows (America/Los_Angeles), else the message."""
    name = (name or "").strip()
    if not name:
        return "Choose the hall's time zone."
    if "/" not in name and name != "UTC":
        return "Give a time zone such as America/Los_Angeles."
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return f"{name} is not a known time zone; give one such as America/Los_Angeles."
    return None


def time_zone_choices() -> list[str]:
    """The zones a hall can pick: the IANA areas, America first (the hall's usual zones), no legacy aliases."""
    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return [z for z in zones if z.startswith("America/")] + [z for z in zones if not z.startswith("America/")]


def _required(errors: dict[str, str], field: str, value: str | None, what: str, limit: int) -> None:
    text = (value or "").strip()
    if not text:
        errors[field] = f"{what} is required."
    elif len(text) > limit:
        errors[field] = f"{what} is limited to {limit} characters."


def hall_settings_errors(*, name: str | None, address: str | None, phone: str | None,
                         time_zone: str | None) -> dict[str, str]:
    """Field -> message for the hall's name, address, phone and time zone."""
    errors: dict[str, str] = {}
    _required(errors, "hall_name", name, "The hall's name", MAX_LENGTHS["hall_name"])
    _required(errors, "hall_address", address, "The hall's address", MAX_LENGTHS["hall_address"])
    _required(errors, "hall_phone", phone, "The hall's phone", MAX_LENGTHS["hall_phone"])
    if "hall_phone" not in errors and not _PHONE.fullmatch((phone or "").strip()):
        errors["hall_phone"] = "Give a phone number of digits, spaces, ( ) + - or . only."
    zone = time_zone_error(time_zone)
    if zone is not None:
        errors["time_zone"] = zone
    return errors


def office_errors(*, code: str | None, name: str | None, region: str | None, opens_at: time | None,
                  closes_at: time | None) -> dict[str, str]:
    """Field -> message for an office: a short code, a name, an optional region and its hours (R1)."""
    errors: dict[str, str] = {}
    code = (code or "").strip()
    if not code:
        errors["code"] = "The office code is required."
    elif not re.fullmatch(OFFICE_CODE_PATTERN, code):
        errors["code"] = "Office codes are 2 to 20 capital letters, digits, - or _."
    _required(errors, "name", name, "The office's name", MAX_LENGTHS["office_name"])
    if len((region or "").strip()) > MAX_LENGTHS["region"]:
        errors["region"] = f"A region is limited to {MAX_LENGTHS['region']} characters."
    if not isinstance(opens_at, time):
        errors["opens_at"] = "Give the time the office opens as HH:MM."
    if not isinstance(closes_at, time):
        errors["closes_at"] = "Give the time the office closes as HH:MM."
    elif isinstance(opens_at, time) and closes_at <= opens_at:
        errors["closes_at"] = "The office must close later than it opens."
    return errors


def holiday_errors(*, day: date | None, name: str | None) -> dict[str, str]:
    """Field -> message for one holiday."""
    errors: dict[str, str] = {}
    if not isinstance(day, date):
        errors["day"] = "Give the holiday's date."
    elif not EARLIEST_HOLIDAY <= day <= LATEST_HOLIDAY:
        errors["day"] = f"Give a date from {EARLIEST_HOLIDAY.year} to {LATEST_HOLIDAY.year}."
    elif day.weekday() >= 5:
        errors["day"] = (f"{day:%A %d %B %Y} is a weekend day and never a business day; enter the day the "
                         "hall observes instead.")
    _required(errors, "name", name, "The holiday's name", MAX_LENGTHS["holiday_name"])
    return errors


def contract_code_errors(*, code: str | None, description: str | None) -> dict[str, str]:
    """Field -> message for a contract code (WIREPERSON, SOUND & COMM) and its description."""
    errors: dict[str, str] = {}
    code = (code or "").strip()
    if not code:
        errors["code"] = "The contract code is required."
    elif not re.fullmatch(CONTRACT_CODE_PATTERN, code):
        errors["code"] = "Contract codes are up to 30 capital letters, digits, spaces or & / . _ -"
    _required(errors, "description", description, "The description", MAX_LENGTHS["description"])
    return errors
