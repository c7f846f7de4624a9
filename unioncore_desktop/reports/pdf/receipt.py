"""Dues receipts: one block per payment (a batch prints several to a page), each kept whole on one page."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportlab.lib.units import inch
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from unioncore_desktop.reports.base import (
    FONT,
    FONT_BOLD,
    HAIRLINE,
    HEADER_FILL,
    INK,
    MUTED,
    RULE,
    ReportContext,
    ReportDocument,
    label,
    pdf_text,
)

if TYPE_CHECKING:
    # Runtime import would pull SQLAlchemy in through the queries module; reports stay free of it.
    from unioncore_desktop.domain.queries.dues import PaymentReceipt


def money(value: Decimal | None) -> str:
    return "" if value is None else f"${value:,.2f}" if value >= 0 else f"-${-value:,.2f}"


def month(value: date | None) -> str:
    return "none yet" if value is None else value.strftime("%B %Y")


def receipt_lines(receipt: PaymentReceipt, context: ReportContext) -> tuple[list[tuple[str, str]],
                                                                          list[tuple[str, str]]]:
    """The receipt's left (payment) and right (standing) label/value columns."""
    posted_at = receipt.posted_at.astimezone(context.zone).strftime("%Y-%m-%d %H:%M")
    left = [("Receipt no.", receipt.receipt_number), ("Member", receipt.member_name),
            ("Card", receipt.card_number), ("Date", receipt.paid_on.isoformat()),
            ("Amount", money(receipt.amount)), ("Method", label(receipt.method)),
            ("Reference", receipt.reference or "")]
    if receipt.batch_id is not None:
        left.append(("Batch", f"#{receipt.batch_id}"))
    left.append(("Posted by", f"{receipt.posted_by}, {posted_at}"))
    right = [("Balance after payment", money(receipt.balance)), ("Paid through", month(receipt.paid_through)),
             ("Standing", label(receipt.standing)), ("Months behind", str(receipt.months_behind))]
    if receipt.credit:
        right.append(("Credit on account", money(receipt.credit)))
    return left, right


def _pairs_table(lines: list[tuple[str, str]], width: float, label_width: float) -> Table:
    data = [[pdf_text(k), pdf_text(v)] for k, v in lines]
    table = Table(data, colWidths=[label_width, width - label_width], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (0, -1), FONT, 8.5), ("FONT", (1, 0), (1, -1), FONT_BOLD, 8.5),
        ("TEXTCOLOR", (0, 0), (0, -1), MUTED), ("TEXTCOLOR", (1, 0), (1, -1), INK),
        ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 1), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    return table


def _applied_table(receipt: PaymentReceipt, width: float) -> Table:
    data: list[list[Any]] = [["Applied to", "Amount"]]
    data += [[a.period.strftime("%B %Y"), money(a.amount)] for a in receipt.applied]
    if receipt.unapplied:
        data.append(["Held as credit (pays future months)", money(receipt.unapplied)])
    if len(data) == 1:
        data.append(["Nothing applied", ""])
    data.append(["Total", money(receipt.amount)])
    table = Table(data, colWidths=[width - 1.0 * inch, 1.0 * inch], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 8.5), ("FONT", (0, 0), (-1, 0), FONT_BOLD, 8.5),
        ("FONT", (0, -1), (-1, -1), FONT_BOLD, 8.5), ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL), ("ALIGN", (1, 0), (1, -1), "RIGHT"),
        ("LINEABOVE", (0, -1), (-1, -1), 0.75, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]))
    return table


def receipt_block(receipt: PaymentReceipt, context: ReportContext, width: float) -> Flowable:
    """One framed receipt: what was paid and how, the months it paid, and where the member stands after it."""
    reversal = receipt.reverses_payment_id is not None
    title = f"{context.hall_name} \u00b7 Dues receipt {receipt.receipt_number}"
    if reversal:
        title += " \u00b7 VOID (reverses an earlier payment)"
    left, right = receipt_lines(receipt, context)
    if reversal and receipt.void_reason:
        left.append(("Void reason", receipt.void_reason))
    half = (width - 24) / 2
    body = Table([[_pairs_table(left, half, 0.9 * inch), _pairs_table(right, half, 1.4 * inch)],
                  [_applied_table(receipt, half), ""]],
                 colWidths=[half + 12, half + 12], hAlign="LEFT")
    body.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                              ("RIGHTPADDING", (0, 0), (-1, -1), 12), ("TOPPADDING", (0, 1), (-1, 1), 6)]))
    frame = Table([[pdf_text(title)], [body]], colWidths=[width], hAlign="LEFT")
    frame.setStyle(TableStyle([
        ("FONT", (0, 0), (0, 0), FONT_BOLD, 10), ("TEXTCOLOR", (0, 0), (0, 0), INK),
        ("BACKGROUND", (0, 0), (0, 0), HEADER_FILL), ("BOX", (0, 0), (-1, -1), 0.75, RULE),
        ("LINEBELOW", (0, 0), (0, 0), 0.5, HAIRLINE),
        ("LEFTPADDING", (0, 0), (-1, -1), 8), ("RIGHTPADDING", (0, 0), (-1, -1), 8),
        ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ]))
    return KeepTogether([frame, Spacer(1, 14)])


def build_receipts(path: str | os.PathLike[str], context: ReportContext,
                   receipts: Iterable[PaymentReceipt]) -> Path:
    """Write one receipt per payment (several per page for a batch), in the order given."""
    receipts = list(receipts)
    document = ReportDocument(context)
    if not receipts:
        document.add_note("No payments to print.")
    for receipt in receipts:
        document.add(receipt_block(receipt, context, document.content_width))
    return document.build(path)


__all__ = ["build_receipts", "receipt_block", "receipt_lines"]
