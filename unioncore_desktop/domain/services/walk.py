"""Walking a book's queue for one request: who is next, who is skipped above them and why.

The same walk serves the morning-referral screen (`preview_walk`, no locks) and the dispatch commands (with
row locks, so two workstations see the list one after the other). A walk belongs to a run: one pass of the
queue for a request, identified by a client-made `run_id`; registrants already answered in the run are passed.
A bidding request (R8) walks only its bidders, still in list position; with no bids it goes to the whole list.
A day's list is the list as it stood that morning (R5): places registered since the start of the hall's day are
not on it (they are on the next business day's); a restored place keeps its old registered_at and is.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import RowMapping, text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.driver_sql import fetch_dicts
from unioncore_desktop.domain.errors import DomainError, NotFound
from unioncore_desktop.domain.models import LaborRequest
from unioncore_desktop.domain.queries.book_rules import RULE_FIELDS, rule_set
from unioncore_desktop.domain.queries.fragments import (
    HALL_TODAY,
    HALL_ZONE,
    book_rules_in_force,
    queue_binds,
    queue_order,
    queue_params,
    queue_place,
)
from unioncore_desktop.domain.queries.requests import (
    REQUEST_ROW_COLUMNS,
    REQUEST_ROW_JOINS,
    RequestDetail,
    RequestRow,
    request_detail,
    request_row,
)
from unioncore_desktop.domain.rules.book_rules import DEFAULT_RULES, RuleSet
from unioncore_desktop.domain.rules.calendar import add_months
from unioncore_desktop.domain.rules.member_profile import held_skills
from unioncore_desktop.domain.rules.queue import QueueKey, queue_key
from unioncore_desktop.domain.rules.referral import (
    CandidateFacts,
    RequestFacts,
    issues_marks,
    no_mark_reasons,
    skip_reason,
)
from unioncore_desktop.domain.rules.registration import is_exempt
from unioncore_desktop.domain.vocab import ACTIVE_DISPATCH_STATUSES

BATCH = 25  # registrants read (and locked) per round trip while looking for the next eligible one
READ_AHEAD = 25  # registrants read per round trip before any lock is taken


class ListChanged(DomainError):
    """The registrant offered is no longer the next one the walk allows: someone else changed the list.
    The screen refreshes its walk and the dispatcher offers again."""


@dataclass(frozen=True, slots=True)
class WalkEntry:
    """A registrant as the walk sees them; `skip_reason` None means the offer must be made."""

    registration_id: int
    member_id: int
    card_number: str
    member_name: str
    rank: int
    tier: int
    apn: Decimal
    registered_at: datetime
    skip_reason: str | None


@dataclass(frozen=True, slots=True)
class AnsweredLine:
    """An offer line already written in this run (frozen: it never changes)."""

    line_id: int
    registration_id: int
    member_id: int
    card_number: str
    member_name: str
    rank: int
    tier: int
    apn: Decimal
    skip_reason: str | None
    outcome: str | None
    mark_issued: bool
    dispatch_id: int | None
    at: datetime
    recorded_by: str


@dataclass(frozen=True, slots=True)
class WalkPreview:
    """The morning-referral screen for one request: lines answered in this run, everyone skipped above the
    next eligible registrant, the next one, and (optionally) the eligible ones after them."""

    request_id: int
    request_number: str
    book_id: int
    run_id: uuid.UUID | None
    request_status: str
    referral_date: date
    workers_requested: int
    workers_dispatched: int
    bidding: bool
    issues_marks: bool
    no_mark_reasons: tuple[str, ...]
    answered: tuple[AnsweredLine, ...]
    skipped: tuple[WalkEntry, ...]
    next: WalkEntry | None
    upcoming: tuple[WalkEntry, ...]
    signed_on_today: int = 0  # registered on the book since the day began: on the next business day's list (R5)

    @property
    def open_places(self) -> int:
        return self.workers_requested - self.workers_dispatched


@dataclass(frozen=True, slots=True)
class Place:
    """A registered place as loaded for the walk."""

    registration_id: int
    member_id: int
    tier: int
    apn: Decimal
    registered_at: datetime
    exemption_reason: str | None
    exemption_start: date | None
    exemption_end: date | None
    card_number: str
    member_name: str
    version: int  # of the registration row: a place read before locking is the same place if this is too

    @property
    def key(self) -> QueueKey:
        return queue_key(self.tier, self.apn, self.registered_at, self.member_id)


@dataclass
class WalkContext:
    """What one walk needs besides the places: the request, the day, the rules, the run so far."""

    request: WalkRequest
    today: date
    rules: RuleSet
    book_code: str
    answered: dict[int, AnsweredLine]
    off_list_keys: list[QueueKey]  # answered in this run but no longer registered (e.g. dispatched by it)
    listed_before: datetime  # start of `today` in the hall's zone: later sign-ons wait for the next list (R5)

    @property
    def facts(self) -> RequestFacts:
        return request_facts(self.request)

    def rank(self, index: int, key: QueueKey) -> int:
        """Position in the list as the run found it: registered places above plus those this run took off."""
        return index + 1 + sum(1 for k in self.off_list_keys if k < key)


def request_facts(request: WalkRequest) -> RequestFacts:
    return RequestFacts(employer_id=request.employer_id, agreement_type=request.agreement_type,
                        no_mark_reasons=frozenset(request.no_mark_reasons), short_call=request.short_call,
                        start_time=request.start_time, required_skills=frozenset(request.requirements))


def request_issues_marks(request: LaborRequest) -> bool:
    return issues_marks(request_facts(request))


def walk_context(session: Session, request: WalkRequest, run_id: uuid.UUID | None) -> WalkContext:
    answered, off_list = _run_so_far(session, request, run_id)
    today, listed_before, book_code, rules = _day_book_rules(session, request.book_id)
    return WalkContext(request, today, rules, book_code, answered, off_list, listed_before)


def _run_so_far(session: Session, request: WalkRequest,
                run_id: uuid.UUID | None) -> tuple[dict[int, AnsweredLine], list[QueueKey]]:
    """The lines answered in the run, and the keys of those no longer on the list (for ranks)."""
    answered = answered_lines(session, request.id, run_id) if run_id is not None else {}
    off_list: list[QueueKey] = []
    if answered:
        rows = session.execute(text("""
            SELECT tier, apn, registered_at, member_id FROM registrations
            WHERE id = ANY(:ids) AND (status <> 'registered' OR book_id <> :b)
        """), {"ids": list(answered), "b": request.book_id}).all()
        off_list = [queue_key(*r) for r in rows]
    return answered, off_list


_CLOCK = f"clock AS (SELECT {HALL_ZONE} AS uc_zone, now() AS uc_now)"  # HALL_TODAY is the date of uc_now there
_DAY_BOOK_RULES_SQL = text(f"""
    WITH {_CLOCK}
    SELECT c.uc_zone, c.uc_now, (SELECT code FROM books WHERE id = :b) AS uc_book_code, r.*
    FROM clock c LEFT JOIN LATERAL ({book_rules_in_force(":b", HALL_TODAY)}) r ON true
