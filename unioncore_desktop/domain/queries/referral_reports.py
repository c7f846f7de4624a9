"""Read models of the referral reports: a day's referral summary by book, the bids on bid requests with where
each bidder stood and how it ended, the check marks issued in a period with who reached the roll-off limit, and
one member's books with their live marks.

Each is one statement; the reports group and total in Python (reports/pdf/referral_reports.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.queries.books import MemberVisit, RegistrationRow, member_visit
from unioncore_desktop.domain.queries.dispatch import CheckMarkRow, check_marks
from unioncore_desktop.domain.queries.fragments import (
    book_rules_in_force,
    hall_date,
    morning_order,
    queue_order,
    queue_place,
)
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.rules.book_rules import DEFAULT_RULES
from unioncore_desktop.domain.vocab import ACTIVE_DISPATCH_STATUSES

_ACTIVE = "({})".format(", ".join(f"'{s}'" for s in ACTIVE_DISPATCH_STATUSES))


# --- the daily referral summary --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ReferralSummaryRow:
    """One book on one day. `registered`, `unemployed`, `open_requests` and `open_places` are the book as it
    stands when the report runs (on the day itself: at the end of its referral); the rest count the day."""

    book_id: int
    book_code: str
    book_name: str
    registered: int
    unemployed: int         # registered and not out on a job
    requests_taken: int     # received that day (worked at a later morning, R3)
    workers_asked: int      # the workers those requests ask for
    requests_worked: int    # requests whose referral morning was the day
    offers: int             # answers recorded that day (accepted, declined, no answer)
    dispatched: int         # dispatches dated the day, however they ended later
    by_name: int
    via_bid: int
    declined: int
    no_answer: int
    marks: int              # check marks dated the day (removed ones included)
    open_requests: int      # requests due by the day that still need workers
    open_places: int


@dataclass(frozen=True, slots=True)
class ReferralSummary:
    day: date
    today: date
    rows: tuple[ReferralSummaryRow, ...]

    def total(self, field: str) -> int:
        return sum(getattr(r, field) for r in self.rows)


_SUMMARY_SQL = text(f"""
    WITH reg AS (
        SELECT g.book_id, count(*) AS registered,
               count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM dispatches d WHERE d.member_id = g.member_id
                                                  AND d.status IN {_ACTIVE})) AS unemployed
        FROM registrations g WHERE g.status = 'registered' GROUP BY g.book_id
    ), taken AS (
        SELECT r.book_id, count(*) AS requests_taken, sum(r.workers_requested) AS workers_asked
        FROM labor_requests r WHERE {hall_date("r.received_at")} = :day GROUP BY r.book_id
    ), worked AS (
        SELECT r.book_id, count(*) AS requests_worked FROM labor_requests r WHERE r.referral_date = :day
        GROUP BY r.book_id
    ), sent AS (
        SELECT d.book_id, count(*) AS dispatched, count(*) FILTER (WHERE d.by_name) AS by_name,
               count(*) FILTER (WHERE d.via_bid) AS via_bid
        FROM dispatches d WHERE d.dispatch_date = :day GROUP BY d.book_id
    ), answers AS (
        SELECT o.book_id, count(*) FILTER (WHERE o.outcome IS NOT NULL) AS offers,
               count(*) FILTER (WHERE o.outcome = 'declined') AS declined,
               count(*) FILTER (WHERE o.outcome = 'no_answer') AS no_answer
        FROM offer_lines o WHERE {hall_date("o.at")} = :day GROUP BY o.book_id
    ), marks AS (
        SELECT c.book_id, count(*) AS marks FROM check_marks c WHERE c.marked_on = :day GROUP BY c.book_id
    ), still_open AS (
        SELECT r.book_id, count(*) AS open_requests, sum(r.workers_requested - r.workers_dispatched) AS open_places
        FROM labor_requests r WHERE r.status IN ('open', 'partially_filled') AND r.referral_date <= :day
        GROUP BY r.book_id
    )
    SELECT b.id AS book_id, b.code AS book_code, b.name AS book_name,
           coalesce(reg.registered, 0) AS registered, coalesce(reg.unemployed, 0) AS unemployed,
           coalesce(taken.requests_taken, 0) AS requests_taken, coalesce(taken.workers_asked, 0) AS workers_asked,
           coalesce(worked.requests_worked, 0) AS requests_worked, coalesce(answers.offers, 0) AS offers,
           coalesce(sent.dispatched, 0) AS dispatched, coalesce(sent.by_name, 0) AS by_name,
           coalesce(sent.via_bid, 0) AS via_bid, coalesce(answers.declined, 0) AS declined,
           coalesce(answers.no_answer, 0) AS no_answer, coalesce(marks.marks, 0) AS marks,
           coalesce(still_open.open_requests, 0) AS open_requests,
           coalesce(still_open.open_places, 0) AS open_places
    FROM books b
    LEFT JOIN reg ON reg.book_id = b.id
    LEFT JOIN taken ON taken.book_id = b.id
    LEFT JOIN worked ON worked.book_id = b.id
    LEFT JOIN sent ON sent.book_id = b.id
    LEFT JOIN answers ON answers.book_id = b.id
    LEFT JOIN marks ON marks.book_id = b.id
    LEFT JOIN still_open ON still_open.book_id = b.id
    WHERE b.active OR coalesce(taken.requests_taken, sent.dispatched, answers.offers, marks.marks) IS NOT NULL
    ORDER BY {morning_order("b")}
