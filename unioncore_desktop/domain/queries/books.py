"""Out-of-work book reads: the books in morning order, one book's list in queue order, a member's
registrations and referral history, and the daily counts (re-sign due, dropped, unemployed)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.errors import NotFound
from unioncore_desktop.domain.queries.fragments import morning_order, queue_order, queue_place
from unioncore_desktop.domain.queries.hall import HallClock, hall_clock
from unioncore_desktop.domain.queries.members import MemberDetail, member_detail
from unioncore_desktop.domain.rules.registration import reregistration_overdue
from unioncore_desktop.domain.vocab import ACTIVE_DISPATCH_STATUSES

_ACTIVE_DISPATCH = "({})".format(", ".join(f"'{s}'" for s in ACTIVE_DISPATCH_STATUSES))
_MORNING_ORDER = morning_order("b")
_LIVE = "(g.status IN ('registered', 'dispatched', 'awaiting_reregistration'))"


def _display_name(last: str, first: str) -> str:
    return f"{last}, {first}"


# --- books ------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class BookSummary:
    """One line of the all-books list: who is registered, per tier (tier 1 is not always the biggest)."""

    id: int
    code: str
    name: str
    classification: str
    region: str | None
    contract_code: str | None
    agreement_type: str
    morning_slot: time
    sort_order: int
    tier_counts: tuple[int, int, int, int]  # registered, tiers 1-4
    total: int
    version: int


def list_books(session: Session, *, include_inactive: bool = False) -> list[BookSummary]:
    """Books in the order the morning referral works them (R2): slot, sort order, name."""
    rows = session.execute(text(f"""
        SELECT b.id, b.code, b.name, b.classification, b.region, b.contract_code, b.agreement_type,
               b.morning_slot, b.sort_order, b.version,
               count(*) FILTER (WHERE g.tier = 1) AS t1, count(*) FILTER (WHERE g.tier = 2) AS t2,
               count(*) FILTER (WHERE g.tier = 3) AS t3, count(*) FILTER (WHERE g.tier = 4) AS t4,
               count(g.id) AS total
        FROM books b
        LEFT JOIN registrations g ON g.book_id = b.id AND g.status = 'registered'
        WHERE b.active OR :inactive
        GROUP BY b.id
        ORDER BY {_MORNING_ORDER}
    """), {"inactive": include_inactive}).mappings()
    return [BookSummary(id=r["id"], code=r["code"], name=r["name"], classification=r["classification"],
                        region=r["region"], contract_code=r["contract_code"], agreement_type=r["agreement_type"],
                        morning_slot=r["morning_slot"], sort_order=r["sort_order"],
                        tier_counts=(r["t1"], r["t2"], r["t3"], r["t4"]), total=r["total"], version=r["version"])
            for r in rows]


@dataclass(frozen=True, slots=True)
class OfficeRow:
    """An office where members sign on in person (R1); in-person actions are stamped with it."""

    id: int
    code: str
    name: str
    region: str | None


def list_offices(session: Session) -> list[OfficeRow]:
    rows = session.execute(text("SELECT id, code, name, region FROM offices ORDER BY name, id")).all()
    return [OfficeRow(*row) for row in rows]


# --- one book's list --------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class BookListRow:
    """One registrant on a book's out-of-work list, with the rank the morning referral would use."""

    rank: int
    registration_id: int
    member_id: int
    card_number: str
    last_name: str
    first_name: str
    tier: int
    apn: Decimal
    registered_at: datetime
    method: str
    last_resign_on: date | None
    resign_due_on: date | None
    marks: int  # live check marks on this book
    exemption_reason: str | None
    exemption_end: date | None
    exempt: bool  # exempt on the list's as-of date: skipped when dispatching (R14)
    resign_overdue: bool  # due date passed on the as-of date: drops at the next drop run (R7)
    on_dispatch_book: str | None  # code of the book the member is out on (an active dispatch), if any
    version: int

    @property
    def display_name(self) -> str:
        return _display_name(self.last_name, self.first_name)