""")


def _day_book_rules(session: Session, book_id: int) -> tuple[date, datetime, str, RuleSet]:
    """The hall's day and its start, the book's code and its rules in force that day, in one round trip (as
    `hall_clock`, the book row and `rules_for` would give them one by one)."""
    row = session.execute(_DAY_BOOK_RULES_SQL, {"b": book_id}).mappings().one()
    zone = ZoneInfo(row["uc_zone"])
    today = row["uc_now"].astimezone(zone).date()
    rules = DEFAULT_RULES if row["effective_from"] is None else rule_set(row)
    return today, day_start(today, zone), row["uc_book_code"], rules


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The first instant of `day` in the hall's zone, as uc_dispatch_walked computes it (`day::timestamp AT TIME
    ZONE zone`): places registered from then on are not on that day's list (R5)."""
    return datetime.combine(day, time.min, tzinfo=zone)


WalkRequest = LaborRequest | RequestRow  # the ORM row (answering an offer) or the one-statement read (dispatching)
_LOCKED_CONTEXT_SQL = f"""
    WITH req AS (SELECT * FROM labor_requests WHERE id = :r FOR UPDATE), {_CLOCK}
    SELECT {REQUEST_ROW_COLUMNS}, c.uc_zone, c.uc_now, b.code AS uc_book_code,
           EXISTS (SELECT 1 FROM dispatches WHERE idempotency_key = :k) AS uc_key_used,
           ru.effective_from AS uc_rules_from, {", ".join(f"ru.{f} AS rule_{f}" for f in RULE_FIELDS)}
    FROM req r {REQUEST_ROW_JOINS} CROSS JOIN clock c
    LEFT JOIN LATERAL ({book_rules_in_force("r.book_id", HALL_TODAY)}) ru ON true
"""


