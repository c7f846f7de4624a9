"""The offer history: the frozen list behind a dispatch or a request, each registrant with where they stood
and why they were passed over or what they answered — the grievance answer, printed."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.lib.units import inch

from unioncore_desktop.reports.base import (
    Column,
    ReportContext,
    SummaryLine,
    build_table_report,
    label,
)

if TYPE_CHECKING:
    # Runtime import would pull SQLAlchemy in through the queries module; reports stay free of it.
    from unioncore_desktop.domain.queries.dispatch import OfferLineRow

COLUMNS = (
    Column("Rank", width=0.45 * inch, align="right"),
    Column("Tier", width=0.35 * inch, align="right"),
    Column("APN", width=0.75 * inch, align="right", format=lambda v: f"{v:.2f}"),
    Column("Card", width=0.75 * inch),
    Column("Member", weight=1.4),
    Column("Skip reason / outcome", weight=1.6),
    Column("Mark", width=0.4 * inch),
    Column("Recorded by", weight=0.9),
    Column("When", width=1.05 * inch),
    Column("Request", width=0.95 * inch),
)


def line_text(row: OfferLineRow) -> str:
    if row.skip_reason:
        return f"Skipped: {label(row.skip_reason)}"
    return label(row.outcome) + (f" — {row.note}" if row.note else "")


def _cells(row: OfferLineRow) -> tuple[object, ...]:
    return (row.rank, row.tier, row.apn, row.card_number, row.member_name, line_text(row),
            "Yes" if row.mark_issued else "", row.recorded_by_name, row.at, row.request_number)


def build_offer_history(path: str | os.PathLike[str], context: ReportContext, rows: Iterable[OfferLineRow], *,
                        landscape: bool = True) -> Path:
    """Write the offer history for `rows` (in the order they were written) to `path` and return it."""
    lines = list(rows)
    skips = Counter(label(r.skip_reason) for r in lines if r.skip_reason)
    outcomes = Counter(label(r.outcome) for r in lines if r.outcome)
    summary = [SummaryLine("Registrants considered", len(lines), bold=True)]
    summary += [SummaryLine(f"Skipped: {name}", count, indent=1) for name, count in sorted(skips.items())]
    summary += [SummaryLine(name, count, indent=1) for name, count in sorted(outcomes.items())]
    summary.append(SummaryLine("Check marks issued", sum(1 for r in lines if r.mark_issued)))
    return build_table_report(path, context, COLUMNS, (_cells(r) for r in lines), summary=summary,
                              landscape=landscape)
