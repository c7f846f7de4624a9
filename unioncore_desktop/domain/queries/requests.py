"""Labor requests as the request screens, the morning referral and a dispatch's locked read see them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.errors import NotFound
from unioncore_desktop.domain.queries.fragments import hall_date, morning_order, queue_order
from unioncore_desktop.domain.queries.hall import business_calendar, hall_clock

LIVE_REQUEST_STATUSES = ("open", "partially_filled")


@dataclass(frozen=True, slots=True)
class RequestRow:
    """One request as lists show it and as a dispatch reads it under its row lock: enough to pick it, to see
    whether it still needs workers, and to walk its book for it (services/walk.py)."""

    id: int
    number: str
    book_id: int
    book_name: str
    employer_id: int
    employer_name: str
    worksite_id: int | None
    worksite_name: str | None
    job_class: str | None
    workers_requested: int
    workers_dispatched: int
    start_on: date
    start_time: str | None
    short_call: bool
    received_at: datetime
    referral_date: date
    agreement_type: str
    no_mark_reasons: tuple[str, ...]
    requirements: tuple[str, ...]
    bidding: bool
    by_name: bool
    status: str

    @property
    def open_places(self) -> int:
        return self.workers_requested - self.workers_dispatched

    @property
    def manual_rules(self) -> bool:
        """R4: PLA/CWA/TERO requests follow their own terms and never issue marks automatically."""
        return self.agreement_type != "standard"


@dataclass(frozen=True, slots=True)
class RequestDetail:
    """Everything on the request form, plus the version the edit dialog sends back."""

    id: int
    number: str
    employer_id: int
    employer_name: str
    worksite_id: int | None
    worksite_name: str | None
    book_id: int
    book_name: str
    job_class: str | None
    workers_requested: int
    workers_dispatched: int
    wage: Decimal | None
    start_on: date
    start_time: str | None
    duration_days: int | None
    short_call: bool
    received_at: datetime
    referral_date: date
    agreement_type: str
    no_mark_reasons: tuple[str, ...]
    requirements: tuple[str, ...]
    by_name_member_id: int | None
    by_name_member: str | None
    by_name_attested: bool
    bidding: bool
    report_to: str | None
    comments: str | None
    status: str
    cancel_reason: str | None
    created_by: str
    version: int

    @property
    def open_places(self) -> int:
        return self.workers_requested - self.workers_dispatched


@dataclass(frozen=True, slots=True)
class MorningBook:
    """R2: one book in the morning referral, its requests in received order."""

    book_id: int
    code: str
    name: str
    morning_slot: time
    sort_order: int
    requests: tuple[RequestRow, ...]


# A RequestRow's columns over `labor_requests r` and the joins they need (REQUEST_ROW_JOINS): the locked read of
# a dispatch selects them too, over the row it locked.
REQUEST_ROW_COLUMNS = """
    r.id, r.number, r.book_id, b.name AS book_name, r.employer_id, e.name AS employer_name, r.worksite_id,
    w.name AS worksite_name, r.job_class, r.workers_requested, r.workers_dispatched, r.start_on, r.start_time,
    r.short_call, r.received_at, r.referral_date, r.agreement_type, r.no_mark_reasons, r.requirements, r.bidding,
    r.by_name_member_id IS NOT NULL AS by_name, r.status
"""
REQUEST_ROW_JOINS = """
    JOIN books b ON b.id = r.book_id
    JOIN employers e ON e.id = r.employer_id
    LEFT JOIN worksites w ON w.id = r.worksite_id
