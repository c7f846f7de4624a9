"""How referral turned out over a date range: requests' fill rate by book and employer, dispatches ended by
reason, and by-name dispatches (R13, reported apart from the list's order)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.queries.fragments import morning_order

_MEMBER_NAME = "m.last_name || ', ' || m.first_name"


def percent(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` as a percentage with one decimal; None when nothing was asked for."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- labor request status with fill rate ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class FillRateRow:
    """One employer's requests on one book: places asked for, and where each place ended up.

    `needed` = `filled` + `cancelled` + `expired` + `open`: a place is filled (a member is on it now; a rejection
    gives it back), or still open on a cancelled, an expired or a live request."""

    book_id: int
    book_name: str
    employer_id: int
    employer_name: str
    requests: int
    needed: int
    filled: int
    cancelled: int
    expired: int
    open: int

    @property
    def fill_rate(self) -> Decimal | None:
        return percent(self.filled, self.needed)


@dataclass(frozen=True, slots=True)
class FillRate:
    """The fill-rate report: rows by book (morning order) then employer, and requests counted by status."""

    start: date
    end: date
    rows: tuple[FillRateRow, ...]
    by_status: tuple[tuple[str, int], ...]

    @property
    def needed(self) -> int:
        return sum(r.needed for r in self.rows)

    @property
    def filled(self) -> int:
        return sum(r.filled for r in self.rows)

    @property
    def fill_rate(self) -> Decimal | None:
        return percent(self.filled, self.needed)


def fill_rate(session: Session, start: date, end: date, book_id: int | None = None) -> FillRate:
    """Requests whose referral morning falls in `start`..`end` (inclusive), on one book or all, summed by book and
    employer."""
    rows = session.execute(text(f"""
        SELECT b.id AS book_id, b.name AS book_name, e.id AS employer_id, e.name AS employer_name,
               count(*) AS requests, sum(r.workers_requested) AS needed, sum(r.workers_dispatched) AS filled,
               coalesce(sum(r.workers_requested - r.workers_dispatched)
                        FILTER (WHERE r.status = 'cancelled'), 0) AS cancelled,
               coalesce(sum(r.workers_requested - r.workers_dispatched)
                        FILTER (WHERE r.status = 'expired'), 0) AS expired,
               coalesce(sum(r.workers_requested - r.workers_dispatched)
                        FILTER (WHERE r.status IN ('open', 'partially_filled')), 0) AS open
        FROM labor_requests r
        JOIN books b ON b.id = r.book_id
        JOIN employers e ON e.id = r.employer_id
        WHERE r.referral_date BETWEEN :start AND :end AND (CAST(:book AS integer) IS NULL OR r.book_id = :book)
        GROUP BY b.id, e.id
        ORDER BY {morning_order("b")}, e.name, e.id
    """), {"start": start, "end": end, "book": book_id}).mappings()
    statuses = session.execute(text("""
        SELECT status, count(*) FROM labor_requests
        WHERE referral_date BETWEEN :start AND :end AND (CAST(:book AS integer) IS NULL OR book_id = :book)
        GROUP BY status ORDER BY status
    """), {"start": start, "end": end, "book": book_id}).all()
    return FillRate(start, end, tuple(_fill_row(r) for r in rows), tuple((s, int(n)) for s, n in statuses))


def _fill_row(r: Mapping[Any, Any]) -> FillRateRow:
    """sum() of a smallint column is numeric in PostgreSQL: the counts come back as whole Decimals."""
    return FillRateRow(r["book_id"], r["book_name"], r["employer_id"], r["employer_name"], int(r["requests"]),
                       *(int(r[k]) for k in ("needed", "filled", "cancelled", "expired", "open")))


# --- dispatches ended, by reason ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class TerminationRow:
    dispatch_id: int
    terminated_on: date
    reason: str
    card_number: str
    member_name: str
    employer_name: str
    worksite_name: str | None
    book_name: str
    request_number: str
    dispatch_date: date
    business_days_worked: int | None
    hours_worked: Decimal | None
    short_call: bool
    restored: bool  # the member went back to their old place on the book (R9)


def terminations(session: Session, start: date, end: date) -> list[TerminationRow]:
    """Dispatches ended in `start`..`end`, by reason, then day and member."""
    rows = session.execute(text(f"""
        SELECT d.id AS dispatch_id, d.terminated_on, d.termination_reason AS reason, m.card_number,
               {_MEMBER_NAME} AS member_name, e.name AS employer_name, w.name AS worksite_name,
               b.name AS book_name, r.number AS request_number, d.dispatch_date, d.business_days_worked,
               d.hours_worked, d.short_call, d.restored
        FROM dispatches d
        JOIN members m ON m.id = d.member_id
        JOIN employers e ON e.id = d.employer_id
        JOIN books b ON b.id = d.book_id
        JOIN labor_requests r ON r.id = d.request_id
        LEFT JOIN worksites w ON w.id = d.worksite_id
        WHERE d.status = 'terminated' AND d.terminated_on BETWEEN :start AND :end
        ORDER BY d.termination_reason, d.terminated_on, m.last_name, m.first_name, d.id
    """), {"start": start, "end": end}).mappings()
    return [TerminationRow(**r) for r in rows]


# --- by-name dispatches ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ByNameRow:
    """A foreperson named by the employer and sent outside the list's order (R13), with what allowed it."""

    dispatch_id: int
    dispatched_at: datetime
    dispatch_date: date
    request_number: str
    book_name: str
    employer_name: str
    worksite_name: str | None
    card_number: str
    member_name: str
    status: str
    agreement_type: str       # PLA/CWA/TERO requests follow their own terms (R4)
    attested: bool            # the dispatcher recorded that the member did not solicit the request
    named_on_request: bool    # the request names this member (else an older by-name row without the name)
    tier: int | None          # the member's place on the book they were sent from, when on it
    apn: Decimal | None
    dispatched_by_name: str
    note: str | None


def by_name_dispatches(session: Session, start: date, end: date) -> list[ByNameRow]:
    """By-name dispatches dated `start`..`end`, in dispatch order."""
    rows = session.execute(text(f"""
        SELECT d.id AS dispatch_id, d.dispatched_at, d.dispatch_date, r.number AS request_number,
               b.name AS book_name, e.name AS employer_name, w.name AS worksite_name, m.card_number,
               {_MEMBER_NAME} AS member_name, d.status, r.agreement_type, r.by_name_attested AS attested,
               r.by_name_member_id IS NOT DISTINCT FROM d.member_id AS named_on_request, g.tier, g.apn,
               coalesce(s.full_name, d.dispatched_by) AS dispatched_by_name, d.note
        FROM dispatches d
        JOIN members m ON m.id = d.member_id
        JOIN employers e ON e.id = d.employer_id
        JOIN books b ON b.id = d.book_id
        JOIN labor_requests r ON r.id = d.request_id
        LEFT JOIN worksites w ON w.id = d.worksite_id
        LEFT JOIN registrations g ON g.id = d.registration_id
        LEFT JOIN staff s ON s.login = d.dispatched_by
        WHERE d.by_name AND d.dispatch_date BETWEEN :start AND :end
        ORDER BY d.dispatched_at, d.id
    """), {"start": start, "end": end}).mappings()
    return [ByNameRow(**r) for r in rows]
