"""Labor requests and bids: numbering, R3 referral dates from the hall's calendar, derived no-mark reasons,
validation that names the field, optimistic edits, and the R8 bid window."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from unioncore_desktop.domain.error_texts import START_BEFORE_TODAY
from unioncore_desktop.domain.errors import DomainError, StaleRecord, ValidationError
from unioncore_desktop.domain.queries.requests import open_requests, request_bids, request_detail
from unioncore_desktop.domain.rules.requests import start_date_errors
from unioncore_desktop.domain.services.requests import (
    RequestInput,
    cancel_request,
    create_request,
    edit_request,
    record_bid,
)
from unioncore_desktop.seed.referral_world import (
    make_book,
    make_employer,
    make_member,
    make_request,
    register,
)

LA = ZoneInfo("America/Los_Angeles")


def at(y, m, d, hh, mm):
    return datetime(y, m, d, hh, mm, tzinfo=LA)


@pytest.fixture
def world(connection):
    book = make_book(connection, "REQ_T")
    pla = make_book(connection, "REQ_PLA", agreement_type="pla")
    bidding = make_book(connection, "REQ_BID", bidding_enabled=True)
    employer, site = make_employer(connection, "Request Co")
    _, other_site = make_employer(connection, "Other Co")
    connection.execute(text("INSERT INTO holidays (day, name) VALUES ('2025-11-27', 'Thanksgiving') "
                            "ON CONFLICT DO NOTHING"))
    return {"book": book, "pla": pla, "bidding": bidding, "employer": employer, "site": site,
            "other_site": other_site}


def form(world, **kw) -> RequestInput:
    values = {"employer_id": world["employer"], "book_id": world["book"], "start_on": date(2025, 12, 1),
              "worksite_id": world["site"], "workers_requested": 2, "start_time": "07:00"}
    values.update(kw)
    return RequestInput(**values)


@pytest.mark.parametrize(("received", "expected"), [
    (at(2025, 8, 15, 14, 59), date(2025, 8, 18)),   # Fri before the cutoff -> Mon
    (at(2025, 8, 15, 15, 0), date(2025, 8, 19)),    # Fri at the cutoff -> Tue
    (at(2025, 11, 25, 14, 0), date(2025, 11, 26)),  # Tue -> Wed
    (at(2025, 11, 26, 14, 0), date(2025, 11, 28)),  # holiday eve: Thanksgiving is skipped -> Fri
    (at(2025, 11, 26, 15, 0), date(2025, 12, 1)),   # holiday eve after the cutoff -> Mon
    (at(2025, 8, 16, 10, 0), date(2025, 8, 19)),    # Saturday counts as Monday before the cutoff -> Tue
], ids=["fri-14:59", "fri-15:00", "tue", "holiday-eve", "holiday-eve-late", "saturday"])
def test_referral_date_follows_the_cutoff_and_the_hall_calendar(uow, world, received, expected):
    detail = create_request(uow, form(world), received_at=received)
    assert detail.referral_date == expected
    assert detail.received_at == received


def test_numbers_count_up_within_the_year(uow, world):
    first = create_request(uow, form(world), received_at=at(2025, 8, 15, 9, 0))
    second = create_request(uow, form(world), received_at=at(2025, 8, 15, 9, 5))
    assert first.number.startswith("R2025-") and len(first.number) == len("R2025-00001")
    assert int(second.number[-5:]) == int(first.number[-5:]) + 1


@pytest.mark.parametrize(("duration", "short"), [(3, True), (10, True), (11, False), (None, False)])
def test_short_call_comes_from_the_expected_duration(uow, world, duration, short):
    detail = create_request(uow, form(world, duration_days=duration), received_at=at(2025, 8, 15, 9, 0))
    assert detail.short_call is short
    assert ("short_call" in detail.no_mark_reasons) is short


def test_no_mark_reasons_are_explicit_plus_derived(uow, world):
    detail = create_request(uow, form(world, start_time="5:30", no_mark_reasons=("mou_jobsite", "short_call")),
                            received_at=at(2025, 8, 15, 9, 0))
    # short_call typed in is ignored (no duration given); the 05:30 start derives early_start
    assert detail.no_mark_reasons == ("mou_jobsite", "early_start")
    assert detail.start_time == "05:30"


def test_agreement_type_comes_from_the_book(uow, world):
    detail = create_request(uow, form(world, book_id=world["pla"]), received_at=at(2025, 8, 15, 9, 0))
    assert detail.agreement_type == "pla"


@pytest.mark.parametrize(("changes", "field"), [
    ({"worksite_id": "other_site"}, "worksite_id"),
    ({"workers_requested": 0}, "workers_requested"),
    ({"start_time": "7 am"}, "start_time"),
    ({"no_mark_reasons": ("rainy_day",)}, "no_mark_reasons"),
    ({"bidding": True}, "bidding"),
    ({"by_name_member_id": "member"}, "by_name_attested"),
    ({"start_on": None}, "start_on"),
    ({"employer_id": None}, "employer_id"),
])
def test_validation_names_the_field(uow, connection, world, changes, field):
    values = {}
    for key, value in changes.items():
        if value == "other_site":
            value = world["other_site"]
        elif value == "member":
            value = make_member(connection, "Foreperson")
        values[key] = value
    with pytest.raises(ValidationError) as error:
        create_request(uow, form(world, **values), received_at=at(2025, 8, 15, 9, 0))
    assert field in error.value.errors


def test_edit_is_refused_after_someone_else_saved(uow, world):
    detail = create_request(uow, form(world), received_at=at(2025, 8, 15, 9, 0))
    data = RequestInput.from_detail(detail)
    saved = edit_request(uow, request_id=detail.id, version=detail.version,
                         data=RequestInput(**{**_fields(data), "workers_requested": 4, "job_class": "JW"}))
    assert (saved.workers_requested, saved.job_class, saved.version) == (4, "JW", detail.version + 1)
    assert saved.received_at == detail.received_at and saved.number == detail.number
    with pytest.raises(StaleRecord):
        edit_request(uow, request_id=detail.id, version=detail.version, data=data)


def _fields(data: RequestInput) -> dict:
    return {name: getattr(data, name) for name in RequestInput.field_names()}


def test_cancel_needs_a_reason_and_leaves_the_open_list(uow, read_session, world):
    detail = create_request(uow, form(world), received_at=at(2025, 8, 15, 9, 0))
    with pytest.raises(ValidationError):
        cancel_request(uow, request_id=detail.id, reason=" ")
    cancelled = cancel_request(uow, request_id=detail.id, reason="job postponed")
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "job postponed")
    assert detail.id not in [r.id for r in open_requests(read_session(), book_id=world["book"])]
    with pytest.raises(DomainError, match="already cancelled"):
        cancel_request(uow, request_id=detail.id, reason="again")


@pytest.fixture
def read_session(session_factory):
    opened = []
    yield lambda: opened.append(session_factory()) or opened[-1]
    for session in reversed(opened):
        session.close()


# --- bids (R8) ---

@pytest.fixture
def bid_setup(connection, world):
    member = make_member(connection, "Bidder", books=["REQ_BID"])
    registration = register(connection, member, world["bidding"], apn="45000.01")
    request = make_request(connection, world["bidding"], world["employer"], referral_date=date(2025, 8, 12),
                           bidding=True)  # Tue referral: bids from Mon 17:30 to Tue 07:00
    return member, registration, request


@pytest.mark.parametrize(("when", "accepted"), [
    (at(2025, 8, 11, 17, 29), False),
    (at(2025, 8, 11, 17, 30), True),
    (at(2025, 8, 12, 6, 59), True),
    (at(2025, 8, 12, 7, 0), False),
], ids=["17:29", "17:30", "06:59", "07:00"])
def test_bids_are_taken_only_in_the_window(uow, connection, bid_setup, when, accepted):
    member, registration, request = bid_setup
    if accepted:
        result = record_bid(uow, request_id=request, member_id=member, source="phone", at=when)
        assert (result.registration_id, result.received_at) == (registration, when)
        assert connection.execute(text("SELECT action FROM registration_activity WHERE registration_id = :r"),
                                  {"r": registration}).scalars().all() == ["bid"]
    else:
        with pytest.raises(DomainError, match="Bids are taken from 17:30 to 07:00"):
            record_bid(uow, request_id=request, member_id=member, source="phone", at=when)


def test_a_bid_needs_a_registered_place_and_comes_once(uow, connection, bid_setup):
    member, _, request = bid_setup
    record_bid(uow, request_id=request, member_id=member, source="email", at=at(2025, 8, 11, 18, 0))
    with pytest.raises(ValidationError, match="already bid"):
        record_bid(uow, request_id=request, member_id=member, source="web", at=at(2025, 8, 11, 19, 0))
    stranger = make_member(connection, "Stranger")
    with pytest.raises(ValidationError, match="no registered place"):
        record_bid(uow, request_id=request, member_id=stranger, source="phone", at=at(2025, 8, 11, 18, 0))


def test_bids_for_a_later_referral_are_refused(uow, bid_setup):
    member, _, request = bid_setup
    with pytest.raises(DomainError, match="bids taken now are for the referral of"):
        record_bid(uow, request_id=request, member_id=member, source="phone", at=at(2025, 8, 12, 18, 0))


def test_two_refused_bid_wins_within_a_year_revoke_bidding(uow, connection, world, bid_setup, read_session):
    member, registration, request = bid_setup
    for day in (date(2025, 1, 10), date(2025, 6, 10)):  # two earlier wins refused
        old = make_request(connection, world["bidding"], world["employer"], referral_date=day, bidding=True)
        connection.execute(text("INSERT INTO bids (request_id, member_id, registration_id, source) "
                                "VALUES (:q, :m, :g, 'phone')"), {"q": old, "m": member, "g": registration})
        connection.execute(text("""
            INSERT INTO offer_lines (run_id, request_id, book_id, registration_id, member_id, rank, tier, apn,
                                     outcome, at)
            VALUES (:run, :q, :b, :g, :m, 1, 1, 45000.01, 'declined', :at)
        """), {"run": uuid.uuid4(), "q": old, "b": world["bidding"], "g": registration, "m": member,
               "at": datetime.combine(day, datetime.min.time(), LA) + timedelta(hours=9)})
    with pytest.raises(DomainError, match="bidding is revoked through 09 Jun 2026"):
        record_bid(uow, request_id=request, member_id=member, source="phone", at=at(2025, 8, 11, 18, 0))
    assert request_bids(read_session(), request) == []


def test_request_detail_round_trips_the_form(uow, connection, world, read_session):
    foreperson = make_member(connection, "Lead")
    detail = create_request(uow, form(world, by_name_member_id=foreperson, by_name_attested=True,
                                      requirements=("OSHA 30", " osha 30 ", "Drug test"), wage=Decimal("52.10"),
                                      duration_days=20), received_at=at(2025, 8, 15, 9, 0))
    assert detail.requirements == ("OSHA 30", "Drug test")
    assert detail.by_name_member.startswith("Lead, Pat") and detail.by_name_attested
    assert detail.report_to == "Gate 2"  # from the worksite
    assert RequestInput.from_detail(detail).duration_days == 20
    assert request_detail(read_session(), detail.id) == detail


def test_a_start_date_before_the_halls_today_is_refused_but_a_started_request_stays_editable(uow, connection, world):
    today = connection.execute(text("SELECT uc_hall_today()")).scalar_one()
    with pytest.raises(ValidationError) as error:
        create_request(uow, form(world, start_on=date(2020, 1, 1)))
    assert error.value.errors["start_on"] == START_BEFORE_TODAY
    detail = create_request(uow, form(world, start_on=today))
    assert detail.start_on == today
    # taken last month, started already: its other fields may change, its date may not move into the past
    started = create_request(uow, form(world, start_on=today - timedelta(days=3)),
                             received_at=datetime.combine(today - timedelta(days=30), datetime.min.time(), LA))
    data = _fields(RequestInput.from_detail(started))
    saved = edit_request(uow, request_id=started.id, version=started.version,
                         data=RequestInput(**{**data, "workers_requested": 3}))
    assert saved.workers_requested == 3 and saved.start_on == today - timedelta(days=3)
    with pytest.raises(ValidationError) as error:
        edit_request(uow, request_id=started.id, version=saved.version,
                     data=RequestInput(**{**data, "start_on": today - timedelta(days=1)}))
    assert set(error.value.errors) == {"start_on"}


@pytest.mark.parametrize(("start", "saved", "refused"), [
    (date(2026, 3, 9), None, False), (date(2026, 3, 8), None, True), (date(2026, 3, 1), date(2026, 3, 1), False),
    (date(2026, 3, 2), date(2026, 3, 1), True), (None, None, False)])
def test_start_date_rule(start, saved, refused):
    assert bool(start_date_errors(start, date(2026, 3, 9), saved)) is refused