def locked_walk_context(session: Session, request_id: int, key: uuid.UUID,
                        run_id: uuid.UUID | None) -> tuple[WalkContext, bool]:
    """Lock the request and read what its walk needs (the day, the book's code and rules, whether `key` was
    already used for a dispatch) in one round trip: (the context, the key was used). A run already under way
    also reads its answered lines."""
    rows = fetch_dicts(session, _LOCKED_CONTEXT_SQL, {"r": request_id, "k": key})
    row = rows[0] if rows else None
    if row is None:
        raise NotFound("That labor request no longer exists.")
    request = request_row(row)
    zone = ZoneInfo(row["uc_zone"])
    today = row["uc_now"].astimezone(zone).date()
    rules = DEFAULT_RULES if row["uc_rules_from"] is None else rule_set(row, prefix="rule_")
    answered, off_list = _run_so_far(session, request, run_id)
    return (WalkContext(request, today, rules, row["uc_book_code"], answered, off_list, day_start(today, zone)),
            row["uc_key_used"])


# --- loading places and facts -----------------------------------------------------------------------------

_PLACES_SQL = f"""
    SELECT g.id AS registration_id, g.member_id, g.tier, g.apn, g.registered_at, g.exemption_reason,
           g.exemption_start, g.exemption_end, m.card_number, m.last_name || ', ' || m.first_name AS member_name,
           g.version {{facts}}
    FROM registrations g JOIN members m ON m.id = g.member_id
    WHERE g.book_id = :book AND g.status = 'registered' AND g.registered_at < :listed_before {{bidders}} {{bound}}
    ORDER BY {queue_order("g")}
    {{limit}} {{lock}}
"""
_BIDDERS = ("AND (NOT EXISTS (SELECT 1 FROM bids x WHERE x.request_id = :request AND NOT x.withdrawn) "
            "OR EXISTS (SELECT 1 FROM bids x WHERE x.request_id = :request AND x.member_id = g.member_id "
            "AND NOT x.withdrawn))")


def load_places(session: Session, request: WalkRequest, *, listed_before: datetime, upto: QueueKey | None = None,
                after: QueueKey | None = None, limit: int | None = None, lock: bool = False) -> list[Place]:
    """Places on the request's book's list of the day that starts at `listed_before` (R5), in queue order, from
    the top (or after `after`) down to `upto`.

    With `lock`, the rows are locked FOR UPDATE in queue order: every walk starts at the top of the list, so
    two walks on one book always contend for the same first row and run one after the other. A row that
    another transaction dispatched meanwhile drops out when its lock is granted (no longer 'registered').
    """
    bound, params = _bounds(upto, after)
    params.update(book=request.book_id, request=request.id, listed_before=listed_before)
    sql = _PLACES_SQL.format(bidders=_BIDDERS if request.bidding else "", bound=bound, facts="",
                             limit=f"LIMIT {int(limit)}" if limit else "", lock="FOR UPDATE OF g" if lock else "")
    return [Place(**m) for m in session.execute(text(sql), params).mappings()]


def _bounds(upto: QueueKey | None, after: QueueKey | None) -> tuple[str, dict[str, object]]:
    """The places' conditions (and their parameters) for "down to `upto`" and "after `after`" in queue order."""
    bound, params = "", {}
    if upto is not None:
        bound += f" AND {queue_place('g')} <= {queue_binds('upto')}"
        params.update(queue_params("upto", upto))
    if after is not None:
        bound += f" AND {queue_place('g')} > {queue_binds('after')}"
        params.update(queue_params("after", after))
    return bound, params


_PLACE_FIELDS = tuple(Place.__dataclass_fields__)


