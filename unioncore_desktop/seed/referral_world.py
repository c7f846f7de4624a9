"""A small referral world built with plain SQL on any connection: a book with its rules, an employer and
worksite, members qualified and registered in a chosen order, and labor requests with a chosen referral date.
Dispatch tests build exactly the list they reason about; the dispatch bench builds a big one."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, text

_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


def continue_numbering(conn: Connection) -> None:
    """Number from above what the database already holds (request numbers, queue and walk-in cards), so that a
    process adding a world to a database another process added to does not repeat its numbers."""
    global _seq
    top = conn.execute(text(r"""
        SELECT greatest((SELECT max(substr(number, 2)::bigint) FROM labor_requests WHERE number ~ '^T\d{8}$'),
                        (SELECT max(substr(card_number, 2)::bigint) / 100000 FROM members
                         WHERE card_number ~ '^Q\d{1,15}$'),
                        (SELECT max(substr(card_number, 2)::bigint) FROM members WHERE card_number ~ '^W\d{7}$'))
    """)).scalar_one()
    _seq = itertools.count(max(next(_seq), (top or 0) + 1))


def make_book(conn: Connection, code: str, *, name: str | None = None, agreement_type: str = "standard",
              region: str | None = None, morning_slot: str = "08:30", sort_order: int = 0,
              effective_from: date = date(2000, 1, 1), **rules: object) -> int:
    """A book and its rule row; `rules` sets any book_rules column (check_marks_allowed=3, bidding_enabled=...)."""
    book_id = conn.execute(text("""
        INSERT INTO books (code, name, classification, region, agreement_type, morning_slot, sort_order)
        VALUES (:code, :name, 'inside', :region, :agreement, CAST(:slot AS time), :sort) RETURNING id
    """), {"code": code, "name": name or code.replace("_", " "), "region": region, "agreement": agreement_type,
           "slot": morning_slot, "sort": sort_order}).scalar_one()
    columns = ["book_id", "effective_from", *rules]
    conn.execute(text(f"INSERT INTO book_rules ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"),
                 {"book_id": book_id, "effective_from": effective_from, **rules})
    return book_id


def make_employer(conn: Connection, name: str | None = None) -> tuple[int, int]:
    """(employer id, worksite id)."""
    employer_id = conn.execute(text("INSERT INTO employers (name) VALUES (:n) RETURNING id"),
                               {"n": name or f"Employer {_n()}"}).scalar_one()
    worksite_id = conn.execute(text("INSERT INTO worksites (employer_id, name, report_to) "
                                    "VALUES (:e, 'Main site', 'Gate 2') RETURNING id"), {"e": employer_id}).scalar_one()
    return employer_id, worksite_id


def make_member(conn: Connection, last_name: str, *, first_name: str = "Pat", books: Iterable[str] = (),
                card_number: str | None = None) -> int:
    """A journeyman member qualified (tier 1) for the book codes in `books`."""
    member_id = conn.execute(text("""
        INSERT INTO members (card_number, first_name, last_name, classification)
        VALUES (:card, :first, :last, 'journeyman') RETURNING id
    """), {"card": card_number or f"W{_n():07d}", "first": first_name, "last": last_name}).scalar_one()
    for code in books:
        conn.execute(text("INSERT INTO member_qualified_books (member_id, book_code, tier) VALUES (:m, :b, 1)"),
                     {"m": member_id, "b": code})
    return member_id


def register(conn: Connection, member_id: int, book_id: int, *, apn: Decimal | str, tier: int = 1,
             registered_at: datetime | None = None, exemption: tuple[str, date] | None = None,
             status: str = "registered") -> int:
    """A place on the book; registered (by default) two days ago, so it is on today's list (R5)."""
    return conn.execute(text("""
        INSERT INTO registrations (member_id, book_id, tier, apn, registered_at, status, last_resign_on,
                                   resign_due_on, exemption_reason, exemption_start)
        VALUES (:m, :b, :t, :apn, coalesce(:at, now() - interval '2 days'), :status, current_date, current_date + 30,
                :er, :es)
        RETURNING id
    """), {"m": member_id, "b": book_id, "t": tier, "apn": Decimal(str(apn)), "at": registered_at,
           "status": status, "er": exemption[0] if exemption else None,
           "es": exemption[1] if exemption else None}).scalar_one()


