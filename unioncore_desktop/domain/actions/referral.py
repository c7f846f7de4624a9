"""The morning referral and the day's dispatches: the board, a request's walk, answers and by-name dispatches,
check-in and the end of a job, offer history, check marks and the dispatch slip.

Dispatch, registration and check-mark changes are announced by their book (the key their notifications carry)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from unioncore_desktop.domain.actions import Hall
from unioncore_desktop.domain.changes import Changed, Done, done
from unioncore_desktop.domain.errors import ConnectionProblem, DomainError
from unioncore_desktop.domain.queries import dispatch as q
from unioncore_desktop.domain.queries import referral
from unioncore_desktop.domain.queries.requests import MorningBook, RequestDetail, morning_referral
from unioncore_desktop.domain.services import dispatch as dispatch_services
from unioncore_desktop.domain.services import marks as mark_services
from unioncore_desktop.domain.services import terminations
from unioncore_desktop.domain.services import walk as walk_views
from unioncore_desktop.domain.vocab import ACTIVE_DISPATCH_STATUSES

OPEN_DISPATCH_DAYS = 120  # how far back "still on the job" looks
DISPATCH_LIST_LIMIT = 5000


def days(hall: Hall) -> referral.ReferralDays:
    return hall.read(referral.referral_days)


def board(hall: Hall, day: date) -> list[MorningBook]:
    return hall.read(morning_referral, day)


def walk(hall: Hall, request_id: int, run_id: uuid.UUID) -> walk_views.WalkView:
    return hall.read(walk_views.walk_view, request_id, run_id)


def _dispatched(row: q.DispatchRow) -> Done[q.DispatchRow]:
    return done(row, Changed.of("dispatch", book_ids=[row.book_id]))


def answer(hall: Hall, request: RequestDetail, registration_id: int, outcome: str, run_id: uuid.UUID,
           key: uuid.UUID) -> Done[dispatch_services.OfferResult]:
    """The offered registrant's answer, under the request's walk `run_id` and this click's idempotency `key`."""
    result = dispatch_services.offer_next(hall.uow(), request_id=request.id, registration_id=registration_id,
                                          outcome=outcome, run_id=run_id, idempotency_key=key)
    return done(result, *answer_changes(result, request.book_id))


@dataclass(frozen=True, slots=True)
class Answered:
    """An answer and the walk as it stands after it (None when that read failed: the answer itself is recorded)."""

    result: dispatch_services.OfferResult
    walk: walk_views.WalkView | None


def answer_and_walk(hall: Hall, request: RequestDetail, registration_id: int, outcome: str, run_id: uuid.UUID,
                    key: uuid.UUID) -> Done[Answered]:
    """`answer`, then the walk read again in the same task, so the next registrant is on screen as soon as the
    answer is: the dispatcher's next key needs it, and a second task would wait its turn behind the board's."""
    answered = answer(hall, request, registration_id, outcome, run_id, key)
    try:
        view: walk_views.WalkView | None = walk(hall, request.id, run_id)
    except (DomainError, ConnectionProblem):  # recorded all the same: the screen reads the walk on its own
        view = None
    return Done(Answered(answered.value, view), answered.changes)


def answer_changes(result: dispatch_services.OfferResult, book_id: int) -> list[Changed]:
    """Everything an answer wrote, so this workstation's screens hear it once, from the answer (the server's
    notice of the same rows is then its echo): a mark on the book, a roll-off from it (or from every book, for a
    refused bid win), and for an accept the request's count and the member's places on every book they sit on."""
    books = [book_id]
    changes = [Changed.of("dispatch", book_ids=books)]
    if result.mark_issued:
        changes.append(Changed.of("check_mark", book_ids=books))
    if result.dispatch_id is not None:
        changes += [Changed.of("labor_request", book_ids=books), Changed.of("registration")]
    elif result.rolled_off == "quit":
        changes.append(Changed.of("registration"))
    elif result.rolled_off is not None:
        changes.append(Changed.of("registration", book_ids=books))
    return changes


