"""After the dispatch: short-call restorations (R9), re-registration (R6), quits and by-name bans (R12/R13),
bid check-in (R8), employer rejection."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from unioncore_desktop.domain.errors import DomainError, ValidationError
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.services.dispatch import (
    by_name_dispatch,
    check_in,
    dispatch_next_accepting,
    record_no_show,
    reject_dispatch,
)
from unioncore_desktop.domain.services.terminations import end_facts, terminate
from unioncore_desktop.seed.referral_world import (
    make_book,
    make_employer,
    make_member,
    make_request,
    register,
)

pytestmark = pytest.mark.commits  # the services' own COMMIT runs, as at the hall

LA = ZoneInfo("America/Los_Angeles")
MONDAY = date(2025, 3, 3)  # no holidays that fortnight


@pytest.fixture
def today(session_factory) -> date:
    with session_factory() as s:
        return hall_clock(s).today


@pytest.fixture
def hall(connection, today):
    book = make_book(connection, "TERM_T")
    other = make_book(connection, "TERM_O")
    employer, site = make_employer(connection, "Term Co")
    member = make_member(connection, "Worker", books=["TERM_T", "TERM_O"])
    reg = register(connection, member, book, apn="45000.01")
    other_reg = register(connection, member, other, apn="45000.01")
    return {"book": book, "employer": employer, "site": site, "member": member, "reg": reg, "other_reg": other_reg}


def dispatch_and_backdate(uow, connection, hall, today, started: date) -> int:
    """Dispatch the member to a fresh request, then move the job's start into the past (as if sent then)."""
    request = make_request(connection, hall["book"], hall["employer"], worksite_id=hall["site"], referral_date=today)
    dispatch_id = dispatch_next_accepting(uow, request_id=request, idempotency_key=uuid.uuid4()).dispatch_id
    connection.execute(text("UPDATE dispatches SET dispatch_date = :d, version = version + 1 WHERE id = :id"),
                       {"d": started, "id": dispatch_id})
    connection.execute(text("UPDATE employment_history SET started_on = :d, version = version + 1 "
                            "WHERE id = (SELECT employment_id FROM dispatches WHERE id = :id)"),
                       {"d": started, "id": dispatch_id})
    return dispatch_id


def registration(connection, reg_id):
    return connection.execute(text("SELECT status, apn, tier, restorations_used, reregister_by, roll_off_reason "
                                   "FROM registrations WHERE id = :r"), {"r": reg_id}).one()


@pytest.mark.parametrize(("ended", "outcome", "used"), [
    (MONDAY + timedelta(days=2), "restore_old_place", 0),    # 3 business days: free
    (MONDAY + timedelta(days=3), "restore_old_place", 1),    # 4: uses a restoration
    (MONDAY + timedelta(days=11), "restore_old_place", 1),   # 10 (Mon..Fri next week): still a short call
    (MONDAY + timedelta(days=14), "sign_on_again", 0),       # 11: a long call; the place is gone
], ids=["3 days", "4 days", "10 days", "11 days"])
def test_short_calls_restore_the_old_place(uow, connection, hall, today, ended, outcome, used):
    before = registration(connection, hall["reg"])
    dispatch_id = dispatch_and_backdate(uow, connection, hall, today, MONDAY)
    result = terminate(uow, dispatch_id=dispatch_id, reason="short_call_end", ended_on=ended)
    assert result.outcome == outcome
    after = registration(connection, hall["reg"])
    if outcome == "restore_old_place":
        assert after[:4] == ("registered", before.apn, before.tier, used)
        assert connection.execute(text("SELECT restored FROM dispatches WHERE id = :d"), {"d": dispatch_id}).scalar()
    else:
        assert (after.status, after.roll_off_reason) == ("rolled_off", "dispatched_long_call")
    employment = connection.execute(text(
        "SELECT e.ended_on, e.days_worked, e.termination_reason FROM employment_history e JOIN dispatches d "
        "ON d.employment_id = e.id WHERE d.id = :d"), {"d": dispatch_id}).one()
    assert employment == (ended, result.business_days, "short_call_end")


@pytest.mark.parametrize("reason", ["short_call_end", "under_scale", "quit", "laid_off"])
def test_the_end_of_job_preview_decides_as_terminate_does(uow, connection, hall, today, reason):
    dispatch_id = dispatch_and_backdate(uow, connection, hall, today, MONDAY)
    ended = MONDAY + timedelta(days=3)
    with uow:
        preview = end_facts(uow.session, dispatch_id).decide(reason, ended)
    result = terminate(uow, dispatch_id=dispatch_id, reason=reason, ended_on=ended)
    assert (preview.outcome.value, preview.business_days, preview.ban_ends_on) == (
        result.outcome, result.business_days, result.ban_ends_on)


