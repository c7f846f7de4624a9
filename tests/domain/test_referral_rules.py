"""Working a request: queue order, referral date (R3), bids (R8), skips, marks (R10/R11), by-name (R12/R13)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from unioncore_desktop.domain.rules.book_rules import DEFAULT_RULES, RuleSet
from unioncore_desktop.domain.rules.calendar import BusinessCalendar
from unioncore_desktop.domain.rules.queue import in_queue_order, queue_key, queue_key_of, rank_bidders, ranked
from unioncore_desktop.domain.rules.referral import (
    SKIP_ORDER,
    CandidateFacts,
    RequestFacts,
    ban_ends_on,
    bid_checkin_deadline,
    bid_referral_day,
    bid_window_open,
    bidding_revoked_until,
    by_name_problems,
    is_banned,
    issues_marks,
    no_mark_reasons,
    referral_date,
    rolls_off_for_marks,
    should_mark,
    skip_reason,
    starts_early,
)
from unioncore_desktop.domain.vocab import NO_MARK_REASONS, SKIP_REASONS

LA = ZoneInfo("America/Los_Angeles")
CAL = BusinessCalendar.of([date(2025, 9, 1), date(2025, 11, 27)])  # Labor Day (Mon), Thanksgiving (Thu)
WORK_DAY = date(2025, 8, 12)
EMPLOYER = 7


def at(day: date, hh: int, mm: int, ss: int = 0, us: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, ss, us, tzinfo=LA)


# --- queue order ---

@dataclass(frozen=True)
class Place:
    member_id: int
    tier: int
    apn: Decimal
    registered_at: datetime


T0 = datetime(2025, 1, 6, 9, 0, tzinfo=LA)


def test_tier_3_with_older_apn_stays_behind_every_tier_1() -> None:
    old_tier3 = Place(1, 3, Decimal("40000.01"), T0)
    tier1 = [Place(10 + i, 1, Decimal(f"45880.{i + 1:02d}"), T0 + timedelta(days=i)) for i in range(5)]
    tier2 = Place(2, 2, Decimal("41000.01"), T0)
    order = in_queue_order([old_tier3, *tier1, tier2])
    assert [p.tier for p in order] == [1, 1, 1, 1, 1, 2, 3]
    assert order[-1] is old_tier3


def test_duplicate_apns_are_ordered_by_registered_at_then_member_id() -> None:
    apn = Decimal("45880.01")
    late_high_id = Place(8, 1, apn, T0 + timedelta(minutes=5))
    early = Place(9, 1, apn, T0)
    late_low_id = Place(3, 1, apn, T0 + timedelta(minutes=5))
    assert in_queue_order([late_high_id, early, late_low_id]) == [early, late_low_id, late_high_id]


def test_apn_compares_as_a_number_not_text() -> None:
    a = Place(1, 1, Decimal("45880.10"), T0)
    b = Place(2, 1, Decimal("45880.09"), T0)
    c = Place(3, 1, Decimal("9999.99"), T0)
    assert in_queue_order([a, b, c]) == [c, b, a]


def test_inverted_book_works_tier_1_first_whatever_the_tier_sizes() -> None:
    # STOCKMAN: 5 / 6 / 43 registrants in tiers 1 / 2 / 3
    places = ([Place(100 + i, 3, Decimal("45000.01") + i, T0) for i in range(43)]
              + [Place(200 + i, 2, Decimal("45100.01") + i, T0) for i in range(6)]
              + [Place(300 + i, 1, Decimal("45200.01") + i, T0) for i in range(5)])
    order = ranked(places)
    assert [rank for rank, _ in order] == list(range(1, 55))
    assert [p.tier for _, p in order[:5]] == [1] * 5
    assert [p.tier for _, p in order[5:11]] == [2] * 6


def test_bidders_rank_by_list_position_not_bid_time() -> None:
    @dataclass(frozen=True)
    class BidRow:
        place: Place
        received_at: datetime

    first_bid = BidRow(Place(1, 1, Decimal("45880.05"), T0), at(WORK_DAY, 17, 30))
    later_bid_better_place = BidRow(Place(2, 1, Decimal("45870.01"), T0), at(WORK_DAY, 23, 59))
    tier2_earliest = BidRow(Place(3, 2, Decimal("40000.01"), T0), at(WORK_DAY, 17, 30))
    ranked_bids = rank_bidders([first_bid, tier2_earliest, later_bid_better_place],
                               key=lambda b: queue_key_of(b.place))
    assert ranked_bids == [later_bid_better_place, first_bid, tier2_earliest]


def test_queue_key_needs_an_aware_timestamp() -> None:
    with pytest.raises(ValueError, match="aware"):
        queue_key(1, Decimal("45880.01"), datetime(2025, 8, 11, 9, 0), 1)


# --- R3 referral date ---

FRI = date(2025, 8, 15)


@pytest.mark.parametrize(("received", "expected"), [
    (at(date(2025, 8, 11), 10, 0), date(2025, 8, 12)),           # Mon morning -> Tue
    (at(FRI, 0, 0), date(2025, 8, 18)),
    (at(FRI, 14, 59), date(2025, 8, 18)),                        # Fri 14:59 -> Mon
    (at(FRI, 14, 59, 59, 999999), date(2025, 8, 18)),
    (at(FRI, 15, 0), date(2025, 8, 19)),                         # Fri 15:00 -> Tue
    (at(FRI, 23, 59), date(2025, 8, 19)),
    (at(date(2025, 8, 16), 9, 0), date(2025, 8, 19)),            # Sat: as if received Mon morning -> Tue
    (at(date(2025, 8, 17), 23, 0), date(2025, 8, 19)),           # Sun night -> Tue
    (at(date(2025, 8, 18), 14, 59), date(2025, 8, 19)),          # Mon 14:59 -> Tue
    (at(date(2025, 8, 18), 15, 0), date(2025, 8, 20)),
    (at(date(2025, 8, 29), 14, 59), date(2025, 9, 2)),           # Fri before Labor Day -> Tue
    (at(date(2025, 8, 29), 15, 0), date(2025, 9, 3)),            # -> Wed
    (at(date(2025, 9, 1), 10, 0), date(2025, 9, 3)),             # on the holiday itself
    (at(date(2025, 11, 26), 14, 59), date(2025, 11, 28)),        # Wed before Thanksgiving -> Fri
    (at(date(2025, 11, 26), 15, 0), date(2025, 12, 1)),          # -> Mon
])
def test_referral_date(received: datetime, expected: date) -> None:
    assert referral_date(received, CAL) == expected


def test_referral_date_reads_the_time_in_the_hall_zone() -> None:
    utc = ZoneInfo("UTC")
    assert referral_date(datetime(2025, 8, 15, 21, 59, tzinfo=utc), CAL, zone=LA) == date(2025, 8, 18)
    assert referral_date(datetime(2025, 8, 15, 22, 0, tzinfo=utc), CAL, zone=LA) == date(2025, 8, 19)


def test_referral_date_with_another_cutoff() -> None:
    assert referral_date(at(FRI, 15, 30), CAL, cutoff=time(16, 0)) == date(2025, 8, 18)


def test_referral_dates_keep_received_order() -> None:
    moment = at(date(2025, 8, 25), 0, 0)
    previous = referral_date(moment, CAL)
    while moment < at(date(2025, 9, 10), 0, 0):
        moment += timedelta(minutes=30)
        current = referral_date(moment, CAL)
        assert current >= previous, moment
        assert CAL.is_business_day(current)
        previous = current


def test_referral_date_refuses_naive_time() -> None:
    with pytest.raises(ValueError, match="aware"):
        referral_date(datetime(2025, 8, 15, 14, 59), CAL)


# --- R8 bidding ---

@pytest.mark.parametrize(("hh", "mm", "open_"), [
    (17, 29, False), (17, 30, True), (23, 59, True), (0, 0, True), (6, 59, True), (7, 0, False), (12, 0, False),
])
def test_bid_window_wraps_midnight(hh: int, mm: int, open_: bool) -> None:
    assert bid_window_open(at(WORK_DAY, hh, mm), DEFAULT_RULES) is open_


@pytest.mark.parametrize(("hh", "mm", "open_"), [(7, 59, False), (8, 0, True), (11, 59, True), (12, 0, False)])
def test_bid_window_that_does_not_wrap(hh: int, mm: int, open_: bool) -> None:
    rules = RuleSet(bid_opens=time(8, 0), bid_closes=time(12, 0))
    assert bid_window_open(at(WORK_DAY, hh, mm), rules) is open_


@pytest.mark.parametrize(("when", "expected"), [
    (at(date(2025, 8, 11), 17, 29), None),
    (at(date(2025, 8, 11), 17, 30), date(2025, 8, 12)),          # Mon evening -> Tue referral
    (at(date(2025, 8, 12), 6, 59), date(2025, 8, 12)),           # Tue early morning -> Tue
    (at(date(2025, 8, 12), 7, 0), None),
    (at(FRI, 18, 0), date(2025, 8, 18)),                         # Fri evening -> Mon
    (at(date(2025, 8, 16), 6, 0), date(2025, 8, 18)),            # Sat early -> Mon
    (at(date(2025, 8, 17), 20, 0), date(2025, 8, 18)),           # Sun evening -> Mon
    (at(date(2025, 8, 29), 18, 0), date(2025, 9, 2)),            # Fri before Labor Day -> Tue
    (at(date(2025, 9, 1), 6, 30), date(2025, 9, 2)),             # holiday early morning -> Tue
])
def test_bid_referral_day(when: datetime, expected: date | None) -> None:
    assert bid_referral_day(when, CAL) == expected


def test_bid_checkin_deadline() -> None:
    assert bid_checkin_deadline(WORK_DAY, LA) == at(WORK_DAY, 15, 0)


@pytest.mark.parametrize(("refusals", "expected"), [
    ([], None),
    ([date(2025, 1, 10)], None),
    ([date(2025, 1, 10), date(2026, 1, 9)], date(2027, 1, 8)),   # second within 12 months: one year off
    ([date(2025, 1, 10), date(2026, 1, 10)], None),              # exactly 12 months later: outside
    ([date(2026, 1, 9), date(2025, 1, 10)], date(2027, 1, 8)),   # any order
    ([date(2023, 1, 1), date(2025, 1, 10), date(2025, 6, 1)], date(2026, 5, 31)),
])
def test_bidding_revoked_until(refusals: list[date], expected: date | None) -> None:
    assert bidding_revoked_until(refusals) == expected


# --- skip reasons ---

REQUEST = RequestFacts(employer_id=EMPLOYER, required_skills=frozenset({"OSHA 30"}))
SKILLED = {"osha 30": None}


@pytest.mark.parametrize(("candidate", "rules", "expected"), [
    (CandidateFacts(1, skills=SKILLED), DEFAULT_RULES, None),
    (CandidateFacts(1, skills=SKILLED, exempt=True), DEFAULT_RULES, "exempt"),
    (CandidateFacts(1, skills=SKILLED, dispatched_today=True), DEFAULT_RULES, "already_dispatched_today"),
    (CandidateFacts(1, skills=SKILLED, qualified=False), DEFAULT_RULES, "not_qualified"),
    (CandidateFacts(1, skills=SKILLED, referral_suspended=True), DEFAULT_RULES, "banned"),
    (CandidateFacts(1, skills=SKILLED, exclusions={EMPLOYER: None}), DEFAULT_RULES, "excluded_employer"),
    (CandidateFacts(1, skills=SKILLED, exclusions={EMPLOYER: WORK_DAY}), DEFAULT_RULES, "excluded_employer"),
    (CandidateFacts(1, skills=SKILLED, exclusions={EMPLOYER: WORK_DAY - timedelta(days=1)}), DEFAULT_RULES, None),
    (CandidateFacts(1, skills=SKILLED, exclusions={EMPLOYER + 1: None}), DEFAULT_RULES, None),
    (CandidateFacts(1), DEFAULT_RULES, "missing_skill"),
    (CandidateFacts(1, skills={"OSHA 30": WORK_DAY}), DEFAULT_RULES, None),  # valid through its expiry day
    (CandidateFacts(1, skills={"OSHA 30": WORK_DAY - timedelta(days=1)}), DEFAULT_RULES, "missing_skill"),
    (CandidateFacts(1, skills=SKILLED, in_arrears=True), DEFAULT_RULES, None),  # hold off by default
    (CandidateFacts(1, skills=SKILLED, in_arrears=True), RuleSet(arrears_hold=True), "arrears_hold"),
    # the documented order decides which reason is written when several apply
    (CandidateFacts(1, exempt=True, dispatched_today=True, exclusions={EMPLOYER: None}), DEFAULT_RULES, "exempt"),
    (CandidateFacts(1, dispatched_today=True, qualified=False), DEFAULT_RULES, "already_dispatched_today"),
    (CandidateFacts(1, exclusions={EMPLOYER: None}), DEFAULT_RULES, "excluded_employer"),
    (CandidateFacts(1, in_arrears=True), RuleSet(arrears_hold=True), "missing_skill"),
])
def test_skip_reason(candidate: CandidateFacts, rules: RuleSet, expected: str | None) -> None:
    assert skip_reason(candidate, REQUEST, WORK_DAY, rules) == expected


def test_skip_order_covers_the_vocabulary() -> None:
    assert sorted(SKIP_ORDER) == sorted(SKIP_REASONS)


def test_exempt_registrant_is_skipped_without_a_mark() -> None:
    candidate = CandidateFacts(1, exempt=True, skills=SKILLED)
    reason = skip_reason(candidate, REQUEST, WORK_DAY)
    assert reason == "exempt"
    assert not should_mark(None, REQUEST, exempt=True, already_marked_today=False)
    # even a recorded pass is never marked while exempt
    assert not should_mark("declined", REQUEST, exempt=True, already_marked_today=False)


# --- R10/R11 check marks ---

MARKING = RequestFacts(employer_id=EMPLOYER, start_time="07:00")


@pytest.mark.parametrize(("outcome", "request_", "exempt", "marked_today", "expected"), [
    ("declined", MARKING, False, False, True),
    ("no_answer", MARKING, False, False, True),
    ("accepted", MARKING, False, False, False),
    (None, MARKING, False, False, False),
    ("declined", MARKING, True, False, False),
    ("declined", MARKING, False, True, False),
    ("declined", RequestFacts(EMPLOYER, short_call=True), False, False, False),
    ("declined", RequestFacts(EMPLOYER, agreement_type="pla"), False, False, False),
    ("no_answer", RequestFacts(EMPLOYER, agreement_type="cwa"), False, False, False),
    ("declined", RequestFacts(EMPLOYER, agreement_type="tero"), False, False, False),
    ("declined", RequestFacts(EMPLOYER, start_time="05:59"), False, False, False),
    ("declined", RequestFacts(EMPLOYER, start_time=time(5, 30)), False, False, False),
    ("declined", RequestFacts(EMPLOYER, start_time="06:00"), False, False, True),
    ("declined", RequestFacts(EMPLOYER, start_time=""), False, False, True),
    *[("declined", RequestFacts(EMPLOYER, no_mark_reasons=frozenset({r})), False, False, False)
      for r in NO_MARK_REASONS],
])
def test_should_mark(outcome: str | None, request_: RequestFacts, exempt: bool, marked_today: bool,
                     expected: bool) -> None:
    assert should_mark(outcome, request_, exempt=exempt, already_marked_today=marked_today) is expected


def test_two_passes_on_one_book_in_one_day_give_one_mark() -> None:
    marks: set[tuple[str, date]] = set()  # (book, day) a live mark exists for

    def pass_on(book: str, day: date) -> bool:
        marked = should_mark("declined", MARKING, exempt=False, already_marked_today=(book, day) in marks)
        if marked:
            marks.add((book, day))
        return marked

    assert pass_on("WIRE SEATTLE", WORK_DAY) is True
    assert pass_on("WIRE SEATTLE", WORK_DAY) is False
    assert pass_on("WIRE BREMERTON", WORK_DAY) is True  # regional books count separately
    assert pass_on("WIRE SEATTLE", WORK_DAY + timedelta(days=1)) is True
    assert len(marks) == 3


@pytest.mark.parametrize(("marks", "rules", "rolls_off"), [
    (1, DEFAULT_RULES, False),
    (2, DEFAULT_RULES, False),
    (3, DEFAULT_RULES, True),   # the 3rd mark rolls off that book
    (4, RuleSet(check_marks_allowed=5), False),
    (5, RuleSet(check_marks_allowed=5), True),
])
def test_rolls_off_for_marks(marks: int, rules: RuleSet, rolls_off: bool) -> None:
    assert rolls_off_for_marks(marks, rules) is rolls_off


def test_no_mark_reasons_include_derived_ones_in_vocabulary_order() -> None:
    request = RequestFacts(EMPLOYER, no_mark_reasons=frozenset({"various_locations", "mou_jobsite"}),
                           short_call=True, start_time="04:30")
    assert no_mark_reasons(request) == ("mou_jobsite", "early_start", "various_locations", "short_call")
    assert not issues_marks(request)
    assert no_mark_reasons(MARKING) == ()
    assert issues_marks(MARKING)


def test_no_mark_reasons_refuse_unknown_values() -> None:
    with pytest.raises(ValueError, match="unknown no-mark"):
        no_mark_reasons(RequestFacts(EMPLOYER, no_mark_reasons=frozenset({"weather"})))


@pytest.mark.parametrize(("value", "early"), [
    (None, False), ("", False), ("05:59", True), ("06:00", False), (time(0, 0), True), ("22:00", False)])
def test_starts_early(value: time | str | None, early: bool) -> None:
    assert starts_early(value) is early


def test_start_time_must_be_a_time() -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        starts_early("early")


# --- R12/R13 bans and by-name ---

@dataclass(frozen=True)
class Ban:
    employer_id: int
    starts_on: date
    ends_on: date


QUIT_ON = date(2025, 8, 1)


def test_ban_ends_fourteen_days_after_the_quit() -> None:
    assert ban_ends_on(QUIT_ON) == date(2025, 8, 15)
    assert ban_ends_on(QUIT_ON, RuleSet(by_name_ban_days=0)) is None


@pytest.mark.parametrize(("days_after_quit", "banned"), [
    (0, True), (1, True), (13, True), (14, True), (15, False), (30, False)])
def test_by_name_after_a_quit(days_after_quit: int, banned: bool) -> None:
    ends = ban_ends_on(QUIT_ON)
    assert ends is not None
    bans = [Ban(EMPLOYER, QUIT_ON, ends)]
    on = QUIT_ON + timedelta(days=days_after_quit)
    assert is_banned(EMPLOYER, on, bans) is banned
    problems = by_name_problems(has_live_registration=True, employer_id=EMPLOYER, on_date=on, bans=bans,
                                attested=True)
    assert problems == (("banned",) if banned else ())


def test_ban_is_for_that_employer_only() -> None:
    bans = [Ban(EMPLOYER, QUIT_ON, date(2025, 8, 15))]
    assert not is_banned(EMPLOYER + 1, date(2025, 8, 5), bans)


def test_by_name_problems_are_all_reported() -> None:
    bans = [Ban(EMPLOYER, QUIT_ON, date(2025, 8, 15))]
    assert by_name_problems(has_live_registration=False, employer_id=EMPLOYER, on_date=date(2025, 8, 5),
                            bans=bans, attested=False, exempt=True) == (
        "no_live_registration", "exempt", "banned", "not_attested")
    assert by_name_problems(has_live_registration=True, employer_id=EMPLOYER, on_date=date(2025, 8, 5),
                            bans=[], attested=True) == ()
