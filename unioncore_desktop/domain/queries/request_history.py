"""Past labor requests: the filled, cancelled and expired ones, found by start date, book, employer and status, and
one past request with its dispatches (rejected and no-show ones included)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.queries.dispatch import DispatchRow, request_dispatches
from unioncore_desktop.domain.queries.requests import RequestDetail, request_detail
from unioncore_desktop.domain.queries.text_search import like_escape, normalize_query

CLOSED_REQUEST_STATUSES = ("filled", "cancelled", "expired")
HISTORY_LIMIT = 5000


@dataclass(frozen=True, slots=True)
class PastRequestRow:
    """One closed request as the history lists it; `reason` is why it was cancelled or expired, `closed_at` when
    it expired (or, for the others, when it last changed)."""

    id: int
    number: str
    book_id: int
    book_name: str
    employer_id: int
    employer_name: str
    worksite_name: str | None
    job_class: str | None
    workers_requested: int
    workers_dispatched: int
    start_on: date
    referral_date: date
    received_at: datetime
    status: str
    reason: str | None
    closed_at: datetime


@dataclass(frozen=True, slots=True)
class PastRequest:
    """A request with everything the history's detail shows: the form's fields, how it closed, its dispatches."""

    detail: RequestDetail
    expired_at: datetime | None
    expiry_reason: str | None
    dispatches: tuple[DispatchRow, ...]


@dataclass(frozen=True, slots=True)
class HistoryFilter:
    """What the history is searched by: the start dates (inclusive), and optionally the book, the status (one of
    CLOSED_REQUEST_STATUSES) and words of the employer's name or the request's number."""

    first: date
    last: date
    book_id: int | None = None
    status: str | None = None
    text: str = ""


_HISTORY_SQL = text("""
    SELECT r.id, r.number, r.book_id, b.name AS book_name, r.employer_id, e.name AS employer_name,
           w.name AS worksite_name, r.job_class, r.workers_requested, r.workers_dispatched, r.start_on,
           r.referral_date, r.received_at, r.status,
           CASE r.status WHEN 'cancelled' THEN r.cancel_reason WHEN 'expired' THEN r.expiry_reason END AS reason,
           coalesce(r.expired_at, r.updated_at) AS closed_at
    FROM labor_requests r
    JOIN books b ON b.id = r.book_id
    JOIN employers e ON e.id = r.employer_id
    LEFT JOIN worksites w ON w.id = r.worksite_id
    WHERE r.status = ANY(CAST(:statuses AS text[]))
      AND r.start_on BETWEEN :first AND :last
      AND (CAST(:book AS integer) IS NULL OR r.book_id = :book)
      AND (CAST(:words AS text[]) IS NULL OR NOT EXISTS (
              SELECT 1 FROM unnest(CAST(:words AS text[])) AS x(word)
              WHERE e.search_text NOT LIKE '%' || x.word || '%' AND lower(r.number) NOT LIKE '%' || x.word || '%'))
    ORDER BY r.start_on DESC, r.received_at DESC, r.id DESC
    LIMIT :limit
""")


def request_history(session: Session, search: HistoryFilter, *, limit: int = HISTORY_LIMIT) -> list[PastRequestRow]:
    """Closed requests starting between the filter's dates, newest first; each word of `text` must be in the
    employer's name or the request number."""
    statuses = [search.status] if search.status in CLOSED_REQUEST_STATUSES else list(CLOSED_REQUEST_STATUSES)
    words = [like_escape(w) for w in normalize_query(search.text).split()] or None
    rows = session.execute(_HISTORY_SQL, {"statuses": statuses, "first": search.first, "last": search.last,
                                          "book": search.book_id, "words": words, "limit": limit}).mappings()
    return [PastRequestRow(**m) for m in rows]


def past_request(session: Session, request_id: int) -> PastRequest:
    """One request (any status) with how it closed and every dispatch made to it."""
    detail = request_detail(session, request_id)
    expired_at, reason = session.execute(text(
        "SELECT expired_at, expiry_reason FROM labor_requests WHERE id = :id"), {"id": request_id}).one()
    return PastRequest(detail, expired_at, reason, tuple(request_dispatches(session, request_id)))
