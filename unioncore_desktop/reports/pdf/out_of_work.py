"""The out-of-work list of one book, and every book in morning order: queue order, tiers shown separately."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from reportlab.lib.units import inch
from reportlab.platypus import PageBreak

from unioncore_desktop.reports.base import (
    apn_text,
    Column,
    GroupHeading,
    ReportContext,
    ReportDocument,
    Row,
    Subtotal,
    SummaryLine,
    label,
)

if TYPE_CHECKING:
    # Runtime import would pull SQLAlchemy in through the queries module; reports stay free of it.
    from unioncore_desktop.domain.queries.books import BookListRow, BookSummary


COLUMNS = (
    Column("Rank", width=0.36 * inch, align="right"),
    Column("APN", width=0.62 * inch, align="right", format=apn_text),
    Column("Name", weight=1.05),
    Column("Card", width=0.6 * inch),
    Column("Tier", width=0.3 * inch, align="center"),
    Column("Registered", width=1.0 * inch),
    Column("Last re-sign", width=0.68 * inch),
    Column("Due", width=0.66 * inch),
    Column("Marks", width=0.4 * inch, align="right"),
    Column("Status", weight=1.0),
)
FONT_SIZE = 7.5
NAME_COLUMN = 2
REGISTERED_COLUMN = 5


def status_note(row: BookListRow) -> str:
    """What a dispatcher must know beside the rank: exempt (skipped, R14), overdue re-sign (R7), out on a job."""
    notes = []
    if row.exempt:
        # The end date first: a narrow column cuts the reason, never when the member becomes available again.
        until = f" to {row.exemption_end.isoformat()}" if row.exemption_end else ""
        notes.append(f"EXEMPT{until} ({label(row.exemption_reason).lower()})")
    elif row.exemption_reason:
        notes.append(f"Exemption {label(row.exemption_reason).lower()} not in force")
    if row.resign_overdue:
        notes.append("Re-sign overdue")
    if row.on_dispatch_book:
        notes.append(f"Out on {row.on_dispatch_book}")
    return "; ".join(notes)


def _cells(row: BookListRow) -> tuple[object, ...]:
    return (row.rank, row.apn, row.display_name, row.card_number, row.tier, row.registered_at,
            row.last_resign_on, row.resign_due_on, row.marks, status_note(row))


def _subtotal(text: str, count: int, exempt: int, *, grand: bool = False) -> Subtotal:
    cells: list[object] = [None] * len(COLUMNS)
    cells[NAME_COLUMN] = text
    cells[REGISTERED_COLUMN] = f"{count:,} registered"
    cells[-1] = f"{exempt:,} exempt" if exempt else None
    return Subtotal(cells, grand=grand)


class _Placed(Protocol):
    @property
    def tier(self) -> int: ...


P = TypeVar("P", bound=_Placed)


def tier_rows(rows: Sequence[P], cells: Callable[[P], Row],
              subtotal: Callable[[str, Sequence[P], bool], Subtotal]) -> list[Row]:
    """Table rows for one book in queue order: a heading and a subtotal (`subtotal(text, rows, grand)`) per tier,
    then the book total.

    Tiers are never merged: some books are 'inverted' (tier 2 larger than tier 1), and a dispatcher counts
    each tier on its own because tier 1 is exhausted before tier 2 is touched.
    """
    out: list[Row] = []
    for tier, placed in groupby(rows, key=lambda row: row.tier):
        group = list(placed)
        out.append(GroupHeading(f"Tier {tier}"))
        out += [cells(row) for row in group]
        out.append(subtotal(f"Tier {tier} subtotal", group, False))
    if rows:
        out.append(subtotal("Book total", rows, True))
    return out


def book_rows(rows: Sequence[BookListRow]) -> list[Row]:
    """Table rows for one book's out-of-work list (see `tier_rows`)."""
    return tier_rows(rows, _cells, lambda text, group, grand: _subtotal(text, len(group), sum(r.exempt for r in group),
                                                                        grand=grand))


def _summary(rows: Sequence[BookListRow]) -> list[SummaryLine]:
    tiers = Counter(r.tier for r in rows)
    lines = [SummaryLine("Registered", len(rows), bold=True)]
    lines += [SummaryLine(f"Tier {tier}", tiers[tier], indent=1) for tier in sorted(tiers)]
    lines += [SummaryLine("Exempt (skipped when dispatching)", sum(r.exempt for r in rows)),
              SummaryLine("Re-sign overdue (drop at the next run)", sum(r.resign_overdue for r in rows)),
              SummaryLine("Out on a dispatch from another book", sum(r.on_dispatch_book is not None for r in rows))]
    return lines


def book_heading(book: BookSummary) -> str:
    """'WIRE SEATTLE (WIRE_SEATTLE) · Seattle · WIREPERSON · morning 08:30'."""
    parts = [f"{book.name} ({book.code})"]
    parts += [p for p in (book.region, book.contract_code) if p]
    if book.agreement_type != "standard":
        parts.append(book.agreement_type.upper())
    parts.append(f"morning {book.morning_slot.strftime('%H:%M')}")
    return " \u00b7 ".join(parts)


def build_out_of_work_list(path: str | os.PathLike[str], context: ReportContext, book: BookSummary,
                           rows: Iterable[BookListRow]) -> Path:
    """Write one book's out-of-work list (rows from `book_list`, already in queue order) to `path`."""
    rows = list(rows)
    document = ReportDocument(context)
    document.add_heading(book_heading(book))
    document.add_table(COLUMNS, book_rows(rows), font_size=FONT_SIZE,
                           empty_text="No one is registered on this book.")
    document.add_summary(_summary(rows))
    return document.build(path)


def build_all_books_list(path: str | os.PathLike[str], context: ReportContext,
                         books: Iterable[tuple[BookSummary, Sequence[BookListRow]]]) -> Path:
    """Write every book's list, in the order given (the morning order of `list_books`), each under its heading.

    Each book starts a new page, so a book's pages can be posted on its own board.
    """
    books = [(book, list(rows)) for book, rows in books]
    document = ReportDocument(context)
    for number, (book, rows) in enumerate(books):
        if number:
            document.add(PageBreak())
        document.add_heading(book_heading(book))
        document.add_table(COLUMNS, book_rows(rows), font_size=FONT_SIZE,
                           empty_text="No one is registered on this book.")
    summary = [SummaryLine("Registrations on all books", sum(len(rows) for _, rows in books), bold=True)]
    for book, rows in books:
        tiers = Counter(r.tier for r in rows)
        by_tier = ", ".join(f"T{tier} {tiers[tier]:,}" for tier in sorted(tiers))
        summary.append(SummaryLine(f"{book.name}" + (f"  ({by_tier})" if by_tier else ""), len(rows), indent=1))
    document.add_summary(summary, heading="Books")
    return document.build(path)


__all__ = ["COLUMNS", "book_heading", "book_rows", "build_all_books_list", "build_out_of_work_list", "status_note",
           "tier_rows"]
