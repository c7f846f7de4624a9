"""The morning referral sheet's read model (domain/services/morning_sheet.py fills it from the walk): the books
with requests to work on a morning, each request with the names to call, and the phones to call them on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.queries.requests import RequestRow

SHEET_SPARES = 3  # names after the ones a request needs, for declines and no answers


@dataclass(frozen=True, slots=True)
class SheetLine:
    """A registrant on the sheet: skipped (with why), one to call for a place, or a spare."""

    rank: int
    tier: int
    apn: Decimal
    card_number: str
    member_name: str
    member_id: int
    phone: str | None
    skip_reason: str | None
    spare: bool  # called only when someone above declines or cannot be reached


@dataclass(frozen=True, slots=True)
class SheetRequest:
    request: RequestRow
    issues_marks: bool
    lines: tuple[SheetLine, ...]
    by_name_member: str | None = None  # the foreperson the employer named (R13): sent outside the queue

    @property
    def to_call(self) -> tuple[SheetLine, ...]:
        return tuple(line for line in self.lines if line.skip_reason is None)


@dataclass(frozen=True, slots=True)
class SheetBook:
    book_id: int
    code: str
    name: str
    morning_slot: time
    requests: tuple[SheetRequest, ...]


@dataclass(frozen=True, slots=True)
class MorningSheet:
    """The sheet of one referral morning; eligibility (exemptions, dispatches, bans) as of the hall's `today`."""

    day: date
    today: date
    books: tuple[SheetBook, ...]

    @property
    def requests(self) -> list[SheetRequest]:
        return [r for b in self.books for r in b.requests]


def member_phones(session: Session, member_ids: Iterable[int]) -> dict[int, str | None]:
    """Each member's phone to call (the mobile when there is no home phone), in one statement."""
    ids = sorted(set(member_ids))
    if not ids:
        return {}
    rows = session.execute(text(
        "SELECT id, coalesce(nullif(phone, ''), nullif(mobile_phone, '')) FROM members WHERE id = ANY(:ids)"),
        {"ids": ids}).all()
    return {row[0]: row[1] for row in rows}
