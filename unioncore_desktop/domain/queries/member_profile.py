"""A member's dispatch profile: the books and tiers they may sign (R5), their skills and certifications (expired
ones marked as the walk reads them), and the employers they may not be sent to; and what the profile dialogs
offer to choose from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.queries.fragments import morning_order
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.rules.member_profile import exclusion_in_force, skill_state


@dataclass(frozen=True, slots=True)
class ProfileBookRow:
    """A book the member may sign, at `tier` or a lower-priority one."""

    id: int
    member_id: int
    book_code: str
    book_name: str
    tier: int
    active: bool  # the book is still worked (a retired book keeps its qualifications)


@dataclass(frozen=True, slots=True)
class ProfileSkillRow:
    id: int
    member_id: int
    name: str
    number: str | None
    expires_on: date | None
    state: str  # rules.member_profile.skill_state on the hall's today

    @property
    def expired(self) -> bool:
        return self.state == "expired"


@dataclass(frozen=True, slots=True)
class ProfileExclusionRow:
    id: int
    member_id: int
    employer_id: int
    employer_name: str
    reason: str
    ends_on: date | None
    in_force: bool


@dataclass(frozen=True, slots=True)
class MemberProfile:
    """The three lists of the profile, as of the hall's `today`."""

    member_id: int
    today: date
    books: tuple[ProfileBookRow, ...]
    skills: tuple[ProfileSkillRow, ...]
    exclusions: tuple[ProfileExclusionRow, ...]


def member_profile(session: Session, member_id: int, today: date | None = None) -> MemberProfile:
    today = today or hall_clock(session).today
    books = session.execute(text(f"""
        SELECT q.id, q.member_id, q.book_code, b.name, q.tier, b.active
        FROM member_qualified_books q JOIN books b ON b.code = q.book_code
        WHERE q.member_id = :m
        ORDER BY {morning_order("b")}
    """), {"m": member_id}).all()
    skills = session.execute(text("""
        SELECT id, member_id, name, number, expires_on FROM member_skills
        WHERE member_id = :m ORDER BY lower(name), expires_on DESC NULLS FIRST, id
    """), {"m": member_id}).all()
    exclusions = session.execute(text("""
        SELECT x.id, x.member_id, x.employer_id, e.name, x.reason, x.ends_on
        FROM member_exclusions x JOIN employers e ON e.id = x.employer_id
        WHERE x.member_id = :m ORDER BY e.name, x.id
    """), {"m": member_id}).all()
    return MemberProfile(
        member_id, today,
        tuple(ProfileBookRow(*row) for row in books),
        tuple(ProfileSkillRow(r.id, r.member_id, r.name, r.number, r.expires_on, skill_state(r.expires_on, today))
              for r in skills),
        tuple(ProfileExclusionRow(r.id, r.member_id, r.employer_id, r.name, r.reason, r.ends_on,
                                  exclusion_in_force(r.ends_on, today)) for r in exclusions))


@dataclass(frozen=True, slots=True)
class Choice:
    """One pick in a profile dialog: a book (key: its code) or an employer (key: its id)."""

    key: str | int
    name: str


@dataclass(frozen=True, slots=True)
class ProfileChoices:
    """What the profile dialogs offer: active books in morning order, active employers by name, and the known
    skill names (so one certification is spelled one way)."""

    today: date
    books: tuple[Choice, ...]
    employers: tuple[Choice, ...]
    skill_names: tuple[str, ...]


def profile_choices(session: Session) -> ProfileChoices:
    books = session.execute(text(f"SELECT b.code, b.name FROM books b WHERE b.active ORDER BY {morning_order('b')}"))
    employers = session.execute(text("SELECT id, name FROM employers WHERE active ORDER BY name, id"))
    names = session.execute(text("SELECT DISTINCT ON (lower(name)) name FROM member_skills ORDER BY lower(name), name"))
    return ProfileChoices(hall_clock(session).today, tuple(Choice(*r) for r in books),
                          tuple(Choice(*r) for r in employers), tuple(names.scalars()))
