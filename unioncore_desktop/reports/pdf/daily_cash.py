"""The daily cash report: the day's receipts by method with a subtotal each, matching the deposit slip."""

from __future__ import annotations

import os
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.lib.units import inch

from unioncore_desktop.reports.base import (
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
    from unioncore_desktop.domain.queries.dues import DailyCash, PaymentRow

ZERO = Decimal("0.00")

COLUMNS = (
    Column("Receipt", width=0.95 * inch),
    Column("Card", width=0.75 * inch),
    Column("Member", weight=2.0),
    Column("Reference", weight=1.0),
    Column("Batch", width=0.5 * inch, align="right"),
    Column("Posted by", weight=0.9),
    Column("Note", weight=1.1),
    Column("Amount", width=0.9 * inch, align="right"),
)


def payment_note(p: PaymentRow) -> str:
    """Reversals print negative and say what they void; a voided payment still counts on the day it came in."""
    if p.reverses_payment_id is not None:
        return "Void" + (f": {p.void_reason}" if p.void_reason else "")
    return "Voided later" if p.voided else ""


def build_daily_cash(path: str | os.PathLike[str], context: ReportContext, cash: DailyCash) -> Path:
    """One group per payment method with its count and total; the grand total is the day's deposit."""
    by_method: dict[str, list[PaymentRow]] = defaultdict(list)
    for p in cash.payments:
        by_method[p.method].append(p)
    table: list[Row] = []
    for method in sorted(by_method):
        group = by_method[method]
        table.append(GroupHeading(label(method)))
        table += [(p.receipt_number, p.card_number, p.member_name, p.reference, p.batch_id, p.posted_by,
                   payment_note(p), p.amount) for p in group]
        receipts = f"{len(group):,} receipt" + ("s" if len(group) != 1 else "")
        table.append(Subtotal((None, None, f"{label(method)}: {receipts}", None, None, None, None,
                               sum((p.amount for p in group), ZERO))))
    if cash.payments:
        table.append(Subtotal((None, None, f"Day total: {len(cash.payments):,} receipts", None, None, None, None,
                               cash.total), grand=True))
    document = ReportDocument(context)
    document.add_table(COLUMNS, table, empty_text="No payments were received on this day.")
    summary = [SummaryLine(f"{label(m.method)} ({m.count:,})", m.total, indent=1) for m in cash.by_method]
    summary.append(SummaryLine("Total for deposit", cash.total, bold=True))
    voids = [p for p in cash.payments if p.reverses_payment_id is not None]
    if voids:
        summary.append(SummaryLine(f"Includes voids ({len(voids)})", sum((p.amount for p in voids), ZERO)))
    document.add_summary(summary, heading=f"By method, {cash.day.isoformat()}")
    return document.build(path)


__all__ = ["build_daily_cash", "payment_note"]
