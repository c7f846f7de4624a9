"""Employers by contract code: who signed each code, over which period, with their worksites and the contact and
phone the desk calls; active and inactive employers both, marked."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.queries.fragments import HALL_TODAY


@dataclass(frozen=True, slots=True)
class ContractEmployerRow:
    """One employer's period on one contract code (an employer holding several periods has a row for each)."""

    contract_code: str
    contract_description: str
    employer_id: int
    employer_name: str
    active: bool
    effective_on: date
    expires_on: date | None
    in_force: bool  # the period covers the hall's today
    city: str | None
    phone: str | None
    contact: str | None  # the primary contact: name and title
    contact_phone: str | None
    worksites: tuple[str, ...]  # active worksites, by name


@dataclass(frozen=True, slots=True)
class EmployersByContract:
    today: date
    codes: tuple[tuple[str, str], ...]  # every contract code with its description, those with no employer too
    rows: tuple[ContractEmployerRow, ...]


def employers_by_contract(session: Session) -> EmployersByContract:
    """Every contract code and its employers, by code, then employer name, then period."""
    today = session.execute(text(f"SELECT {HALL_TODAY}")).scalar_one()
    codes = session.execute(text("SELECT code, description FROM contract_codes ORDER BY code")).all()
    rows = session.execute(text("""
        SELECT k.code AS contract_code, k.description AS contract_description, e.id AS employer_id,
               e.name AS employer_name, e.active, c.effective_on, c.expires_on,
               c.effective_on <= :today AND (c.expires_on IS NULL OR :today <= c.expires_on) AS in_force,
               e.city, e.phone, concat_ws(', ', p.name, nullif(p.title, '')) AS contact, p.phone AS contact_phone,
               coalesce((SELECT array_agg(w.name ORDER BY w.name) FROM worksites w
                         WHERE w.employer_id = e.id AND w.active), '{}') AS worksites
        FROM employer_contracts c
        JOIN contract_codes k ON k.code = c.contract_code
        JOIN employers e ON e.id = c.employer_id
        LEFT JOIN employer_contacts p ON p.employer_id = e.id AND p.is_primary
        ORDER BY k.code, e.name, e.id, c.effective_on
    """), {"today": today}).mappings()
    return EmployersByContract(today, tuple((c, d) for c, d in codes),
                               tuple(ContractEmployerRow(**{**r, "worksites": tuple(r["worksites"])}) for r in rows))
