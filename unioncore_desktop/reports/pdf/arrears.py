"""The arrears list: members behind on dues, how far, what they owe and when they last paid."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.lib.units import inch

from unioncore_desktop.reports.base import Column, ReportContext, ReportDocument, Subtotal, SummaryLine, label

if TYPE_CHECKING:
    # Runtime import would pull SQLAlchemy in through the queries module; reports stay free of it.
    from unioncore_desktop.domain.queries.dues import ArrearsRow

ZERO = Decimal("0.00")


def _month(value: object) -> str:
    return value.strftime("%b %Y") if value is not None else "never"  # type: ignore[attr-defined]


COLUMNS = (
    Column("Card", width=0.75 * inch),
    Column("Name", weight=2.0),
    Column("Classification", width=0.95 * inch),
    Column("Status", width=0.7 * inch),
    Column("Months behind", width=0.9 * inch, align="right"),
    Column("Balance", width=0.85 * inch, align="right"),
    Column("Paid through", width=0.8 * inch, format=_month),
    Column("Last payment", width=0.8 * inch),
    Column("Amount", width=0.75 * inch, align="right"),
    Column("Standing", width=0.8 * inch),
)


def build_arrears_list(path: str | os.PathLike[str], context: ReportContext, rows: Iterable[ArrearsRow]) -> Path:
    """Members in the order given (the query sorts: most months behind first by default), with the total owed
    and counts by standing and by months behind (landscape)."""
    rows = list(rows)
    table: list = [(r.card_number, r.name, label(r.classification), label(r.status), r.months_behind, r.balance,
                    r.paid_through, r.last_payment_on, r.last_payment_amount, label(r.standing)) for r in rows]
    total = sum((r.balance for r in rows), ZERO)
    if rows:
        table.append(Subtotal((None, f"{len(rows):,} members", None, None, None, total), grand=True))
    document = ReportDocument(context, landscape=True)
    document.add_table(COLUMNS, table, empty_text="No member is behind on dues.")
    standing = Counter(r.standing for r in rows)
    behind = Counter(min(r.months_behind, 6) for r in rows)
    summary = [SummaryLine("Members in arrears", len(rows), bold=True),
               SummaryLine("Total owed", total, bold=True)]
    summary += [SummaryLine(label(s), standing[s], indent=1) for s in sorted(standing)]
    summary += [SummaryLine(f"{n}+ months behind" if n == 6 else f"{n} month{'s' if n > 1 else ''} behind",
                            behind[n], indent=1) for n in sorted(behind)]
    document.add_summary(summary)
    return document.build(path)


__all__ = ["build_arrears_list"]
