"""Employer check-off remittance reads: a remittance with its lines and balance, the remembered column mapping,
and the members who worked for the employer in the month but are not on its list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.errors import NotFound
from unioncore_desktop.domain.queries.fragments import dues_rate_in_force
from unioncore_desktop.domain.rules.dues import add_months, month_start

ZERO = Decimal("0.00")
REVIEW_STATUSES = ("unknown_card", "name_mismatch", "amount_odd")
POSTING_STATUSES = ("matched", "resolved")


@dataclass(frozen=True, slots=True)
class RemittanceHeader:
    id: int
    employer_id: int
    employer_name: str
    period: date
    check_number: str
    check_amount: Decimal
    received_on: date
    status: str                    # draft | posted | cancelled
    batch_id: int | None
    source_filename: str | None
    created_by: str
    created_at: datetime
    posted_at: datetime | None
    version: int


@dataclass(frozen=True, slots=True)
class RemittanceLineRow:
    """A line as imported, the member it matched (if any), and why it waits for review."""

    id: int
    remittance_id: int
    line_no: int
    card_number: str | None
    name: str | None
    amount: Decimal
    hours: Decimal | None
    member_id: int | None
    member_card_number: str | None
    member_name: str | None
    member_classification: str | None
    expected_amount: Decimal | None    # the member's monthly rate for the remittance's month
    match_status: str
    note: str | None
    payment_id: int | None
    receipt_number: str | None
    version: int

    @property
    def needs_review(self) -> bool:
        return self.match_status in REVIEW_STATUSES

    @property
    def posts(self) -> bool:
        return self.match_status in POSTING_STATUSES


@dataclass(frozen=True, slots=True)
class RemittanceReview:
    """Everything the review and post pages show, with the balance against the check."""

    header: RemittanceHeader
    lines: tuple[RemittanceLineRow, ...]
    lines_total: Decimal           # every line as the employer listed it
    posting_total: Decimal         # lines that will become payments (matched or resolved)
    excluded_total: Decimal
    open_count: int                # lines still waiting in the review queue

    @property
    def difference(self) -> Decimal:
        """Check amount minus what would post: zero when the remittance balances."""
        return self.header.check_amount - self.posting_total

    @property
    def balanced(self) -> bool:
        return self.difference == 0

    @property
    def can_post(self) -> bool:
        return (self.header.status == "draft" and self.open_count == 0 and self.balanced
                and any(line.posts for line in self.lines))

    def count(self, status: str) -> int:
        return sum(1 for line in self.lines if line.match_status == status)


@dataclass(frozen=True, slots=True)
class MissingMember:
    """Someone dispatched to (or working for) the employer in the month with no line on its remittance."""

    member_id: int
    card_number: str
    name: str
    classification: str
    source: str                    # dispatch | employment
    started_on: date
    ended_on: date | None


@dataclass(frozen=True, slots=True)
class RemittanceListRow:
    id: int
    employer_id: int
    employer_name: str
    period: date
    check_number: str
    check_amount: Decimal
    received_on: date
    status: str
    line_count: int
    open_count: int


_HEADER_SQL = """
    SELECT r.id, r.employer_id, e.name, r.period, r.check_number, r.check_amount, r.received_on, r.status,
           r.batch_id, r.source_filename, r.created_by, r.created_at, r.posted_at, r.version
    FROM remittances AS r JOIN employers AS e ON e.id = r.employer_id
"""

_LINES_SQL = f"""
    SELECT l.id, l.remittance_id, l.line_no, l.card_number, l.name, l.amount, l.hours, l.member_id,
           m.card_number, m.last_name || ', ' || m.first_name, m.classification,
           {dues_rate_in_force("m.classification", "r.period")},
           l.match_status, l.note, l.payment_id, p.receipt_number, l.version
    FROM remittance_lines AS l
    JOIN remittances AS r ON r.id = l.remittance_id
    LEFT JOIN members AS m ON m.id = l.member_id
    LEFT JOIN payments AS p ON p.id = l.payment_id
