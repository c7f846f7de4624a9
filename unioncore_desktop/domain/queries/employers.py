"""Employer list, search, detail, change history and likely duplicates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.errors import NotFound
from unioncore_desktop.domain.queries.members import ChangeRow
from unioncore_desktop.domain.queries.text_search import like_escape, normalize_query
from unioncore_desktop.domain.rules.employers import EmployerInput, EmployerKeys, Period, duplicate_reasons


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
    version: int = 1

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
    state: str | None = None
    postal_code: str | None = None
    version: int = 1


@dataclass(frozen=True, slots=True)
class ContactRow:
    id: int
    name: str
    title: str | None
    phone: str | None
    email: str | None
    is_primary: bool
    version: int = 1


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
    """Employers by name (misspellings tolerated), phone digits or city, best first; all of them by name when the
    query is empty."""
    q = normalize_query(query)
    if not q:
        rows = session.execute(text(_LIST + " ORDER BY e.name, e.id LIMIT :limit"), {"limit": limit})
    else:
        session.execute(text("SELECT set_config('pg_trgm.word_similarity_threshold', '0.3', true)"))
        like = like_escape(q)
        digits = re.sub(r"\D", "", q) if re.fullmatch(r"[\d\s().+-]+", q) else ""
        rows = session.execute(text(_LIST + """
            WHERE :q <% e.search_text OR e.search_text LIKE '%' || :like || '%'
               OR lower(e.city) LIKE :like || '%'
               OR (length(:digits) >= 3 AND regexp_replace(e.phone, '\\D', '', 'g') LIKE '%' || :digits || '%')
            ORDER BY (e.search_text LIKE :like || '%') DESC, word_similarity(:q, e.search_text) DESC, e.name, e.id
            LIMIT :limit"""), {"q": q, "like": like, "digits": digits, "limit": limit})
    return [EmployerListRow(*row) for row in rows]


def employer_detail(session: Session, employer_id: int) -> EmployerDetail:
    row = session.execute(text("""
        SELECT id, version, name, address_line1, address_line2, city, state, postal_code, phone, email, notes, active
        FROM employers WHERE id = :id"""), {"id": employer_id}).one_or_none()
    if row is None:
        raise NotFound("That employer no longer exists.")
    contracts = session.execute(text("""
        SELECT id, contract_code, effective_on, expires_on, version FROM employer_contracts
        WHERE employer_id = :id ORDER BY contract_code, effective_on"""), {"id": employer_id})
    worksites = session.execute(text("""
        SELECT id, name, address_line1, city, region, report_to, active, state, postal_code, version FROM worksites
        WHERE employer_id = :id ORDER BY name, id"""), {"id": employer_id})
    contacts = session.execute(text("""
        SELECT id, name, title, phone, email, is_primary, version FROM employer_contacts
        WHERE employer_id = :id ORDER BY is_primary DESC, name"""), {"id": employer_id})
    # the row's column count is unknown to mypy, which so counts it against the keyword fields
    return EmployerDetail(*row, contracts=tuple(ContractRow(*r) for r in contracts),  # type: ignore[misc]
                          worksites=tuple(WorksiteRow(*r) for r in worksites),
                          contacts=tuple(ContactRow(*r) for r in contacts))


# --- change history -------------------------------------------------------------------------------------------------

_AREAS = {"employers": "Employer", "worksites": "Worksite", "employer_contacts": "Contact",
          "employer_contracts": "Contract"}
_HIDDEN_FIELDS = {"id", "employer_id", "version", "created_at", "updated_at", "search_text"}
_LABELS = {"employer_contracts": "contract_code", "worksites": "name", "employer_contacts": "name"}


def change_history(session: Session, employer_id: int, *, limit: int = 2000) -> list[ChangeRow]:
    """Field-level history of the employer and its worksites, contacts and contracts, newest first, read from
    `audit_trail` (every group may read it; the raw log is the manager's)."""
    rows = session.execute(text("""
        SELECT a.changed_at, coalesce(s.full_name, a.db_user), a.action, a.table_name,
               a.changed_fields, a.old_values, a.new_values
        FROM audit_trail AS a
        LEFT JOIN staff AS s ON s.login = a.db_user
        WHERE (a.table_name = 'employers' AND a.row_key = :key)
           OR (a.table_name IN ('worksites', 'employer_contacts', 'employer_contracts')
               AND coalesce(a.new_values, a.old_values) ->> 'employer_id' = :key)
        ORDER BY a.changed_at DESC, a.id DESC
        LIMIT :limit
    """), {"key": str(employer_id), "limit": limit})
    changes: list[ChangeRow] = []
    for changed_at, who, action, table, changed, old, new in rows:
        label_field = _LABELS.get(table)
        named = (new or old or {}).get(label_field) if label_field else None
        area = _AREAS.get(table, table) + (f" {named}" if named else "")
        for name in changed:
            before, after = _text((old or {}).get(name)), _text((new or {}).get(name))
            if name in _HIDDEN_FIELDS or before == after:  # an insert's or delete's empty fields say nothing
                continue
            changes.append(ChangeRow(changed_at=changed_at, changed_by=who, action=action.lower(), area=area,
                                     field=name, old=before, new=after))
    return changes


def last_changed_by(session: Session, employer_id: int) -> str | None:
    """Who last saved the employer's own row (their name where known)."""
    who: str | None = session.execute(text("""
        SELECT coalesce(s.full_name, a.db_user) FROM audit_trail AS a LEFT JOIN staff AS s ON s.login = a.db_user
        WHERE a.table_name = 'employers' AND a.row_key = :key ORDER BY a.id DESC LIMIT 1
    """), {"key": str(employer_id)}).scalar()
    return who


def _text(value: object) -> str:
    return "" if value is None else str(value)


@dataclass(frozen=True, slots=True)
class EmployerRecord:
    """The employers screen's record: the employer with its parts, and its change history, read together."""

    detail: EmployerDetail
    history: list[ChangeRow]


def employer_record(session: Session, employer_id: int) -> EmployerRecord:
    return EmployerRecord(employer_detail(session, employer_id), change_history(session, employer_id))


# --- likely duplicates ----------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class DuplicateRow:
    """An employer on file that is likely the one being typed, and why."""

    id: int
    name: str
    address: str
    city: str | None
    phone: str | None
    active: bool
    reasons: str  # "same name, same phone"


def likely_duplicates(session: Session, data: EmployerInput, exclude_id: int | None = None) -> list[DuplicateRow]:
    """Employers other than `exclude_id` with the same normalized name, phone or address as `data`.

    SQL only narrows the candidates (similar name, or phone or street sharing digits); `rules.employers` decides."""
    typed = EmployerKeys.of(data.name, data.phone, data.address_line1, data.city)
    if not (typed.name or typed.phone or typed.address):
        return []
    phone_tail = typed.phone[-7:] if len(typed.phone) >= 7 else ""
    rows = session.execute(text("""
        SELECT id, name, address_line1, city, phone, active FROM employers
        WHERE id IS DISTINCT FROM :exclude
          AND (similarity(search_text, :name) > 0.3
               OR (:phone <> '' AND regexp_replace(phone, '\\D', '', 'g') LIKE '%' || :phone)
               OR (:street <> '' AND lower(address_line1) LIKE :street || '%'))
        ORDER BY name, id
        LIMIT 500
    """), {"exclude": exclude_id, "name": (data.name or "").lower(), "phone": phone_tail,
           "street": _street_number(data.address_line1)})
    found = []
    for employer_id, name, line1, city, phone, active in rows:
        reasons = duplicate_reasons(typed, EmployerKeys.of(name, phone, line1, city))
        if reasons:
            found.append(DuplicateRow(employer_id, name, line1 or "", city, phone, active, ", ".join(reasons)))
    return found


def _street_number(line1: str | None) -> str:
    """The leading house number of an address ('' without one): addresses that differ there never match."""
    match = re.match(r"\s*(\d+)\s", line1 or "")
    return match.group(1) + " " if match else ""


# --- what the forms offer and the services check ----------------------------------------------------------------

def contract_codes(session: Session) -> list[tuple[str, str]]:
    """The hall's contract codes with their descriptions, by code."""
    return [(code, description) for code, description in session.execute(
        text("SELECT code, description FROM contract_codes ORDER BY code"))]


def other_periods(session: Session, employer_id: int, contract_id: int | None) -> list[Period]:
    """The employer's contract periods other than `contract_id`."""
    return [Period(*row) for row in session.execute(text("""
        SELECT contract_code, effective_on, expires_on FROM employer_contracts
        WHERE employer_id = :employer AND id IS DISTINCT FROM :id ORDER BY contract_code, effective_on
    """), {"employer": employer_id, "id": contract_id})]


def primary_contact_other_than(session: Session, employer_id: int, contact_id: int | None) -> str | None:
    """The name of the employer's primary contact, unless it is `contact_id` (or there is none)."""
    name: str | None = session.execute(text("""
        SELECT name FROM employer_contacts WHERE employer_id = :employer AND is_primary AND id IS DISTINCT FROM :id
    """), {"employer": employer_id, "id": contact_id}).scalar()
    return name
