"""The hall's set-up: the checklist, its settings, offices, holiday calendar and contract codes.

Offices are announced by id; the calendar, the settings and the contract codes as a whole (domain/changes.py). The
services (and the ORM models beneath them) load with the first write: the first-run checklist reads at start-up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import TYPE_CHECKING

from unioncore_desktop.domain.actions import Hall
from unioncore_desktop.domain.changes import Changed, Done, done
from unioncore_desktop.domain.queries import hall_setup as q

if TYPE_CHECKING:
    from unioncore_desktop.domain.services.hall_setup import OfficeInput

HOLIDAYS = Changed.of("holiday")


def checklist(hall: Hall) -> q.SetupChecklist:
    return hall.read(q.setup_checklist)


def settings(hall: Hall) -> q.HallSettings:
    return hall.read(q.hall_settings)


def save_settings(hall: Hall, *, hall_name: str, hall_address: str, hall_phone: str, time_zone: str,
                  versions: Mapping[str, int]) -> Done[q.HallSettings]:
    from unioncore_desktop.domain.services import hall_setup as services

    saved = services.save_hall_settings(hall.uow(), hall_name=hall_name, hall_address=hall_address,
                                        hall_phone=hall_phone, time_zone=time_zone, versions=versions)
    return done(saved, Changed.of("hall_settings"))


def offices(hall: Hall) -> list[q.OfficeDetail]:
    return hall.read(q.office_details)


def save_office(hall: Hall, data: OfficeInput, editing: q.OfficeDetail | None) -> Done[q.OfficeDetail]:
    from unioncore_desktop.domain.services import hall_setup as services

    saved = services.save_office(hall.uow(), data, office_id=editing.id if editing else None,
                                 expected_version=editing.version if editing else None)
    return done(saved, Changed.of("office", office_ids=[saved.id]))


def holiday_year(hall: Hall, year: int | None = None) -> q.HolidayYear:
    """One year of the calendar; None: the hall's current year."""
    return hall.read(q.holiday_year, year)


def holiday_impact(hall: Hall, *, add: Iterable[date] = (), remove: Iterable[date] = ()) -> q.HolidayImpact:
    """What the change would move, read before it is saved."""
    return hall.read(q.holiday_impact, add=tuple(add), remove=tuple(remove))


def federal_preview(hall: Hall, year: int) -> q.FederalPreview:
    """The federal holidays of `year` the calendar lacks, and what adding them would move."""
    return hall.read(q.federal_preview, year)


def save_holiday(hall: Hall, day: date, name: str, editing: q.HolidayRow | None) -> Done[q.HolidayRow]:
    from unioncore_desktop.domain.services import hall_setup as services

    return done(services.save_holiday(hall.uow(), day=day, name=name, editing=editing), HOLIDAYS)


def remove_holiday(hall: Hall, holiday: q.HolidayRow) -> Done[q.HolidayRow]:
    from unioncore_desktop.domain.services import hall_setup as services

    return done(services.remove_holiday(hall.uow(), holiday=holiday), HOLIDAYS)


def add_federal_holidays(hall: Hall, year: int) -> Done[list[q.HolidayRow]]:
    from unioncore_desktop.domain.services import hall_setup as services

    added = services.add_federal_holidays(hall.uow(), year=year)
    return done(added, HOLIDAYS) if added else done(added)


def contract_codes(hall: Hall) -> list[q.ContractCodeRow]:
    return hall.read(q.contract_codes)


def save_contract_code(hall: Hall, code: str, description: str, *, new: bool) -> Done[q.ContractCodeRow]:
    from unioncore_desktop.domain.services import hall_setup as services

    saved = services.save_contract_code(hall.uow(), code=code, description=description, new=new)
    return done(saved, Changed.of("contract_code"))
