"""Reads for the import from a hall's old system: remembered column mappings, what an import looks up on file
(members by card, books, employers by name, contract codes), past runs, and the book-order comparison: each book's
order in the imported source beside its queue order now, and whether they agree."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.queries.fragments import queue_order
from unioncore_desktop.domain.rules.imports import name_key

# --- column mappings ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RememberedMapping:
    source: str
    mapping: dict[str, str | None]
    exact: bool          # remembered for this source; False: another source's export with the same headers


def remembered_mapping(session: Session, source: str, entity: str, signature: str) -> RememberedMapping | None:
    """The mapping kept for this source's export with these headers; failing that, the newest one kept for the
    same headers under any source (one system's export looks the same at every hall)."""
    row = session.execute(text("""
        SELECT source, mapping, source = :source AS exact FROM import_column_maps
        WHERE entity = :entity AND header_signature = :signature
        ORDER BY source = :source DESC, updated_at DESC LIMIT 1
    """), {"source": source, "entity": entity, "signature": signature}).first()
    return RememberedMapping(row.source, dict(row.mapping), row.exact) if row is not None else None


# --- what an import looks up -------------------------------------------------------------------------------

def member_ids_by_card(session: Session, cards: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(cards))
    if not wanted:
        return {}
    rows = session.execute(text("SELECT card_number, id FROM members WHERE card_number = ANY(:cards)"),
                           {"cards": wanted})
    return {card: member_id for card, member_id in rows}


def member_ids(session: Session) -> dict[str, int]:
    """Every member's id by card number (an employment file is looked up while it is still being read)."""
    return {card: member_id for card, member_id in session.execute(text("SELECT card_number, id FROM members"))}


@dataclass(frozen=True, slots=True)
class BookRef:
    id: int
    code: str
    name: str
    active: bool


def books_by_reference(session: Session) -> dict[str, BookRef]:
    """Every book under its code and its name, upper case: exports name books either way."""
    found: dict[str, BookRef] = {}
    for row in session.execute(text("SELECT id, code, name, active FROM books ORDER BY id")):
        book = BookRef(*row)
        found.setdefault(book.code.upper(), book)
        found.setdefault(book.name.upper(), book)
    return found


def employer_ids_by_key(session: Session) -> dict[str, list[int]]:
    """Employers on file by name key (rules.imports.name_key); a key with two ids is ambiguous."""
    found: dict[str, list[int]] = {}
    for employer_id, name in session.execute(text("SELECT id, name FROM employers ORDER BY id")):
        found.setdefault(name_key(name), []).append(employer_id)
    return found


def contract_codes(session: Session) -> frozenset[str]:
    return frozenset(session.execute(text("SELECT code FROM contract_codes")).scalars())


# --- past runs ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ImportRunRow:
    id: int
    entity: str
    source: str
    file_name: str
    rows_read: int
    created: int
    updated: int
    unchanged: int
    rejected: int
    run_by: str
    run_at: datetime


def import_runs(session: Session, limit: int = 200) -> list[ImportRunRow]:
    rows = session.execute(text("""
        SELECT id, entity, source, file_name, rows_read, created, updated, unchanged, rejected, run_by, run_at
        FROM import_runs ORDER BY run_at DESC, id DESC LIMIT :limit
    """), {"limit": limit})
    return [ImportRunRow(*row) for row in rows]


def run_rejections(session: Session, run_id: int) -> list[dict[str, Any]]:
    """The rows a committed run left out, with their reasons, kept for review."""
    value = session.execute(text("SELECT rejections FROM import_runs WHERE id = :id"), {"id": run_id}).scalar()
    return list(value or [])


# --- the book-order comparison -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class OrderLine:
    """One place: the member the source lists there and the member the book's queue has there."""

    position: int
    source_card: str | None
    source_name: str | None
    queue_card: str | None
    queue_name: str | None

    @property
    def same(self) -> bool:
        return self.source_card == self.queue_card


@dataclass(frozen=True, slots=True)
class BookOrder:
    """One book: the source's order (members still registered on it) beside its queue order."""

    book_id: int
    book_code: str
    book_name: str
    run_id: int
    source_count: int
    queue_count: int
    first_difference: int | None     # the first position where they differ; None when they agree
    lines: tuple[OrderLine, ...]

    @property
    def agrees(self) -> bool:
        return self.first_difference is None


@dataclass(frozen=True, slots=True)
class OrderComparison:
    books: tuple[BookOrder, ...]

    @property
    def agrees(self) -> bool:
        return all(book.agrees for book in self.books)


def book_order_comparison(session: Session, book_ids: Iterable[int] | None = None) -> OrderComparison:
    """For every book the newest registrations import listed: its members in the source's order, and the members
    the book's queue holds (registered, in queue order: tier, APN, registered-at, member id) among those the
    source listed, which is the order a morning referral walks. They agree when the two lists are the same."""
    wanted = set(book_ids) if book_ids is not None else None
    rows = session.execute(text(f"""
        WITH latest AS (
            SELECT DISTINCT ON (o.key) o.key::integer AS book_id, r.id AS run_id, o.value AS members
            FROM import_runs AS r, jsonb_each(r.source_order) AS o
            WHERE r.entity = 'registrations' AND r.source_order IS NOT NULL
            ORDER BY o.key, r.run_at DESC, r.id DESC
        ), source AS (
            SELECT l.book_id, l.run_id, s.member_id::integer AS member_id, s.position
            FROM latest AS l, jsonb_array_elements_text(l.members) WITH ORDINALITY AS s(member_id, position)
        ), placed AS (
            SELECT s.book_id, s.run_id, s.member_id, s.position AS source_position,
                   g.tier, g.apn, g.registered_at
            FROM source AS s
            JOIN registrations AS g ON g.book_id = s.book_id AND g.member_id = s.member_id
                                   AND g.status = 'registered'
        )
        SELECT p.book_id, b.code AS book_code, b.name AS book_name, p.run_id,
               row_number() OVER (PARTITION BY p.book_id ORDER BY p.source_position) AS source_rank,
               row_number() OVER (PARTITION BY p.book_id ORDER BY {queue_order('p')}) AS queue_rank,
               m.card_number, m.last_name || ', ' || m.first_name AS member_name
        FROM placed AS p
        JOIN books AS b ON b.id = p.book_id
        JOIN members AS m ON m.id = p.member_id
        ORDER BY b.code, source_rank
    """))
    by_book: dict[int, dict[str, Any]] = {}
    for row in rows:
        if wanted is not None and row.book_id not in wanted:
            continue
        book = by_book.setdefault(row.book_id, {"code": row.book_code, "name": row.book_name, "run": row.run_id,
                                                "source": {}, "queue": {}})
        book["source"][row.source_rank] = (row.card_number, row.member_name)
        book["queue"][row.queue_rank] = (row.card_number, row.member_name)
    counts = _source_counts(session)
    books = []
    for book_id, book in by_book.items():
        size = len(book["source"])
        lines = tuple(OrderLine(i, *book["source"].get(i, (None, None)), *book["queue"].get(i, (None, None)))
                      for i in range(1, size + 1))
        first = next((line.position for line in lines if not line.same), None)
        books.append(BookOrder(book_id, book["code"], book["name"], book["run"], counts.get(book_id, size), size,
                               first, lines))
    return OrderComparison(tuple(sorted(books, key=lambda b: b.book_code)))


def _source_counts(session: Session) -> dict[int, int]:
    """How many members each book's newest source listed (some may have left the book since)."""
    rows = session.execute(text("""
        SELECT DISTINCT ON (o.key) o.key::integer, jsonb_array_length(o.value)
        FROM import_runs AS r, jsonb_each(r.source_order) AS o
        WHERE r.entity = 'registrations' AND r.source_order IS NOT NULL
        ORDER BY o.key, r.run_at DESC, r.id DESC
    """))
    return {book_id: count for book_id, count in rows}