def dispatch_by_name(hall: Hall, request_id: int, key: uuid.UUID) -> Done[q.DispatchRow]:
    return _dispatched(dispatch_services.by_name_dispatch(hall.uow(), request_id=request_id, idempotency_key=key))


def dispatches(hall: Hall, *, first: date, last: date, open_only: bool, text: str = "") -> list[q.DispatchRow]:
    """The dispatches dated `first`..`last`, newest first, or (`open_only`) everyone still on a job dispatched in
    the OPEN_DISPATCH_DAYS before `last`; `text` keeps the rows whose member, card, employer, request or book
    holds every word."""
    start = last - timedelta(days=OPEN_DISPATCH_DAYS) if open_only else first
    rows = hall.read(q.dispatch_log, start=start, end=last, limit=DISPATCH_LIST_LIMIT)
    if open_only:
        rows = [r for r in rows if r.status in ACTIVE_DISPATCH_STATUSES]
    words = text.casefold().split()
    if words:
        rows = [r for r in rows if all(w in " ".join(str(v or "") for v in (
            r.member_name, r.card_number, r.employer_name, r.request_number, r.book_name)).casefold()
            for w in words)]
    return rows


def check_in(hall: Hall, dispatch_id: int) -> Done[q.DispatchRow]:
    return _dispatched(dispatch_services.check_in(hall.uow(), dispatch_id=dispatch_id))


def _undone(row: q.DispatchRow) -> Done[q.DispatchRow]:
    """A rejection or no-show gives the place back to the request and moves the member's registration(s)."""
    books = [row.book_id]
    return done(row, Changed.of("dispatch", book_ids=books), Changed.of("labor_request", book_ids=books),
                Changed.of("registration", book_ids=books))


def reject(hall: Hall, dispatch: q.DispatchRow, reason: str) -> Done[q.DispatchRow]:
    """The employer turned the member away: no mark, the member keeps their place on the book."""
    return _undone(dispatch_services.reject_dispatch(hall.uow(), dispatch_id=dispatch.id, note=reason))


def no_show(hall: Hall, dispatch: q.DispatchRow, reason: str) -> Done[q.DispatchRow]:
    """The member never reported (a won bid: counts as a quit, R8/R12)."""
    row = dispatch_services.record_no_show(hall.uow(), dispatch_id=dispatch.id, note=reason)
    if not dispatch.via_bid:
        return _undone(row)
    # a quit rolls the member off every book: any book's list may have changed
    return done(row, Changed.of("dispatch", book_ids=[row.book_id]),
                Changed.of("labor_request", book_ids=[row.book_id]), Changed.of("registration"))


def end_facts(hall: Hall, dispatch_id: int) -> terminations.EndFacts:
    return hall.read(terminations.end_facts, dispatch_id)


def end_job(hall: Hall, dispatch: q.DispatchRow, *, reason: str, ended_on: date, hours: Decimal | None,
            note: str | None) -> Done[terminations.TerminationResult]:
    result = terminations.terminate(hall.uow(), dispatch_id=dispatch.id, reason=reason, ended_on=ended_on,
                                    hours=hours, note=note)
    return done(result, Changed.of("dispatch", book_ids=[dispatch.book_id]))


def offer_history(hall: Hall, *, dispatch_id: int | None = None,
                  request_id: int | None = None) -> list[q.OfferLineRow]:
    return hall.read(q.offer_history, dispatch_id=dispatch_id, request_id=request_id)


def live_marks_from(hall: Hall, registration_id: int, request_id: int) -> list[q.CheckMarkRow]:
    """The registration's live check marks that answers on `request_id` issued."""
    return [m for m in hall.read(q.check_marks, registration_id=registration_id, include_removed=False)
            if m.request_id == request_id]


def remove_mark(hall: Hall, mark: q.CheckMarkRow, reason: str) -> Done[int]:
    """Remove the mark (audited); the registration's live marks left."""
    left = mark_services.remove_mark(hall.uow(), mark_id=mark.id, reason=reason)
    return done(left, Changed.of("check_mark", book_ids=[mark.book_id]))


def dispatch_slip(hall: Hall, dispatch_id: int) -> q.DispatchSlip:
    return hall.read(q.dispatch_slip, dispatch_id)
