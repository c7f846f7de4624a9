"""The morning referral sheet: the board on paper, read by the same walk as the referral screen (no locks).

For each book in morning order, each request due by the morning in received order, with the registrants the
dispatcher will call for it: the eligible ones in list order, as many as it needs plus a few spares for
declines and no answers, and the skipped ones among them with why. Two requests on one book would be offered
the same people first; the sheet gives each request the names after those the earlier requests take, as if
every call is accepted, so a dispatcher can work down the page.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy.orm import Session

from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.queries.morning_sheet import (
    SHEET_SPARES,
    MorningSheet,
    SheetBook,
    SheetLine,
    SheetRequest,
    member_phones,
)
from unioncore_desktop.domain.queries.requests import RequestRow, morning_referral, request_detail
from unioncore_desktop.domain.rules.referral import issues_marks
from unioncore_desktop.domain.services.walk import request_facts, walk_context, walk_from_top


def morning_sheet(session: Session, day: date, *, book_id: int | None = None,
                  spares: int = SHEET_SPARES) -> MorningSheet:
    """Books with requests to work on `day` (one book, with `book_id`), each request with its names."""
    books: list[SheetBook] = []
    for morning in morning_referral(session, day):
        if (book_id is not None and morning.book_id != book_id) or not morning.requests:
            continue
        taken: set[int] = set()  # members the earlier requests on this book take, if all of them accept
        requests = []
        for request in morning.requests:
            requests.append(_sheet_request(session, request, taken, spares))
            taken.update(line.member_id for line in requests[-1].to_call[:request.open_places])
        books.append(SheetBook(morning.book_id, morning.code, morning.name, morning.morning_slot, tuple(requests)))
    return MorningSheet(day, hall_clock(session).today, tuple(_with_phones(session, books)))


def _sheet_request(session: Session, request: RequestRow, taken: set[int], spares: int) -> SheetRequest:
    ctx = walk_context(session, request, None)
    wanted = request.open_places + spares
    skipped, eligible = walk_from_top(session, ctx, lock=False, eligible_wanted=len(taken) + wanted, every_skip=True)
    names = [e for e in eligible if e.member_id not in taken][:wanted]
    last = names[-1].rank if len(names) == wanted else None  # a short list: every skip down to its end
    lines = [SheetLine(e.rank, e.tier, e.apn, e.card_number, e.member_name, e.member_id, None, e.skip_reason, False)
             for e in skipped if last is None or e.rank < last]
    lines += [SheetLine(e.rank, e.tier, e.apn, e.card_number, e.member_name, e.member_id, None, None,
                        i >= request.open_places) for i, e in enumerate(names)]
    lines.sort(key=lambda line: line.rank)  # as the dispatcher goes down the list: skips where they fall
    named = request_detail(session, request.id).by_name_member if request.by_name else None
    return SheetRequest(request, issues_marks(request_facts(request)), tuple(lines), named)


def _with_phones(session: Session, books: list[SheetBook]) -> list[SheetBook]:
    """The sheet with each name's phone."""
    phones = member_phones(session, {line.member_id for b in books for r in b.requests for line in r.lines})

    def request_with_phones(r: SheetRequest) -> SheetRequest:
        return replace(r, lines=tuple(replace(line, phone=phones.get(line.member_id)) for line in r.lines))

    return [replace(b, requests=tuple(request_with_phones(r) for r in b.requests)) for b in books]
