"""Dispatching: answering offers down the walk, by-name dispatch (R13), check-in (R8), employer rejection and
no-show. Each answer is one transaction that locks the request, then the book's list from the top down to
the registrant, then that member: two workstations can never send one member twice or over-fill a request
(the unique index on active dispatches and the request's CHECK are the last word either way).

Python walks the list and decides (skip reasons, ranks, marks: domain/rules/referral.py, which the morning
referral's preview reads too); the database writes. Every answer, and a by-name dispatch, is written by one
function, uc_answer_offer (migrations/sql/functions/): the server-side walk (uc_dispatch_walked) records its
acceptance through it as well."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.driver_sql import execute_and_commit
from unioncore_desktop.domain.errors import DomainError, NotFound, ValidationError
from unioncore_desktop.domain.models import (
    Dispatch,
    EmploymentRecord,
    LaborRequest,
    ReferralBan,
    Registration,
)
from unioncore_desktop.domain.queries.dispatch import DispatchRow, dispatch_row
from unioncore_desktop.domain.queries.requests import LIVE_REQUEST_STATUSES
from unioncore_desktop.domain.rules.book_rules import RuleSet
from unioncore_desktop.domain.rules.queue import QueueKey, queue_key
from unioncore_desktop.domain.rules.referral import (
    BY_NAME_PROBLEMS,
    CandidateFacts,
    ban_ends_on,
    bid_checkin_deadline,
    by_name_problems,
    dispatch_exception_errors,
    should_mark,
    skip_reason,
)
from unioncore_desktop.domain.rules.registration import is_exempt
from unioncore_desktop.domain.services.marks import add_mark, marked_on
from unioncore_desktop.domain.services.referral_context import (
    hall_clock,
    record_activity,
    rules_for,
    snapshot,
)
from unioncore_desktop.domain.services.registrations import roll_off_all_books
from unioncore_desktop.domain.services.walk import (
    Ahead,
    AnsweredLine,
    ListChanged,
    LockedList,
    WalkContext,
    WalkEntry,
    WalkRequest,
    answered_lines,
    candidate_facts,
    entry,
    locked_walk_context,
    place_of,
    read_ahead,
    walk,
    walk_context,
)
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.domain.vocab import (
    ACTIVE_DISPATCH_STATUSES,
    LIVE_REGISTRATION_STATUSES,
    OFFER_OUTCOMES,
)

__all__ = ["ListChanged", "OfferResult", "by_name_dispatch", "check_in", "dispatch_next_accepting", "offer_next",
           "record_no_show", "reject_dispatch"]

_SIGNED_ON_TODAY = ("That member signed on today: today's referral uses the list as it stood this morning, so they "
                    "are offered work from the next business day (R5).")
LOOKAHEAD = 10  # eligible registrants read ahead: the workstations queued on the book's lock take the first ones

_SKIP_WORDS = {
    "exempt": "is exempt on this book", "banned": "is suspended from referral",
    "excluded_employer": "is excluded from this employer", "missing_skill": "lacks a skill the request requires",
    "arrears_hold": "is held for dues arrears", "already_dispatched_today": "was already dispatched today",
    "not_qualified": "is not qualified for this book",
}


@dataclass(frozen=True, slots=True)
class OfferResult:
    """What one answer wrote: the skip lines above the registrant, their line, and what followed from it."""

    run_id: uuid.UUID
    request_id: int
    line_id: int
    registration_id: int
    member_id: int
    member_name: str
    rank: int
    outcome: str
    skipped: tuple[WalkEntry, ...]
    mark_issued: bool
    live_marks: int | None  # after this answer, when a mark was issued
    rolled_off: str | None  # 'check_marks' (this book only) or 'quit' (every book: a refused bid win)
    dispatch_id: int | None
    request_status: str
    workers_requested: int
    workers_dispatched: int
    replayed: bool = False  # the same answer was already recorded (a retry); nothing new was written

    @property
    def open_places(self) -> int:
        return self.workers_requested - self.workers_dispatched


# --- the walk -------------------------------------------------------------------------------------------------

def offer_next(uow: UnitOfWork, *, request_id: int, registration_id: int, outcome: str, run_id: uuid.UUID,
               idempotency_key: uuid.UUID, note: str | None = None) -> OfferResult:
    """Record the answer of the registrant the dispatcher offered the request to, in one transaction.

    Everyone above them not yet answered in this run gets a skip line with its reason; if anyone above is
    eligible after all (the list changed on another workstation), ListChanged is raised and nothing is written.
    Accepted: a dispatch (the same `idempotency_key` posted again returns it), the employment row, the
    registration 'dispatched'. Declined or no answer: a check mark when the request issues marks (R10/R11), and
    the Nth live mark rolls the member off this book only; on a bidding request a declined win is a quit (R8).
    """
    if outcome not in OFFER_OUTCOMES:
        raise ValidationError({"outcome": "Record accepted, declined or no answer."})
    with uow:
        s = uow.session
        request = _locked_request(s, request_id)
        replay = _replay(s, request, run_id, idempotency_key, registration_id=registration_id, outcome=outcome)
        if replay is not None:
            return replay
        ctx = walk_context(s, request, run_id)
        _check_workable(request, ctx.today)
        target = s.get(Registration, registration_id)
        if target is None or target.book_id != request.book_id:
            raise NotFound("That registration is not on this request's book.")
        if target.status != "registered":
            raise ListChanged(_changed_message(s, target, None, None))
        if target.registered_at >= ctx.listed_before:
            raise DomainError(_SIGNED_ON_TODAY)
        ahead = read_ahead(s, ctx, upto=target_key(target))
        listing = LockedList(s, ctx, ahead, extend=False)
        places = listing.places
        if not places or places[-1].registration_id != target.id:
            s.refresh(target)
            if request.bidding and _has_bid(s, request.id, None) and not _has_bid(s, request.id, target.member_id):
                raise DomainError("That member did not bid on this request; a bidding request goes to its bidders.")
            raise ListChanged(_changed_message(s, target, None, None))
        _lock_member(s, target.member_id)
        if outcome != "accepted":  # no statement below re-checks the member: read their facts again now
            listing.overrides[target.id] = _fresh_facts(s, target.id, ctx)
        while True:
            skipped, eligible = walk(listing, listing, ctx)
            chosen = eligible[0] if eligible else None
            if chosen is None or chosen.registration_id != target.id:
                own = next((e.skip_reason for e in skipped if e.registration_id == target.id), None)
                raise ListChanged(_changed_message(s, target, own, chosen))
            if outcome != "accepted":
                s.refresh(target)
                result = _answer(s, request, ctx, target, chosen, skipped, outcome, run_id, note)
                break
            dispatched = _dispatch_walked(s, request, ctx, chosen, skipped, run_id, idempotency_key, note)
            if dispatched is not None:
                result = dispatched
                break
            listing.overrides[target.id] = _fresh_facts(s, target.id, ctx)  # out since we read: say so
        uow.commit()
        return result


def dispatch_next_accepting(uow: UnitOfWork, *, request_id: int, idempotency_key: uuid.UUID,
                            run_id: uuid.UUID | None = None, note: str | None = None) -> OfferResult:
    """Send the next eligible registrant, who accepts (a phone-less shortcut; the bench drives this path).

    The walk locks the list from the top a batch at a time, only as far as it needs to go.
    """
    new_run = run_id is None
    run_id = run_id or uuid.uuid4()
    with uow:
        s = uow.session
        in_one_go = True
        while True:
            ctx, key_used = locked_walk_context(s, request_id, idempotency_key, None if new_run else run_id)
            request = ctx.request
            if key_used:
                replay = _replay(s, request, run_id, idempotency_key, registration_id=None, outcome="accepted")
                if replay is not None:
                    return replay
            _check_workable(request, ctx.today)
            ahead = read_ahead(s, ctx, eligible_wanted=LOOKAHEAD)
            if not (in_one_go and _one_go_applies(request, ctx, ahead)):
                break
            result, over = _dispatch_ahead(s, request, ctx, ahead, run_id, idempotency_key, note)
            if result is not None:
                if not over:
                    uow.commit()
                return result
            if not over:
                break  # the locks taken so far are still ours: walk on under them
            in_one_go = False  # nothing was written and the transaction is over: again, walking under the locks
        # the request's lock is ours: this statement sees a retry of this dispatch that committed while we waited
        replay = _replay(s, request, run_id, idempotency_key, registration_id=None, outcome="accepted")
        if replay is not None:
            return replay
        listing = LockedList(s, ctx, ahead)
        while True:
            skipped, eligible = walk(listing, listing, ctx)
            if not eligible:
                raise DomainError(f"No one on the list can take request {request.number}.")
            chosen = eligible[0]
            result = _dispatch_walked(s, request, ctx, chosen, skipped, run_id, idempotency_key, note)
            if result is not None:
                break
            # dispatched from another book since we read (the member's lock is ours now): skip them too
            listing.overrides[chosen.registration_id] = _fresh_facts(s, chosen.registration_id, ctx)
        uow.commit()
        return result


def _one_go_applies(request: WalkRequest, ctx: WalkContext, ahead: Ahead) -> bool:
    """The server-side walk takes a new run (ranks are list positions) on a list walked in full (not bidders
    only); it is given the skip reasons of the places read ahead."""
    return not ctx.answered and not request.bidding and bool(ahead.places)


def _dispatch_ahead(s: Session, request: WalkRequest, ctx: WalkContext, ahead: Ahead, run_id: uuid.UUID,
                    key: uuid.UUID, note: str | None) -> tuple[OfferResult | None, bool]:
    """The whole locked part of the walk in one round trip, committed in that same round trip when the session
    owns its transaction: (the result, whether the transaction is over).

    The server (migration 0006) locks the list and takes the first eligible place as read ahead, provided every
    locked place above it is one that was read (same row and version) and the member is not out. Otherwise it
    writes nothing and the result is None.
    """
    facts_ = ctx.facts
    skips = [skip_reason(ahead.facts[p.registration_id], facts_, ctx.today, ctx.rules) for p in ahead.places]
    bound = ahead.places[-1].key
    note = (note or "").strip() or None
    row, over = execute_and_commit(s, _DISPATCH_AHEAD_SQL, {
        "request": request.id, "run": run_id, "key": key, "today": ctx.today, "note": note,
        "active": list(ACTIVE_DISPATCH_STATUSES), "ut": bound.tier, "ua": bound.apn, "ur": bound.registered_at,
        "um": bound.member_id, "ids": [p.registration_id for p in ahead.places],
        "versions": [p.version for p in ahead.places], "skips": skips})
    if row is None:
        return None, over
    dispatch_id, line_id, registration_id, rank, skipped_ids, skipped_ranks = row
    by_id = {p.registration_id: (p, reason) for p, reason in zip(ahead.places, skips, strict=True)}
    skipped = [entry(by_id[i][0], r, by_id[i][1]) for i, r in zip(skipped_ids, skipped_ranks, strict=False)]
    chosen = entry(by_id[registration_id][0], rank, None)
    return _accepted(request, run_id, line_id, chosen, skipped, dispatch_id), over


_DISPATCH_AHEAD_SQL = """
    SELECT * FROM uc_dispatch_walked(:request, :run, :key, :today, CAST(:note AS text), CAST(:active AS text[]),
                                     CAST(:ut AS smallint), :ua, :ur, :um, CAST(:ids AS integer[]),
                                     CAST(:versions AS integer[]), CAST(:skips AS text[]))