""")


def referral_summary(session: Session, day: date) -> ReferralSummary:
    """Every active book (and any inactive one with activity that day) in morning order."""
    rows = session.execute(_SUMMARY_SQL, {"day": day}).mappings()
    return ReferralSummary(day, hall_clock(session).today, tuple(ReferralSummaryRow(**m) for m in rows))


# --- bids (R8) -------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class BidLine:
    """One bid: the bidder's place on the whole book now, their turn in the walk of the bidders once it reached
    them (the rank on the request's frozen line), tier and APN (the line's, else the place's, else the bid's
    registration's), and how it ended or that it still stands."""

    bid_id: int
    member_id: int
    card_number: str
    member_name: str
    source: str
    received_at: datetime
    withdrawn: bool
    place_now: int | None   # on the whole book now; None once off the list (out on a job, rolled off)
    walk_turn: int | None   # the frozen line's rank: the turn among the bidders when the walk reached them
    tier: int | None
    apn: Decimal | None
    outcome: str            # 'dispatched', 'declined', 'no_answer', 'skipped: <reason>', 'withdrawn', 'waiting', ...
    mark_issued: bool

    @property
    def walked(self) -> bool:
        return self.walk_turn is not None


@dataclass(frozen=True, slots=True)
class BidRequest:
    """A request posted for bids, with its bids in list order (never bid time), withdrawn ones last."""

    request_id: int
    number: str
    book_name: str
    employer_name: str
    worksite_name: str | None
    referral_date: date
    start_on: date
    workers_requested: int
    workers_dispatched: int
    status: str
    bids: tuple[BidLine, ...]

    @property
    def won(self) -> int:
        return sum(1 for b in self.bids if b.outcome == "dispatched")


_BIDS_REPORT_SQL = text(f"""
    SELECT r.id AS request_id, r.number, b.name AS book_name, e.name AS employer_name, w.name AS worksite_name,
           r.referral_date, r.start_on, r.workers_requested, r.workers_dispatched, r.status,
           x.id AS bid_id, x.member_id, m.card_number, m.last_name || ', ' || m.first_name AS member_name,
           x.source, x.received_at, x.withdrawn,
           o.rank AS line_rank, o.skip_reason, o.outcome,
           coalesce(o.mark_issued, false) AS mark_issued,
           p.position, coalesce(o.tier, p.tier, bg.tier) AS tier, coalesce(o.apn, p.apn, bg.apn) AS apn,
           s.status AS dispatch_status
    FROM labor_requests r
    JOIN books b ON b.id = r.book_id
    JOIN employers e ON e.id = r.employer_id
    LEFT JOIN worksites w ON w.id = r.worksite_id
    LEFT JOIN bids x ON x.request_id = r.id
    LEFT JOIN members m ON m.id = x.member_id
    LEFT JOIN registrations bg ON bg.id = x.registration_id
    LEFT JOIN LATERAL (SELECT l.rank, l.tier, l.apn, l.skip_reason, l.outcome, l.mark_issued FROM offer_lines l
                       WHERE l.request_id = r.id AND l.member_id = x.member_id ORDER BY l.id DESC LIMIT 1) o ON true
    LEFT JOIN LATERAL (
        SELECT g.tier, g.apn, 1 + (SELECT count(*) FROM registrations q
                                   WHERE q.book_id = g.book_id AND q.status = 'registered'
                                     AND {queue_place("q")} < {queue_place("g")}) AS position
        FROM registrations g
        WHERE g.book_id = r.book_id AND g.member_id = x.member_id AND g.status = 'registered'
        ORDER BY {queue_order("g")} LIMIT 1) p ON true
    LEFT JOIN LATERAL (SELECT d.status FROM dispatches d WHERE d.request_id = r.id AND d.member_id = x.member_id
                       ORDER BY d.id DESC LIMIT 1) s ON true
    WHERE r.bidding AND r.referral_date BETWEEN :start AND :end
      AND (CAST(:book AS integer) IS NULL OR r.book_id = :book)
    ORDER BY r.referral_date, {morning_order("b")}, r.received_at, r.id
""")

LIVE_REQUEST = ("open", "partially_filled")


def _bid_outcome(m: Any) -> str:
    if m["dispatch_status"] is not None:
        return "dispatched" if m["dispatch_status"] not in ("rejected", "no_show") else str(m["dispatch_status"])
    if m["withdrawn"]:
        return "withdrawn"
    if m["outcome"] is not None:
        return str(m["outcome"])
    if m["skip_reason"] is not None:
        return f"skipped: {m['skip_reason']}"
    return "waiting" if m["status"] in LIVE_REQUEST else "not reached"


def _bid_sort_key(line: BidLine) -> tuple[object, ...]:
    """Withdrawn bids last; the others in list order (tier, then APN: never bid time)."""
    return (line.withdrawn, line.tier or 0, line.apn or Decimal(0), line.received_at, line.bid_id)


def _bid_line(m: Any) -> BidLine:
    return BidLine(
        bid_id=m["bid_id"], member_id=m["member_id"], card_number=m["card_number"], member_name=m["member_name"],
        source=m["source"], received_at=m["received_at"], withdrawn=m["withdrawn"], place_now=m["position"],
        walk_turn=m["line_rank"], tier=m["tier"], apn=m["apn"], outcome=_bid_outcome(m), mark_issued=m["mark_issued"])


def bid_report(session: Session, start: date, end: date, book_id: int | None = None) -> list[BidRequest]:
    """Requests posted for bids whose referral morning falls in `start`..`end`, each with its bids."""
    requests: dict[int, Any] = {}
    lines: dict[int, list[BidLine]] = {}
    for m in session.execute(_BIDS_REPORT_SQL, {"start": start, "end": end, "book": book_id}).mappings():
        rid = m["request_id"]
        if rid not in requests:
            requests[rid], lines[rid] = m, []
        if m["bid_id"] is not None:
            lines[rid].append(_bid_line(m))
    return [BidRequest(
        request_id=rid, number=m["number"], book_name=m["book_name"], employer_name=m["employer_name"],
        worksite_name=m["worksite_name"], referral_date=m["referral_date"], start_on=m["start_on"],
        workers_requested=m["workers_requested"], workers_dispatched=m["workers_dispatched"], status=m["status"],
        bids=tuple(sorted(lines[rid], key=_bid_sort_key))) for rid, m in requests.items()]


# --- check marks (R10) -------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CheckMarkLine:
    """A mark issued in the period, with its registration's standing now: live marks, the limit in force on
    the mark's day, and whether the marks rolled the member off."""

    id: int
    marked_on: date
    book_id: int
    book_name: str
    registration_id: int
    member_id: int
    card_number: str
    last_name: str
    first_name: str
    reason: str | None          # the offer line's outcome: declined or no_answer
    request_number: str | None
    employer_name: str | None
    removed: bool
    removal_reason: str | None
    live_marks: int             # the registration's live marks now, whenever issued
    allowed: int                # the book's check_marks_allowed in force on the mark's day
    rolled_off_for_marks: bool
    rolled_off_on: date | None

    @property
    def member_name(self) -> str:
        return f"{self.last_name}, {self.first_name}"

    @property
    def reached_limit(self) -> bool:
        return self.rolled_off_for_marks or self.live_marks >= self.allowed


_MARKS_SQL = text(f"""
    SELECT c.id, c.marked_on, c.book_id, b.name AS book_name, c.registration_id, c.member_id, m.card_number,
           m.last_name, m.first_name, o.outcome AS reason, r.number AS request_number, e.name AS employer_name,
           c.removed_at IS NOT NULL AS removed, c.removal_reason,
           (SELECT count(*) FROM check_marks l WHERE l.registration_id = c.registration_id
                                                AND l.removed_at IS NULL) AS live_marks,
           coalesce((SELECT ru.check_marks_allowed FROM ({book_rules_in_force("c.book_id", "c.marked_on")}) ru),
                    :default_allowed) AS allowed,
           coalesce(g.status = 'rolled_off' AND g.roll_off_reason = 'check_marks', false) AS rolled_off_for_marks,
           CASE WHEN g.roll_off_reason = 'check_marks' THEN g.rolled_off_on END AS rolled_off_on
    FROM check_marks c
    JOIN books b ON b.id = c.book_id
    JOIN members m ON m.id = c.member_id
    JOIN registrations g ON g.id = c.registration_id
    LEFT JOIN offer_lines o ON o.id = c.offer_line_id
    LEFT JOIN labor_requests r ON r.id = c.request_id
    LEFT JOIN employers e ON e.id = r.employer_id
    WHERE c.marked_on BETWEEN :start AND :end AND (CAST(:book AS integer) IS NULL OR c.book_id = :book)
    ORDER BY {morning_order("b")}, m.last_name, m.first_name, c.member_id, c.marked_on, c.id
""")


def check_mark_report(session: Session, start: date, end: date, book_id: int | None = None) -> list[CheckMarkLine]:
    """Marks dated `start`..`end` (removed ones too, flagged), by book in morning order, then member."""
    rows = session.execute(_MARKS_SQL, {"start": start, "end": end, "book": book_id,
                                        "default_allowed": DEFAULT_RULES.check_marks_allowed}).mappings()
    return [CheckMarkLine(**m) for m in rows]


# --- a member's books --------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class MemberBooks:
    """A member's registrations (live and past, as the counter sees them) and the live check marks on the live
    ones, with the day and request of each, as of the hall's `today`."""

    visit: MemberVisit
    marks: tuple[CheckMarkRow, ...]
    today: date

    @property
    def live(self) -> list[RegistrationRow]:
        return [r for r in self.visit.registrations if r.live]


def member_books(session: Session, member_id: int) -> MemberBooks:
    visit = member_visit(session, member_id)  # NotFound for a member who is gone
    live = {r.id for r in visit.registrations if r.live}
    marks = [m for m in check_marks(session, member_id=member_id, include_removed=False) if m.registration_id in live]
    return MemberBooks(visit, tuple(sorted(marks, key=lambda m: (m.book_name, m.marked_on))), hall_clock(session).today)
