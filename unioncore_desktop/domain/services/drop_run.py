"""The drop run: who leaves the books as of a day, and why (R6, R7, R14, max days on book).

Staff preview it first ("who would drop if run as of date X"), then apply exactly what the preview showed.
One SQL statement narrows the live registrations to those that might be affected; the pure rule functions
decide; the apply step recomputes under row locks and refuses if the list changed since the preview.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, Row, text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.errors import (
    DomainError,
    PermissionDenied,
    ValidationError,
)
from unioncore_desktop.domain.queries.fragments import morning_order, queue_order
from unioncore_desktop.domain.rules.book_rules import RuleSet
from unioncore_desktop.domain.rules.registration import (
    failed_reregistration,
    is_exempt,
    is_resign_overdue,
    last_resign_day,
    over_max_days_on_book,
)
from unioncore_desktop.domain.rules.registration import resign_due as resign_due_after
from unioncore_desktop.domain.services.referral_context import hall_clock, rules_for, snapshot_sql
from unioncore_desktop.domain.uow import UnitOfWork

DROP_REASONS = ("failed_re_register", "failed_re_sign", "max_days_on_book")
EXEMPTION_EXPIRED = "exemption_expired"  # not a drop: the registration is subject to re-sign again
CandidateKey = tuple[int, str]


@dataclass(frozen=True, slots=True)
class DropCandidate:
    """One registration the run would change, and why."""

    registration_id: int
    member_id: int
    member: str  # 'Last, First'
    card: str
    book_id: int
    book: str
    tier: int
    apn: Decimal
    reason: str  # one of DROP_REASONS, or 'exemption_expired'
    detail: str
    exemption_end: date | None = None

    @property
    def key(self) -> CandidateKey:
        return (self.registration_id, self.reason)

    @property
    def drops(self) -> bool:
        return self.reason != EXEMPTION_EXPIRED


@dataclass(frozen=True, slots=True)
class DropRunResult:
    as_of: date
    rolled_off: int
    exemptions_ended: int
    candidates: tuple[DropCandidate, ...]


_CANDIDATES_SQL = f"""
    SELECT g.id, g.member_id, m.last_name, m.first_name, m.card_number, g.book_id, b.name AS book_name,
           g.tier, g.apn, g.registered_at, g.status, g.resign_due_on, g.exemption_reason, g.exemption_start,
           g.exemption_end, g.reregister_by
    FROM registrations g
    JOIN members m ON m.id = g.member_id
    JOIN books b ON b.id = g.book_id
    WHERE g.status IN ('registered', 'dispatched', 'awaiting_reregistration')
      AND ((g.status = 'registered' AND (g.resign_due_on < :as_of OR g.exemption_end < :as_of
                                         OR g.book_id = ANY(:max_day_books)))
           OR g.member_id IN (SELECT a.member_id FROM registrations a
                              WHERE a.status = 'awaiting_reregistration' AND a.reregister_by <= :as_of_start))
    ORDER BY {morning_order("b")}, {queue_order("g")}