def make_request(conn: Connection, book_id: int, employer_id: int, *, referral_date: date,
                 worksite_id: int | None = None, workers: int = 1, start_on: date | None = None,
                 short_call: bool = False, duration_days: int | None = None, agreement_type: str = "standard",
                 no_mark_reasons: Iterable[str] = (), requirements: Iterable[str] = (), bidding: bool = False,
                 by_name_member_id: int | None = None, start_time: str | None = "07:00") -> int:
    """A request worked at `referral_date` (received the business day before, well before the cutoff)."""
    return conn.execute(text("""
        INSERT INTO labor_requests (number, employer_id, worksite_id, book_id, workers_requested, start_on,
                                    start_time, duration_days, short_call, received_at, referral_date,
                                    agreement_type, no_mark_reasons, requirements, bidding, by_name_member_id,
                                    by_name_attested)
        VALUES (:number, :e, :w, :b, :workers, :start, :time, :duration, :short, now() - interval '1 day', :day,
                :agreement, CAST(:nomark AS text[]), CAST(:req AS text[]), :bidding, :byname,
                CAST(:byname AS integer) IS NOT NULL)
        RETURNING id
    """), {"number": f"T{_n():08d}", "e": employer_id, "w": worksite_id, "b": book_id, "workers": workers,
           "start": start_on or referral_date, "time": start_time, "duration": duration_days, "short": short_call,
           "day": referral_date, "agreement": agreement_type, "nomark": list(no_mark_reasons),
           "req": list(requirements), "bidding": bidding, "byname": by_name_member_id}).scalar_one()


@dataclass
class World:
    """A book with `registrants` members in queue order (index 0 is first) and open requests on it."""

    book_id: int
    book_code: str
    employer_id: int
    worksite_id: int
    member_ids: list[int] = field(default_factory=list)
    registration_ids: list[int] = field(default_factory=list)
    request_ids: list[int] = field(default_factory=list)


def build_world(conn: Connection, *, code: str, registrants: int, requests: int = 0, workers: int = 1,
                referral_date: date, **rules: Any) -> World:
    """One book, one employer, `registrants` tier-1 registrations with rising APNs, `requests` open requests.

    Rows are inserted set-wise, so a world of thousands builds in well under a second.
    """
    book_id = make_book(conn, code, **rules)
    employer_id, worksite_id = make_employer(conn, f"{code.title()} Electric")
    base = _n() * 100_000
    member_ids = list(conn.execute(text("""
        INSERT INTO members (card_number, first_name, last_name, classification)
        SELECT 'Q' || (:base + g), 'Member', 'Queue' || lpad(g::text, 6, '0'), 'journeyman'
        FROM generate_series(1, :n) AS g ORDER BY g RETURNING id
    """), {"base": base, "n": registrants}).scalars())
    conn.execute(text("INSERT INTO member_qualified_books (member_id, book_code, tier) "
                      "SELECT unnest(CAST(:ids AS integer[])), :code, 1"), {"ids": member_ids, "code": code})
    registration_ids = list(conn.execute(text("""
        INSERT INTO registrations (member_id, book_id, tier, apn, registered_at, last_resign_on, resign_due_on)
        SELECT m, :book, 1, 40000 + (n / 100.0), now() - interval '30 days' + n * interval '1 second',
               current_date, current_date + 30
        FROM unnest(CAST(:ids AS integer[])) WITH ORDINALITY AS t(m, n) ORDER BY n RETURNING id
    """), {"book": book_id, "ids": member_ids}).scalars())
    request_ids = [make_request(conn, book_id, employer_id, worksite_id=worksite_id, workers=workers,
                                referral_date=referral_date) for _ in range(requests)]
    return World(book_id, code, employer_id, worksite_id, member_ids, registration_ids, request_ids)