def _places_with_facts(session: Session, ctx: WalkContext, *, upto: QueueKey | None, after: QueueKey | None,
                       limit: int | None) -> tuple[list[Place], dict[int, CandidateFacts]]:
    """`load_places` (no lock) and `candidate_facts` of those places in one round trip."""
    request = ctx.request
    bound, params = _bounds(upto, after)
    params.update(book=request.book_id, request=request.id, listed_before=ctx.listed_before, **_facts_params(ctx))
    places_sql = _PLACES_SQL.format(bidders=_BIDDERS if request.bidding else "", bound=bound, facts="",
                                    limit=f"LIMIT {int(limit)}" if limit else "", lock="")
    # the facts over the places already cut to size: planned for the whole list, each EXISTS would become a
    # hashed scan of every member's qualifications and dispatches, ten times the cost of probing 25 members
    sql = (f"SELECT p.*, {_facts_columns(ctx)} FROM ({places_sql}) p JOIN members m ON m.id = p.member_id "
           f"ORDER BY {queue_order('p')}")
    rows = fetch_dicts(session, sql, params)
    places = [Place(**{f: r[f] for f in _PLACE_FIELDS}) for r in rows]
    arrears = (_in_arrears(session, [p.member_id for p in places]) if ctx.rules.arrears_hold and places
               else frozenset())
    return places, {p.registration_id: _facts_of(p, r, ctx, arrears) for p, r in zip(places, rows, strict=True)}


def place_of(session: Session, registration_id: int) -> Place:
    """One place, whatever its status (to re-read a registrant's facts after locking the member)."""
    m = session.execute(text(_PLACES_SQL.format(bidders="", bound="", facts="", limit="", lock="").replace(
        "g.book_id = :book AND g.status = 'registered' AND g.registered_at < :listed_before", "g.id = :id")),
        {"id": registration_id}).mappings().one()
    return Place(**m)


def iter_places(session: Session, request: WalkRequest, *, listed_before: datetime, lock: bool = False,
                after: QueueKey | None = None, start: int = 0) -> Iterator[tuple[int, Place]]:
    """(index, place) down the list (from the top, or on from `after`, the `start`-th place), read (and locked)
    a batch at a time, only as far as the caller goes."""
    index = start
    while True:
        batch = load_places(session, request, listed_before=listed_before, after=after, limit=BATCH, lock=lock)
        if not batch:
            return
        for place in batch:
            yield index, place
            index += 1
        after = batch[-1].key


def candidate_facts(session: Session, places: Iterable[Place], ctx: WalkContext) -> dict[int, CandidateFacts]:
    """What the skip rules need for each member, read in one round trip (plus one for dues when the book
    holds members in arrears)."""
    places = list(places)
    if not places:
        return {}
    rows = session.execute(text(f"SELECT m.id AS member_id, {_facts_columns(ctx)} FROM members m "
                                "WHERE m.id = ANY(:ids)"),
                           {**_facts_params(ctx), "ids": [p.member_id for p in places]}).mappings().all()
    arrears = _in_arrears(session, [p.member_id for p in places]) if ctx.rules.arrears_hold else frozenset()
    by_member = {r["member_id"]: r for r in rows}
    return {place.registration_id: _facts_of(place, by_member[place.member_id], ctx, arrears) for place in places}


def _facts_columns(ctx: WalkContext) -> str:
    """The skip rules' member facts as columns over `members m` (parameters from `_facts_params`)."""
    need_skills = bool(ctx.request.requirements)
    return f"""
        m.status = 'active' AND EXISTS (SELECT 1 FROM member_qualified_books q
                                        WHERE q.member_id = m.id AND q.book_code = :code) AS qualified,
        EXISTS (SELECT FROM uc_dispatches_out(m.id, :today, CAST(:active AS text[]))) AS dispatched_today,
        (SELECT count(*) FROM dispatches d WHERE d.member_id = m.id AND d.termination_reason = 'discharged'
                AND d.terminated_on > :year_ago) AS discharges,
        (SELECT array_agg(x.ends_on) FROM member_exclusions x
                WHERE x.member_id = m.id AND x.employer_id = :employer) AS exclusion_ends,
        {'(SELECT array_agg(s.name ORDER BY s.id) FROM member_skills s WHERE s.member_id = m.id)' if need_skills
         else 'NULL'} AS skill_names,
        {'(SELECT array_agg(s.expires_on ORDER BY s.id) FROM member_skills s WHERE s.member_id = m.id)' if need_skills
         else 'NULL'} AS skill_expiries"""


