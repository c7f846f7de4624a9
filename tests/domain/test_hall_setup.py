"""The hall's set-up: its validators, the federal holidays of a year, the services that write settings, offices,
holidays and contract codes (against PostgreSQL), the set-up checklist from an empty hall to a ready one, and
which referral dates a calendar change moves."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import uuid

import pytest
from sqlalchemy import text

from unioncore_desktop.domain.errors import StaleRecord, ValidationError
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.queries.hall_setup import (
    federal_preview,
    hall_settings,
    holiday_impact,
    holiday_year,
    setup_checklist,
)
from unioncore_desktop.domain.rules.calendar import BusinessCalendar, close_of_day
from unioncore_desktop.domain.rules.hall_setup import (
    contract_code_errors,
    hall_settings_errors,
    holiday_errors,
    office_errors,
    time_zone_error,
)
from unioncore_desktop.domain.rules.holidays import moved_business_day, observed_day, us_federal_holidays
from unioncore_desktop.domain.services import hall_setup as services
from unioncore_desktop.domain.services.hall_setup import OfficeInput
from unioncore_desktop.seed.referral_world import make_book, make_employer, make_member, make_request, register


@pytest.fixture
def session(session_factory):
    return session_factory()


def next_weekday(day: date, weekday: int) -> date:
    """The first `weekday` (Monday 0) strictly after `day`."""
    return day + timedelta(days=(weekday - day.weekday() - 1) % 7 + 1)


# --- rules ----------------------------------------------------------------------------------------------------

def test_federal_holidays_of_2026_with_observed_days() -> None:
    days = [(h.day, h.name) for h in us_federal_holidays(2026)]
    assert days == [
        (date(2026, 1, 1), "New Year's Day"),
        (date(2026, 1, 19), "Birthday of Martin Luther King, Jr."),
        (date(2026, 2, 16), "Washington's Birthday"),
        (date(2026, 5, 25), "Memorial Day"),
        (date(2026, 6, 19), "Juneteenth National Independence Day"),
        (date(2026, 7, 3), "Independence Day (observed)"),  # 4 July 2026 is a Saturday
        (date(2026, 9, 7), "Labor Day"),
        (date(2026, 10, 12), "Columbus Day"),
        (date(2026, 11, 11), "Veterans Day"),
        (date(2026, 11, 26), "Thanksgiving Day"),
        (date(2026, 12, 25), "Christmas Day"),
    ]


@pytest.mark.parametrize(("year", "expected"), [
    # 1 Jan 2022 is a Saturday: observed Friday 31 Dec 2021, so 2021 holds twelve days and 2022 ten
    (2021, {date(2021, 12, 31), date(2021, 12, 24), date(2021, 7, 5), date(2021, 6, 18)}),
    (2022, {date(2022, 6, 20), date(2022, 12, 26)}),
    (2023, {date(2023, 1, 2), date(2023, 11, 10)}),
])
def test_federal_holidays_observance(year: int, expected: set[date]) -> None:
    holidays = us_federal_holidays(year)
    days = {h.day for h in holidays}
    assert expected <= days
    assert all(h.day.weekday() < 5 and h.day.year == year for h in holidays)
    assert len(holidays) == {2021: 12, 2022: 10}.get(year, 11)
    assert date(2022, 1, 1) not in days


def test_juneteenth_only_from_2021() -> None:
    assert not any("Juneteenth" in h.name for h in us_federal_holidays(2020))
    assert len(us_federal_holidays(2020)) == 10


@pytest.mark.parametrize(("day", "expected"), [
    (date(2026, 7, 4), date(2026, 7, 3)), (date(2027, 7, 4), date(2027, 7, 5)), (date(2025, 7, 4), date(2025, 7, 4)),
])
def test_observed_day(day: date, expected: date) -> None:
    assert observed_day(day) == expected


def test_moved_business_day_counts_again_under_the_new_calendar() -> None:
    monday = date(2026, 12, 7)
    before = BusinessCalendar()
    after = BusinessCalendar.of([monday + timedelta(days=1)])
    assert moved_business_day(monday + timedelta(days=1), 1, before, after) == monday + timedelta(days=2)
    assert moved_business_day(monday + timedelta(days=2), 1, after, before) == monday + timedelta(days=1)
    assert moved_business_day(monday, 1, before, after) == monday  # counted before the new holiday


def test_hall_settings_errors() -> None:
    assert hall_settings_errors(name="IBEW 46", address="2700 S 4th Ave, Seattle", phone="(206) 555-0100",
                                time_zone="America/Los_Angeles") == {}
    errors = hall_settings_errors(name=" ", address="", phone="call us", time_zone="Mars/Olympus")
    assert set(errors) == {"hall_name", "hall_address", "hall_phone", "time_zone"}
    assert "not a known time zone" in errors["time_zone"]
    assert time_zone_error("EST") is not None and time_zone_error("UTC") is None
    assert time_zone_error("") == "Choose the hall's time zone."


def test_office_errors() -> None:
    good = {"code": "SEATTLE", "name": "Seattle hall", "region": "Seattle", "opens_at": time(8), "closes_at": time(16)}
    assert office_errors(**good) == {}
    assert office_errors(**{**good, "code": "se attle"})["code"].startswith("Office codes")
    assert office_errors(**{**good, "closes_at": time(8)}) == {
        "closes_at": "The office must close later than it opens."}
    assert set(office_errors(code="", name="", region="x" * 41, opens_at=None, closes_at=None)) == {
        "code", "name", "region", "opens_at", "closes_at"}


def test_holiday_and_contract_code_errors() -> None:
    assert holiday_errors(day=date(2026, 12, 25), name="Christmas Day") == {}
    assert "weekend" in holiday_errors(day=date(2026, 12, 26), name="Boxing Day")["day"]
    assert set(holiday_errors(day=None, name="")) == {"day", "name"}
    assert contract_code_errors(code="SOUND & COMM", description="Sound and communications") == {}
    assert set(contract_code_errors(code="lower", description=" ")) == {"code", "description"}


# --- services and queries -------------------------------------------------------------------------------------

def test_a_new_database_has_empty_address_and_phone(session) -> None:
    settings = hall_settings(session)
    assert (settings.hall_address, settings.hall_phone) == ("", "")
    assert set(settings.versions) == {"hall_name", "hall_address", "hall_phone", "time_zone"}


def test_save_hall_settings_validates_and_refuses_a_stale_form(uow, session) -> None:
    opened = hall_settings(session)
    with pytest.raises(ValidationError) as refused:
        services.save_hall_settings(uow, hall_name="IBEW 46", hall_address="", hall_phone="206 555 0100",
                                    time_zone="America/Chicago", versions=opened.versions)
    assert set(refused.value.errors) == {"hall_address"}
    saved = services.save_hall_settings(uow, hall_name=" IBEW 46 ", hall_address="2700 S 4th Ave\nSeattle WA",
                                        hall_phone="206 555 0100", time_zone="America/Chicago",
                                        versions=opened.versions)
    assert (saved.hall_name, saved.time_zone) == ("IBEW 46", "America/Chicago")
    assert hall_clock(session).zone.key == "America/Chicago"  # the hall's day follows the zone at once
    with pytest.raises(StaleRecord):
        services.save_hall_settings(uow, hall_name="Other", hall_address="x", hall_phone="206 555 0100",
                                    time_zone="America/Chicago", versions=opened.versions)


def test_offices_are_created_edited_and_refused_by_code(uow) -> None:
    data = OfficeInput("TACOMA", "Tacoma office", "Tacoma", time(7, 30), time(16))
    office = services.save_office(uow, data)
    assert (office.code, office.hours, office.version, office.registrations) == ("TACOMA", "07:30–16:00", 1, 0)
    edited = services.save_office(uow, OfficeInput("TACOMA", "Tacoma hall", None, time(7), time(15, 30)),
                                  office_id=office.id, expected_version=office.version)
    assert (edited.name, edited.region, edited.version) == ("Tacoma hall", None, 2)
    with pytest.raises(StaleRecord):
        services.save_office(uow, data, office_id=office.id, expected_version=office.version)
    with pytest.raises(ValidationError) as taken:
        services.save_office(uow, OfficeInput("TACOMA", "Again", None, time(8), time(9)))
    assert taken.value.errors == {"code": "That office code is already taken."}
    with pytest.raises(ValidationError) as hours:
        services.save_office(uow, OfficeInput("OLY", "Olympia", None, time(17), time(9)))
    assert set(hours.value.errors) == {"closes_at"}


def test_the_database_refuses_an_office_closing_before_it_opens(connection) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError, match="ck_offices_hours_order"), connection.begin_nested():
        connection.execute(text("INSERT INTO offices (code, name, opens_at, closes_at) "
                                "VALUES ('BAD', 'Bad', '17:00', '08:00')"))


def test_holidays_add_edit_remove_and_federal_year(uow, session) -> None:
    added = services.save_holiday(uow, day=date(2031, 3, 17), name="St Patrick's Day")
    moved = services.save_holiday(uow, day=date(2031, 3, 18), name="Hall picnic", editing=added)
    assert [(h.day, h.name) for h in holiday_year(session, 2031).holidays] == [(date(2031, 3, 18), "Hall picnic")]
    with pytest.raises(ValidationError) as twice:
        services.save_holiday(uow, day=date(2031, 3, 18), name="Again")
    assert twice.value.errors == {"day": "That day is already a holiday."}
    services.save_holiday(uow, day=date(2031, 12, 25), name="Christmas")  # kept under its own name
    preview = federal_preview(session, 2031)
    assert date(2031, 12, 25) not in [h.day for h in preview.missing] and len(preview.missing) == 10
    federal = services.add_federal_holidays(uow, year=2031)
    assert len(federal) == 10
    assert services.add_federal_holidays(uow, year=2031) == []  # nothing left to add
    year = holiday_year(session, 2031)
    assert len(year.holidays) == 12 and year.by_month()[12][0].name == "Christmas"
    services.remove_holiday(uow, holiday=moved)
    assert date(2031, 3, 18) not in [h.day for h in holiday_year(session, 2031).holidays]


def test_contract_codes_are_added_and_described_again(uow, session) -> None:
    row = services.save_contract_code(uow, code="LOW VOLTAGE", description="Low voltage", new=True)
    assert (row.code, row.books, row.employers) == ("LOW VOLTAGE", 0, 0)
    renamed = services.save_contract_code(uow, code="LOW VOLTAGE", description="Limited energy", new=False)
    assert renamed.description == "Limited energy"
    with pytest.raises(ValidationError):
        services.save_contract_code(uow, code="LOW VOLTAGE", description="Again", new=True)


def test_the_checklist_from_an_empty_hall_to_a_ready_one(uow, session, connection) -> None:
    connection.execute(text("DELETE FROM contract_codes WHERE code NOT IN (SELECT contract_code FROM books "
                            "WHERE contract_code IS NOT NULL UNION SELECT contract_code FROM employer_contracts)"))
    checklist = setup_checklist(session)
    assert not checklist.complete
    missing = {item.key for item in checklist.missing}
    assert {"hall", "offices", "books", "holidays"} <= missing
    assert checklist.item("staff").who == "admin" and checklist.item("hall").who == "manager"
    assert "address" in checklist.item("hall").detail

    services.save_hall_settings(uow, hall_name="IBEW 46", hall_address="2700 S 4th Ave", hall_phone="206 555 0100",
                                time_zone="America/Los_Angeles", versions={})
    services.save_office(uow, OfficeInput("SEATTLE", "Seattle hall", "Seattle", time(8), time(16, 30)))
    services.save_contract_code(uow, code="WIRE_T", description="Inside wire", new=True)
    today = hall_clock(session).today
    make_book(connection, "CHECK_T", effective_from=today + timedelta(days=3))
    assert "none with rules in force" in setup_checklist(session).item("books").detail  # only scheduled
    make_book(connection, "CHECK_T2", effective_from=today)
    services.add_federal_holidays(uow, year=today.year)
    for role in ("manager", "dispatcher"):  # in the test's transaction: the logins go with its rollback
        connection.execute(text("SELECT uc_create_staff(:l, :n, :r, NULL)"),
                           {"l": f"chk_{role}_{uuid.uuid4().hex[:8]}", "n": role.title(), "r": [role]})
    checklist = setup_checklist(session)
    assert [item.key for item in checklist.missing] == []
    assert checklist.complete and "Ready for the first morning referral." in checklist.as_text()


def test_a_new_holiday_moves_an_open_requests_referral_and_a_reregistration_deadline(session, connection) -> None:
    clock = hall_clock(session)
    monday = next_weekday(clock.today, 0)
    tuesday, wednesday = monday + timedelta(days=1), monday + timedelta(days=2)
    book_id = make_book(connection, "IMPACT_T")
    employer_id, _ = make_employer(connection)
    request_id = make_request(connection, book_id, employer_id, referral_date=tuesday)
    connection.execute(text("UPDATE labor_requests SET received_at = :at, version = version + 1 WHERE id = :id"),
                       {"at": datetime.combine(monday, time(10), clock.zone), "id": request_id})
    member_id = make_member(connection, "Waits", card_number="IMP0001")
    registration_id = register(connection, member_id, book_id, apn="1.00")
    connection.execute(text("UPDATE registrations SET status = 'awaiting_reregistration', reregister_by = :by, "
                            "resign_due_on = NULL, version = version + 1 WHERE id = :id"),
                       {"by": close_of_day(tuesday, clock.zone), "id": registration_id})

    impact = holiday_impact(session, add=[tuesday])
    assert (impact.referrals, impact.deadlines) == (1, 1)
    assert {(m.kind, m.before, m.after) for m in impact.examples} == {
        ("referral", tuesday, wednesday), ("reregister", tuesday, wednesday)}
    assert "1 open request would be worked on another morning" in impact.summary()
    assert not holiday_impact(session, add=[monday + timedelta(days=14)]).moves_anything
    assert not holiday_impact(session, add=[monday - timedelta(days=2)]).moves_anything  # a Saturday

    connection.execute(text("INSERT INTO holidays (day, name) VALUES (:d, 'Picnic')"), {"d": tuesday})
    back = holiday_impact(session, remove=[tuesday])
    assert back.referrals == 1  # stored Tuesday, computed Wednesday with the holiday: removing it moves it back