"""


def _accepted(request: WalkRequest, run_id: uuid.UUID, line_id: int, chosen: WalkEntry, skipped: list[WalkEntry],
              dispatch_id: int) -> OfferResult:
    # the request row is ours (locked first): the dispatches trigger has just counted this place on it
    sent = request.workers_dispatched + 1
    status = "filled" if sent >= request.workers_requested else "partially_filled"
    return OfferResult(run_id, request.id, line_id, chosen.registration_id, chosen.member_id, chosen.member_name,
                       chosen.rank, "accepted", tuple(skipped), False, None, None, dispatch_id, status,
                       request.workers_requested, sent)


def _fresh_facts(s: Session, registration_id: int, ctx: WalkContext) -> CandidateFacts:
    return candidate_facts(s, [place_of(s, registration_id)], ctx)[registration_id]


# Every answer is written by uc_answer_offer: the skip lines above the registrant, their line, and for an accepted
# offer (after locking the member, unless they are out or were sent today: then nothing, and no row) the employment
# row, the dispatch, the registration 'dispatched' and its activity row. A by-name dispatch passes no run: no lines.
_ANSWER_SQL = text("""
    SELECT o_dispatch_id, o_line_id FROM uc_answer_offer(
        CAST(:request AS integer), CAST(:run AS uuid), CAST(:registration AS integer), CAST(:outcome AS text),
        CAST(:rank AS integer), CAST(:key AS uuid), CAST(:today AS date), CAST(:note AS text),
        CAST(:active AS text[]), CAST(:by_name AS boolean), CAST(:mark AS boolean), CAST(:skipped AS integer[]),
        CAST(:ranks AS integer[]), CAST(:reasons AS text[]))