"""
_ROW_SQL = f"SELECT {REQUEST_ROW_COLUMNS} FROM labor_requests r {REQUEST_ROW_JOINS}"


def request_row(m: Mapping[Any, Any]) -> RequestRow:
    """The RequestRow in a result row holding REQUEST_ROW_COLUMNS (and maybe more)."""
    values = {name: m[name] for name in RequestRow.__dataclass_fields__}
    return RequestRow(**{**values, "no_mark_reasons": tuple(values["no_mark_reasons"]),
                         "requirements": tuple(values["requirements"])})


def open_requests(session: Session, *, book_id: int | None = None,
                  referral_date: date | None = None) -> list[RequestRow]:
    """Requests still needing workers, in referral order (referral date, then received order)."""
    rows = session.execute(text(_ROW_SQL + """
        WHERE r.status IN ('open', 'partially_filled')
          AND (CAST(:book AS integer) IS NULL OR r.book_id = :book)
          AND (CAST(:day AS date) IS NULL OR r.referral_date = :day)
        ORDER BY r.referral_date, r.received_at, r.id
    """), {"book": book_id, "day": referral_date}).mappings()
    return [request_row(m) for m in rows]


def requests_between(session: Session, start: date, end: date, *, book_id: int | None = None) -> list[RequestRow]:
    """Every request (any status) received between two hall-local dates, for the request log."""
    rows = session.execute(text(_ROW_SQL + f"""
        WHERE {hall_date("r.received_at")} BETWEEN :start AND :end
          AND (CAST(:book AS integer) IS NULL OR r.book_id = :book)
        ORDER BY r.received_at, r.id
    """), {"start": start, "end": end, "book": book_id}).mappings()
    return [request_row(m) for m in rows]


def morning_referral(session: Session, day: date) -> list[MorningBook]:
    """R2: active books in slot order, then sort order, each with the requests due by `day` that still need
    workers, in received order. Books with nothing to work are listed too, so the screen shows every slot."""
    books = session.execute(text(
        "SELECT b.id, b.code, b.name, b.morning_slot, b.sort_order FROM books b WHERE b.active "
        f"ORDER BY {morning_order('b')}")).all()
    by_book: dict[int, list[RequestRow]] = {b.id: [] for b in books}
    rows = session.execute(text(_ROW_SQL + """
        WHERE r.status IN ('open', 'partially_filled') AND r.referral_date <= :day
        ORDER BY r.received_at, r.id
    """), {"day": day}).mappings()
    for m in rows:
        if m["book_id"] in by_book:
            by_book[m["book_id"]].append(request_row(m))
    return [MorningBook(b.id, b.code, b.name, b.morning_slot, b.sort_order, tuple(by_book[b.id])) for b in books]


def request_detail(session: Session, request_id: int) -> RequestDetail:
    m = session.execute(text("""
        SELECT r.id, r.number, r.employer_id, e.name AS employer_name, r.worksite_id, w.name AS worksite_name,
               r.book_id, b.name AS book_name, r.job_class, r.workers_requested, r.workers_dispatched, r.wage,
               r.start_on, r.start_time, r.duration_days, r.short_call, r.received_at, r.referral_date,
               r.agreement_type, r.no_mark_reasons, r.requirements, r.by_name_member_id,
               CASE WHEN fm.id IS NOT NULL THEN fm.last_name || ', ' || fm.first_name || ' (' || fm.card_number || ')'
               END AS by_name_member,
               r.by_name_attested, r.bidding, r.report_to, r.comments, r.status, r.cancel_reason, r.created_by,
               r.version
        FROM labor_requests r
        JOIN books b ON b.id = r.book_id
        JOIN employers e ON e.id = r.employer_id
        LEFT JOIN worksites w ON w.id = r.worksite_id
        LEFT JOIN members fm ON fm.id = r.by_name_member_id
        WHERE r.id = :id
    """), {"id": request_id}).mappings().first()
    if m is None:
        raise NotFound("That labor request no longer exists.")
    return RequestDetail(**{**m, "no_mark_reasons": tuple(m["no_mark_reasons"]),
                            "requirements": tuple(m["requirements"])})


def referral_day(session: Session) -> date:
    """The morning a dispatcher works now: today on a business day, else the next business morning (R2)."""
    return business_calendar(session).on_or_after(hall_clock(session).today)


# --- bids (R8) ------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class BidRow:
    """One bid on a request with the bidder's place on the request's book as it stands now.

    `rank`/`tier`/`apn` come from the member's live registered place (None once they no longer hold one: out
    on a dispatch, rolled off...); `offer_order` is the bid's turn in the walk, None for a bid the walk passes
    over (withdrawn, or no registered place).
    """

    id: int
    request_id: int
    member_id: int
    card_number: str
    member_name: str
    source: str
    received_at: datetime
    withdrawn: bool
    registration_id: int | None
    rank: int | None
    tier: int | None
    apn: Decimal | None
    offer_order: int | None

    @property
    def registered(self) -> bool:
        return self.registration_id is not None


# The walk (services/walk.py _BIDDERS) keeps only the registered places of members with a live bid and takes
# them in queue order; this lists the bids the same way, then the ones it passes over.
_BIDS_SQL = text(f"""
    WITH book AS (SELECT book_id FROM labor_requests WHERE id = :r),
    places AS (
        SELECT g.id, g.member_id, g.tier, g.apn, g.registered_at,
               row_number() OVER (ORDER BY {queue_order("g")}) AS rank
        FROM registrations g JOIN book ON g.book_id = book.book_id
        WHERE g.status = 'registered'
    )
    SELECT x.id, x.request_id, x.member_id, m.card_number, m.last_name || ', ' || m.first_name AS member_name,
           x.source, x.received_at, x.withdrawn, p.id AS registration_id, p.rank, p.tier, p.apn,
           CASE WHEN NOT x.withdrawn AND p.id IS NOT NULL THEN
               row_number() OVER (PARTITION BY NOT x.withdrawn AND p.id IS NOT NULL
                                  ORDER BY {queue_order("p")})
           END AS offer_order
    FROM bids x
    JOIN members m ON m.id = x.member_id
    LEFT JOIN places p ON p.member_id = x.member_id
    WHERE x.request_id = :r
    ORDER BY x.withdrawn, p.id IS NULL, {queue_order("p")}, x.member_id, x.received_at, x.id
""")


def request_bids(session: Session, request_id: int) -> list[BidRow]:
    """The bids on a request in the order the walk offers them (list position, never bid time), then live
    bids whose bidder holds no registered place, then withdrawn ones."""
    return [BidRow(**m) for m in session.execute(_BIDS_SQL, {"r": request_id}).mappings()]
