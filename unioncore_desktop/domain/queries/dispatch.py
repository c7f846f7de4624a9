"""Dispatch read side: the dispatch log and Day Book, a member's current job, the frozen offer lines behind a
dispatch (the grievance answer), check marks and bids."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.errors import NotFound
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.vocab import ACTIVE_DISPATCH_STATUSES


@dataclass(frozen=True, slots=True)
class DispatchRow:
    id: int
    request_id: int
    request_number: str
    member_id: int
    card_number: str
    member_name: str
    registration_id: int | None
    book_id: int
    book_name: str
    employer_id: int
    employer_name: str
    worksite_name: str | None
    dispatched_at: datetime
    dispatch_date: date
    by_name: bool
    via_bid: bool
    short_call: bool
    status: str
    checked_in_at: datetime | None
    terminated_on: date | None
    termination_reason: str | None
    business_days_worked: int | None
    hours_worked: Decimal | None
    restored: bool
    dispatched_by: str
    dispatched_by_name: str
    note: str | None
    version: int


@dataclass(frozen=True, slots=True)
class DayBookTotal:
    key_id: int
    name: str
    dispatches: int


@dataclass(frozen=True, slots=True)
class DayBook:
    """The Day Book: every dispatch of one hall-local day, or of `day`..`last_day`, with totals by book and by
    employer over them."""

    day: date
    rows: tuple[DispatchRow, ...]
    by_book: tuple[DayBookTotal, ...]
    by_employer: tuple[DayBookTotal, ...]
    by_name_count: int
    last_day: date | None = None  # None: one day

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def end(self) -> date:
        return self.last_day or self.day

    @property
    def one_day(self) -> bool:
        return self.end == self.day


@dataclass(frozen=True, slots=True)
class OfferLineRow:
    """One frozen line: who was considered, where they stood, skipped (why) or offered (the answer)."""

    id: int
    run_id: uuid.UUID
    request_id: int
    request_number: str
    book_id: int
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
    note: str | None
    at: datetime
    recorded_by: str
    recorded_by_name: str


@dataclass(frozen=True, slots=True)
class CheckMarkRow:
    id: int
    registration_id: int
    member_id: int
    book_id: int
    book_name: str
    marked_on: date
    request_id: int | None
    request_number: str | None
    created_by: str
    removed_at: datetime | None
    removed_by: str | None
    removal_reason: str | None

    @property
    def live(self) -> bool:
        return self.removed_at is None


_DISPATCH_SQL = """
    SELECT d.id, d.request_id, r.number AS request_number, d.member_id, m.card_number,
           m.last_name || ', ' || m.first_name AS member_name, d.registration_id, d.book_id, b.name AS book_name,
           d.employer_id, e.name AS employer_name, w.name AS worksite_name, d.dispatched_at, d.dispatch_date,
           d.by_name, d.via_bid, d.short_call, d.status, d.checked_in_at, d.terminated_on, d.termination_reason,
           d.business_days_worked, d.hours_worked, d.restored, d.dispatched_by,
           coalesce(s.full_name, d.dispatched_by) AS dispatched_by_name, d.note, d.version
    FROM dispatches d
    JOIN labor_requests r ON r.id = d.request_id
    JOIN members m ON m.id = d.member_id
    JOIN books b ON b.id = d.book_id
    JOIN employers e ON e.id = d.employer_id
    LEFT JOIN worksites w ON w.id = d.worksite_id
    LEFT JOIN staff s ON s.login = d.dispatched_by