""")


@dataclass(frozen=True, slots=True)
class _Written:
    dispatch_id: int | None
    line_id: int | None


def _write_answer(s: Session, request: WalkRequest, today: date, *, registration_id: int, outcome: str,
                  rank: int | None, run_id: uuid.UUID | None, key: uuid.UUID | None, note: str | None,
                  skipped: list[WalkEntry] | tuple[()] = (), mark: bool = False,
                  by_name: bool = False) -> _Written | None:
    """Write one answer (see _ANSWER_SQL); None when it was an acceptance and the member is out."""
    row = s.execute(_ANSWER_SQL, {
        "request": request.id, "run": run_id, "registration": registration_id, "outcome": outcome, "rank": rank,
        "key": key, "today": today, "note": (note or "").strip() or None, "active": list(ACTIVE_DISPATCH_STATUSES),
        "by_name": by_name, "mark": mark, "skipped": [e.registration_id for e in skipped],
        "ranks": [e.rank for e in skipped], "reasons": [e.skip_reason for e in skipped]}).first()
    return None if row is None else _Written(row[0], row[1])


def _dispatch_walked(s: Session, request: WalkRequest, ctx: WalkContext, chosen: WalkEntry,
                     skipped: list[WalkEntry], run_id: uuid.UUID, key: uuid.UUID,
                     note: str | None) -> OfferResult | None:
    """The accepted answer of the walk's chosen registrant (list locked); None, writing nothing, when the member
    turns out to be out already (sent from another book since the walk read their facts)."""
    written = _write_answer(s, request, ctx.today, registration_id=chosen.registration_id, outcome="accepted",
                            rank=chosen.rank, run_id=run_id, key=key, note=note, skipped=skipped)
    if written is None:
        return None
    assert written.dispatch_id is not None and written.line_id is not None
    return _accepted(request, run_id, written.line_id, chosen, skipped, written.dispatch_id)


def _answer(s: Session, request: LaborRequest, ctx: WalkContext, target: Registration, chosen: WalkEntry,
            skipped: list[WalkEntry], outcome: str, run_id: uuid.UUID, note: str | None) -> OfferResult:
    """A decline or no answer: the lines, then a refused bid win's quit (R8) or the check mark it earns (R10)."""
    refused_win = (request.bidding and outcome == "declined"
                   and _has_bid(s, request.id, target.member_id))
    mark_issued = not refused_win and should_mark(outcome, ctx.facts, exempt=False,
                                                  already_marked_today=marked_on(s, target.id, ctx.today))
    written = _write_answer(s, request, ctx.today, registration_id=target.id, outcome=outcome, rank=chosen.rank,
                            run_id=run_id, key=None, note=note, skipped=skipped, mark=mark_issued)
    assert written is not None and written.line_id is not None
    live, rolled = None, None
    if refused_win:
        _quit(s, request, target.member_id, ctx.today, ctx.rules, note="refused a job won by bid (R8)")
        rolled = "quit"
    elif mark_issued:
        mark = add_mark(s, target, day=ctx.today, rules=ctx.rules, request_id=request.id,
                        offer_line_id=written.line_id)
        live, rolled = mark.live_marks, ("check_marks" if mark.rolled_off else None)
    s.flush()
    status, wanted, sent = _counters(s, request.id)
    return OfferResult(run_id, request.id, written.line_id, target.id, target.member_id,
                       chosen.member_name, chosen.rank, outcome, tuple(skipped), mark_issued, live, rolled,
                       None, status, wanted, sent)


