"""One member's whole record, read together for the counter: who they are, their dispatch profile, every
registration with today's rank, their bans, dispatches, offers, employment, dues standing and change history.

Each part is the query that already answers it elsewhere (the books' registrations, the dispatch log, the offer
lines, the posting look-up's standing); this module only gathers them into one DTO, read in one session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.queries.books import RegistrationRow, member_registrations
from unioncore_desktop.domain.queries.dispatch import DispatchRow, OfferLineRow, dispatch_log, member_offer_lines
from unioncore_desktop.domain.queries.dues import PostingLookupRow, member_standing
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.queries.member_profile import MemberProfile, member_profile
from unioncore_desktop.domain.queries.members import (
    ChangeRow,
    EmploymentRow,
    MemberDetail,
    change_history,
    employment_history,
    member_detail,
)

FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(9999, 12, 31)  # the dispatch log's range opened to all of it
DISPATCH_LIMIT = 500


@dataclass(frozen=True, slots=True)
class BanRow:
    """R12: no by-name request from this employer through `ends_on`."""

    id: int
    employer_id: int
    employer_name: str
    starts_on: date
    ends_on: date
    reason: str
    in_force: bool


@dataclass(frozen=True, slots=True)
class MemberRecord:
    """Everything the member record shows, as of the hall's `today`. `standing.balance` is None for a login that
    may not see amounts (a dispatcher)."""

    today: date
    detail: MemberDetail
    profile: MemberProfile
    registrations: list[RegistrationRow]
    bans: list[BanRow]
    dispatches: list[DispatchRow]
    offers: list[OfferLineRow]
    employment: list[EmploymentRow]
    standing: PostingLookupRow | None  # None for a login that may read no dues standing (an admin)
    history: list[ChangeRow]

    @property
    def live_registrations(self) -> list[RegistrationRow]:
        return [r for r in self.registrations if r.live]

    @property
    def book_ids(self) -> frozenset[int]:
        """The books the member's registrations and dispatches are on: a change on another book is not theirs."""
        return frozenset({r.book_id for r in self.registrations} | {d.book_id for d in self.dispatches})


def member_bans(session: Session, member_id: int, today: date) -> list[BanRow]:
    rows = session.execute(text("""
        SELECT r.id, r.employer_id, e.name, r.starts_on, r.ends_on, r.reason, :today <= r.ends_on
        FROM referral_bans r JOIN employers e ON e.id = r.employer_id
        WHERE r.member_id = :m ORDER BY r.ends_on DESC, r.id DESC
    """), {"m": member_id, "today": today}).all()
    return [BanRow(*row) for row in rows]


def member_record(session: Session, member_id: int) -> MemberRecord:
    today = hall_clock(session).today
    detail = member_detail(session, member_id)  # first: NotFound for a member who is gone
    return MemberRecord(
        today=today, detail=detail, profile=member_profile(session, member_id, today),
        registrations=member_registrations(session, member_id), bans=member_bans(session, member_id, today),
        dispatches=dispatch_log(session, start=FIRST_DAY, end=LAST_DAY, member_id=member_id, limit=DISPATCH_LIMIT),
        offers=member_offer_lines(session, member_id), employment=employment_history(session, member_id),
        standing=member_standing(session, member_id), history=change_history(session, member_id))
