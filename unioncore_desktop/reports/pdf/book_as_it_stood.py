"""One book's list as it stood at a chosen moment, rebuilt from the registration activity: queue order then, tiers
with subtotals, and which places changed since (a grievance asks "where was I that morning")."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.lib.units import inch

from unioncore_desktop.reports.pdf.out_of_work import tier_rows
from unioncore_desktop.reports.base import (
    apn_text,
    Column,
    ReportContext,
    ReportDocument,
    Row,
    Subtotal,
    SummaryLine,
    label,
)

if TYPE_CHECKING:
    # Runtime import would pull SQLAlchemy in through the queries module; reports stay free of it.
    from unioncore_desktop.domain.queries.book_history import BookAsItStood, StoodRow


COLUMNS = (
    Column("Rank", width=0.4 * inch, align="right"),
    Column("APN", width=0.65 * inch, align="right", format=apn_text),
    Column("Name", weight=1.4),
    Column("Card", width=0.68 * inch),
    Column("Tier", width=0.32 * inch, align="center"),
    Column("Registered", width=1.0 * inch),
    Column("Re-sign due", width=0.75 * inch),
    Column("Marks", width=0.42 * inch, align="right"),
    Column("Then", weight=1.6),
    Column("Since", width=0.62 * inch),
)


def stood_note(row: StoodRow) -> str:
    """What the walk would have seen beside the rank at that moment: exempt (R14), out on a job."""
    notes = []
    if row.exemption_reason:
        until = f" to {row.exemption_end.isoformat()}" if row.exemption_end else ""
        notes.append(f"EXEMPT{until} ({label(row.exemption_reason).lower()})")
    if row.out_on:
        notes.append(f"Out on {row.out_on}")
    return "; ".join(notes)


def moment_label(report: BookAsItStood, context: ReportContext) -> str:
    return report.at.astimezone(context.zone).strftime("%a %Y-%m-%d %H:%M %Z")


def _subtotal(text: str, rows: Sequence[StoodRow], grand: bool) -> Subtotal:
    return Subtotal((None, None, text, None, None, f"{len(rows):,} registered"), grand=grand)


def _cells(r: StoodRow) -> Row:
    return (r.rank, r.apn, r.display_name, r.card_number, r.tier, r.registered_at, r.resign_due_on, r.marks,
            stood_note(r), "changed" if r.changed_since else "")


def build_book_as_it_stood(path: str | os.PathLike[str], context: ReportContext, report: BookAsItStood) -> Path:
    """The list in the order it had at the moment, a group per tier with its count."""
    table = tier_rows(report.rows, _cells, _subtotal)
    counts = Counter(r.tier for r in report.rows)
    document = ReportDocument(context)
    document.add_heading(f"{report.book_name} ({report.book_code}) as it stood {moment_label(report, context)}")
    document.add_table(COLUMNS, table, font_size=7.5, empty_text="No one was registered on this book at that moment.")
    summary = [SummaryLine("Registered then", len(report.rows), bold=True)]
    summary += [SummaryLine(f"Tier {t}", counts[t], indent=1) for t in sorted(counts)]
    summary += [SummaryLine("Exempt then", sum(1 for r in report.rows if r.exemption_reason)),
                SummaryLine("Out on a job then", sum(1 for r in report.rows if r.out_on)),
                SummaryLine("Changed since", sum(1 for r in report.rows if r.changed_since))]
    document.add_note("Rebuilt from the registration activity: each place as its next change found it. Marks are "
                      "those not removed by then.")
    document.add_summary(summary)
    return document.build(path)


__all__ = ["build_book_as_it_stood", "moment_label", "stood_note"]