def _quit(s: Session, request: LaborRequest, member_id: int, day: date, rules: RuleSet, *, note: str,
          dispatch_id: int | None = None) -> None:
    """R12 applied to a refused bid win: off every book, and barred from this employer's by-name requests."""
    roll_off_all_books(s, member_id, "quit", day, note, request_id=request.id, dispatch_id=dispatch_id)
    ends = ban_ends_on(day, rules)
    if ends is not None:
        s.add(ReferralBan(member_id=member_id, employer_id=request.employer_id, starts_on=day, ends_on=ends,
                          reason="quit", dispatch_id=dispatch_id))
    s.flush()


# --- by name (R13) --------------------------------------------------------------------------------------------

def by_name_dispatch(uow: UnitOfWork, *, request_id: int, idempotency_key: uuid.UUID,
                     note: str | None = None) -> DispatchRow:
    """Send the foreperson the employer named, skipping the queue (reported separately, no offer lines)."""
    with uow:
        s = uow.session
        request = _locked_request(s, request_id)
        existing = _dispatch_by_key(s, idempotency_key)
        if existing is not None:
            _same_request(existing, request)
            return dispatch_row(s, existing.id)
        today = hall_clock(s).today
        _check_workable(request, today)
        member_id = request.by_name_member_id
        if member_id is None:
            raise ValidationError({"by_name_member_id": f"Request {request.number} names no foreperson."})
        rules = rules_for(s, request.book_id, today)
        registration = s.scalars(select(Registration).where(
            Registration.member_id == member_id, Registration.book_id == request.book_id,
            Registration.status.in_(LIVE_REGISTRATION_STATUSES)).with_for_update()).first()
        bans = list(s.scalars(select(ReferralBan).where(ReferralBan.member_id == member_id)))
        exempt = registration is not None and is_exempt(today, registration.exemption_reason,
                                                       registration.exemption_start, registration.exemption_end,
                                                       rules)
        problems = by_name_problems(has_live_registration=registration is not None,
                                    employer_id=request.employer_id, on_date=today, bans=bans,
                                    attested=request.by_name_attested, exempt=exempt)
        if problems:
            raise ValidationError({"by_name_member_id": " ".join(BY_NAME_PROBLEMS[p] for p in problems)})
        assert registration is not None
        _lock_member(s, member_id)
        current = _active_dispatch(s, member_id)
        if current is not None:
            raise DomainError(f"The foreperson is already out on request {current.request_number} "
                              f"(dispatched by {current.dispatched_by_name}).")
        written = _write_answer(s, request, today, registration_id=registration.id, outcome="accepted", rank=None,
                                run_id=None, key=idempotency_key, note=note, by_name=True)
        if written is None or written.dispatch_id is None:  # sent meanwhile (the member is locked: not expected)
            raise DomainError("The foreperson was dispatched meanwhile; refresh and look again.")
        row = dispatch_row(s, written.dispatch_id)
        uow.commit()
        return row