# One statement over ix_registrations_queue; the book's live marks and the hall's active dispatches are
# aggregated once and hash-joined, and the flags are computed here so rows map straight onto the dataclass.
_BOOK_LIST_SQL = text(f"""
    SELECT row_number() OVER (ORDER BY {queue_order("g")}) AS rank,
           g.id, g.member_id, m.card_number, m.last_name, m.first_name, g.tier, g.apn,
           g.registered_at, g.method, g.last_resign_on, g.resign_due_on, coalesce(c.marks, 0),
           g.exemption_reason, g.exemption_end, x.exempt,
           coalesce(NOT x.exempt AND g.resign_due_on < :as_of, false), d.book_code, g.version
    FROM registrations g
    JOIN members m ON m.id = g.member_id
    LEFT JOIN (SELECT registration_id, count(*) AS marks FROM check_marks
               WHERE book_id = :book_id AND removed_at IS NULL GROUP BY registration_id) c
           ON c.registration_id = g.id
    LEFT JOIN (SELECT DISTINCT ON (a.member_id) a.member_id, ob.code AS book_code
               FROM dispatches a JOIN books ob ON ob.id = a.book_id
               WHERE a.status IN {_ACTIVE_DISPATCH} ORDER BY a.member_id, a.id) d
           ON d.member_id = g.member_id
    CROSS JOIN LATERAL (SELECT g.exemption_reason IS NOT NULL AND g.exemption_start <= :as_of
                               AND (g.exemption_end IS NULL OR :as_of <= g.exemption_end) AS exempt) x
    WHERE g.book_id = :book_id AND g.status = 'registered'
    ORDER BY {queue_order("g")}
""")


def book_list(session: Session, book_id: int, *, as_of: date | None = None) -> list[BookListRow]:
    """The book's registered members in queue order: tier, APN, registered-at, member id (APNs repeat).

    `as_of` (default: the hall's today) decides the exempt and overdue flags; the list itself is as it
    stands now.
    """
    as_of = as_of or hall_clock(session).today
    rows = session.execute(_BOOK_LIST_SQL, {"book_id": book_id, "as_of": as_of}).all()
    return [BookListRow(*row) for row in rows]


@dataclass(frozen=True, slots=True)
class AwaitingRow:
    """A member off the queue until they re-register (R6): not ranked, but the dispatcher must see them."""

    registration_id: int
    member_id: int
    card_number: str
    last_name: str
    first_name: str
    tier: int
    reregister_by: datetime  # in the hall's zone; exclusive
    overdue: bool  # the deadline has passed: drops from all books at the next drop run
    version: int

    @property
    def display_name(self) -> str:
        return _display_name(self.last_name, self.first_name)


def awaiting_reregistration(session: Session, book_id: int, *, clock: HallClock | None = None) -> list[AwaitingRow]:
    """The book's registrations awaiting re-registration, nearest deadline first (`clock`: the hall's, when the
    caller read it already in this transaction)."""
    clock = clock or hall_clock(session)
    rows = session.execute(text("""
        SELECT g.id, g.member_id, m.card_number, m.last_name, m.first_name, g.tier, g.reregister_by, g.version
        FROM registrations g JOIN members m ON m.id = g.member_id
        WHERE g.book_id = :book_id AND g.status = 'awaiting_reregistration'
        ORDER BY g.reregister_by, m.last_name, m.first_name, g.id
    """), {"book_id": book_id}).all()
    return [AwaitingRow(r.id, r.member_id, r.card_number, r.last_name, r.first_name, r.tier,
                        r.reregister_by.astimezone(clock.zone), clock.now >= r.reregister_by, r.version)
            for r in rows]


@dataclass(frozen=True, slots=True)
class TierSubtotal:
    tier: int
    count: int
    exempt: int


def tier_subtotals(rows: Iterable[BookListRow]) -> list[TierSubtotal]:
    """Per-tier counts of a book list, for the screen footer and the printed list (tiers present only)."""
    counts: Counter[int] = Counter()
    exempt: Counter[int] = Counter()
    for row in rows:
        counts[row.tier] += 1
        exempt[row.tier] += row.exempt
    return [TierSubtotal(tier, counts[tier], exempt[tier]) for tier in sorted(counts)]