def test_restored_twice_then_the_third_counting_call_must_re_register(uow, connection, hall, today):
    for expected_used in (1, 2):
        dispatch_id = dispatch_and_backdate(uow, connection, hall, today, MONDAY)
        result = terminate(uow, dispatch_id=dispatch_id, reason="short_call_end", ended_on=MONDAY + timedelta(days=4))
        assert (result.outcome, result.restorations_used) == ("restore_old_place", expected_used)
    free = dispatch_and_backdate(uow, connection, hall, today, MONDAY)  # a 2-day call never counts
    assert terminate(uow, dispatch_id=free, reason="short_call_end",
                     ended_on=MONDAY + timedelta(days=1)).outcome == "restore_old_place"
    third = dispatch_and_backdate(uow, connection, hall, today, MONDAY)
    result = terminate(uow, dispatch_id=third, reason="short_call_end", ended_on=MONDAY + timedelta(days=4))
    assert result.outcome == "must_reregister"
    after = registration(connection, hall["reg"])
    assert after.status == "awaiting_reregistration"
    assert after.reregister_by == datetime(2025, 3, 11, 0, 0, tzinfo=LA)  # Fri end -> close of Mon
    assert connection.execute(text("SELECT action FROM registration_activity WHERE registration_id = :r "
                                   "ORDER BY id DESC LIMIT 1"), {"r": hall["reg"]}).scalar() == "job_ended"


def test_under_scale_must_re_register_whatever_the_length(uow, connection, hall, today):
    dispatch_id = dispatch_and_backdate(uow, connection, hall, today, MONDAY)
    assert terminate(uow, dispatch_id=dispatch_id, reason="under_scale",
                     ended_on=MONDAY).outcome == "must_reregister"


def test_a_quit_rolls_off_every_book_and_bans_by_name_for_that_employer(uow, connection, hall, today):
    dispatch_id = dispatch_and_backdate(uow, connection, hall, today, MONDAY)
    result = terminate(uow, dispatch_id=dispatch_id, reason="quit", ended_on=MONDAY + timedelta(days=1))
    assert result.outcome == "roll_off_all_books" and set(result.rolled_off_registrations) == {
        hall["reg"], hall["other_reg"]}
    assert registration(connection, hall["other_reg"]).roll_off_reason == "quit"
    ban = connection.execute(text("SELECT employer_id, starts_on, ends_on FROM referral_bans")).one()
    assert ban == (hall["employer"], MONDAY + timedelta(days=1), MONDAY + timedelta(days=15))


def test_a_layoff_carries_no_penalty(uow, connection, hall, today):
    dispatch_id = dispatch_and_backdate(uow, connection, hall, today, MONDAY)
    assert terminate(uow, dispatch_id=dispatch_id, reason="laid_off",
                     ended_on=MONDAY + timedelta(days=1)).outcome == "restore_old_place"
    assert registration(connection, hall["other_reg"]).status == "registered"
    assert connection.execute(text("SELECT count(*) FROM referral_bans")).scalar() == 0


def test_termination_dates_are_checked(uow, connection, hall, today):
    dispatch_id = dispatch_and_backdate(uow, connection, hall, today, MONDAY)
    with pytest.raises(ValidationError) as error:
        terminate(uow, dispatch_id=dispatch_id, reason="rif", ended_on=MONDAY - timedelta(days=1))
    assert error.value.field == "ended_on"
    with pytest.raises(ValidationError):
        terminate(uow, dispatch_id=dispatch_id, reason="fired", ended_on=MONDAY)
    terminate(uow, dispatch_id=dispatch_id, reason="rif", ended_on=MONDAY)
    with pytest.raises(DomainError, match="already terminated"):
        terminate(uow, dispatch_id=dispatch_id, reason="rif", ended_on=MONDAY)


@pytest.mark.parametrize(("days_since_quit", "allowed"), [(13, False), (14, False), (15, True)])
def test_by_name_after_a_quit(uow, connection, hall, today, days_since_quit, allowed):
    quit_on = today - timedelta(days=days_since_quit)
    dispatch_id = dispatch_and_backdate(uow, connection, hall, today, quit_on - timedelta(days=5))
    terminate(uow, dispatch_id=dispatch_id, reason="quit", ended_on=quit_on)
    register(connection, hall["member"], hall["book"], apn="46000.01")  # signed on again since
    request = make_request(connection, hall["book"], hall["employer"], referral_date=today,
                           by_name_member_id=hall["member"])
    if allowed:
        row = by_name_dispatch(uow, request_id=request, idempotency_key=uuid.uuid4())
        assert row.by_name and row.member_id == hall["member"] and row.status == "dispatched"
        assert connection.execute(text("SELECT count(*) FROM offer_lines WHERE request_id = :r"),
                                  {"r": request}).scalar() == 0  # the queue was skipped
    else:
        with pytest.raises(ValidationError, match="quit or was discharged by this employer too recently"):
            by_name_dispatch(uow, request_id=request, idempotency_key=uuid.uuid4())


