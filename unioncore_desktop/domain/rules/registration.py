"""Keeping a place on a book: re-sign (R7), short calls and restorations (R9), re-registration deadlines (R6),
exemptions (R14) and the optional maximum days on book. Pure functions; services apply the outcomes."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from unioncore_desktop.domain.error_texts import OFFICE_NOT_NAMED
from unioncore_desktop.domain.rules.book_rules import DEFAULT_RULES, RuleSet
from unioncore_desktop.domain.rules.calendar import BusinessCalendar, add_months
from unioncore_desktop.domain.rules.referral import ban_ends_on
from unioncore_desktop.domain.vocab import CAPPED_EXEMPTIONS, EXEMPTION_REASONS, TERMINATION_REASONS

UNCAPPED_EXEMPTIONS = tuple(r for r in EXEMPTION_REASONS if r not in CAPPED_EXEMPTIONS)
MONTHLY_WINDOW_FIRST_DAY = 10  # R7 option: re-sign between the 10th...
MONTHLY_WINDOW_LAST_DAY = 16   # ...and the 16th of each month
ROLL_OFF_ALL_REASONS = ("quit", "discharged")  # R12: off every book
REREGISTER_REASONS = ("under_scale", "turnaround")  # R6: always lose the old place, re-register by the deadline


# --- R7 re-sign -------------------------------------------------------------------------------------------

def resign_due(last_signed: date, rules: RuleSet = DEFAULT_RULES) -> date:
    """The last day to re-sign after registering or re-signing on `last_signed` (grace not included).

    Rolling (default): `resign_days` later. Monthly window option: the 16th of the first window that opens
    after `last_signed` (a re-sign inside a window counts for that month, so the next is due next month).
    """
    if not rules.resign_monthly_window:
        return last_signed + timedelta(days=rules.resign_days)
    if last_signed.day < MONTHLY_WINDOW_FIRST_DAY:
        return last_signed.replace(day=MONTHLY_WINDOW_LAST_DAY)
    return add_months(last_signed.replace(day=MONTHLY_WINDOW_LAST_DAY), 1)


def resign_accepted_on(day: date, due: date, rules: RuleSet = DEFAULT_RULES) -> bool:
    """Whether a re-sign on `day` counts: any day up to the due date plus grace when rolling; with the monthly
    window, only from the window's first day (the 10th of the due month) onward."""
    if day > last_resign_day(due, rules):
        return False
    if rules.resign_monthly_window:
        return day >= due.replace(day=MONTHLY_WINDOW_FIRST_DAY)
    return True


def last_resign_day(due: date, rules: RuleSet = DEFAULT_RULES) -> date:
    return due + timedelta(days=rules.resign_grace_days)


def is_resign_overdue(as_of: date, due: date | None, rules: RuleSet = DEFAULT_RULES, *,
                      exempt: bool = False) -> bool:
    """R7: whether the registration drops (`failed_re_sign`, that book only) in a run as of `as_of`.

    The due day and the grace days after it are still in time. Exempt registrations (due None while exempt)
    are never overdue.
    """
    if exempt or due is None:
        return False
    return as_of > last_resign_day(due, rules)


def over_max_days_on_book(registered_on: date, as_of: date, rules: RuleSet = DEFAULT_RULES) -> bool:
    """Option: rolled off (`max_days_on_book`) once more than `max_days_on_book` days have passed."""
    return rules.max_days_on_book is not None and (as_of - registered_on).days > rules.max_days_on_book


# --- R9 short calls and R6 re-registration ----------------------------------------------------------------

def is_short_call(business_days: int, rules: RuleSet = DEFAULT_RULES) -> bool:
    """R9: a job of at most `short_call_max_days` business days (10 by default)."""
    return business_days <= rules.short_call_max_days


def counts_toward_restorations(business_days: int, rules: RuleSet = DEFAULT_RULES) -> bool:
    """R9: a short call longer than `short_call_free_days` (3) uses one of the registration's restorations."""
    return rules.short_call_free_days < business_days <= rules.short_call_max_days


class EndOutcome(enum.StrEnum):
    """What a dispatch's end does to the registration it came from."""

    RESTORE_OLD_PLACE = "restore_old_place"  # back to `registered` with its old APN and tier (R9)
    MUST_REREGISTER = "must_reregister"  # old place lost: new APN; re-register by the deadline or off all books (R6)
    SIGN_ON_AGAIN = "sign_on_again"  # a long call ended: no place to restore; the member signs on as new
    ROLL_OFF_ALL_BOOKS = "roll_off_all_books"  # quit or discharge: off every book, by-name ban (R12)


