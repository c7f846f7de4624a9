"""The hall's set-up as use cases: its settings, offices, holidays and contract codes (a manager's writes).

Each validates with domain/rules/hall_setup.py first and checks the version the form was opened with, so a
second manager's save is never silently overwritten. The database audits every write and tells the other
workstations (migration 0017's notify triggers)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import select, text
from sqlalchemy.orm.exc import StaleDataError

from unioncore_desktop.domain.errors import NotFound, StaleRecord, ValidationError
from unioncore_desktop.domain.models import ContractCode, Holiday, Office
from unioncore_desktop.domain.queries.hall_setup import (
    SETTING_KEYS,
    ContractCodeRow,
    HallSettings,
    HolidayRow,
    OfficeDetail,
    contract_codes,
    hall_settings,
    office_details,
)
from unioncore_desktop.domain.rules.hall_setup import (
    contract_code_errors,
    hall_settings_errors,
    holiday_errors,
    office_errors,
)
from unioncore_desktop.domain.rules.holidays import us_federal_holidays
from unioncore_desktop.domain.uow import UnitOfWork

STALE = "{what} was changed by someone else after you opened it; reopen it and try again."


def _checked(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def _flush(uow: UnitOfWork, what: str) -> None:
    try:
        uow.flush()
    except StaleDataError:
        raise StaleRecord(STALE.format(what=what)) from None


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


# --- settings ---------------------------------------------------------------------------------------------------

def save_hall_settings(uow: UnitOfWork, *, hall_name: str, hall_address: str, hall_phone: str, time_zone: str,
                       versions: Mapping[str, int]) -> HallSettings:
    """Write the hall's name, address, phone and time zone; `versions` are those the form was opened with."""
    values = {"hall_name": hall_name.strip(), "hall_address": hall_address.strip(),
              "hall_phone": hall_phone.strip(), "time_zone": time_zone.strip()}
    _checked(hall_settings_errors(name=values["hall_name"], address=values["hall_address"],
                                  phone=values["hall_phone"], time_zone=values["time_zone"]))
    with uow:
        s = uow.session
        if not s.execute(text("SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = :z)"),
                         {"z": values["time_zone"]}).scalar_one():
            raise ValidationError({"time_zone": f"The database server does not know the time zone "
                                                f"{values['time_zone']}; pick another name for it."})
        current = {key: (value, version) for key, value, version in s.execute(text(
            "SELECT key, value, version FROM app_settings WHERE key = ANY(:keys) FOR UPDATE"),
            {"keys": list(SETTING_KEYS)})}
        for key in SETTING_KEYS:
            if key not in current:
                raise NotFound(f"The setting {key} is missing: upgrade the database (unioncore db upgrade).")
            value, version = current[key]
            if key in versions and versions[key] != version:
                raise StaleRecord(STALE.format(what="The hall's settings"))
            if value != values[key]:
                s.execute(text("UPDATE app_settings SET value = :v, version = version + 1 WHERE key = :k"),
                          {"v": values[key], "k": key})
        saved = hall_settings(s)
        uow.commit()
        return saved


# --- offices ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class OfficeInput:
    code: str
    name: str
    region: str | None
    opens_at: time | None
    closes_at: time | None

    def errors(self) -> dict[str, str]:
        return office_errors(code=self.code, name=self.name, region=self.region, opens_at=self.opens_at,
                             closes_at=self.closes_at)


def save_office(uow: UnitOfWork, data: OfficeInput, *, office_id: int | None = None,
                expected_version: int | None = None) -> OfficeDetail:
    """Create an office, or edit the one with `office_id` as it was at `expected_version`."""
    _checked(data.errors())
    with uow:
        s = uow.session
        if office_id is None:
            office = Office()
            s.add(office)
        else:
            found = s.get(Office, office_id, with_for_update=True)
            if found is None:
                raise NotFound("That office no longer exists.")
            if expected_version is not None and found.version != expected_version:
                raise StaleRecord(STALE.format(what=f"Office {found.code}"))
            office = found
        office.code = data.code.strip()
        office.name = data.name.strip()
        office.region = _clean(data.region)
        assert data.opens_at is not None and data.closes_at is not None  # validated
        office.opens_at = data.opens_at
        office.closes_at = data.closes_at
        _flush(uow, "The office")
        saved = next(row for row in office_details(s) if row.id == office.id)
        uow.commit()
        return saved