# --- a member's registrations ----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class RegistrationRow:
    """A member's place on one book, live or past; `position` is the rank on the book while registered."""

    id: int
    member_id: int
    book_id: int
    book_code: str
    book_name: str
    tier: int
    apn: Decimal
    registered_at: datetime
    method: str
    office_id: int | None
    status: str
    last_resign_on: date | None
    resign_due_on: date | None
    restorations_used: int
    exemption_reason: str | None
    exemption_start: date | None
    exemption_end: date | None
    reregister_by: datetime | None
    rolled_off_on: date | None
    roll_off_reason: str | None
    marks: int
    position: int | None
    version: int

    @property
    def live(self) -> bool:
        return self.status in ("registered", "dispatched", "awaiting_reregistration")

    @property
    def registration_id(self) -> int:
        """The name a book's list row gives its registration, so either row can name it to an action."""
        return self.id


_REGISTRATION_SQL = f"""
    SELECT g.id, g.member_id, g.book_id, b.code AS book_code, b.name AS book_name, g.tier, g.apn,
           g.registered_at, g.method, g.office_id, g.status, g.last_resign_on, g.resign_due_on,
           g.restorations_used, g.exemption_reason, g.exemption_start, g.exemption_end, g.reregister_by,
           g.rolled_off_on, g.roll_off_reason,
           (SELECT count(*) FROM check_marks c WHERE c.registration_id = g.id AND c.removed_at IS NULL) AS marks,
           CASE WHEN g.status = 'registered' THEN 1 + (
               SELECT count(*) FROM registrations o
               WHERE o.book_id = g.book_id AND o.status = 'registered'
                 AND {queue_place("o")} < {queue_place("g")})
           END AS position,
           g.version
    FROM registrations g JOIN books b ON b.id = g.book_id
"""


def _registration(r: Any) -> RegistrationRow:
    return RegistrationRow(**r)


def registration_rows(session: Session, registration_ids: Iterable[int]) -> list[RegistrationRow]:
    ids = list(registration_ids)
    rows = session.execute(text(_REGISTRATION_SQL + f" WHERE g.id = ANY(:ids) ORDER BY {_MORNING_ORDER}, g.id"),
                           {"ids": ids}).mappings()
    return [_registration(r) for r in rows]


def registration_row(session: Session, registration_id: int) -> RegistrationRow:
    rows = registration_rows(session, [registration_id])
    if not rows:
        raise NotFound("That registration no longer exists.")
    return rows[0]


def member_registrations(session: Session, member_id: int) -> list[RegistrationRow]:
    """Live registrations first (morning order), then past ones, newest first."""
    rows = session.execute(text(_REGISTRATION_SQL + f"""
        WHERE g.member_id = :m
        ORDER BY NOT {_LIVE}, CASE WHEN {_LIVE} THEN b.morning_slot END,
                 CASE WHEN {_LIVE} THEN b.sort_order END, CASE WHEN {_LIVE} THEN b.name END,
                 g.registered_at DESC, g.id DESC
    """), {"m": member_id}).mappings()
    return [_registration(r) for r in rows]


# --- reports of one book or all ------------------------------------------------------------------------------

BOOK_GONE = "That book no longer exists."


def out_of_work_list(session: Session, book_id: int) -> tuple[BookSummary, list[BookListRow]]:
    """A book (active or not) and its list in queue order."""
    book = next((b for b in list_books(session, include_inactive=True) if b.id == book_id), None)
    if book is None:
        raise NotFound(BOOK_GONE)
    return book, book_list(session, book.id)


def all_books_lists(session: Session) -> list[tuple[BookSummary, list[BookListRow]]]:
    """Every active book's list, in morning order."""
    return [(b, book_list(session, b.id)) for b in list_books(session)]


@dataclass(frozen=True, slots=True)
class BooksToday:
    """The active books in morning order and the hall's today (the reports screen's choices)."""

    books: list[BookSummary]
    today: date


def books_today(session: Session) -> BooksToday:
    return BooksToday(list_books(session), hall_clock(session).today)