@dataclass(frozen=True, slots=True)
class EndDecision:
    """The outcome with everything the service writes: the restoration counter, the deadline, the roll-off."""

    outcome: EndOutcome
    business_days: int
    short_call: bool  # ended within the short-call window, whatever its expected length
    uses_restoration: bool
    restorations_used: int  # the registration's counter after this end
    reregister_by: datetime | None = None  # R6 deadline (exclusive); set for MUST_REREGISTER
    roll_off_reason: str | None = None  # for ROLL_OFF_ALL_BOOKS: 'quit' or 'discharged'
    ban_ends_on: date | None = None  # R12: last day of the by-name ban on that employer (quit/discharge)


def dispatch_end(*, started_on: date, ended_on: date, reason: str, restorations_used: int,
                 calendar: BusinessCalendar, zone: ZoneInfo, rules: RuleSet = DEFAULT_RULES,
                 closes_at: time | None = None) -> EndDecision:
    """Decide what ending a dispatch does to its registration (R6, R9, R12).

    Business days are counted from `started_on` through `ended_on`, both included. In order:
    - quit or discharged: ROLL_OFF_ALL_BOOKS whatever the length, with `ban_ends_on` for the employer.
    - under_scale or turnaround: MUST_REREGISTER (R6 names them; they restore no place).
    - ended within the short-call window (a long call that ends within it counts as short): RESTORE_OLD_PLACE
      when it is free (<= 3 days) or a restoration is left (2 per registration), else MUST_REREGISTER.
    - ended after the window: SIGN_ON_AGAIN (no deadline).
    MUST_REREGISTER carries the deadline: close of the next business day after `ended_on`
    (`reregister_business_days`), see `BusinessCalendar.close_of_next_business_day`.
    """
    if reason not in TERMINATION_REASONS:
        raise ValueError(f"unknown termination reason {reason!r}")
    if ended_on < started_on:
        raise ValueError("a dispatch cannot end before it starts")
    days = calendar.business_days_between(started_on, ended_on)
    short = is_short_call(days, rules)

    def decided(outcome: EndOutcome, *, uses: bool = False, roll_off_reason: str | None = None) -> EndDecision:
        deadline = None
        if outcome is EndOutcome.MUST_REREGISTER:
            deadline = reregister_deadline(ended_on, calendar, zone, rules, closes_at=closes_at)
        ban = ban_ends_on(ended_on, rules) if roll_off_reason else None
        return EndDecision(outcome, days, short, uses, restorations_used + uses, deadline, roll_off_reason, ban)

    if reason in ROLL_OFF_ALL_REASONS:
        return decided(EndOutcome.ROLL_OFF_ALL_BOOKS, roll_off_reason=reason)
    if reason in REREGISTER_REASONS:
        return decided(EndOutcome.MUST_REREGISTER)
    if not short:
        return decided(EndOutcome.SIGN_ON_AGAIN)
    if not counts_toward_restorations(days, rules):
        return decided(EndOutcome.RESTORE_OLD_PLACE)
    if restorations_used < rules.short_call_restorations:
        return decided(EndOutcome.RESTORE_OLD_PLACE, uses=True)
    return decided(EndOutcome.MUST_REREGISTER)


def reregister_deadline(ended_on: date, calendar: BusinessCalendar, zone: ZoneInfo,
                        rules: RuleSet = DEFAULT_RULES, *, closes_at: time | None = None) -> datetime:
    """R6: the exclusive instant by which the member must re-register after a job ended on `ended_on`: the
    close of the `reregister_business_days`-th business day after it (Friday end -> Monday; the whole Monday
    counts unless `closes_at` is given)."""
    return calendar.close_of_next_business_day(ended_on, zone, business_days=rules.reregister_business_days,
                                               closes_at=closes_at)


def reregistration_overdue(now: datetime, reregister_by: datetime | None) -> bool:
    """R6: whether a registration awaiting re-registration has missed its deadline (at or after it)."""
    return reregister_by is not None and now >= reregister_by


def failed_reregistration(awaiting: Iterable[tuple[int, datetime]], now: datetime) -> frozenset[int]:
    """R6: member ids to roll off **all** books (`failed_re_register`), from (member_id, reregister_by) pairs
    of registrations still awaiting re-registration."""
    return frozenset(member_id for member_id, deadline in awaiting if reregistration_overdue(now, deadline))


