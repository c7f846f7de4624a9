"""The member roster: every member in the list screen's order, with totals by classification."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.lib.units import inch

from unioncore_desktop.reports.base import Column, ReportContext, SummaryLine, build_table_report, label

if TYPE_CHECKING:
    # Runtime import would pull SQLAlchemy in through the queries module; reports stay free of it.
    from unioncore_desktop.domain.queries.members import MemberListRow

COLUMNS = (
    Column("Card", width=0.7 * inch),
    Column("Name", weight=1.6),
    Column("Classification", width=0.82 * inch),
    Column("Status", width=0.68 * inch),
    Column("Type", width=0.4 * inch),
    Column("Local", width=0.42 * inch),
    Column("Phone", width=0.88 * inch),
    Column("City", weight=1.0),
    Column("Initiated", width=0.68 * inch),
)


def _cells(row: MemberListRow) -> tuple[object, ...]:
    return (row.card_number, row.display_name, label(row.classification), label(row.status), row.card_type,
            row.home_local, row.phone, row.city, row.initiation_date)


def build_member_roster(path: str | os.PathLike[str], rows: Iterable[MemberListRow], context: ReportContext,
                        *, landscape: bool = False) -> Path:
    """Write the roster PDF for `rows` (already filtered and ordered) to `path` and return it."""
    members = list(rows)
    by_classification = Counter(label(m.classification) for m in members)
    summary = [SummaryLine("Total members", len(members), bold=True)]
    summary += [SummaryLine(name, count, indent=1) for name, count in sorted(by_classification.items())]
    return build_table_report(path, context, COLUMNS, (_cells(m) for m in members), summary=summary,
                              landscape=landscape)