def test_by_name_needs_a_live_registration_on_the_book(uow, connection, hall, today):
    stranger = make_member(connection, "Stranger")
    request = make_request(connection, hall["book"], hall["employer"], referral_date=today,
                           by_name_member_id=stranger)
    with pytest.raises(ValidationError, match="no live registration"):
        by_name_dispatch(uow, request_id=request, idempotency_key=uuid.uuid4())


def test_by_name_key_posted_twice_returns_one_dispatch(uow, connection, hall, today):
    request = make_request(connection, hall["book"], hall["employer"], referral_date=today, workers=2,
                           by_name_member_id=hall["member"])
    key = uuid.uuid4()
    first = by_name_dispatch(uow, request_id=request, idempotency_key=key)
    assert by_name_dispatch(uow, request_id=request, idempotency_key=key).id == first.id


@pytest.fixture
def bid_dispatch(uow, connection, today):
    book = make_book(connection, "BIDCHK", bidding_enabled=True)
    employer, _ = make_employer(connection)
    member = make_member(connection, "Bidder", books=["BIDCHK"])
    reg = register(connection, member, book, apn="45000.01")
    request = make_request(connection, book, employer, referral_date=today, bidding=True)
    connection.execute(text("INSERT INTO bids (request_id, member_id, registration_id, source) "
                            "VALUES (:q, :m, :g, 'web')"), {"q": request, "m": member, "g": reg})
    return dispatch_next_accepting(uow, request_id=request, idempotency_key=uuid.uuid4()).dispatch_id


@pytest.mark.parametrize(("hh", "mm", "allowed"), [(14, 59, True), (15, 0, False)])
def test_a_bid_dispatch_checks_in_by_three(uow, today, bid_dispatch, hh, mm, allowed):
    when = datetime.combine(today, datetime.min.time(), LA).replace(hour=hh, minute=mm)
    if allowed:
        row = check_in(uow, dispatch_id=bid_dispatch, at=when)
        assert row.status == "checked_in" and row.via_bid and row.checked_in_at == when
    else:
        with pytest.raises(DomainError, match="before 15:00"):
            check_in(uow, dispatch_id=bid_dispatch, at=when)


def test_employer_rejection_gives_both_places_back(uow, connection, hall, today):
    request = make_request(connection, hall["book"], hall["employer"], referral_date=today)
    dispatch_id = dispatch_next_accepting(uow, request_id=request, idempotency_key=uuid.uuid4()).dispatch_id
    row = reject_dispatch(uow, dispatch_id=dispatch_id, note="no badge")
    assert row.status == "rejected" and row.restored
    assert connection.execute(text("SELECT status, workers_dispatched FROM labor_requests WHERE id = :r"),
                              {"r": request}).one() == ("open", 0)
    assert registration(connection, hall["reg"]).status == "registered"


@pytest.mark.parametrize("service", [reject_dispatch, record_no_show], ids=["rejected", "no-show"])
def test_rejection_and_no_show_need_a_reason_and_keep_it(uow, connection, hall, today, service):
    request = make_request(connection, hall["book"], hall["employer"], referral_date=today)
    dispatch_id = dispatch_next_accepting(uow, request_id=request, idempotency_key=uuid.uuid4()).dispatch_id
    with pytest.raises(ValidationError) as refused:
        service(uow, dispatch_id=dispatch_id, note="  ")
    assert set(refused.value.errors) == {"reason"}
    row = service(uow, dispatch_id=dispatch_id, note="badge expired")
    assert row.restored and row.note == "badge expired"
    assert registration(connection, hall["reg"]).status == "registered"
    assert connection.execute(text("SELECT count(*) FROM check_marks WHERE registration_id = :g"),
                              {"g": hall["reg"]}).scalar_one() == 0
    assert connection.execute(text(
        "SELECT note FROM registration_activity WHERE registration_id = :g AND action = 'restored' "
        "ORDER BY id DESC LIMIT 1"), {"g": hall["reg"]}).scalar_one().endswith(": badge expired")


def test_the_slip_names_the_requests_foreperson_to_the_crew_and_the_site_foreman_to_the_foreperson(
        uow, connection, hall, today, session_factory):
    from unioncore_desktop.domain.queries.dispatch import dispatch_slip

    crew = make_member(connection, "Crew", books=["TERM_T"])
    register(connection, crew, hall["book"], apn="45000.02")
    connection.execute(text("INSERT INTO employer_contacts (employer_id, name, title) "
                            "VALUES (:e, 'Sam Site', 'General foreman')"), {"e": hall["employer"]})
    request = make_request(connection, hall["book"], hall["employer"], referral_date=today, workers=2,
                           by_name_member_id=hall["member"])
    foreperson = by_name_dispatch(uow, request_id=request, idempotency_key=uuid.uuid4())
    crew_dispatch = dispatch_next_accepting(uow, request_id=request, idempotency_key=uuid.uuid4())
    with session_factory() as s:
        assert dispatch_slip(s, crew_dispatch.dispatch_id).foreperson.startswith("Pat Worker (card W")
        assert dispatch_slip(s, foreperson.id).foreperson == "Sam Site"