# --- holidays ---------------------------------------------------------------------------------------------------

def save_holiday(uow: UnitOfWork, *, day: date, name: str, editing: HolidayRow | None = None) -> HolidayRow:
    """Add a holiday, or change the one `editing` names (its date too) as it was loaded."""
    _checked(holiday_errors(day=day, name=name))
    with uow:
        s = uow.session
        if editing is None:
            row = Holiday(day=day, name=name.strip())
            s.add(row)
        else:
            found = s.get(Holiday, editing.day, with_for_update=True)
            if found is None:
                raise NotFound(f"{editing.day:%d %b %Y} is no longer a holiday.")
            if found.version != editing.version:
                raise StaleRecord(STALE.format(what=f"The holiday on {editing.day:%d %b %Y}"))
            if day != editing.day:  # a new date is a new row: the key is the day
                s.delete(found)
                _flush(uow, "The holiday")
                row = Holiday(day=day, name=name.strip())
                s.add(row)
            else:
                found.name = name.strip()
                row = found
        _flush(uow, "The holiday")
        saved = HolidayRow(row.day, row.name, row.version)
        uow.commit()
        return saved


def remove_holiday(uow: UnitOfWork, *, holiday: HolidayRow) -> HolidayRow:
    with uow:
        s = uow.session
        found = s.get(Holiday, holiday.day, with_for_update=True)
        if found is None:
            raise NotFound(f"{holiday.day:%d %b %Y} is no longer a holiday.")
        if found.version != holiday.version:
            raise StaleRecord(STALE.format(what=f"The holiday on {holiday.day:%d %b %Y}"))
        s.delete(found)
        _flush(uow, "The holiday")
        uow.commit()
        return holiday


def add_federal_holidays(uow: UnitOfWork, *, year: int) -> list[HolidayRow]:
    """Add the US federal holidays observed in `year` that the calendar lacks; days already holidays (under any
    name) are left as they are. Returns the holidays added."""
    wanted = us_federal_holidays(year)
    for holiday in wanted:
        _checked(holiday_errors(day=holiday.day, name=holiday.name))
    with uow:
        s = uow.session
        days = [h.day for h in wanted]
        taken = set(s.scalars(select(Holiday.day).where(Holiday.day.in_(days)).with_for_update()))
        added = [Holiday(day=h.day, name=h.name) for h in wanted if h.day not in taken]
        s.add_all(added)
        _flush(uow, "The calendar")
        rows = [HolidayRow(h.day, h.name, h.version) for h in added]
        uow.commit()
        return rows


# --- contract codes ---------------------------------------------------------------------------------------------

def save_contract_code(uow: UnitOfWork, *, code: str, description: str, new: bool) -> ContractCodeRow:
    """Add a contract code, or give an existing one a new description (a code itself never changes: books and
    employers' contracts refer to it)."""
    code = code.strip()
    _checked(contract_code_errors(code=code, description=description))
    with uow:
        s = uow.session
        found = s.get(ContractCode, code, with_for_update=True)
        if new:
            if found is not None:
                raise ValidationError({"code": f"{code} already exists; change its description instead."})
            s.add(ContractCode(code=code, description=description.strip()))
        elif found is None:
            raise NotFound(f"The contract code {code} no longer exists.")
        else:
            found.description = description.strip()
        uow.flush()
        saved = next(row for row in contract_codes(s) if row.code == code)
        uow.commit()
        return saved
