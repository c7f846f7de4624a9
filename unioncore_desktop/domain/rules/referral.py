"""Working a request: its referral date (R3), the bid window (R8), who is skipped and why, check marks
(R10/R11) and by-name eligibility with quit/discharge bans (R12/R13). Pure functions over plain facts; the
dispatch service loads the facts, calls these, and writes the offer lines."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Protocol
from zoneinfo import ZoneInfo

from unioncore_desktop.domain.error_texts import MARK_REMOVAL_REASON_MISSING
from unioncore_desktop.domain.rules.book_rules import DEFAULT_RULES, RuleSet
from unioncore_desktop.domain.rules.calendar import BusinessCalendar, add_months
from unioncore_desktop.domain.vocab import NO_MARK_REASONS, SKIP_REASONS

EARLY_START_BEFORE = time(6, 0)  # R11: a report time before this issues no marks
MARK_OUTCOMES = ("declined", "no_answer")  # R10: passing on a referral offered in turn
BAN_REASONS = ("quit", "discharged")  # R12: terminations that bar by-name referral to that employer
BID_REFUSAL_WINDOW_MONTHS = 12  # R8: a second refusal within this many months revokes bidding...
BID_REVOCATION_MONTHS = 12  # ...for this long


# --- R3 referral date -------------------------------------------------------------------------------------

def referral_date(received_at: datetime, calendar: BusinessCalendar, cutoff: time = time(15, 0), *,
                  zone: ZoneInfo | None = None) -> date:
    """The business morning whose referral works a request received at `received_at` (R3).

    On a business day: before `cutoff` -> the next business morning; at or after it -> the business morning
    after that (Fri 14:59 -> Mon, Fri 15:00 -> Tue; a holiday is skipped like a weekend).
    On a non-business day (weekend, holiday) the hall is closed, so the request counts as received on the next
    business day before the cutoff: Saturday -> worked Tuesday. This keeps referral dates in received order
    (R2): a Saturday call is never worked ahead of a Friday 15:30 call.

    `received_at` must be aware; it is read in `zone` when given, else in its own zone (the hall's).
    """
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    local = received_at.astimezone(zone) if zone is not None else received_at
    day = local.date()
    if not calendar.is_business_day(day):
        return calendar.next_business_day(calendar.next_business_day(day))
    if local.time() < cutoff:
        return calendar.next_business_day(day)
    return calendar.add_business_days(day, 2)


# --- R8 bidding -------------------------------------------------------------------------------------------

def bid_window_open(at: datetime, rules: RuleSet = DEFAULT_RULES) -> bool:
    """Whether a bid at hall-local `at` falls in [bid_opens, bid_closes); the window wraps midnight when it
    opens later than it closes (17:30-07:00: 17:29 no, 17:30 yes, 06:59 yes, 07:00 no).

    Says nothing about whether the book takes bids at all: check `rules.bidding_enabled` too.
    """
    t = _wall_time(at)
    if rules.bid_opens <= rules.bid_closes:
        return rules.bid_opens <= t < rules.bid_closes
    return t >= rules.bid_opens or t < rules.bid_closes


def bid_referral_day(at: datetime, calendar: BusinessCalendar, rules: RuleSet = DEFAULT_RULES) -> date | None:
    """The business morning whose referral a bid at `at` competes in; None outside the bid window.

    A bid in the evening part of the window belongs to the next business morning (Mon 18:00 -> Tue,
    Fri 18:00 -> Mon); in the early-morning part, to that morning if it is a business day, else the next one
    (Tue 06:59 -> Tue, Sun 06:00 -> Mon). Only requests with that referral date can take the bid.
    """
    if not bid_window_open(at, rules):
        return None
    day = at.date()
    wraps = rules.bid_opens > rules.bid_closes
    if wraps and _wall_time(at) >= rules.bid_opens:
        return calendar.next_business_day(day)
    return calendar.on_or_after(day)


def bid_checkin_deadline(dispatch_date: date, zone: ZoneInfo, rules: RuleSet = DEFAULT_RULES) -> datetime:
    """R8: a bid dispatch must check in with the employer before this instant on the dispatch day."""
    return datetime.combine(dispatch_date, rules.bid_checkin_by, zone)


def bidding_revoked_until(refusals: Iterable[date]) -> date | None:
    """R8: the last day bidding stays revoked after a second refused bid win within 12 months; None if never.

    Revocation runs one year from the second refusal (that day included). The caller compares with today.
    """
    ordered = sorted(refusals)
    until: date | None = None
    for earlier, later in pairwise(ordered):
        if later < add_months(earlier, BID_REFUSAL_WINDOW_MONTHS):
            until = add_months(later, BID_REVOCATION_MONTHS) - timedelta(days=1)
    return until


# --- facts for skip, mark and by-name decisions -------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RequestFacts:
    """What the rules need to know about a labor request."""

    employer_id: int
    agreement_type: str = "standard"
    no_mark_reasons: frozenset[str] = frozenset()  # the explicit R11 fields on the request form
    short_call: bool = False
    start_time: time | str | None = None  # 'HH:MM' as stored on the request is accepted
    required_skills: frozenset[str] = frozenset()  # skill/certification names, compared case-insensitively


@dataclass(frozen=True, slots=True)
class CandidateFacts:
    """What the rules need to know about one registrant on the book, as of the day the request is worked.

    `exempt` comes from `registration.is_exempt`, `dispatched_today` from today's dispatches on any book,
    `in_arrears` from dues standing; `skills` maps a skill name to its expiry (None: does not expire) and
    `exclusions` an excluded employer id to the exclusion's last day (None: open-ended).
    """

    member_id: int
    exempt: bool = False
    qualified: bool = True  # still holds the book and tier in the member's qualified books
    dispatched_today: bool = False
    referral_suspended: bool = False  # a whole-hall suspension (two discharges option, bidding aside)
    in_arrears: bool = False
    skills: Mapping[str, date | None] = field(default_factory=dict)
    exclusions: Mapping[int, date | None] = field(default_factory=dict)


# --- skip reasons -----------------------------------------------------------------------------------------

SKIP_ORDER = ("exempt", "already_dispatched_today", "not_qualified", "banned", "excluded_employer",
              "missing_skill", "arrears_hold")
"""The order skip reasons are tested; the first that applies is the one written on the offer line. Exempt
comes first because R10/R14 name it (skipped, never marked); then whether the member can be sent at all;
then this book, this employer, this job; dues last, as the only hold a member can clear at the counter."""

assert set(SKIP_ORDER) == set(SKIP_REASONS), "every skip reason has a place in SKIP_ORDER"


def skip_reason(candidate: CandidateFacts, request: RequestFacts, on_date: date,
                rules: RuleSet = DEFAULT_RULES) -> str | None:
    """Why `candidate` is passed over without an offer on `on_date`, or None when the offer must be made.

    A skip never issues a check mark. Quit/discharge bans (R12) do not skip here: they bar only by-name
    requests (see `by_name_problems`); ordinary referral to that employer stays allowed.
    """
    for reason in SKIP_ORDER:
        if _SKIP_TESTS[reason](candidate, request, on_date, rules):
            return reason
    return None


def missing_skills(candidate: CandidateFacts, request: RequestFacts, on_date: date) -> frozenset[str]:
    """Required skills the candidate lacks or holds only expired on `on_date` (valid through the expiry day)."""
    held = {name.strip().casefold(): expiry for name, expiry in candidate.skills.items()}
    missing = set()
    for skill in request.required_skills:
        key = skill.strip().casefold()
        if key not in held:
            missing.add(skill)
        else:
            expiry = held[key]
            if expiry is not None and expiry < on_date:
                missing.add(skill)
    return frozenset(missing)


def is_excluded(candidate: CandidateFacts, employer_id: int, on_date: date) -> bool:
    if employer_id not in candidate.exclusions:
        return False
    ends_on = candidate.exclusions[employer_id]
    return ends_on is None or on_date <= ends_on


_SKIP_TESTS: dict[str, Callable[[CandidateFacts, RequestFacts, date, RuleSet], bool]] = {
    "exempt": lambda c, r, d, rules: c.exempt,
    "already_dispatched_today": lambda c, r, d, rules: c.dispatched_today,
    "not_qualified": lambda c, r, d, rules: not c.qualified,
    "banned": lambda c, r, d, rules: c.referral_suspended,
    "excluded_employer": lambda c, r, d, rules: is_excluded(c, r.employer_id, d),
    "missing_skill": lambda c, r, d, rules: bool(missing_skills(c, r, d)),
    "arrears_hold": lambda c, r, d, rules: rules.arrears_hold and c.in_arrears,
}


# --- R10/R11 check marks ----------------------------------------------------------------------------------

def starts_early(start_time: time | str | None, before: time = EARLY_START_BEFORE) -> bool:
    """R11: a report time before 06:00 (strictly) issues no marks; 06:00 itself does."""
    parsed = parse_start_time(start_time)
    return parsed is not None and parsed < before


def parse_start_time(value: time | str | None) -> time | None:
    """A request's start time from the form/model ('HH:MM', blank allowed)."""
    if value is None or isinstance(value, time):
        return value
    text = value.strip()
    if not text:
        return None
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise ValueError(f"start time {value!r} is not HH:MM") from None


def no_mark_reasons(request: RequestFacts, early_start_before: time = EARLY_START_BEFORE) -> tuple[str, ...]:
    """Every R11 reason that applies, in vocabulary order: the explicit ones on the form, plus `short_call` and
    `early_start` derived from the request's own structured fields (never from free text)."""
    unknown = set(request.no_mark_reasons) - set(NO_MARK_REASONS)
    if unknown:
        raise ValueError(f"unknown no-mark reasons: {sorted(unknown)}")
    reasons = set(request.no_mark_reasons)
    if request.short_call:
        reasons.add("short_call")
    if starts_early(request.start_time, early_start_before):
        reasons.add("early_start")
    return tuple(r for r in NO_MARK_REASONS if r in reasons)


def manual_rules(agreement_type: str) -> bool:
    """R4: PLA, CWA and TERO requests follow their own terms and never issue marks automatically."""
    return agreement_type != "standard"


def issues_marks(request: RequestFacts, early_start_before: time = EARLY_START_BEFORE) -> bool:
    return not manual_rules(request.agreement_type) and not no_mark_reasons(request, early_start_before)


def should_mark(outcome: str | None, request: RequestFacts, *, exempt: bool, already_marked_today: bool,
                early_start_before: time = EARLY_START_BEFORE) -> bool:
    """R10: whether this offer line earns a check mark on the book.

    Only a decline or no-answer, on a request that issues marks, to a non-exempt registrant who has no mark on
    this book yet today (two passes in one day are one mark). Skips (`outcome` None) never mark.
    """
    return (outcome in MARK_OUTCOMES and not exempt and not already_marked_today
            and issues_marks(request, early_start_before))


def rolls_off_for_marks(live_marks: int, rules: RuleSet = DEFAULT_RULES) -> bool:
    """R10: with `live_marks` counted after adding today's, whether the member rolls off this book only."""
    return live_marks >= rules.check_marks_allowed


# --- R12/R13 bans and by-name requests ----------------------------------------------------------------------

class BanPeriod(Protocol):
    """A ban row (ReferralBan or its DTO)."""

    @property
    def employer_id(self) -> int: ...
    @property
    def starts_on(self) -> date: ...
    @property
    def ends_on(self) -> date: ...


def ban_ends_on(termination_date: date, rules: RuleSet = DEFAULT_RULES) -> date | None:
    """R12: the last banned day (inclusive) after a quit or discharge on `termination_date`; None when the book
    sets no ban (0 days).

    The ban covers the quit day and the 14 days after it: quit on the 1st -> banned through the 15th,
    by-name allowed from the 16th. So "day 13" and "day 14" after the quit are banned, "day 15" is allowed.
    """
    if rules.by_name_ban_days <= 0:
        return None
    return termination_date + timedelta(days=rules.by_name_ban_days)


def is_banned(employer_id: int, on_date: date, bans: Iterable[BanPeriod]) -> bool:
    """Whether any of the member's bans bars a by-name request from `employer_id` on `on_date` (inclusive ends)."""
    return any(b.employer_id == employer_id and b.starts_on <= on_date <= b.ends_on for b in bans)


BY_NAME_PROBLEMS = {
    "no_live_registration": "The named member holds no live registration on this book.",
    "exempt": "The named member is exempt on this book.",
    "banned": "The named member quit or was discharged by this employer too recently for a by-name request.",
    "not_attested": "Record that the member did not solicit this request before dispatching by name.",
}


def by_name_problems(*, has_live_registration: bool, employer_id: int, on_date: date,
                     bans: Iterable[BanPeriod], attested: bool, exempt: bool = False) -> tuple[str, ...]:
    """R13: everything stopping a by-name dispatch, as keys of BY_NAME_PROBLEMS (empty tuple: allowed).

    An exempt registration (R14) is not available for work, so it blocks a by-name dispatch too.
    """
    problems = []
    if not has_live_registration:
        problems.append("no_live_registration")
    if exempt:
        problems.append("exempt")
    if is_banned(employer_id, on_date, bans):
        problems.append("banned")
    if not attested:
        problems.append("not_attested")
    return tuple(problems)


def _wall_time(at: datetime) -> time:
    return at.time().replace(tzinfo=None)


def mark_removal_errors(reason: str | None) -> dict[str, str]:
    """A check mark goes only with the reason, which is kept with the record."""
    return {} if (reason or "").strip() else {"removal_reason": MARK_REMOVAL_REASON_MISSING}


DISPATCH_EXCEPTION_REASON_MISSING = {
    "rejected": "Say why the employer turned the member away.",
    "no_show": "Say what is known of the no-show (who called, what was said).",
}


def dispatch_exception_errors(status: str, reason: str | None) -> dict[str, str]:
    """An employer rejection or a no-show is recorded only with its reason, kept on the dispatch and its
    registration's activity row."""
    return {} if (reason or "").strip() else {"reason": DISPATCH_EXCEPTION_REASON_MISSING[status]}
