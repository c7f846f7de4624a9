"""The dispatch walk against PostgreSQL: skip lines, offers, marks (R10/R11), queue order, idempotency, and the
list changing under the dispatcher's feet."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text

from unioncore_desktop.domain.errors import DomainError, ValidationError
from unioncore_desktop.domain.queries.dispatch import (
    check_marks,
    day_book,
    dispatch_log,
    member_current_dispatch,
    offer_history,
)
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.queries.requests import morning_referral, open_requests
from unioncore_desktop.domain.services.dispatch import (
    ListChanged,
    dispatch_next_accepting,
    offer_next,
)
from unioncore_desktop.domain.services.marks import remove_mark
from unioncore_desktop.domain.services.walk import preview_walk
from unioncore_desktop.seed.referral_world import (
    make_book,
    make_employer,
    make_member,
    make_request,
    register,
)

pytestmark = pytest.mark.commits  # the services' own COMMIT runs, as at the hall


@pytest.fixture
def today(session_factory) -> date:
    with session_factory() as s:
        return hall_clock(s).today


@pytest.fixture
def read(session_factory):
    """A fresh session per read, so no identity map hides what a service just wrote."""
    opened = []

    def open_session():
        opened.append(session_factory())
        return opened[-1]

    yield open_session
    for session in reversed(opened):  # each holds a savepoint on the test's connection: innermost first
        session.close()


@pytest.fixture
def hall(connection, today):
    """WIRE_T with five registrants in order a..e, an employer, and helpers to add requests."""
    book = make_book(connection, "WIRE_T")
    employer, site = make_employer(connection, "Sound Electric")
    members, regs = {}, {}
    for i, name in enumerate("abcde"):
        members[name] = make_member(connection, f"Member-{name}", books=["WIRE_T"])
        regs[name] = register(connection, members[name], book, apn=f"45000.{i + 1:02d}")

    class Hall:
        book_id, employer_id, worksite_id = book, employer, site
        member, reg = members, regs

        @staticmethod
        def request(**kw) -> int:
            kw.setdefault("referral_date", today)
            return make_request(connection, book, employer, worksite_id=site, **kw)

    return Hall


def answer(uow, request_id, registration_id, outcome, run=None, key=None):
    return offer_next(uow, request_id=request_id, registration_id=registration_id, outcome=outcome,
                      run_id=run or uuid.uuid4(), idempotency_key=key or uuid.uuid4())


def lines(connection, request_id):
    return connection.execute(text(
        "SELECT registration_id, rank, skip_reason, outcome, mark_issued FROM offer_lines "
        "WHERE request_id = :r ORDER BY id"), {"r": request_id}).all()


def status_of(connection, registration_id):
    return connection.execute(text("SELECT status, roll_off_reason FROM registrations WHERE id = :r"),
                              {"r": registration_id}).one()


def test_accepting_writes_skip_lines_above_and_the_dispatch(uow, read, connection, hall, today):
    # a exempt, b excluded from this employer, c lacks the required skill, d holds it: d is next
    connection.execute(text("UPDATE registrations SET exemption_reason = 'medical', exemption_start = :d, "
                            "version = version + 1 WHERE id = :r"), {"d": today, "r": hall.reg["a"]})
    connection.execute(text("INSERT INTO member_exclusions (member_id, employer_id, reason) VALUES (:m, :e, 'x')"),
                       {"m": hall.member["b"], "e": hall.employer_id})
    connection.execute(text("INSERT INTO member_skills (member_id, name, expires_on) VALUES "
                            "(:c, 'OSHA 30', :past), (:d, 'osha 30', NULL)"),
                       {"c": hall.member["c"], "d": hall.member["d"], "past": today - timedelta(days=1)})
    request = hall.request(requirements=["OSHA 30"])

    preview = preview_walk(read(), request)
    assert [(e.registration_id, e.skip_reason) for e in preview.skipped] == [
        (hall.reg["a"], "exempt"), (hall.reg["b"], "excluded_employer"), (hall.reg["c"], "missing_skill")]
    assert preview.next.registration_id == hall.reg["d"] and preview.next.rank == 4

    result = answer(uow, request, hall.reg["d"], "accepted")
    assert result.dispatch_id is not None and result.request_status == "filled" and result.open_places == 0
    assert [s.skip_reason for s in result.skipped] == ["exempt", "excluded_employer", "missing_skill"]
    assert lines(connection, request) == [
        (hall.reg["a"], 1, "exempt", None, False), (hall.reg["b"], 2, "excluded_employer", None, False),
        (hall.reg["c"], 3, "missing_skill", None, False), (hall.reg["d"], 4, None, "accepted", False)]
    assert status_of(connection, hall.reg["d"]) == ("dispatched", None)
    employment = connection.execute(text(
        "SELECT e.source, e.started_on, e.employer_id FROM dispatches d "
        "JOIN employment_history e ON e.id = d.employment_id WHERE d.id = :d"), {"d": result.dispatch_id}).one()
    assert employment == ("dispatch", today, hall.employer_id)
    assert connection.execute(text("SELECT action FROM registration_activity WHERE dispatch_id = :d"),
                              {"d": result.dispatch_id}).scalars().all() == ["dispatched"]
    assert connection.execute(text("SELECT count(*) FROM check_marks")).scalar() == 0  # exempt: never marked


def test_a_renewed_certification_counts_however_its_lapsed_card_is_kept(read, connection, hall, today):
    """A member keeps the lapsed card beside its renewal: the walk counts the later expiry, whichever row comes
    first; an expired card alone is missing, valid through its expiry day."""
    connection.execute(text("UPDATE registrations SET exemption_reason = 'medical', exemption_start = :d, "
                            "version = version + 1 WHERE id = :r"), {"d": today, "r": hall.reg["a"]})
    connection.execute(text("INSERT INTO member_skills (member_id, name, expires_on) VALUES "
                            "(:b, 'OSHA 30', :future), (:b, 'osha 30', :past), (:c, 'OSHA 30', :today)"),
                       {"b": hall.member["b"], "c": hall.member["c"], "future": today + timedelta(days=90),
                        "past": today - timedelta(days=400), "today": today})
    request = hall.request(requirements=["OSHA 30"])
    preview = preview_walk(read(), request)
    assert [(e.registration_id, e.skip_reason) for e in preview.skipped] == [(hall.reg["a"], "exempt")]
    assert preview.next.registration_id == hall.reg["b"]


def test_offering_someone_who_is_not_next_is_refused_and_writes_nothing(uow, connection, hall):
    request = hall.request()
    with pytest.raises(ListChanged, match="Member-c is not next; Member-a, Pat is"):
        answer(uow, request, hall.reg["c"], "accepted")
    assert lines(connection, request) == []


def test_the_loser_of_a_race_is_told_who_dispatched_the_member(uow, connection, hall, databases):
    first, second = hall.request(), hall.request()
    answer(uow, first, hall.reg["a"], "accepted")
    with pytest.raises(ListChanged, match=r"Pat Member-a was dispatched by .* to request T\d+. "
                                          r"The list has been refreshed"):
        answer(uow, second, hall.reg["a"], "accepted")


def test_the_same_dispatch_key_posted_twice_returns_the_first_dispatch(uow, connection, hall):
    request = hall.request(workers=2)
    run, key = uuid.uuid4(), uuid.uuid4()
    first = answer(uow, request, hall.reg["a"], "accepted", run, key)
    again = answer(uow, request, hall.reg["a"], "accepted", run, key)
    assert again.replayed and again.dispatch_id == first.dispatch_id and again.line_id == first.line_id
    assert connection.execute(text("SELECT count(*) FROM dispatches WHERE request_id = :r"),
                              {"r": request}).scalar() == 1
    assert again.workers_dispatched == 1


def test_a_walk_continues_in_its_run_and_decline_marks_once_per_day(uow, read, connection, hall, today):
    first, second = hall.request(), hall.request()
    run = uuid.uuid4()
    declined = answer(uow, first, hall.reg["a"], "declined", run)
    assert declined.mark_issued and declined.live_marks == 1
    accepted = answer(uow, first, hall.reg["b"], "accepted", run)
    assert accepted.skipped == () and accepted.rank == 2
    # the same day, a second pass on the same book: the line is written but the mark is not
    again = answer(uow, second, hall.reg["a"], "no_answer")
    assert not again.mark_issued
    assert lines(connection, second) == [(hall.reg["a"], 1, None, "no_answer", False)]
    marks = check_marks(read(), member_id=hall.member["a"])
    assert [(m.marked_on, m.request_id) for m in marks] == [(today, first)]


def test_the_third_mark_rolls_off_that_regional_book_only(uow, connection, hall, today):
    other = make_book(connection, "WIRE_B", region="Bremerton")
    other_reg = register(connection, hall.member["a"], other, apn="45000.01")
    for days in (3, 2):
        connection.execute(text("INSERT INTO check_marks (registration_id, member_id, book_id, marked_on) "
                                "VALUES (:r, :m, :b, :d)"), {"r": hall.reg["a"], "m": hall.member["a"],
                                                             "b": hall.book_id, "d": today - timedelta(days=days)})
    result = answer(uow, hall.request(), hall.reg["a"], "declined")
    assert result.live_marks == 3 and result.rolled_off == "check_marks"
    assert status_of(connection, hall.reg["a"]) == ("rolled_off", "check_marks")
    assert status_of(connection, other_reg) == ("registered", None)
    actions = connection.execute(text("SELECT action FROM registration_activity WHERE registration_id = :r "
                                      "ORDER BY id"), {"r": hall.reg["a"]}).scalars().all()
    assert actions == ["mark_added", "roll_off"]


@pytest.mark.parametrize("request_kw", [
    {"agreement_type": "pla"}, {"agreement_type": "tero"}, {"short_call": True}, {"start_time": "05:30"},
    {"no_mark_reasons": ["various_locations"]},
], ids=["PLA", "TERO", "short call", "early start", "various locations"])
def test_no_mark_requests_issue_no_marks(uow, connection, hall, request_kw):
    result = answer(uow, hall.request(**request_kw), hall.reg["a"], "declined")
    assert not result.mark_issued
    assert connection.execute(text("SELECT count(*) FROM check_marks")).scalar() == 0


def test_a_standard_request_starting_at_six_marks(uow, hall):
    assert answer(uow, hall.request(start_time="06:00"), hall.reg["a"], "no_answer").mark_issued


def test_queue_order_tier_before_apn_and_registered_at_breaks_apn_ties(uow, read, connection, today):
    book = make_book(connection, "ORDER_T")
    employer, _ = make_employer(connection)
    t0 = datetime(2025, 1, 6, 9, 0).astimezone()
    old_tier3 = register(connection, make_member(connection, "Old", books=["ORDER_T"]), book, tier=3,
                         apn="40000.01", registered_at=t0)
    later = register(connection, make_member(connection, "Later", books=["ORDER_T"]), book, apn="45000.05",
                     registered_at=t0 + timedelta(minutes=5))
    earlier = register(connection, make_member(connection, "Earlier", books=["ORDER_T"]), book, apn="45000.05",
                       registered_at=t0)
    request = make_request(connection, book, employer, referral_date=today, workers=3)
    preview = preview_walk(read(), request, lookahead=5)
    order = [preview.next, *preview.upcoming]
    assert [e.registration_id for e in order] == [earlier, later, old_tier3]
    assert [(e.rank, e.tier, e.apn) for e in order] == [
        (1, 1, Decimal("45000.05")), (2, 1, Decimal("45000.05")), (3, 3, Decimal("40000.01"))]


def test_a_member_out_on_another_book_is_skipped_as_already_dispatched(uow, connection, hall, today):
    other = make_book(connection, "WIRE_B2")
    connection.execute(text("INSERT INTO member_qualified_books (member_id, book_code, tier) "
                            "VALUES (:m, 'WIRE_B2', 1)"), {"m": hall.member["a"]})
    register(connection, hall.member["a"], other, apn="45000.01")
    employer, _ = make_employer(connection)
    elsewhere = make_request(connection, other, employer, referral_date=today)
    answer(uow, elsewhere, connection.execute(text(
        "SELECT id FROM registrations WHERE member_id = :m AND book_id = :b"),
        {"m": hall.member["a"], "b": other}).scalar(), "accepted")
    result = answer(uow, hall.request(), hall.reg["b"], "accepted")
    assert [(s.registration_id, s.skip_reason) for s in result.skipped] == [
        (hall.reg["a"], "already_dispatched_today")]


def test_a_request_is_not_worked_before_its_referral_date(uow, hall, today):
    request = hall.request(referral_date=today + timedelta(days=3))
    with pytest.raises(DomainError, match="not before"):
        answer(uow, request, hall.reg["a"], "accepted")


def test_a_filled_request_takes_no_more_offers(uow, hall):
    request = hall.request()
    answer(uow, request, hall.reg["a"], "accepted")
    with pytest.raises(DomainError, match="is filled"):
        dispatch_next_accepting(uow, request_id=request, idempotency_key=uuid.uuid4())


def test_preview_shows_the_run_so_far_and_offer_history_freezes_it(uow, read, connection, hall):
    request = hall.request()
    run = uuid.uuid4()
    answer(uow, request, hall.reg["a"], "no_answer", run)
    preview = preview_walk(read(), request, run)
    assert [(a.registration_id, a.outcome) for a in preview.answered] == [(hall.reg["a"], "no_answer")]
    assert preview.next.registration_id == hall.reg["b"] and preview.next.rank == 2
    accepted = answer(uow, request, hall.reg["b"], "accepted", run)
    history = offer_history(read(), dispatch_id=accepted.dispatch_id)
    assert [(h.member_name, h.outcome, h.mark_issued) for h in history] == [
        ("Member-a, Pat", "no_answer", True), ("Member-b, Pat", "accepted", False)]
    assert all(h.recorded_by for h in history)
    assert offer_history(read(), request_id=request) == history


def test_answering_the_same_registrant_twice_in_a_run_differently_is_refused(uow, hall):
    request = hall.request(workers=2)
    run = uuid.uuid4()
    answer(uow, request, hall.reg["a"], "declined", run)
    with pytest.raises(DomainError, match="already recorded as declined"):
        answer(uow, request, hall.reg["a"], "accepted", run)


def test_remove_mark_needs_a_reason_and_is_kept(uow, connection, hall):
    answer(uow, hall.request(), hall.reg["a"], "declined")
    mark_id = connection.execute(text("SELECT id FROM check_marks")).scalar()
    with pytest.raises(ValidationError) as error:
        remove_mark(uow, mark_id=mark_id, reason="  ")
    assert error.value.field == "removal_reason"
    assert remove_mark(uow, mark_id=mark_id, reason="phone line down at the hall") == 0
    row = connection.execute(text("SELECT removed_at IS NOT NULL, removal_reason FROM check_marks")).one()
    assert row == (True, "phone line down at the hall")
    assert connection.execute(text("SELECT action FROM registration_activity WHERE registration_id = :r "
                                   "ORDER BY id DESC LIMIT 1"), {"r": hall.reg["a"]}).scalar() == "mark_removed"


def test_day_book_log_and_current_dispatch(uow, read, connection, hall, today):
    first = answer(uow, hall.request(), hall.reg["a"], "accepted")
    answer(uow, hall.request(), hall.reg["b"], "accepted")
    s = read()
    book = day_book(s, today)
    assert book.total == 2 and [(t.name, t.dispatches) for t in book.by_book] == [("WIRE T", 2)]
    assert [(t.name, t.dispatches) for t in book.by_employer] == [("Sound Electric", 2)]
    log = dispatch_log(s, start=today, end=today, book_id=hall.book_id)
    assert [r.member_id for r in log] == [hall.member["b"], hall.member["a"]]  # newest first
    page2 = dispatch_log(s, start=today, end=today, before=(log[0].dispatched_at, log[0].id))
    assert [r.id for r in page2] == [first.dispatch_id]
    assert member_current_dispatch(s, hall.member["a"]).id == first.dispatch_id
    assert member_current_dispatch(s, hall.member["c"]) is None


def test_open_requests_and_morning_referral_in_slot_order(uow, read, connection, hall, today):
    early = make_book(connection, "EARLY_T", morning_slot="08:00")
    later_same_slot = make_book(connection, "LATER_T", morning_slot="08:30", sort_order=5)
    employer, _ = make_employer(connection, "Morning Co")
    r1 = hall.request()
    r_future = hall.request(referral_date=today + timedelta(days=10))
    r_early = make_request(connection, early, employer, referral_date=today)
    s = read()
    books = [b for b in morning_referral(s, today) if b.book_id in (early, hall.book_id, later_same_slot)]
    assert [b.book_id for b in books] == [early, hall.book_id, later_same_slot]
    assert [r.id for r in books[0].requests] == [r_early]
    assert [r.id for r in books[1].requests] == [r1]  # the future request is not worked yet
    rows = open_requests(s, book_id=hall.book_id)
    assert [r.id for r in rows] == [r1, r_future]
    assert rows[0].employer_name == "Sound Electric" and rows[0].worksite_name == "Main site"
    assert rows[0].open_places == 1 and not rows[0].manual_rules
    assert [r.id for r in open_requests(s, referral_date=today + timedelta(days=10))] == [r_future]


def test_bidding_request_walks_bidders_in_list_order_and_a_refused_win_is_a_quit(uow, read, connection, today):
    book = make_book(connection, "BID_T", bidding_enabled=True)
    other = make_book(connection, "BID_O")
    employer, _ = make_employer(connection, "Bid Co")
    members = [make_member(connection, f"Bidder{i}", books=["BID_T"]) for i in range(3)]
    regs = [register(connection, m, book, apn=f"45000.0{i + 1}") for i, m in enumerate(members)]
    elsewhere = register(connection, members[2], other, apn="45000.01")
    request = make_request(connection, book, employer, referral_date=today, bidding=True)
    for i in (2, 1):  # bids arrive in reverse list order; list position decides
        connection.execute(text("INSERT INTO bids (request_id, member_id, registration_id, source) "
                                "VALUES (:q, :m, :g, 'phone')"), {"q": request, "m": members[i], "g": regs[i]})
    preview = preview_walk(read(), request, lookahead=3)
    assert [preview.next.registration_id, *[u.registration_id for u in preview.upcoming]] == [regs[1], regs[2]]
    with pytest.raises(DomainError, match="did not bid"):
        answer(uow, request, regs[0], "accepted")
    run = uuid.uuid4()
    refused = answer(uow, request, regs[1], "declined", run)
    assert refused.rolled_off == "quit" and not refused.mark_issued
    assert status_of(connection, regs[1]) == ("rolled_off", "quit")
    ban = connection.execute(text("SELECT employer_id, ends_on - starts_on FROM referral_bans WHERE member_id = :m"),
                             {"m": members[1]}).one()
    assert ban == (employer, 14)
    won = answer(uow, request, regs[2], "accepted", run)
    via_bid = connection.execute(text("SELECT via_bid FROM dispatches WHERE id = :d"), {"d": won.dispatch_id})
    assert via_bid.scalar() is True
    assert status_of(connection, elsewhere) == ("registered", None)


def test_a_bidding_request_nobody_bid_on_goes_to_the_whole_list(uow, read, connection, today):
    book = make_book(connection, "BID_N", bidding_enabled=True)
    employer, _ = make_employer(connection, "No Bids Co")
    members = [make_member(connection, f"Plain{i}", books=["BID_N"]) for i in range(2)]
    regs = [register(connection, m, book, apn=f"45000.0{i + 1}") for i, m in enumerate(members)]
    request = make_request(connection, book, employer, referral_date=today, bidding=True)
    assert preview_walk(read(), request).next.registration_id == regs[0]
    run = uuid.uuid4()
    declined = answer(uow, request, regs[0], "declined", run)
    assert declined.rolled_off is None  # not a refused win: nobody won a bid
    accepted = answer(uow, request, regs[1], "accepted", run)
    via_bid = connection.execute(text("SELECT via_bid FROM dispatches WHERE id = :d"), {"d": accepted.dispatch_id})
    assert via_bid.scalar() is False
