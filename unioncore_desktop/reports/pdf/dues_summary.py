"""The Dues Summary: per month, who was billed, who paid in full, what was due and collected, collection %."""

from __future__ import annotations

import os
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.lib.units import inch

from unioncore_desktop.reports.base import Column, ReportContext, ReportDocument, Subtotal, SummaryLine, label

if TYPE_CHECKING:
    # Runtime import would pull SQLAlchemy in through the queries module; reports stay free of it.
    from unioncore_desktop.domain.queries.dues import DuesSummaryRow

ZERO = Decimal("0.00")


def percent(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.1f}%"


COLUMNS = (
    Column("Month", weight=1.3),
    Column("Period", width=0.65 * inch),
    Column("Billed", width=0.7 * inch, align="right"),
    Column("Paid in full", width=0.85 * inch, align="right"),
    Column("Total due", width=1.0 * inch, align="right"),
    Column("Collected", width=1.0 * inch, align="right"),
    Column("Outstanding", width=1.0 * inch, align="right"),
    Column("Collected %", width=0.85 * inch, align="right", format=percent),
)


def collection_pct(collected: Decimal, due: Decimal) -> Decimal | None:
    return (collected * 100 / due).quantize(Decimal("0.1")) if due else None


def build_dues_summary(path: str | os.PathLike[str], context: ReportContext, rows: Iterable[DuesSummaryRow]) -> Path:
    """One line per month of the range, then the range's totals (collection % of the totals, not an average)."""
    rows = list(rows)
    table: list = [(r.period.strftime("%B %Y"), label(r.status), r.members_billed, r.members_paid, r.total_due,
                    r.collected, r.outstanding, r.collection_pct) for r in rows]
    due = sum((r.total_due for r in rows), ZERO)
    collected = sum((r.collected for r in rows), ZERO)
    outstanding = sum((r.outstanding for r in rows), ZERO)
    if rows:
        table.append(Subtotal(("Total", None, sum(r.members_billed for r in rows), sum(r.members_paid for r in rows),
                               due, collected, outstanding, collection_pct(collected, due)), grand=True))
    document = ReportDocument(context)
    document.add_table(COLUMNS, table, font_size=8.5, empty_text="There are no dues periods in this range.")
    document.add_note("Collected counts money applied to each month's charges so far, whenever it was paid; "
                      "Billed and Paid in full count member charges.")
    document.add_summary([
        SummaryLine("Months", len(rows)),
        SummaryLine("Total due", due, bold=True),
        SummaryLine("Collected", collected),
        SummaryLine("Outstanding", outstanding),
        SummaryLine("Collection rate", percent(collection_pct(collected, due)) or "n/a", bold=True),
    ])
    return document.build(path)


__all__ = ["build_dues_summary", "collection_pct", "percent"]