def _facts_params(ctx: WalkContext) -> dict[str, Any]:
    return {"code": ctx.book_code, "active": list(ACTIVE_DISPATCH_STATUSES), "today": ctx.today,
            "year_ago": add_months(ctx.today, -12), "employer": ctx.request.employer_id}


def _facts_of(place: Place, r: Mapping[str, Any] | RowMapping, ctx: WalkContext,
              arrears: frozenset[int]) -> CandidateFacts:
    ends = r["exclusion_ends"]
    exclusions = {} if not ends else {ctx.request.employer_id: None if None in ends else max(ends)}
    skills = held_skills(zip(r["skill_names"] or (), r["skill_expiries"] or (), strict=False))
    return CandidateFacts(
        member_id=place.member_id,
        exempt=is_exempt(ctx.today, place.exemption_reason, place.exemption_start, place.exemption_end, ctx.rules),
        qualified=r["qualified"], dispatched_today=r["dispatched_today"],
        referral_suspended=ctx.rules.discharge_suspension and r["discharges"] >= 2,
        in_arrears=place.member_id in arrears, skills=skills, exclusions=exclusions)


def _in_arrears(session: Session, member_ids: list[int]) -> frozenset[int]:
    """Members behind on dues (the hold is a §5 option), read without amounts: dispatchers never see those."""
    return frozenset(session.execute(text(
        "SELECT member_id FROM member_standing WHERE member_id = ANY(:ids) AND standing <> 'good_standing'"),
        {"ids": member_ids}).scalars())


def answered_lines(session: Session, request_id: int, run_id: uuid.UUID) -> dict[int, AnsweredLine]:
    """registration id -> the line written for it in this run."""
    rows = session.execute(text("""
        SELECT o.id AS line_id, o.registration_id, o.member_id, m.card_number,
               m.last_name || ', ' || m.first_name AS member_name, o.rank, o.tier, o.apn, o.skip_reason,
               o.outcome, o.mark_issued, o.dispatch_id, o.at, o.recorded_by
        FROM offer_lines o JOIN members m ON m.id = o.member_id
        WHERE o.request_id = :r AND o.run_id = :run ORDER BY o.id
    """), {"r": request_id, "run": run_id}).mappings()
    return {m["registration_id"]: AnsweredLine(**m) for m in rows}


# --- the walk -----------------------------------------------------------------------------------------------

def entry(place: Place, rank: int, reason: str | None) -> WalkEntry:
    return WalkEntry(place.registration_id, place.member_id, place.card_number, place.member_name, rank,
                     place.tier, place.apn, place.registered_at, reason)


def walk(places: Iterable[tuple[int, Place]], facts_of: Callable[[Place], CandidateFacts], ctx: WalkContext, *,
         eligible_wanted: int = 1, every_skip: bool = False) -> tuple[list[WalkEntry], list[WalkEntry]]:
    """Down the list: (skipped above the first eligible, the eligible ones up to `eligible_wanted`).

    `facts_of(place)` returns the place's CandidateFacts. Places answered in this run are passed over: they
    already have their line. With `every_skip`, the skipped ones between the eligible ones are kept too (the
    morning sheet prints them where the dispatcher passes them).
    """
    request_facts_ = ctx.facts
    skipped: list[WalkEntry] = []
    eligible: list[WalkEntry] = []
    for index, place in places:
        if place.registration_id in ctx.answered:
            continue
        reason = skip_reason(facts_of(place), request_facts_, ctx.today, ctx.rules)
        item = entry(place, ctx.rank(index, place.key), reason)
        if reason is None:
            eligible.append(item)
            if len(eligible) >= eligible_wanted:
                break
        elif not eligible or every_skip:
            skipped.append(item)
    return skipped, eligible


