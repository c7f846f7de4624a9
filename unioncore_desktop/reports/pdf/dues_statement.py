"""One member's dues statement: balance brought forward, the months' charges, payments with their receipt numbers,
voids and adjustments with a running balance, the closing balance and where the member stands now."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.lib.units import inch

from unioncore_desktop.reports.base import (
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
    from unioncore_desktop.domain.queries.dues import LedgerLine
    from unioncore_desktop.domain.queries.dues_statement import DuesStatement

KIND_LABELS = {"charge": "Charge", "payment": "Payment", "reversal": "Void", "adjustment": "Adjustment"}

COLUMNS = (
    Column("Date", width=0.8 * inch),
    Column("Entry", width=0.8 * inch),
    Column("Receipt", width=0.9 * inch),
    Column("Description", weight=3.0, wrap=True),
    Column("Charges", width=0.8 * inch, align="right"),
    Column("Credits", width=0.8 * inch, align="right"),
    Column("Balance", width=0.85 * inch, align="right"),
)


def entry_note(line: LedgerLine) -> str:
    """The line's kind, and why it does not count (an adjustment not approved) or was undone (a voided payment)."""
    text = KIND_LABELS.get(line.kind, label(line.kind))
    if line.kind == "adjustment" and line.status != "approved":
        return f"{text} ({line.status}, not counted)"
    if line.status == "voided":
        return f"{text} (voided)"
    return text


def month_text(value: object) -> str:
    return value.strftime("%B %Y") if value is not None else "never"  # type: ignore[attr-defined]


def build_dues_statement(path: str | os.PathLike[str], context: ReportContext, statement: DuesStatement) -> Path:
    """The member's ledger over the months, opening and closing balances, totals by kind and the standing now."""
    member = statement.summary
    table: list[Row] = [(None, None, None, f"Balance brought forward from before "
                         f"{month_text(statement.first_month)}", None, None, statement.opening_balance)]
    for line in statement.lines:
        table.append((line.on, entry_note(line), line.receipt_number, line.description,
                      line.amount if line.amount > 0 else None, -line.amount if line.amount < 0 else None,
                      line.balance if line.counts else None))
    charges = statement.total("charge")
    credits = -statement.total("payment", "reversal")
    adjustments = statement.total("adjustment")
    table.append(Subtotal((None, None, None, "Closing balance", None, None, statement.closing_balance), grand=True))
    document = ReportDocument(context)
    document.add_heading(f"{member.name} · card {member.card_number} · {label(member.classification)} · "
                         f"{label(member.status)}")
    document.add_table(COLUMNS, table, font_size=8)
    document.add_summary([
        SummaryLine("Opening balance", statement.opening_balance, bold=True),
        SummaryLine("Dues charged", charges, indent=1),
        SummaryLine("Payments received (net of voids)", credits, indent=1),
        SummaryLine("Adjustments approved", adjustments, indent=1),
        SummaryLine("Closing balance", statement.closing_balance, bold=True),
        SummaryLine("Paid through (today)", month_text(member.paid_through), bold=True),
        SummaryLine("Months behind", member.months_behind, indent=1),
        SummaryLine("Standing", label(member.standing), indent=1),
    ], heading="Statement summary")
    document.add_note("A positive balance is owed; a negative one is credit that pays future months.")
    return document.build(path)


__all__ = ["build_dues_statement", "entry_note", "month_text"]