# --- after the dispatch: check-in, rejection, no-show --------------------------------------------------------

def check_in(uow: UnitOfWork, *, dispatch_id: int, at: datetime | None = None) -> DispatchRow:
    """The member reported to the employer. A bid dispatch must check in before the book's check-in time on
    the dispatch day (R8); later is refused: record a no-show instead. `at` replays a known time."""
    with uow:
        s = uow.session
        dispatch = _locked_dispatch(s, dispatch_id)
        if dispatch.status != "dispatched":
            raise DomainError(f"The dispatch is {dispatch.status.replace('_', ' ')}; only a new dispatch checks in.")
        clock = hall_clock(s)
        when = (at or clock.now).astimezone(clock.zone)
        if dispatch.via_bid:
            rules = rules_for(s, dispatch.book_id, dispatch.dispatch_date)
            deadline = bid_checkin_deadline(dispatch.dispatch_date, clock.zone, rules)
            if when >= deadline:
                raise DomainError(f"A bid dispatch must check in before {rules.bid_checkin_by:%H:%M} on "
                                  f"{dispatch.dispatch_date:%a %d %b}; record a no-show instead.")
        dispatch.status = "checked_in"
        dispatch.checked_in_at = when
        uow.flush()
        row = dispatch_row(s, dispatch_id)
        uow.commit()
        return row


def reject_dispatch(uow: UnitOfWork, *, dispatch_id: int, note: str) -> DispatchRow:
    """The employer turned the member away (`note`: why, required): the place goes back to the request, and the
    member back to their old place on the book (not the member's doing: no mark, no restoration used)."""
    return _undo_dispatch(uow, dispatch_id, "rejected", note)


