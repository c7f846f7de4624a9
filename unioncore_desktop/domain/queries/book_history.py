"""A book's list as it stood at a past moment, rebuilt from the append-only registration activity.

Each registration's state then is the `before` of its first activity row after that moment (a sign-on after it:
it did not exist yet), or its current row when nothing changed since; a row written without its `before` (the
demo's history, older imports) leaves the `after` of the last row before the moment. The snapshot holds status,
tier and APN but not the registration time, which a re-registration rewrites; the time then is the
registration's own when it is not later than the moment, else that of its last sign-on or re-registration before
it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.errors import NotFound
from unioncore_desktop.domain.queries.books import BOOK_GONE
from unioncore_desktop.domain.queries.fragments import HALL_ZONE, queue_order
from unioncore_desktop.domain.vocab import ACTIVE_DISPATCH_STATUSES


@dataclass(frozen=True, slots=True)
class StoodRow:
    """One registrant on the list at that moment, ranked in queue order as it was then."""

    rank: int
    registration_id: int
    member_id: int
    card_number: str
    last_name: str
    first_name: str
    tier: int
    apn: Decimal
    registered_at: datetime
    last_resign_on: date | None
    resign_due_on: date | None
    exemption_reason: str | None  # exempt then: skipped when dispatching (R14)
    exemption_end: date | None
    marks: int                    # check marks live at that moment
    out_on: str | None            # the book of a job the member was out on then (a short call keeps the place)
    changed_since: bool           # the registration changed after that moment (its row today differs)

    @property
    def display_name(self) -> str:
        return f"{self.last_name}, {self.first_name}"


@dataclass(frozen=True, slots=True)
class BookAsItStood:
    book_id: int
    book_code: str
    book_name: str
    at: datetime  # the moment, timezone-aware
    rows: tuple[StoodRow, ...]


_ACTIVE = "ARRAY[{}]".format(", ".join(f"'{s}'" for s in ACTIVE_DISPATCH_STATUSES))

_STOOD_SQL = text(f"""
    WITH moment AS (SELECT CAST(:local AS timestamp) AT TIME ZONE {HALL_ZONE} AS at),
    state AS (
        SELECT g.id AS registration_id, g.member_id, nx.id IS NOT NULL AS changed_since,
               CASE WHEN nx.id IS NULL THEN uc_registration_snapshot(g)
                    WHEN nx.action = 'sign_on' THEN NULL
                    ELSE coalesce(nx.before, pv.after) END AS s,
               CASE WHEN g.registered_at <= mo.at THEN g.registered_at
                    ELSE coalesce((SELECT max(a.at) FROM registration_activity a
                                   WHERE a.registration_id = g.id AND a.action IN ('sign_on', 'reregistered')
                                     AND a.at <= mo.at), g.registered_at) END AS registered_at,
               mo.at AS moment
        FROM registrations g
        CROSS JOIN moment mo
        LEFT JOIN LATERAL (SELECT a.id, a.action, a.before FROM registration_activity a
                           WHERE a.registration_id = g.id AND a.at > mo.at
                           ORDER BY a.at, a.id LIMIT 1) nx ON true
        -- a row written without its `before` (older or imported history): the state the change before left
        LEFT JOIN LATERAL (SELECT a.after FROM registration_activity a
                           WHERE a.registration_id = g.id AND a.at <= mo.at AND a.after IS NOT NULL
                           ORDER BY a.at DESC, a.id DESC LIMIT 1) pv ON nx.id IS NOT NULL AND nx.before IS NULL
        WHERE g.book_id = :book
    ),
    listed AS (
        SELECT st.registration_id, st.member_id, st.changed_since, st.registered_at, st.moment,
               CAST(st.s ->> 'tier' AS integer) AS tier, CAST(st.s ->> 'apn' AS numeric(10, 2)) AS apn,
               CAST(st.s ->> 'last_resign_on' AS date) AS last_resign_on,
               CAST(st.s ->> 'resign_due_on' AS date) AS resign_due_on,
               st.s ->> 'exemption_reason' AS exemption_reason,
               CAST(st.s ->> 'exemption_end' AS date) AS exemption_end
        FROM state st
        WHERE st.s ->> 'status' = 'registered' AND st.registered_at <= st.moment
    )
    SELECT row_number() OVER (ORDER BY {queue_order("l")}) AS rank, l.registration_id, l.member_id,
           m.card_number, m.last_name, m.first_name, l.tier, l.apn, l.registered_at, l.last_resign_on,
           l.resign_due_on, l.exemption_reason, l.exemption_end, coalesce(c.marks, 0) AS marks, d.book_name AS out_on,
           l.changed_since
    FROM listed l JOIN members m ON m.id = l.member_id
    -- the book's marks and the hall's jobs at the moment, each aggregated once and hash-joined (as book_list)
    LEFT JOIN (SELECT c.registration_id, count(*) AS marks FROM check_marks c CROSS JOIN moment mo
               WHERE c.book_id = :book AND c.created_at <= mo.at AND (c.removed_at IS NULL OR c.removed_at > mo.at)
               GROUP BY c.registration_id) c ON c.registration_id = l.registration_id
    LEFT JOIN (SELECT DISTINCT ON (d.member_id) d.member_id, ob.name AS book_name
               FROM dispatches d JOIN books ob ON ob.id = d.book_id CROSS JOIN moment mo
               WHERE d.dispatched_at <= mo.at
                 AND (d.status = ANY({_ACTIVE}) OR d.terminated_on > CAST((mo.at AT TIME ZONE {HALL_ZONE}) AS date))
               ORDER BY d.member_id, d.dispatched_at DESC) d ON d.member_id = l.member_id
    ORDER BY {queue_order("l")}
""")


def book_as_it_stood(session: Session, book_id: int, at: datetime) -> BookAsItStood:
    """The book's registered members in the order they stood at `at`, a time on the hall's clock (naive: read
    in the hall's zone; aware: converted to it)."""
    book = session.execute(text("SELECT id, code, name FROM books WHERE id = :b"), {"b": book_id}).first()
    if book is None:
        raise NotFound(BOOK_GONE)
    local = at
    if at.tzinfo is not None:
        local = at.astimezone(ZoneInfo(session.execute(text(f"SELECT {HALL_ZONE}")).scalar_one())).replace(tzinfo=None)
    moment = session.execute(text(f"SELECT CAST(:local AS timestamp) AT TIME ZONE {HALL_ZONE}"),
                             {"local": local}).scalar_one()
    rows = session.execute(_STOOD_SQL, {"book": book_id, "local": local}).mappings()
    return BookAsItStood(book.id, book.code, book.name, moment, tuple(StoodRow(**r) for r in rows))
