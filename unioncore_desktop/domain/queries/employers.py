"""Employer list, search and detail reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.errors import NotFound
from unioncore_desktop.domain.queries.text_search import like_escape, normalize_query


@dataclass(frozen=True, slots=True)
class EmployerListRow:
    id: int
    name: str
    city: str | None
    phone: str | None
    contract_codes: str  # current codes, comma-separated
    worksite_count: int
    primary_contact: str | None
    active: bool


@dataclass(frozen=True, slots=True)
class ContractRow:
    id: int
    contract_code: str
    effective_on: date
    expires_on: date | None

    def in_force(self, on: date) -> bool:
        return self.effective_on <= on and (self.expires_on is None or self.expires_on >= on)


@dataclass(frozen=True, slots=True)
class WorksiteRow:
    id: int
    name: str
    address_line1: str | None
    city: str | None
    region: str | None
    report_to: str | None
    active: bool


@dataclass(frozen=True, slots=True)
class ContactRow:
    id: int
    name: str
    title: str | None
    phone: str | None
    email: str | None
    is_primary: bool


@dataclass(frozen=True, slots=True)
class EmployerDetail:
    id: int
    version: int
    name: str
    address_line1: str | None
    address_line2: str | None
    city: str | None
    state: str | None
    postal_code: str | None
    phone: str | None
    email: str | None
    notes: str | None
    active: bool
    contracts: tuple[ContractRow, ...]
    worksites: tuple[WorksiteRow, ...]
    contacts: tuple[ContactRow, ...]


_LIST = """
    SELECT e.id, e.name, e.city, e.phone,
           coalesce((SELECT string_agg(DISTINCT c.contract_code, ', ' ORDER BY c.contract_code)
                     FROM employer_contracts c
                     WHERE c.employer_id = e.id AND c.effective_on <= current_date
                       AND (c.expires_on IS NULL OR c.expires_on >= current_date)), ''),
           (SELECT count(*) FROM worksites w WHERE w.employer_id = e.id)::int,
           (SELECT p.name FROM employer_contacts p WHERE p.employer_id = e.id AND p.is_primary),
           e.active
    FROM employers e
"""


def search_employers(session: Session, query: str = "", *, limit: int = 2000) -> list[EmployerListRow]:
    """Employers by name (misspellings tolerated), best first; all of them by name when the query is empty."""
    q = normalize_query(query)
    if not q:
        rows = session.execute(text(_LIST + " ORDER BY e.name, e.id LIMIT :limit"), {"limit": limit})
    else:
        session.execute(text("SELECT set_config('pg_trgm.word_similarity_threshold', '0.3', true)"))
        like = like_escape(q)
        rows = session.execute(text(_LIST + """
            WHERE :q <% e.search_text OR e.search_text LIKE '%' || :like || '%'
            ORDER BY (e.search_text LIKE :like || '%') DESC, word_similarity(:q, e.search_text) DESC, e.name, e.id
            LIMIT :limit"""), {"q": q, "like": like, "limit": limit})
    return [EmployerListRow(*row) for row in rows]


def employer_detail(session: Session, employer_id: int) -> EmployerDetail:
    row = session.execute(text("""
        SELECT id, version, name, address_line1, address_line2, city, state, postal_code, phone, email, notes, active
        FROM employers WHERE id = :id"""), {"id": employer_id}).one_or_none()
    if row is None:
        raise NotFound("That employer no longer exists.")
    contracts = session.execute(text("""
        SELECT id, contract_code, effective_on, expires_on FROM employer_contracts
        WHERE employer_id = :id ORDER BY contract_code, effective_on"""), {"id": employer_id})
    worksites = session.execute(text("""
        SELECT id, name, address_line1, city, region, report_to, active FROM worksites
        WHERE employer_id = :id ORDER BY name, id"""), {"id": employer_id})
    contacts = session.execute(text("""
        SELECT id, name, title, phone, email, is_primary FROM employer_contacts
        WHERE employer_id = :id ORDER BY is_primary DESC, name"""), {"id": employer_id})
    # the row's column count is unknown to mypy, which so counts it against the keyword fields
    return EmployerDetail(*row, contracts=tuple(ContractRow(*r) for r in contracts),  # type: ignore[misc]
                          worksites=tuple(WorksiteRow(*r) for r in worksites),
                          contacts=tuple(ContactRow(*r) for r in contacts))
