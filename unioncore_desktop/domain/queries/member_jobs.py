"""The jobs a member could be sent to today: open requests on the books they are qualified for, with their place
on each book and whether the walk would offer them the job now, decided by the walk's own skip rules
(rules.referral.skip_reason) on the same facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.errors import NotFound
from unioncore_desktop.domain.queries.book_rules import rules_in_force
from unioncore_desktop.domain.queries.books import RegistrationRow, member_registrations
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.queries.member_profile import MemberProfile, member_profile
from unioncore_desktop.domain.queries.requests import RequestRow, open_requests
from unioncore_desktop.domain.rules.book_rules import RuleSet
from unioncore_desktop.domain.rules.calendar import add_months
from unioncore_desktop.domain.rules.member_profile import held_skills
from unioncore_desktop.domain.rules.referral import CandidateFacts, RequestFacts, missing_skills, skip_reason
from unioncore_desktop.domain.rules.registration import is_exempt
from unioncore_desktop.domain.vocab import ACTIVE_DISPATCH_STATUSES

SKIP_TEXT = {
    "exempt": "exempt", "already_dispatched_today": "already dispatched today", "not_qualified": "not qualified",
    "banned": "referral suspended", "excluded_employer": "excluded from this employer",
    "missing_skill": "missing a certification", "arrears_hold": "dues arrears hold",
}
STATUS_TEXT = {"dispatched": "out on a job from this book",
               "awaiting_reregistration": "must re-register first"}


@dataclass(frozen=True, slots=True)
class MemberBook:
    """A book the member is qualified for, and their place on it today."""

    book_id: int
    book_code: str
    book_name: str
    qualified_tier: int
    status: str | None  # the live registration's status; None: not signed on
    tier: int | None
    position: int | None  # rank on the list while registered
    marks: int


@dataclass(frozen=True, slots=True)
class MemberJob:
    """One open request on a book the member is qualified for."""

    request: RequestRow
    position: int | None
    eligible: bool
    why_not: str  # '' when eligible
    required: tuple[str, ...]
    held: tuple[str, ...]     # of the required certifications, those held and valid today
    missing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MemberJobs:
    member_id: int
    card_number: str
    member_name: str
    today: date
    out_on: str | None  # the request number of the job the member is out on now
    books: tuple[MemberBook, ...]
    jobs: tuple[MemberJob, ...]

    @property
    def eligible_count(self) -> int:
        return sum(1 for j in self.jobs if j.eligible)


@dataclass(frozen=True, slots=True)
class _Facts:
    """What the skip rules need about the member, read once for every request."""

    today: date
    listed_before: datetime  # the start of the hall's day: later sign-ons are on the next day's list (R5)
    active: bool
    out_today: bool
    discharges: int
    in_arrears: bool
    profile: MemberProfile
    bid_requests: frozenset[int]  # requests the member bid on (not withdrawn)
    with_bids: frozenset[int]     # bidding requests with any live bid: walked over their bidders only (R8)


def member_jobs(session: Session, member_id: int) -> MemberJobs:
    """Open requests on the member's qualified books, in referral order, each with why the walk would pass the
    member over today (or not). Dues are read as standing only, as the walk reads them."""
    clock = hall_clock(session)
    today = clock.today
    member = session.execute(text("""
        SELECT m.card_number, m.last_name || ', ' || m.first_name AS name, m.status,
               (SELECT r.number FROM dispatches d JOIN labor_requests r ON r.id = d.request_id
                 WHERE d.member_id = m.id AND d.status = ANY(:active) ORDER BY d.id LIMIT 1) AS out_on,
               EXISTS (SELECT FROM uc_dispatches_out(m.id, :today, CAST(:active AS text[]))) AS out_today,
               (SELECT count(*) FROM dispatches d WHERE d.member_id = m.id
                   AND d.termination_reason = 'discharged' AND d.terminated_on > :year_ago) AS discharges,
               coalesce((SELECT s.standing <> 'good_standing' FROM member_standing s
                         WHERE s.member_id = m.id), false) AS in_arrears,
               ARRAY(SELECT b.request_id FROM bids b WHERE b.member_id = m.id AND NOT b.withdrawn) AS bid_requests,
               ARRAY(SELECT DISTINCT b.request_id FROM bids b JOIN labor_requests r ON r.id = b.request_id
                     WHERE NOT b.withdrawn AND r.status IN ('open', 'partially_filled')) AS with_bids
        FROM members m WHERE m.id = :m
    """), {"m": member_id, "active": list(ACTIVE_DISPATCH_STATUSES), "today": today,
           "year_ago": add_months(today, -12)}).mappings().first()
    if member is None:
        raise NotFound("That member no longer exists.")
    profile = member_profile(session, member_id, today)
    facts = _Facts(today, datetime.combine(today, time.min, tzinfo=clock.zone), member["status"] == "active",
                   member["out_today"], member["discharges"], member["in_arrears"], profile,
                   frozenset(member["bid_requests"]), frozenset(member["with_bids"]))
    live = {r.book_code: r for r in member_registrations(session, member_id) if r.live}
    qualified_books = [q for q in profile.books if q.active]
    book_ids: dict[str, int] = dict(session.execute(text("SELECT code, id FROM books WHERE code = ANY(:codes)"),
                                    {"codes": [q.book_code for q in qualified_books]}).all())
    books = tuple(_member_book(book_ids[q.book_code], q.book_code, q.book_name, q.tier, live.get(q.book_code))
                  for q in qualified_books)
    registrations = {r.book_id: r for r in live.values()}
    wanted = set(book_ids.values()) | set(registrations)
    rules: dict[int, RuleSet] = {}
    jobs = []
    for request in open_requests(session):
        if request.book_id not in wanted:
            continue
        if request.book_id not in rules:
            rules[request.book_id] = rules_in_force(session, request.book_id, today).rules
        jobs.append(_job(request, registrations.get(request.book_id), facts, rules[request.book_id],
                         qualified=facts.active and request.book_id in book_ids.values()))
    return MemberJobs(member_id, member["card_number"], member["name"], today, member["out_on"], books, tuple(jobs))


def _member_book(book_id: int, code: str, name: str, tier: int, registration: RegistrationRow | None) -> MemberBook:
    if registration is None:
        return MemberBook(book_id, code, name, tier, None, None, None, 0)
    return MemberBook(book_id, code, name, tier, registration.status, registration.tier, registration.position,
                      registration.marks)


def _job(request: RequestRow, registration: RegistrationRow | None, facts: _Facts, rules: RuleSet, *,
         qualified: bool) -> MemberJob:
    profile, today = facts.profile, facts.today
    request_facts = RequestFacts(employer_id=request.employer_id, agreement_type=request.agreement_type,
                                 no_mark_reasons=frozenset(request.no_mark_reasons), short_call=request.short_call,
                                 start_time=request.start_time, required_skills=frozenset(request.requirements))
    candidate = CandidateFacts(
        member_id=profile.member_id,
        exempt=registration is not None and is_exempt(today, registration.exemption_reason,
                                                      registration.exemption_start, registration.exemption_end,
                                                      rules),
        qualified=qualified, dispatched_today=facts.out_today,
        referral_suspended=rules.discharge_suspension and facts.discharges >= 2, in_arrears=facts.in_arrears,
        skills=held_skills((s.name, s.expires_on) for s in profile.skills),
        exclusions={x.employer_id: x.ends_on for x in profile.exclusions if x.employer_id == request.employer_id})
    missing = missing_skills(candidate, request_facts, today)
    required = tuple(request.requirements)
    if registration is None:
        why = "not signed on this book"
    elif registration.status != "registered":
        why = STATUS_TEXT.get(registration.status, registration.status.replace("_", " "))
    elif registration.registered_at >= facts.listed_before:
        why = "signed on today: on the next day's list"
    elif request.id in facts.with_bids and request.id not in facts.bid_requests:
        why = "did not bid (goes to its bidders)"
    else:
        reason = skip_reason(candidate, request_facts, today, rules)
        why = SKIP_TEXT.get(reason, reason.replace("_", " ")) if reason else ""
    return MemberJob(request, registration.position if registration else None, not why, why, required,
                     tuple(s for s in required if s not in missing), tuple(s for s in required if s in missing))