def record_no_show(uow: UnitOfWork, *, dispatch_id: int, note: str) -> DispatchRow:
    """The member never reported (`note`: what is known, required): the place goes back to the request. A bid
    win not reported to is a refusal and counts as a quit (R8/R12); an ordinary dispatch returns the member to
    their old place."""
    return _undo_dispatch(uow, dispatch_id, "no_show", note)


def _undo_dispatch(uow: UnitOfWork, dispatch_id: int, status: str, note: str | None) -> DispatchRow:
    with uow:
        s = uow.session
        errors = dispatch_exception_errors(status, note)
        if errors:
            raise ValidationError(errors)
        request_id = s.execute(text("SELECT request_id FROM dispatches WHERE id = :d"), {"d": dispatch_id}).scalar()
        if request_id is None:
            raise NotFound("That dispatch no longer exists.")
        request = _locked_request(s, request_id)  # request before registrations, as every dispatch command
        dispatch = _locked_dispatch(s, dispatch_id)
        if dispatch.status not in ("dispatched", "checked_in"):
            raise DomainError(f"The dispatch is already {dispatch.status.replace('_', ' ')}.")
        clock = hall_clock(s)
        note = (note or "").strip() or None
        dispatch.status = status
        dispatch.note = note or dispatch.note
        if dispatch.employment_id is not None:
            employment = s.get(EmploymentRecord, dispatch.employment_id, with_for_update=True)
            assert employment is not None  # the dispatch's foreign key
            employment.ended_on = employment.started_on
            employment.days_worked = 0
        s.flush()
        registration = s.get(Registration, dispatch.registration_id, with_for_update=True) \
            if dispatch.registration_id else None
        if status == "no_show" and dispatch.via_bid:
            _quit(s, request, dispatch.member_id, clock.today, rules_for(s, request.book_id, clock.today),
                  note=f"no-show on a job won by bid (R8): {note}", dispatch_id=dispatch.id)
        elif registration is not None and registration.status == "dispatched":
            before = snapshot(registration)
            registration.status = "registered"
            dispatch.restored = True
            record_activity(s, registration, "restored", before=before, request_id=request.id,
                            dispatch_id=dispatch.id,
                            note=f"{'employer rejected' if status == 'rejected' else 'no-show'}: {note}")
        uow.flush()
        row = dispatch_row(s, dispatch_id)
        uow.commit()
        return row


# --- helpers --------------------------------------------------------------------------------------------------

def target_key(registration: Registration) -> QueueKey:
    return queue_key(registration.tier, registration.apn, registration.registered_at, registration.member_id)


def _locked_request(s: Session, request_id: int) -> LaborRequest:
    request = s.get(LaborRequest, request_id, with_for_update=True, populate_existing=True)
    if request is None:
        raise NotFound("That labor request no longer exists.")
    return request


def _locked_dispatch(s: Session, dispatch_id: int) -> Dispatch:
    dispatch = s.get(Dispatch, dispatch_id, with_for_update=True, populate_existing=True)
    if dispatch is None:
        raise NotFound("That dispatch no longer exists.")
    return dispatch


def _lock_member(s: Session, member_id: int) -> None:
    """Serialises dispatches of one member from different books: the second waits, then sees the first."""
    s.execute(text("SELECT 1 FROM members WHERE id = :m FOR NO KEY UPDATE"), {"m": member_id})


def _check_workable(request: WalkRequest, today: date) -> None:
    if request.status not in LIVE_REQUEST_STATUSES:
        raise DomainError(f"Request {request.number} is {request.status.replace('_', ' ')}.")
    if request.referral_date > today:
        raise DomainError(f"Request {request.number} is worked at the referral of "
                          f"{request.referral_date:%a %d %b %Y}, not before (R3).")


def _has_bid(s: Session, request_id: int, member_id: int | None) -> bool:
    """Whether the member (or, with None, anyone) holds a live bid on the request."""
    return bool(s.execute(text("SELECT EXISTS (SELECT 1 FROM bids WHERE request_id = :r "
                               "AND (member_id = :m OR CAST(:m AS integer) IS NULL) AND NOT withdrawn)"),
                          {"r": request_id, "m": member_id}).scalar())


def _dispatch_by_key(s: Session, key: uuid.UUID) -> Dispatch | None:
    return s.scalars(select(Dispatch).where(Dispatch.idempotency_key == key)).first()