"""


def remittance_header(session: Session, remittance_id: int) -> RemittanceHeader:
    row = session.execute(text(_HEADER_SQL + " WHERE r.id = :id"), {"id": remittance_id}).first()
    if row is None:
        raise NotFound("That remittance does not exist.")
    return RemittanceHeader(*row)


def remittance_line(session: Session, line_id: int) -> RemittanceLineRow:
    row = session.execute(text(_LINES_SQL + " WHERE l.id = :id"), {"id": line_id}).first()
    if row is None:
        raise NotFound("That remittance line does not exist.")
    return RemittanceLineRow(*row)


def remittance_review(session: Session, remittance_id: int) -> RemittanceReview:
    header = remittance_header(session, remittance_id)
    lines = tuple(RemittanceLineRow(*row) for row in session.execute(
        text(_LINES_SQL + " WHERE l.remittance_id = :id ORDER BY l.line_no"), {"id": remittance_id}))
    return RemittanceReview(
        header=header,
        lines=lines,
        lines_total=sum((line.amount for line in lines), ZERO),
        posting_total=sum((line.amount for line in lines if line.posts), ZERO),
        excluded_total=sum((line.amount for line in lines if line.match_status == "excluded"), ZERO),
        open_count=sum(1 for line in lines if line.needs_review),
    )


def list_remittances(session: Session, *, employer_id: int | None = None, status: str | None = None,
                     limit: int = 500) -> list[RemittanceListRow]:
    rows = session.execute(text("""
        SELECT r.id, r.employer_id, e.name, r.period, r.check_number, r.check_amount, r.received_on, r.status,
               count(l.id)::int,
               (count(l.id) FILTER (WHERE l.match_status IN ('unknown_card', 'name_mismatch', 'amount_odd')))::int
        FROM remittances AS r
        JOIN employers AS e ON e.id = r.employer_id
        LEFT JOIN remittance_lines AS l ON l.remittance_id = r.id
        WHERE (CAST(:e AS int) IS NULL OR r.employer_id = :e) AND (CAST(:s AS text) IS NULL OR r.status = :s)
        GROUP BY r.id, e.name
        ORDER BY r.received_on DESC, r.id DESC
        LIMIT :limit
    """), {"e": employer_id, "s": status, "limit": limit})
    return [RemittanceListRow(*row) for row in rows]


def column_mapping(session: Session, employer_id: int) -> dict[str, str | None] | None:
    """The column mapping last used for this employer's lists, or None the first time."""
    return session.execute(text("SELECT mapping FROM remittance_column_maps WHERE employer_id = :e"),
                           {"e": employer_id}).scalar()


def missing_from_remittance(session: Session, employer_id: int, period: date) -> list[MissingMember]:
    """Members dispatched to the employer (dispatches) or employed by it (employment history) at any time in
    the month, with no line on any live remittance of that employer for that month."""
    first = month_start(period)
    sources = ["""
        SELECT member_id, 'employment' AS source, started_on, ended_on FROM employment_history
        WHERE employer_id = :e AND started_on < :next AND (ended_on IS NULL OR ended_on >= :first)
    """]
    if session.execute(text("SELECT to_regclass('dispatches') IS NOT NULL")).scalar_one():
        sources.append("""
            SELECT member_id, 'dispatch', dispatch_date, terminated_on FROM dispatches
            WHERE employer_id = :e AND status NOT IN ('rejected', 'no_show')
              AND dispatch_date < :next AND (terminated_on IS NULL OR terminated_on >= :first)
        """)
    rows = session.execute(text(f"""
        SELECT * FROM (
            SELECT DISTINCT ON (m.id) m.id, m.card_number, m.last_name || ', ' || m.first_name AS name,
                   m.classification, w.source, w.started_on, w.ended_on
            FROM ({" UNION ALL ".join(sources)}) AS w
            JOIN members AS m ON m.id = w.member_id
            WHERE NOT EXISTS (
                SELECT 1 FROM remittance_lines AS l JOIN remittances AS r ON r.id = l.remittance_id
                WHERE r.employer_id = :e AND r.period = :first AND r.status <> 'cancelled' AND l.member_id = m.id)
            ORDER BY m.id, (w.source = 'dispatch') DESC, w.started_on DESC
        ) AS missing
        ORDER BY name, id
    """), {"e": employer_id, "first": first, "next": add_months(first, 1)})
    return [MissingMember(*row) for row in rows]