"""


def dispatch_row(session: Session, dispatch_id: int) -> DispatchRow:
    m = session.execute(text(_DISPATCH_SQL + " WHERE d.id = :id"), {"id": dispatch_id}).mappings().first()
    if m is None:
        raise NotFound("That dispatch no longer exists.")
    return DispatchRow(**m)


@dataclass(frozen=True, slots=True)
class DispatchSlip:
    """Everything printed on the slip, gathered from the dispatch, its request and the worksite."""

    dispatch_id: int
    member_name: str
    card_number: str
    employer_name: str
    employer_phone: str | None
    worksite_name: str | None
    worksite_address: str | None
    report_to: str | None
    start_on: date
    start_time: str | None
    request_number: str
    book_name: str
    job_class: str | None
    by_name: bool
    short_call: bool
    requirements: tuple[str, ...]
    dispatcher: str
    dispatched_at: datetime
    wage: Decimal | None = None
    duration_days: int | None = None
    foreperson: str | None = None  # the request's by-name foreperson, else the employer's contact so titled
    employer_contact: str | None = None  # the primary contact, when no foreperson is on file
    hall_address: str | None = None
    hall_phone: str | None = None


_SLIP_SQL = """
    SELECT d.id AS dispatch_id, m.last_name || ', ' || m.first_name AS member_name, m.card_number,
           e.name AS employer_name, e.phone AS employer_phone, w.name AS worksite_name,
           CASE WHEN rw.id IS NOT NULL THEN concat_ws(', ', nullif(rw.address_line1, ''), nullif(rw.city, ''))
           END AS worksite_address,
           coalesce(nullif(r.report_to, ''), nullif(w.report_to, '')) AS report_to,
           greatest(r.start_on, d.dispatch_date) AS start_on, r.start_time, r.number AS request_number,
           b.name AS book_name, r.job_class, d.by_name, d.short_call, r.requirements,
           coalesce(s.full_name, d.dispatched_by) AS dispatcher, d.dispatched_at, r.wage, r.duration_days,
           coalesce(
               -- the foreperson the employer named on the request (R13), on everyone else's slip
               (SELECT fm.first_name || ' ' || fm.last_name || ' (card ' || fm.card_number || ')' FROM members fm
                 WHERE fm.id = r.by_name_member_id AND fm.id <> d.member_id),
               (SELECT concat_ws(' · ', c.name, nullif(c.phone, '')) FROM employer_contacts c
                 WHERE c.employer_id = d.employer_id AND c.title ~* '(fore(man|woman|person)|super)'
                 ORDER BY c.is_primary DESC, c.id LIMIT 1)) AS foreperson,
           (SELECT concat_ws(' · ', c.name, nullif(c.title, ''), nullif(c.phone, '')) FROM employer_contacts c
             WHERE c.employer_id = d.employer_id AND c.is_primary) AS employer_contact,
           (SELECT nullif(value, '') FROM app_settings WHERE key = 'hall_address') AS hall_address,
           (SELECT nullif(value, '') FROM app_settings WHERE key = 'hall_phone') AS hall_phone
    FROM dispatches d
    JOIN labor_requests r ON r.id = d.request_id
    JOIN members m ON m.id = d.member_id
    JOIN books b ON b.id = d.book_id
    JOIN employers e ON e.id = d.employer_id
    LEFT JOIN worksites w ON w.id = d.worksite_id
    LEFT JOIN worksites rw ON rw.id = r.worksite_id AND rw.employer_id = d.employer_id
    LEFT JOIN staff s ON s.login = d.dispatched_by
    WHERE d.id = :id
"""


def dispatch_slip(session: Session, dispatch_id: int) -> DispatchSlip:
    """The slip of one dispatch: the worksite's address and the report-to from the request, the start no earlier
    than the dispatch day. One statement."""
    m = session.execute(text(_SLIP_SQL), {"id": dispatch_id}).mappings().first()
    if m is None:
        raise NotFound("That dispatch no longer exists.")
    return DispatchSlip(**{**m, "requirements": tuple(m["requirements"] or ())})


def member_current_dispatch(session: Session, member_id: int) -> DispatchRow | None:
    """The member's active dispatch (there is at most one: a unique index), or None."""
    m = session.execute(text(_DISPATCH_SQL + """
        WHERE d.member_id = :m AND d.status IN ('dispatched', 'checked_in', 'working')
    """), {"m": member_id}).mappings().first()
    return None if m is None else DispatchRow(**m)


def request_dispatches(session: Session, request_id: int) -> list[DispatchRow]:
    """Every dispatch to one request, in the order they were made (rejected and no-show ones included)."""
    rows = session.execute(text(_DISPATCH_SQL + " WHERE d.request_id = :r ORDER BY d.dispatched_at, d.id"),
                           {"r": request_id}).mappings()
    return [DispatchRow(**m) for m in rows]


def dispatch_log(session: Session, *, start: date, end: date, book_id: int | None = None,
                 employer_id: int | None = None, member_id: int | None = None, by_name: bool | None = None,
                 before: tuple[datetime, int] | None = None, limit: int = 200) -> list[DispatchRow]:
    """Dispatches dated `start`..`end`, newest first, a page at a time: pass the last row's
    (dispatched_at, id) as `before` for the next page. `by_name=True` is the separate by-name report (R13)."""
    rows = session.execute(text(_DISPATCH_SQL + """
        WHERE d.dispatch_date BETWEEN :start AND :end
          AND (CAST(:book AS integer) IS NULL OR d.book_id = :book)
          AND (CAST(:employer AS integer) IS NULL OR d.employer_id = :employer)
          AND (CAST(:member AS integer) IS NULL OR d.member_id = :member)
          AND (CAST(:by_name AS boolean) IS NULL OR d.by_name = :by_name)
          AND (CAST(:b_at AS timestamptz) IS NULL OR (d.dispatched_at, d.id) < (:b_at, :b_id))
        ORDER BY d.dispatched_at DESC, d.id DESC
        LIMIT :limit
    """), {"start": start, "end": end, "book": book_id, "employer": employer_id, "member": member_id,
           "by_name": by_name, "b_at": before[0] if before else None, "b_id": before[1] if before else None,
           "limit": limit}).mappings()
    return [DispatchRow(**m) for m in rows]