# --- the books screen and the member at the counter ---------------------------------------------------------

@dataclass(frozen=True, slots=True)
class BookPage:
    """One book as the books screen shows it: the queue as of the hall's today, and who awaits re-registration."""

    book_id: int
    today: date
    rows: list[BookListRow]
    awaiting: list[AwaitingRow]


def book_page(session: Session, book_id: int) -> BookPage:
    clock = hall_clock(session)  # once: the list and the deadlines are read as of the same moment
    return BookPage(book_id, clock.today, book_list(session, book_id, as_of=clock.today),
                    awaiting_reregistration(session, book_id, clock=clock))


@dataclass(frozen=True, slots=True)
class BooksOpening:
    """What the books screen opens on: the picker's books and the first book's page (None: no active book)."""

    books: list[BookSummary]
    page: BookPage | None


def books_opening(session: Session) -> BooksOpening:
    """The books and the first one's page in one read, so the screen's first list needs no second round trip."""
    books = list_books(session)
    return BooksOpening(books, book_page(session, books[0].id) if books else None)


@dataclass(frozen=True, slots=True)
class MemberVisit:
    """A member signing on: who they are (their qualified books) and their registrations, live ones first."""

    detail: MemberDetail
    registrations: list[RegistrationRow]


def member_visit(session: Session, member_id: int) -> MemberVisit:
    return MemberVisit(member_detail(session, member_id), member_registrations(session, member_id))


@dataclass(frozen=True, slots=True)
class Awaiting:
    """One book the member must re-register on, with the deadline in the hall's zone."""

    registration: RegistrationRow
    deadline: datetime
    passed: bool


@dataclass(frozen=True, slots=True)
class ReregistrationVisit:
    """A member coming in to re-register (R6): who they are and the books they await re-registration on."""

    detail: MemberDetail
    awaiting: list[Awaiting]


def reregistration_visit(session: Session, member_id: int) -> ReregistrationVisit:
    clock = hall_clock(session)
    awaiting = [Awaiting(r, r.reregister_by.astimezone(clock.zone), reregistration_overdue(clock.now, r.reregister_by))
                for r in member_registrations(session, member_id)
                if r.status == "awaiting_reregistration" and r.reregister_by is not None]
    return ReregistrationVisit(member_detail(session, member_id), awaiting)


# --- referral history --------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ActivityRow:
    """One registration change: the member's referral history report, oldest first."""

    id: int
    at: datetime
    registration_id: int
    book_code: str
    book_name: str
    action: str
    summary: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    staff_login: str
    staff_name: str
    request_id: int | None
    request_number: str | None
    dispatch_id: int | None
    note: str | None


_SUMMARY_LABELS = {
    "status": "status", "tier": "tier", "apn": "APN", "last_resign_on": "last re-sign",
    "resign_due_on": "re-sign due", "restorations_used": "restorations", "exemption_reason": "exemption",
    "exemption_end": "exemption end", "roll_off_reason": "roll-off reason",
}