class _BatchFacts:
    """Facts loaded a batch of places at a time, as the walk reaches them."""

    def __init__(self, session: Session, ctx: WalkContext, places: Iterator[tuple[int, Place]],
                 overrides: dict[int, CandidateFacts] | None = None) -> None:
        self.session, self.ctx, self.source = session, ctx, places
        self.overrides = overrides or {}
        self.cache: dict[int, CandidateFacts] = {}
        self.pending: list[tuple[int, Place]] = []

    def __iter__(self) -> Iterator[tuple[int, Place]]:
        while True:
            if not self.pending:
                batch = [next(self.source, None) for _ in range(BATCH)]
                self.pending = [p for p in batch if p is not None]
                if not self.pending:
                    return
                self.cache.update(candidate_facts(
                    self.session, [p for _, p in self.pending if p.registration_id not in self.ctx.answered],
                    self.ctx))
            yield self.pending.pop(0)

    def __call__(self, place: Place) -> CandidateFacts:
        return self.overrides.get(place.registration_id) or self.cache[place.registration_id]


def walk_from_top(session: Session, ctx: WalkContext, *, lock: bool, eligible_wanted: int = 1,
                  overrides: dict[int, CandidateFacts] | None = None,
                  every_skip: bool = False) -> tuple[list[WalkEntry], list[WalkEntry]]:
    """The walk over the whole list, reading (and locking) only as far as it has to go. `overrides` replaces
    the facts of places re-read after their member was locked."""
    source = _BatchFacts(session, ctx, iter_places(session, ctx.request, listed_before=ctx.listed_before, lock=lock),
                         overrides)
    return walk(source, source, ctx, eligible_wanted=eligible_wanted, every_skip=every_skip)


# --- read first, lock briefly ---------------------------------------------------------------------------------
#
# Every dispatch on a book locks the top of that book's list, so dispatches on one book run one at a time for as
# long as each holds those locks. The facts the walk needs are therefore read before locking (`read_ahead`),
# a few eligible registrants deep, because the ones ahead of us in the lock queue take the first of them; under
# the lock (`LockedList`) the list is locked down to the same place, and only places that changed meanwhile
# (new, or another version of the row) have their facts read again. Member-level facts (skills, exclusions,
# suspension, dues) are plain reads in either order; the chosen member's dispatches are checked again after
# locking the member, in the statement that writes the dispatch.

@dataclass(frozen=True, slots=True)
class Ahead:
    """The top of the list as read without locks: the places in order and their facts by registration id."""

    places: tuple[Place, ...]
    facts: dict[int, CandidateFacts]


def read_ahead(session: Session, ctx: WalkContext, *, eligible_wanted: int = 1,
               upto: QueueKey | None = None) -> Ahead:
    """Places from the top down to `upto` (all of them), or else down to the `eligible_wanted`-th eligible one,
    with their facts; no locks."""
    places: list[Place] = []
    facts: dict[int, CandidateFacts] = {}
    request_facts_ = ctx.facts
    found, after = 0, None
    while True:
        batch, batch_facts = _places_with_facts(session, ctx, upto=upto, after=after,
                                                limit=None if upto is not None else READ_AHEAD)
        facts.update(batch_facts)
        for place in batch:
            places.append(place)
            if (upto is None and place.registration_id not in ctx.answered
                    and skip_reason(facts[place.registration_id], request_facts_, ctx.today, ctx.rules) is None):
                found += 1
                if found >= eligible_wanted:
                    return Ahead(tuple(places), facts)
        if upto is not None or len(batch) < READ_AHEAD:
            return Ahead(tuple(places), facts)
        after = batch[-1].key


