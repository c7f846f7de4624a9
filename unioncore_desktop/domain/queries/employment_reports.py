"""One member's employment history for its report, with the book and request each dispatched job came from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.queries.members import MemberDetail, member_detail


@dataclass(frozen=True, slots=True)
class EmploymentLine:
    """One job: dispatched ones carry their book and request; imported or hand-entered ones carry none."""

    id: int
    employer_id: int
    employer_name: str
    worksite_name: str | None
    job_class: str | None
    started_on: date
    ended_on: date | None
    termination_reason: str | None
    days_worked: int | None
    hours_worked: Decimal | None
    source: str
    book_name: str | None
    request_number: str | None
    by_name: bool
    via_bid: bool
    short_call: bool


@dataclass(frozen=True, slots=True)
class MemberEmployment:
    """A member and their jobs, newest first, as of the hall's `today`."""

    member: MemberDetail
    today: date
    rows: tuple[EmploymentLine, ...]

    @property
    def days_worked(self) -> int:
        return sum(r.days_worked or 0 for r in self.rows)

    @property
    def hours_worked(self) -> Decimal:
        return sum((r.hours_worked or Decimal(0) for r in self.rows), Decimal(0))


_EMPLOYMENT_SQL = text("""
    SELECT h.id, h.employer_id, e.name AS employer_name, w.name AS worksite_name, h.job_class, h.started_on,
           h.ended_on, h.termination_reason, h.days_worked, h.hours_worked, h.source, b.name AS book_name,
           r.number AS request_number, coalesce(d.by_name, false) AS by_name, coalesce(d.via_bid, false) AS via_bid,
           coalesce(d.short_call, false) AS short_call
    FROM employment_history h
    JOIN employers e ON e.id = h.employer_id
    LEFT JOIN worksites w ON w.id = h.worksite_id
    LEFT JOIN LATERAL (SELECT * FROM dispatches x WHERE x.member_id = h.member_id AND x.employment_id = h.id
                       ORDER BY x.id DESC LIMIT 1) d ON true
    LEFT JOIN labor_requests r ON r.id = d.request_id
    LEFT JOIN books b ON b.id = d.book_id
    WHERE h.member_id = :m
    ORDER BY h.started_on DESC, h.id DESC
""")


def member_employment(session: Session, member_id: int) -> MemberEmployment:
    member = member_detail(session, member_id)  # NotFound for a member who is gone
    rows = session.execute(_EMPLOYMENT_SQL, {"m": member_id}).mappings()
    return MemberEmployment(member, hall_clock(session).today, tuple(EmploymentLine(**m) for m in rows))