def _same_request(dispatch: Dispatch, request: WalkRequest) -> None:
    if dispatch.request_id != request.id:
        raise DomainError("That dispatch key was already used for another request.")


def _active_dispatch(s: Session, member_id: int) -> DispatchRow | None:
    dispatch_id = s.execute(text("SELECT id FROM dispatches WHERE member_id = :m AND status = ANY(:a)"),
                            {"m": member_id, "a": list(ACTIVE_DISPATCH_STATUSES)}).scalar()
    return None if dispatch_id is None else dispatch_row(s, dispatch_id)


def _counters(s: Session, request_id: int) -> tuple[str, int, int]:
    status, wanted, sent = s.execute(text(
        "SELECT status, workers_requested, workers_dispatched FROM labor_requests WHERE id = :r"),
        {"r": request_id}).one()
    return status, wanted, sent


def _replay(s: Session, request: WalkRequest, run_id: uuid.UUID, key: uuid.UUID, *,
            registration_id: int | None, outcome: str) -> OfferResult | None:
    """A retried answer (lost connection, double click) returns what the first one wrote."""
    line: AnsweredLine | None = None
    if outcome == "accepted" and s.execute(text("SELECT EXISTS (SELECT 1 FROM dispatches WHERE idempotency_key = :k)"),
                                           {"k": key}).scalar():
        dispatch = _dispatch_by_key(s, key)
        if dispatch is not None:
            _same_request(dispatch, request)
            lines = answered_lines(s, request.id, run_id)
            line = next((ln for ln in lines.values() if ln.dispatch_id == dispatch.id), None)
            if line is None:  # accepted in another run (or by name) under this key
                for other in s.execute(text("SELECT DISTINCT run_id FROM offer_lines WHERE dispatch_id = :d"),
                                       {"d": dispatch.id}).scalars():
                    line = next((ln for ln in answered_lines(s, request.id, other).values()
                                 if ln.dispatch_id == dispatch.id), None)
            if line is None:
                raise DomainError("That dispatch key was already used for a by-name dispatch.")
    if line is None and registration_id is not None:
        line = answered_lines(s, request.id, run_id).get(registration_id)
        if line is not None and line.outcome != outcome:
            what = line.outcome or f"skipped ({line.skip_reason})"
            raise DomainError(f"{line.member_name} was already recorded as {what.replace('_', ' ')} in this pass "
                              "of the list.")
    if line is None:
        return None
    status, wanted, sent = _counters(s, request.id)
    return OfferResult(run_id, request.id, line.line_id, line.registration_id, line.member_id, line.member_name,
                       line.rank, line.outcome or "", (), line.mark_issued, None, None, line.dispatch_id, status,
                       wanted, sent, replayed=True)


def _changed_message(s: Session, target: Registration, own_skip: str | None, chosen: WalkEntry | None) -> str:
    """What happened to the list, in the words the dispatcher needs before offering again."""
    name = s.execute(text("SELECT first_name || ' ' || last_name FROM members WHERE id = :m"),
                     {"m": target.member_id}).scalar_one()
    refreshed = " The list has been refreshed."
    if target.status != "registered" or own_skip == "already_dispatched_today":
        last = s.execute(text("""
            SELECT r.number, coalesce(st.full_name, d.dispatched_by) FROM dispatches d
            JOIN labor_requests r ON r.id = d.request_id LEFT JOIN staff st ON st.login = d.dispatched_by
            WHERE d.member_id = :m ORDER BY d.id DESC LIMIT 1
        """), {"m": target.member_id}).first()
        if last is not None and (target.status == "dispatched" or own_skip == "already_dispatched_today"):
            return (f"The list changed on another workstation: {name} was dispatched by {last[1]} "
                    f"to request {last[0]}.{refreshed}")
        return (f"The list changed on another workstation: {name} is no longer on the list "
                f"({target.status.replace('_', ' ')}).{refreshed}")
    if own_skip is not None:
        return f"{name} {_SKIP_WORDS[own_skip]} and is skipped for this request.{refreshed}"
    if chosen is not None:
        return (f"The list changed on another workstation: {name} is not next; "
                f"{chosen.member_name} is.{refreshed}")
    return f"The list changed on another workstation: {name} cannot be offered this request now.{refreshed}"

