"""The books as a manager sets them up: every book, retired ones too, with what it holds (members on it, open
requests, whether it has history) and when its rules in force took effect; and the choices the form offers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.queries.fragments import morning_order
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.vocab import LIVE_REGISTRATION_STATUSES

_LIVE = ", ".join(f"'{s}'" for s in LIVE_REGISTRATION_STATUSES)


@dataclass(frozen=True, slots=True)
class BookSetupRow:
    id: int
    code: str
    name: str
    classification: str
    region: str | None
    contract_code: str | None
    agreement_type: str
    morning_slot: time
    sort_order: int
    active: bool
    live_registrations: int  # registered, dispatched or awaiting re-registration
    open_requests: int
    has_history: bool  # registrations or requests ever: such a book is retired, never deleted
    rules_from: date | None  # when the settings in force today took effect (None: the hall's defaults)
    version: int


@dataclass(frozen=True, slots=True)
class BookSetupView:
    rows: list[BookSetupRow]  # morning order, retired books last
    contract_codes: list[tuple[str, str]]  # code, description
    regions: list[str]  # those the offices and books already use
    today: date


def book_setup_rows(session: Session, today: date) -> list[BookSetupRow]:
    rows = session.execute(text(f"""
        SELECT b.id, b.code, b.name, b.classification, b.region, b.contract_code, b.agreement_type,
               b.morning_slot, b.sort_order, b.active, b.version,
               (SELECT count(*) FROM registrations g WHERE g.book_id = b.id AND g.status IN ({_LIVE})) AS live,
               (SELECT count(*) FROM labor_requests r
                WHERE r.book_id = b.id AND r.status IN ('open', 'partially_filled')) AS open_requests,
               (EXISTS (SELECT 1 FROM registrations g WHERE g.book_id = b.id)
                OR EXISTS (SELECT 1 FROM labor_requests r WHERE r.book_id = b.id)) AS has_history,
               (SELECT max(k.effective_from) FROM book_rules k
                WHERE k.book_id = b.id AND k.effective_from <= :today) AS rules_from
        FROM books b
        ORDER BY NOT b.active, {morning_order("b")}
    """), {"today": today}).mappings()
    return [BookSetupRow(id=r["id"], code=r["code"], name=r["name"], classification=r["classification"],
                         region=r["region"], contract_code=r["contract_code"], agreement_type=r["agreement_type"],
                         morning_slot=r["morning_slot"], sort_order=r["sort_order"], active=r["active"],
                         live_registrations=r["live"], open_requests=r["open_requests"],
                         has_history=r["has_history"], rules_from=r["rules_from"], version=r["version"])
            for r in rows]


def book_setup_view(session: Session) -> BookSetupView:
    today = hall_clock(session).today
    codes = [(code, description) for code, description in
             session.execute(text("SELECT code, description FROM contract_codes ORDER BY code")).all()]
    regions = list(session.execute(text(
        "SELECT region FROM offices WHERE region IS NOT NULL UNION "
        "SELECT region FROM books WHERE region IS NOT NULL ORDER BY 1")).scalars())
    return BookSetupView(rows=book_setup_rows(session, today), contract_codes=codes, regions=regions, today=today)


def book_setup_row(session: Session, book_id: int) -> BookSetupRow:
    today = hall_clock(session).today
    return next(row for row in book_setup_rows(session, today) if row.id == book_id)