# --- R14 exemptions ---------------------------------------------------------------------------------------

def is_capped(reason: str) -> bool:
    if reason not in EXEMPTION_REASONS:
        raise ValueError(f"unknown exemption reason {reason!r}")
    return reason in CAPPED_EXEMPTIONS


def exemption_cap_end(start: date, reason: str, rules: RuleSet = DEFAULT_RULES) -> date | None:
    """R14: the last exempt day a capped reason allows without an extension (None: uncapped).

    Six months from the start, that day excluded: 15 Jan -> exempt through 14 Jul.
    """
    if not is_capped(reason):
        return None
    return add_months(start, rules.exemption_cap_months) - timedelta(days=1)


def exemption_expires_on(start: date, reason: str, rules: RuleSet = DEFAULT_RULES, *,
                         end: date | None = None) -> date | None:
    """The last exempt day: the recorded `end` when there is one (an extension is a later `end`), else the
    cap for capped reasons, else None (open-ended until staff end it)."""
    if end is not None:
        return end
    return exemption_cap_end(start, reason, rules)


def is_exempt(on_date: date, reason: str | None, start: date | None, end: date | None = None,
              rules: RuleSet = DEFAULT_RULES) -> bool:
    """Whether a registration with this exemption is exempt on `on_date` (start and last day included)."""
    if reason is None or start is None or on_date < start:
        return False
    last = exemption_expires_on(start, reason, rules, end=end)
    return last is None or on_date <= last


def exemption_errors(reason: str | None, start: date | None, end: date | None, rules: RuleSet = DEFAULT_RULES,
                     *, extended: bool = False) -> dict[str, str]:
    """Field -> message for an exemption being recorded; `extended` allows a capped reason past its cap."""
    errors: dict[str, str] = {}
    if reason not in EXEMPTION_REASONS:
        errors["exemption_reason"] = "Choose an exemption reason."
    if start is None:
        errors["exemption_start"] = "An exemption needs a start date."
    if errors:
        return errors
    assert reason is not None and start is not None
    errors.update(exemption_end_errors(start, end))
    cap = exemption_cap_end(start, reason, rules)
    if cap is not None and end is not None and end > cap and not extended:
        errors["exemption_end"] = (f"{reason.replace('_', ' ').capitalize()} exemptions last at most "
                                   f"{rules.exemption_cap_months} months (through {cap:%d %b %Y}) "
                                   "unless extended.")
    return errors


def exemption_end_errors(start: date, end: date | None) -> dict[str, str]:
    """An exemption ends on or after the day it starts (when it is recorded, and when it is ended)."""
    if end is not None and end < start:
        return {"exemption_end": "The exemption cannot end before it starts."}
    return {}


# --- a visit to the books ---------------------------------------------------------------------------------

def book_choice_errors(book_ids: Sequence[int]) -> dict[str, str]:
    """A sign-on or re-registration names at least one book."""
    return {} if book_ids else {"book": "Choose at least one book."}


IN_PERSON_METHODS = ("in_person",)  # R5's e-mail, and fax and web, reach the hall without anyone at a counter


def office_errors(method: str, office_id: int | None, offices: int) -> dict[str, str]:
    """R1: a sign-on or re-registration in person names the office the member came to when the hall has
    several (`offices`, how many it has); with one office there is nothing to choose, with none nothing to name."""
    if method in IN_PERSON_METHODS and office_id is None and offices > 1:
        return {"office_id": OFFICE_NOT_NAMED}
    return {}


# --- ending a dispatch --------------------------------------------------------------------------------------

def termination_errors(*, reason: str | None, hours: Decimal | None = None, ended_on: date | None = None,
                       started_on: date | None = None, today: date | None = None) -> dict[str, str]:
    """Field -> message for the end of a job: a known reason, hours not negative, and (as far as the dates are
    given) a last day worked neither before the job started nor after today."""
    errors: dict[str, str] = {}
    if reason not in TERMINATION_REASONS:
        errors["reason"] = "Choose why the job ended."
    if hours is not None and hours < 0:
        errors["hours"] = "Hours worked cannot be negative."
    if ended_on is not None and started_on is not None and ended_on < started_on:
        errors["ended_on"] = f"The job started on {started_on:%a %d %b %Y}; it cannot end before."
    elif ended_on is not None and today is not None and ended_on > today:
        errors["ended_on"] = "The end date cannot be in the future."
    return errors