def day_book(session: Session, day: date, last_day: date | None = None) -> DayBook:
    """The Day Book for `day`, or for `day`..`last_day`, in dispatch order."""
    end = last_day or day
    rows = [DispatchRow(**m) for m in session.execute(text(_DISPATCH_SQL + """
        WHERE d.dispatch_date BETWEEN :day AND :end ORDER BY d.dispatched_at, d.id
    """), {"day": day, "end": end}).mappings()]

    def totals(key_name: str, label_name: str) -> tuple[DayBookTotal, ...]:
        counts = Counter((getattr(r, key_name), getattr(r, label_name)) for r in rows)
        return tuple(DayBookTotal(k, n, c) for (k, n), c in sorted(counts.items(), key=lambda kv: kv[0][1]))

    return DayBook(day, tuple(rows), totals("book_id", "book_name"), totals("employer_id", "employer_name"),
                   sum(1 for r in rows if r.by_name), None if end == day else end)


@dataclass(frozen=True, slots=True)
class CurrentEmployees:
    """Every active dispatch, however long ago it was made, by employer, worksite and member name."""

    today: date
    rows: tuple[DispatchRow, ...]


def current_employees(session: Session) -> CurrentEmployees:
    rows = session.execute(text(_DISPATCH_SQL + """
        WHERE d.status = ANY(:active)
        ORDER BY e.name, d.employer_id, w.name NULLS FIRST, d.worksite_id, m.last_name, m.first_name, d.id
    """), {"active": list(ACTIVE_DISPATCH_STATUSES)}).mappings()
    return CurrentEmployees(hall_clock(session).today, tuple(DispatchRow(**m) for m in rows))


_LINE_SQL = """
    SELECT o.id, o.run_id, o.request_id, r.number AS request_number, o.book_id, o.registration_id, o.member_id,
           m.card_number, m.last_name || ', ' || m.first_name AS member_name, o.rank, o.tier, o.apn,
           o.skip_reason, o.outcome, o.mark_issued, o.dispatch_id, o.note, o.at, o.recorded_by,
           coalesce(s.full_name, o.recorded_by) AS recorded_by_name
    FROM offer_lines o
    JOIN labor_requests r ON r.id = o.request_id
    JOIN members m ON m.id = o.member_id
    LEFT JOIN staff s ON s.login = o.recorded_by
"""


def offer_history(session: Session, *, dispatch_id: int | None = None,
                  request_id: int | None = None) -> list[OfferLineRow]:
    """The frozen lines: for a dispatch, its run up to and including the accepted line (the list as it stood
    when that member was sent); for a request, every line of every run, in the order they were written."""
    if (dispatch_id is None) == (request_id is None):
        raise ValueError("give exactly one of dispatch_id and request_id")
    if dispatch_id is not None:
        sql = _LINE_SQL + """
            JOIN offer_lines a ON a.dispatch_id = :d AND a.outcome = 'accepted'
            WHERE o.run_id = a.run_id AND o.request_id = a.request_id AND o.id <= a.id ORDER BY o.id
        """
        params: dict[str, int | None] = {"d": dispatch_id}
    else:
        sql = _LINE_SQL + " WHERE o.request_id = :r ORDER BY o.id"
        params = {"r": request_id}
    return [OfferLineRow(**m) for m in session.execute(text(sql), params).mappings()]


def member_offer_lines(session: Session, member_id: int, *, limit: int = 200) -> list[OfferLineRow]:
    """Every time the member was considered, newest first: "why was I passed over"."""
    return [OfferLineRow(**m) for m in session.execute(text(_LINE_SQL + """
        WHERE o.member_id = :m ORDER BY o.id DESC LIMIT :limit
    """), {"m": member_id, "limit": limit}).mappings()]


def check_marks(session: Session, *, member_id: int | None = None, registration_id: int | None = None,
                include_removed: bool = True) -> list[CheckMarkRow]:
    rows = session.execute(text("""
        SELECT c.id, c.registration_id, c.member_id, c.book_id, b.name AS book_name, c.marked_on, c.request_id,
               r.number AS request_number, c.created_by, c.removed_at, c.removed_by, c.removal_reason
        FROM check_marks c JOIN books b ON b.id = c.book_id LEFT JOIN labor_requests r ON r.id = c.request_id
        WHERE (CAST(:m AS integer) IS NULL OR c.member_id = :m)
          AND (CAST(:g AS integer) IS NULL OR c.registration_id = :g)
          AND (:all OR c.removed_at IS NULL)
        ORDER BY c.marked_on DESC, c.id DESC
    """), {"m": member_id, "g": registration_id, "all": include_removed}).mappings()
    return [CheckMarkRow(**m) for m in rows]