class LockedList:
    """The list locked from the top down to the last place read ahead (and further, a batch at a time, if the
    walk gets that far), walked in memory. Iterating yields (index, place); calling gives a place's facts.

    Iterate again after setting `overrides` (facts re-read after locking a member): the locked places are kept.
    """

    def __init__(self, session: Session, ctx: WalkContext, ahead: Ahead, *, extend: bool = True) -> None:
        self.session, self.ctx = session, ctx
        self.overrides: dict[int, CandidateFacts] = {}
        bound = ahead.places[-1].key if ahead.places else None
        self.places: list[Place] = (load_places(session, ctx.request, listed_before=ctx.listed_before, upto=bound,
                                                lock=True) if bound is not None else [])
        self.facts = dict(ahead.facts)
        read = {p.registration_id: p for p in ahead.places}
        stale = [p for p in self.places
                 if read.get(p.registration_id) != p and p.registration_id not in ctx.answered]
        if stale:
            self.facts.update(candidate_facts(session, stale, ctx))
        self._more: _BatchFacts | None = None
        self._more_iter: Iterator[tuple[int, Place]] | None = None
        if extend:
            self._more = _BatchFacts(session, ctx, iter_places(session, ctx.request, listed_before=ctx.listed_before,
                                                               lock=True, after=bound, start=len(self.places)))
            self._more_iter = iter(self._more)

    def __iter__(self) -> Iterator[tuple[int, Place]]:
        index = 0
        while True:
            if index < len(self.places):
                yield index, self.places[index]
                index += 1
                continue
            item = next(self._more_iter, None) if self._more_iter is not None else None
            if item is None:
                return
            assert self._more is not None  # set with _more_iter
            place = item[1]
            self.places.append(place)
            if place.registration_id not in self.ctx.answered:
                self.facts[place.registration_id] = self._more(place)

    def __call__(self, place: Place) -> CandidateFacts:
        return self.overrides.get(place.registration_id) or self.facts[place.registration_id]


def preview_walk(session: Session, request_id: int, run_id: uuid.UUID | None = None, *,
                 lookahead: int = 0) -> WalkPreview:
    """The morning-referral view of a request: read-only, no locks (the dispatch command re-checks)."""
    return preview_in_context(session, request_id, run_id, lookahead=lookahead)[0]


def preview_in_context(session: Session, request_id: int, run_id: uuid.UUID | None = None, *,
                       lookahead: int = 0) -> tuple[WalkPreview, WalkContext]:
    """`preview_walk` with the context it was walked in (the hall's day, the book's rules in force that day)."""
    request = session.get(LaborRequest, request_id)
    if request is None:
        raise NotFound("That labor request no longer exists.")
    ctx = walk_context(session, request, run_id)
    skipped, eligible = walk_from_top(session, ctx, lock=False, eligible_wanted=1 + lookahead)
    waiting = session.execute(text(
        "SELECT count(*) FROM registrations WHERE book_id = :b AND status = 'registered' AND registered_at >= :t"),
        {"b": request.book_id, "t": ctx.listed_before}).scalar_one()
    preview = WalkPreview(
        request_id=request.id, request_number=request.number, book_id=request.book_id, run_id=run_id,
        request_status=request.status, referral_date=request.referral_date,
        workers_requested=request.workers_requested, workers_dispatched=request.workers_dispatched,
        bidding=request.bidding, issues_marks=request_issues_marks(request),
        no_mark_reasons=no_mark_reasons(request_facts(request)),
        answered=tuple(sorted(ctx.answered.values(), key=lambda a: a.line_id)), skipped=tuple(skipped),
        next=eligible[0] if eligible else None, upcoming=tuple(eligible[1:]), signed_on_today=waiting)
    return preview, ctx


# --- the morning referral's view of one request ----------------------------------------------------------------

WALK_LOOKAHEAD = 3  # eligible registrants shown after the next one


@dataclass(frozen=True, slots=True)
class WalkView:
    """One request's walk: the request, everyone skipped above the next eligible registrant and why, the next
    one with their phones, and the book's check-mark limit in force today."""

    request: RequestDetail
    preview: WalkPreview
    phones: tuple[str, ...]
    rules_marks_allowed: int


def walk_view(session: Session, request_id: int, run_id: uuid.UUID | None, *,
              lookahead: int = WALK_LOOKAHEAD) -> WalkView:
    """The request, its walk (which reads the hall's day and the book's rules with it) and the next
    registrant's phones."""
    request = request_detail(session, request_id)
    preview, ctx = preview_in_context(session, request_id, run_id, lookahead=lookahead)
    phones: tuple[str, ...] = ()
    if preview.next is not None:
        row = session.execute(text("SELECT phone, mobile_phone FROM members WHERE id = :m"),
                              {"m": preview.next.member_id}).first()
        phones = tuple(p for p in (row or ()) if p)
    return WalkView(request, preview, phones, ctx.rules.check_marks_allowed)