def summarize_change(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    """'status registered -> rolled_off; roll-off reason none -> failed_re_sign' (sign-on: the new state)."""
    after = after or {}
    if before is None:
        parts = [f"tier {after.get('tier')}", f"APN {after.get('apn')}"]
        if after.get("resign_due_on"):
            parts.append(f"re-sign due {after['resign_due_on']}")
        return ", ".join(parts)
    changes = []
    for key, label in _SUMMARY_LABELS.items():
        old, new = before.get(key), after.get(key)
        if old != new:
            changes.append(f"{label} {old if old is not None else 'none'} -> {new if new is not None else 'none'}")
    return "; ".join(changes)


def referral_history(session: Session, member_id: int) -> list[ActivityRow]:
    rows = session.execute(text("""
        SELECT a.id, a.at, a.registration_id, b.code AS book_code, b.name AS book_name, a.action, a.before,
               a.after, a.staff_login, coalesce(s.full_name, a.staff_login) AS staff_name, a.request_id,
               r.number AS request_number, a.dispatch_id, a.note
        FROM registration_activity a
        JOIN books b ON b.id = a.book_id
        LEFT JOIN staff s ON s.login = a.staff_login
        LEFT JOIN labor_requests r ON r.id = a.request_id
        WHERE a.member_id = :m
        ORDER BY a.at, a.id
    """), {"m": member_id}).mappings()
    return [ActivityRow(summary=summarize_change(r["before"], r["after"]), **r) for r in rows]


# --- daily lists and counts --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ResignDueRow:
    registration_id: int
    member_id: int
    card_number: str
    last_name: str
    first_name: str
    book_code: str
    book_name: str
    tier: int
    apn: Decimal
    last_resign_on: date | None
    resign_due_on: date
    overdue: bool

    @property
    def display_name(self) -> str:
        return _display_name(self.last_name, self.first_name)


def resign_due(session: Session, within_days: int, as_of: date | None = None) -> list[ResignDueRow]:
    """Registered, non-exempt registrations due to re-sign by as_of + within_days (overdue ones included,
    flagged), by due date then book in morning order."""
    as_of = as_of or hall_clock(session).today
    rows = session.execute(text(f"""
        SELECT g.id AS registration_id, g.member_id, m.card_number, m.last_name, m.first_name,
               b.code AS book_code, b.name AS book_name, g.tier, g.apn, g.last_resign_on, g.resign_due_on,
               g.resign_due_on < :as_of AS overdue
        FROM registrations g JOIN members m ON m.id = g.member_id JOIN books b ON b.id = g.book_id
        WHERE g.status = 'registered' AND g.resign_due_on IS NOT NULL AND g.resign_due_on <= :until
        ORDER BY g.resign_due_on, {_MORNING_ORDER}, {queue_order("g")}
    """), {"as_of": as_of, "until": as_of + timedelta(days=within_days)}).mappings()
    return [ResignDueRow(**r) for r in rows]


@dataclass(frozen=True, slots=True)
class DroppedRow:
    registration_id: int
    member_id: int
    card_number: str
    last_name: str
    first_name: str
    book_code: str
    book_name: str
    tier: int
    apn: Decimal
    rolled_off_on: date
    reason: str

    @property
    def display_name(self) -> str:
        return _display_name(self.last_name, self.first_name)


def dropped(session: Session, start: date, end: date, reason: str | None = None) -> list[DroppedRow]:
    """Registrations rolled off between `start` and `end` (inclusive), optionally for one reason."""
    rows = session.execute(text(f"""
        SELECT g.id AS registration_id, g.member_id, m.card_number, m.last_name, m.first_name,
               b.code AS book_code, b.name AS book_name, g.tier, g.apn, g.rolled_off_on,
               g.roll_off_reason AS reason
        FROM registrations g JOIN members m ON m.id = g.member_id JOIN books b ON b.id = g.book_id
        WHERE g.status = 'rolled_off' AND g.rolled_off_on BETWEEN :start AND :end
          AND (CAST(:reason AS text) IS NULL OR g.roll_off_reason = :reason)
        ORDER BY g.rolled_off_on, {_MORNING_ORDER}, m.last_name, m.first_name, g.id
    """), {"start": start, "end": end, "reason": reason}).mappings()
    return [DroppedRow(**r) for r in rows]


@dataclass(frozen=True, slots=True)
class UnemployedCount:
    book_id: int
    book_code: str
    book_name: str
    tier: int
    count: int


def unemployed_counts(session: Session) -> list[UnemployedCount]:
    """Book x tier: registered members not out on an active dispatch, books in morning order."""
    rows = session.execute(text(f"""
        SELECT b.id AS book_id, b.code AS book_code, b.name AS book_name, g.tier, count(*) AS count
        FROM registrations g JOIN books b ON b.id = g.book_id
        WHERE g.status = 'registered'
          AND NOT EXISTS (SELECT 1 FROM dispatches d WHERE d.member_id = g.member_id
                          AND d.status IN {_ACTIVE_DISPATCH})
        GROUP BY b.id, g.tier
        ORDER BY {_MORNING_ORDER}, g.tier
    """)).mappings()
    return [UnemployedCount(**r) for r in rows]