"""


def preview_drops(session_or_uow: Session | UnitOfWork, *, as_of: date) -> list[DropCandidate]:
    """Who would drop (or come off an expired exemption) in a run as of `as_of`; changes nothing."""
    if isinstance(session_or_uow, UnitOfWork):
        with session_or_uow as uow:
            return _candidates(uow.session, as_of)
    return _candidates(session_or_uow, as_of)


# Rolling members off books is a manager's act (§6): dispatchers write registrations one by one, not in bulk.
_MAY_APPLY = "SELECT pg_has_role(session_user, 'uc_manager', 'MEMBER')"


def apply_drops(uow: UnitOfWork, *, as_of: date, expected: Iterable[CandidateKey]) -> DropRunResult:
    """Apply exactly the previewed run. Refused when the list changed since the preview (someone re-signed,
    another run went first); applying the same preview twice changes nothing the second time."""
    expected_keys = {(int(r), str(reason)) for r, reason in expected}
    with uow:
        session = uow.session
        if not session.execute(text(_MAY_APPLY)).scalar():
            raise PermissionDenied("Only a manager applies the drop run; a dispatcher may preview it.")
        today = hall_clock(session).today
        if as_of > today:
            raise ValidationError({"as_of": "A drop run can be applied as of today or an earlier day, "
                                            "not ahead of time; preview future days instead."})
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('uc_drop_run'))"))
        current = _candidates(session, as_of, lock=True)
        keys = {c.key for c in current}
        if keys != expected_keys:
            done = _already_applied(session, as_of, expected_keys - keys)
            if keys != expected_keys - done:
                raise DomainError(f"The drop list changed since the preview ({len(keys)} now, "
                                  f"{len(expected_keys)} previewed); preview again before applying.")
        rules: dict[int, RuleSet] = {}
        dues: list[date | None] = []
        for c in current:
            if c.drops:
                dues.append(None)
            else:
                book_rules = rules.setdefault(c.book_id, rules_for(session, c.book_id, as_of))
                dues.append(resign_due_after(max(c.exemption_end or as_of, as_of), book_rules))
        written = cast("CursorResult[Any]", session.execute(_APPLY_SQL, {
            "ids": [c.registration_id for c in current], "reasons": [c.reason for c in current],
            "notes": [f"{_NOTE_PREFIX.format(as_of=as_of)}{c.detail}" for c in current], "dues": dues,
            "as_of": as_of})).rowcount
        if written != len(current):
            raise DomainError("The drop run could not change every registration it listed; preview again.")
        uow.commit()
    return DropRunResult(as_of=as_of, rolled_off=sum(c.drops for c in current),
                         exemptions_ended=sum(not c.drops for c in current), candidates=tuple(current))


_NOTE_PREFIX = "Drop run as of {as_of:%Y-%m-%d}: "


# One statement for the whole run: a nightly run of hundreds of drops must not cost a round trip per row.
# CTEs share one snapshot, so `before` sees the rows as they were; each change gets its activity row.
_APPLY_SQL = text(f"""
    WITH d AS (
        SELECT * FROM unnest(CAST(:ids AS int[]), CAST(:reasons AS text[]), CAST(:notes AS text[]),
                             CAST(:dues AS date[])) AS d(id, reason, note, due)
    ), before AS (
        SELECT g.id, {snapshot_sql("g")} AS snap FROM registrations g JOIN d ON d.id = g.id
    ), changed AS (
        UPDATE registrations g
           SET status = CASE WHEN d.reason = '{EXEMPTION_EXPIRED}' THEN g.status ELSE 'rolled_off' END,
               roll_off_reason = CASE WHEN d.reason = '{EXEMPTION_EXPIRED}' THEN g.roll_off_reason ELSE d.reason END,
               rolled_off_on = CASE WHEN d.reason = '{EXEMPTION_EXPIRED}' THEN g.rolled_off_on
                                    ELSE CAST(:as_of AS date) END,
               reregister_by = CASE WHEN d.reason = '{EXEMPTION_EXPIRED}' THEN g.reregister_by END,
               exemption_reason = CASE WHEN d.reason = '{EXEMPTION_EXPIRED}' THEN NULL ELSE g.exemption_reason END,
               exemption_start = CASE WHEN d.reason = '{EXEMPTION_EXPIRED}' THEN NULL ELSE g.exemption_start END,
               exemption_end = CASE WHEN d.reason = '{EXEMPTION_EXPIRED}' THEN NULL ELSE g.exemption_end END,
               resign_due_on = CASE WHEN d.reason = '{EXEMPTION_EXPIRED}' THEN d.due ELSE g.resign_due_on END,
               version = g.version + 1
          FROM d
         WHERE g.id = d.id
        RETURNING g.id, g.member_id, g.book_id, {snapshot_sql("g")} AS snap, d.reason AS run_reason,
                  d.note AS run_note
    )
    INSERT INTO registration_activity (registration_id, member_id, book_id, action, before, after, note)
    SELECT c.id, c.member_id, c.book_id,
           CASE WHEN c.run_reason = '{EXEMPTION_EXPIRED}' THEN 'exempt_end' ELSE 'roll_off' END,
           b.snap, c.snap, c.run_note
    FROM changed c JOIN before b ON b.id = c.id
