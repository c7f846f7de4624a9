"""Keeping a place on a book: re-sign (R7), short calls and restorations (R9), re-registration (R6),
exemptions (R14)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from unioncore_desktop.domain.rules.book_rules import DEFAULT_RULES, RuleSet
from unioncore_desktop.domain.rules.calendar import BusinessCalendar
from unioncore_desktop.domain.rules.registration import (
    UNCAPPED_EXEMPTIONS,
    EndOutcome,
    counts_toward_restorations,
    dispatch_end,
    exemption_cap_end,
    exemption_errors,
    exemption_expires_on,
    failed_reregistration,
    is_exempt,
    is_resign_overdue,
    is_short_call,
    over_max_days_on_book,
    reregister_deadline,
    reregistration_overdue,
    resign_accepted_on,
    resign_due,
)
from unioncore_desktop.domain.vocab import EXEMPTION_REASONS

LA = ZoneInfo("America/Los_Angeles")
CAL = BusinessCalendar.of([date(2025, 9, 1)])  # Labor Day
MON = date(2025, 8, 11)
MONTHLY = RuleSet(resign_monthly_window=True)


def ended_after(business_days: int, start: date = MON) -> date:
    """The end date of a job that started on `start` and worked `business_days` business days."""
    return CAL.add_business_days(start, business_days - 1)


# --- R7 re-sign ---

@pytest.mark.parametrize(("last", "rules", "due"), [
    (MON, DEFAULT_RULES, date(2025, 9, 10)),
    (MON, RuleSet(resign_days=45), date(2025, 9, 25)),
    (date(2025, 8, 5), MONTHLY, date(2025, 8, 16)),    # before this month's window: due this month
    (date(2025, 8, 10), MONTHLY, date(2025, 9, 16)),   # inside the window: counts for August
    (date(2025, 8, 16), MONTHLY, date(2025, 9, 16)),
    (date(2025, 8, 17), MONTHLY, date(2025, 9, 16)),
    (date(2025, 12, 12), MONTHLY, date(2026, 1, 16)),
])
def test_resign_due(last: date, rules: RuleSet, due: date) -> None:
    assert resign_due(last, rules) == due


DUE = date(2025, 9, 10)


@pytest.mark.parametrize(("as_of", "rules", "exempt", "overdue"), [
    (DUE - timedelta(days=1), DEFAULT_RULES, False, False),
    (DUE, DEFAULT_RULES, False, False),                  # the due day is still in time
    (DUE + timedelta(days=1), DEFAULT_RULES, False, True),
    (DUE + timedelta(days=2), RuleSet(resign_grace_days=2), False, False),
    (DUE + timedelta(days=3), RuleSet(resign_grace_days=2), False, True),
    (DUE + timedelta(days=300), DEFAULT_RULES, True, False),  # exempt registrations are not subject
])
def test_is_resign_overdue(as_of: date, rules: RuleSet, exempt: bool, overdue: bool) -> None:
    assert is_resign_overdue(as_of, DUE, rules, exempt=exempt) is overdue


def test_no_due_date_is_never_overdue() -> None:
    assert not is_resign_overdue(date(2030, 1, 1), None)


@pytest.mark.parametrize(("day", "rules", "accepted"), [
    (date(2025, 8, 12), DEFAULT_RULES, True),    # rolling: any day up to the due date
    (DUE, DEFAULT_RULES, True),
    (DUE + timedelta(days=1), DEFAULT_RULES, False),
    (date(2025, 9, 9), MONTHLY, False),          # monthly window: 10th..16th of the due month
    (date(2025, 9, 10), MONTHLY, True),
    (date(2025, 9, 16), MONTHLY, True),
    (date(2025, 9, 17), MONTHLY, False),
])
def test_resign_accepted_on(day: date, rules: RuleSet, accepted: bool) -> None:
    due = resign_due(date(2025, 8, 11), rules)
    assert resign_accepted_on(day, due, rules) is accepted


@pytest.mark.parametrize(("days_on_book", "rules", "over"), [
    (10_000, DEFAULT_RULES, False),
    (180, RuleSet(max_days_on_book=180), False),
    (181, RuleSet(max_days_on_book=180), True),
])
def test_over_max_days_on_book(days_on_book: int, rules: RuleSet, over: bool) -> None:
    assert over_max_days_on_book(MON, MON + timedelta(days=days_on_book), rules) is over


# --- R9 short calls ---

@pytest.mark.parametrize(("days", "short", "counts"), [
    (0, True, False), (1, True, False), (3, True, False), (4, True, True), (10, True, True), (11, False, False),
])
def test_short_call_thresholds(days: int, short: bool, counts: bool) -> None:
    assert is_short_call(days) is short
    assert counts_toward_restorations(days) is counts


def test_short_call_thresholds_follow_the_book_settings() -> None:
    rules = RuleSet(short_call_max_days=5, short_call_free_days=1)
    assert [counts_toward_restorations(d, rules) for d in (1, 2, 5, 6)] == [False, True, True, False]


@pytest.mark.parametrize(("business_days", "reason", "used", "outcome", "uses", "used_after"), [
    (3, "short_call_end", 0, EndOutcome.RESTORE_OLD_PLACE, False, 0),
    (3, "short_call_end", 2, EndOutcome.RESTORE_OLD_PLACE, False, 2),   # free even when none are left
    (4, "short_call_end", 0, EndOutcome.RESTORE_OLD_PLACE, True, 1),
    (4, "short_call_end", 1, EndOutcome.RESTORE_OLD_PLACE, True, 2),
    (4, "short_call_end", 2, EndOutcome.MUST_REREGISTER, False, 2),
    (10, "laid_off", 1, EndOutcome.RESTORE_OLD_PLACE, True, 2),
    (10, "short_call_end", 2, EndOutcome.MUST_REREGISTER, False, 2),
    (7, "rif", 0, EndOutcome.RESTORE_OLD_PLACE, True, 1),              # a long call ending within the window
    (7, "contract_end", 0, EndOutcome.RESTORE_OLD_PLACE, True, 1),
    (11, "laid_off", 0, EndOutcome.SIGN_ON_AGAIN, False, 0),
    (40, "rif", 2, EndOutcome.SIGN_ON_AGAIN, False, 2),
    (2, "under_scale", 0, EndOutcome.MUST_REREGISTER, False, 0),
    (30, "turnaround", 0, EndOutcome.MUST_REREGISTER, False, 0),
    (2, "quit", 0, EndOutcome.ROLL_OFF_ALL_BOOKS, False, 0),
    (30, "discharged", 1, EndOutcome.ROLL_OFF_ALL_BOOKS, False, 1),
])
def test_dispatch_end(business_days: int, reason: str, used: int, outcome: EndOutcome, uses: bool,
                      used_after: int) -> None:
    decision = dispatch_end(started_on=MON, ended_on=ended_after(business_days), reason=reason,
                            restorations_used=used, calendar=CAL, zone=LA)
    assert decision.business_days == business_days
    assert decision.short_call is (business_days <= 10)
    assert decision.outcome is outcome
    assert decision.uses_restoration is uses
    assert decision.restorations_used == used_after
    assert (decision.reregister_by is not None) is (outcome is EndOutcome.MUST_REREGISTER)
    assert (decision.roll_off_reason is not None) is (outcome is EndOutcome.ROLL_OFF_ALL_BOOKS)
    assert (decision.ban_ends_on is not None) is (outcome is EndOutcome.ROLL_OFF_ALL_BOOKS)


def test_the_third_counting_short_call_loses_the_place() -> None:
    used = 0
    outcomes = []
    for week in range(3):
        start = MON + timedelta(weeks=week)
        decision = dispatch_end(started_on=start, ended_on=ended_after(4, start), reason="short_call_end",
                                restorations_used=used, calendar=CAL, zone=LA)
        outcomes.append(decision.outcome)
        used = decision.restorations_used
    assert outcomes == [EndOutcome.RESTORE_OLD_PLACE, EndOutcome.RESTORE_OLD_PLACE, EndOutcome.MUST_REREGISTER]
    assert used == 2


def test_job_length_counts_business_days_not_calendar_days() -> None:
    # 25 Aug .. 5 Sep spans 12 calendar days but 9 business days (Labor Day, two weekends)
    decision = dispatch_end(started_on=date(2025, 8, 25), ended_on=date(2025, 9, 5), reason="laid_off",
                            restorations_used=0, calendar=CAL, zone=LA)
    assert decision.business_days == 9
    assert decision.outcome is EndOutcome.RESTORE_OLD_PLACE


def test_must_reregister_carries_the_r6_deadline() -> None:
    decision = dispatch_end(started_on=date(2025, 8, 25), ended_on=date(2025, 8, 29), reason="under_scale",
                            restorations_used=0, calendar=CAL, zone=LA)
    # ended Friday before Labor Day: re-register by the close of Tuesday
    assert decision.reregister_by == datetime(2025, 9, 3, 0, 0, tzinfo=LA)


def test_quit_carries_the_ban() -> None:
    decision = dispatch_end(started_on=MON, ended_on=date(2025, 8, 13), reason="quit", restorations_used=0,
                            calendar=CAL, zone=LA)
    assert decision.roll_off_reason == "quit"
    assert decision.ban_ends_on == date(2025, 8, 27)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"reason": "vacation"}, "unknown termination reason"),
    ({"ended_on": MON - timedelta(days=1)}, "cannot end before"),
])
def test_dispatch_end_refuses_bad_input(kwargs: dict, message: str) -> None:
    args = {"started_on": MON, "ended_on": MON, "reason": "laid_off", "restorations_used": 0,
            "calendar": CAL, "zone": LA, **kwargs}
    with pytest.raises(ValueError, match=message):
        dispatch_end(**args)


# --- R6 re-registration ---

@pytest.mark.parametrize(("ended_on", "rules", "deadline"), [
    (date(2025, 8, 14), DEFAULT_RULES, datetime(2025, 8, 16, 0, 0, tzinfo=LA)),   # Thu -> by end of Fri
    (date(2025, 8, 15), DEFAULT_RULES, datetime(2025, 8, 19, 0, 0, tzinfo=LA)),   # Fri -> by end of Mon
    (date(2025, 8, 15), RuleSet(reregister_business_days=2), datetime(2025, 8, 20, 0, 0, tzinfo=LA)),
])
def test_reregister_deadline(ended_on: date, rules: RuleSet, deadline: datetime) -> None:
    assert reregister_deadline(ended_on, CAL, LA, rules) == deadline


def test_failed_reregistration_rolls_off_at_the_deadline() -> None:
    deadline = datetime(2025, 8, 19, 0, 0, tzinfo=LA)
    awaiting = [(1, deadline), (2, deadline + timedelta(days=1)), (3, deadline - timedelta(seconds=1))]
    assert not reregistration_overdue(deadline - timedelta(microseconds=1), deadline)
    assert reregistration_overdue(deadline, deadline)
    assert not reregistration_overdue(deadline, None)
    assert failed_reregistration(awaiting, deadline) == frozenset({1, 3})


# --- R14 exemptions ---

START = date(2025, 1, 15)


def test_exemption_vocabulary_splits_into_capped_and_uncapped() -> None:
    assert set(UNCAPPED_EXEMPTIONS) == {"military", "union_business", "salting", "medical", "jury_duty"}
    assert set(UNCAPPED_EXEMPTIONS) < set(EXEMPTION_REASONS)


@pytest.mark.parametrize(("reason", "rules", "cap_end"), [
    ("traveling", DEFAULT_RULES, date(2025, 7, 14)),
    ("under_scale", DEFAULT_RULES, date(2025, 7, 14)),
    ("traveling", RuleSet(exemption_cap_months=3), date(2025, 4, 14)),
    *[(r, DEFAULT_RULES, None) for r in ("military", "union_business", "salting", "medical", "jury_duty")],
])
def test_exemption_cap_end(reason: str, rules: RuleSet, cap_end: date | None) -> None:
    assert exemption_cap_end(START, reason, rules) == cap_end
    assert exemption_expires_on(START, reason, rules) == cap_end
    assert exemption_expires_on(START, reason, rules, end=date(2026, 1, 1)) == date(2026, 1, 1)


@pytest.mark.parametrize(("on", "reason", "end", "exempt"), [
    (START - timedelta(days=1), "medical", None, False),
    (START, "medical", None, True),
    (date(2030, 1, 1), "military", None, True),            # uncapped: until staff end it
    (date(2025, 7, 14), "traveling", None, True),          # last capped day
    (date(2025, 7, 15), "traveling", None, False),         # six months reached
    (date(2025, 7, 15), "under_scale", None, False),
    (date(2025, 9, 1), "traveling", date(2025, 12, 31), True),  # extended
    (date(2025, 3, 1), "medical", date(2025, 2, 28), False),    # ended by staff
    (START, None, None, False),
])
def test_is_exempt(on: date, reason: str | None, end: date | None, exempt: bool) -> None:
    assert is_exempt(on, reason, START, end) is exempt


@pytest.mark.parametrize(("reason", "start", "end", "extended", "fields"), [
    ("traveling", START, date(2025, 7, 14), False, set()),
    ("traveling", START, date(2025, 7, 15), False, {"exemption_end"}),
    ("under_scale", START, date(2025, 12, 31), False, {"exemption_end"}),
    ("under_scale", START, date(2025, 12, 31), True, set()),
    ("medical", START, date(2027, 1, 1), False, set()),
    ("medical", START, START - timedelta(days=1), False, {"exemption_end"}),
    ("vacation", START, None, False, {"exemption_reason"}),
    ("medical", None, None, False, {"exemption_start"}),
])
def test_exemption_errors(reason: str, start: date | None, end: date | None, extended: bool,
                          fields: set[str]) -> None:
    assert set(exemption_errors(reason, start, end, extended=extended)) == fields


def test_exemption_cap_message_names_the_limit() -> None:
    message = exemption_errors("traveling", START, date(2025, 12, 1))["exemption_end"]
    assert "6 months" in message and "14 Jul 2025" in message