""")


def _candidates(session: Session, as_of: date, *, lock: bool = False) -> list[DropCandidate]:
    clock = hall_clock(session)
    start = _start_of_day(as_of, clock.zone)
    book_ids = session.execute(text("SELECT id FROM books ORDER BY id")).scalars().all()
    rules = {book_id: rules_for(session, book_id, as_of) for book_id in book_ids}
    max_day_books = [b for b, r in rules.items() if r.max_days_on_book is not None]
    rows = session.execute(text(_CANDIDATES_SQL + (" FOR UPDATE OF g" if lock else "")),
                           {"as_of": as_of, "as_of_start": start, "max_day_books": max_day_books}).all()

    awaiting = [(r.member_id, r.reregister_by) for r in rows if r.status == "awaiting_reregistration"]
    off_all_books = failed_reregistration(awaiting, start)
    deadlines: dict[int, datetime] = {}
    for member_id, deadline in awaiting:
        if member_id in off_all_books:
            deadlines[member_id] = min(deadline, deadlines.get(member_id, deadline))

    out = []
    for r in rows:
        reason, detail = _decide(r, as_of, rules[r.book_id], off_all_books, deadlines, clock.zone)
        if reason is not None:
            out.append(DropCandidate(
                registration_id=r.id, member_id=r.member_id, member=f"{r.last_name}, {r.first_name}",
                card=r.card_number, book_id=r.book_id, book=r.book_name, tier=r.tier, apn=r.apn,
                reason=reason, detail=detail, exemption_end=r.exemption_end))
    return out


def _decide(r: Row[Any], as_of: date, rules: RuleSet, off_all_books: frozenset[int], deadlines: dict[int, datetime],
            zone: ZoneInfo) -> tuple[str | None, str]:
    if r.member_id in off_all_books:
        deadline = deadlines[r.member_id].astimezone(zone)
        return "failed_re_register", f"did not re-register by {deadline:%a %d %b %Y %H:%M} (all books)"
    if r.status != "registered":
        return None, ""
    if r.exemption_reason is not None:
        if r.exemption_end is not None and as_of > r.exemption_end:
            return EXEMPTION_EXPIRED, (f"{r.exemption_reason.replace('_', ' ')} exemption ended "
                                       f"{r.exemption_end:%d %b %Y}; re-sign is due again")
        if is_exempt(as_of, r.exemption_reason, r.exemption_start, r.exemption_end, rules):
            return None, ""
    if is_resign_overdue(as_of, r.resign_due_on, rules):
        return "failed_re_sign", f"re-sign was due by {last_resign_day(r.resign_due_on, rules):%d %b %Y}"
    registered_on = r.registered_at.astimezone(zone).date()
    if over_max_days_on_book(registered_on, as_of, rules):
        return "max_days_on_book", f"on the book since {registered_on:%d %b %Y} (limit {rules.max_days_on_book} days)"
    return None, ""


def _already_applied(session: Session, as_of: date, keys: set[CandidateKey]) -> set[CandidateKey]:
    """Keys a run as of the same day already applied (a retry after a lost connection)."""
    if not keys:
        return set()
    rows = session.execute(text("""
        SELECT registration_id, CASE WHEN action = 'exempt_end' THEN 'exemption_expired'
                                     ELSE after ->> 'roll_off_reason' END
        FROM registration_activity
        WHERE registration_id = ANY(:ids) AND action IN ('roll_off', 'exempt_end') AND starts_with(note, :prefix)
    """), {"ids": sorted({k[0] for k in keys}), "prefix": _NOTE_PREFIX.format(as_of=as_of)}).all()
    return {(rid, reason) for rid, reason in rows} & keys


def _start_of_day(day: date, zone: ZoneInfo) -> datetime:
    """A run as of a day is evaluated at that day's first instant in the hall's zone, so an R6 deadline at
    midnight after the deadline day counts as missed on the next day, the same way R7 treats its due day."""
    return datetime.combine(day, time(0), zone)
