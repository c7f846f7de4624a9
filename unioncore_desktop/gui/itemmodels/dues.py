"""Item models for the dues screens: posted lines of a batch, a member's ledger, the adjustments queue, charge
exceptions and rates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtGui import QColor

from unioncore_desktop.domain.queries.dues import (
    AdjustmentRow,
    LedgerLine,
    PaymentReceipt,
    RateRow,
)
from unioncore_desktop.gui.itemmodels.base import Column, RowTableModel
from unioncore_desktop.gui.itemmodels.formatting import format_label, format_money

if TYPE_CHECKING:  # the dues services (and the ORM models) load with the first dues write, not with a grid
    from unioncore_desktop.domain.services.dues import ChargeException

STANDING_COLOURS = {"good_standing": "#1b7a2f", "in_arrears": "#b35900", "suspended": "#b00020"}
STANDING_TEXT = {"good_standing": "Good standing", "in_arrears": "In arrears", "suspended": "Suspended"}
METHOD_TEXT = {"cash": "Cash", "check": "Check", "money_order": "Money order", "card": "Card", "ach": "ACH",
               "payroll_deduction": "Payroll deduction", "online": "Online", "other": "Other"}
_MUTED = QColor("#777777")


def format_month(value: date | None) -> str:
    """'Mar 2025': the paid-through and period columns name months, not days."""
    return "" if value is None else value.strftime("%b %Y")


def format_standing(value: str | None) -> str:
    return STANDING_TEXT.get(value or "", format_label(value))


def format_method(value: str | None) -> str:
    return METHOD_TEXT.get(value or "", format_label(value))


def standing_colour(standing: str | None) -> QColor | None:
    colour = STANDING_COLOURS.get(standing or "")
    return QColor(colour) if colour else None


class PostedLinesModel(RowTableModel[PaymentReceipt]):
    """The payments keyed into the open batch, each with the member's standing right after it."""

    columns = (
        Column("receipt_number", "Receipt"),
        Column("card_number", "Card"),
        Column("member_name", "Member"),
        Column("amount", "Amount", kind="decimal"),
        Column("method", "Method", formatter=format_method),
        Column("reference", "Reference"),
        Column("balance", "New balance", kind="decimal"),
        Column("paid_through", "Paid through", kind="date", formatter=format_month),
        Column("standing", "Standing", formatter=format_standing,
               foreground=lambda r: standing_colour(r.standing)),
    )

    def row_id(self, row: PaymentReceipt) -> int:
        return row.payment_id

    def add_or_replace(self, receipt: PaymentReceipt) -> None:
        """A retried post returns the receipt already listed: show it once."""
        if not self.replace_row(receipt):
            self.add_row(receipt)


def _ledger_part(line: LedgerLine, kind: str) -> Decimal | None:
    if kind == "charge":
        return line.amount if line.kind == "charge" else None
    if kind == "payment":
        return -line.amount if line.kind in ("payment", "reversal") else None
    return line.amount if line.kind == "adjustment" else None


def _ledger_kind(line: LedgerLine) -> str:
    if line.kind == "adjustment" and line.status != "approved":
        return f"Adjustment ({line.status})"
    if line.kind == "payment" and line.status == "voided":
        return "Payment (voided)"
    return {"charge": "Charge", "payment": "Payment", "reversal": "Void", "adjustment": "Adjustment"}[line.kind]


class LedgerModel(RowTableModel[LedgerLine]):
    """A member's ledger, oldest first, with the running balance; pending and denied adjustments are muted."""

    columns = (
        Column("on", "Date", kind="date"),
        Column("type", "Type", value=_ledger_kind, foreground=lambda r: None if r.counts else _MUTED),
        Column("period", "Period", kind="date", formatter=format_month),
        Column("description", "Description", foreground=lambda r: None if r.counts else _MUTED,
               tooltip=lambda r: ", ".join(f"{format_month(a.period)} {format_money(a.amount)}"
                                           for a in r.applied) or None),
        Column("charge", "Charge", value=lambda r: _ledger_part(r, "charge"), kind="decimal"),
        Column("payment", "Payment", value=lambda r: _ledger_part(r, "payment"), kind="decimal"),
        Column("adjustment", "Adjustment", value=lambda r: _ledger_part(r, "adjustment"), kind="decimal",
               foreground=lambda r: None if r.counts else _MUTED),
        Column("balance", "Balance", kind="decimal"),
    )

    def row_id(self, row: LedgerLine) -> tuple[str, int | None]:
        if row.kind == "charge":
            return ("charge", row.charge_id)
        if row.kind == "adjustment":
            return ("adjustment", row.adjustment_id)
        return ("payment", row.payment_id)


class AdjustmentQueueModel(RowTableModel[AdjustmentRow]):
    columns = (
        Column("requested_on", "Requested", kind="date"),
        Column("requested_by", "By"),
        Column("card_number", "Card"),
        Column("member_name", "Member"),
        Column("period", "Period", kind="date", formatter=format_month),
        Column("type", "Type", formatter=format_label),
        Column("amount", "Amount", kind="decimal"),
        Column("reason", "Reason"),
    )


class ChargeExceptionModel(RowTableModel["ChargeException"]):
    columns = (
        Column("card_number", "Card"),
        Column("name", "Member"),
        Column("classification", "Classification", formatter=format_label),
        Column("reason", "Why not billed"),
    )

    def row_id(self, row: ChargeException) -> int:
        return row.member_id


class RatesModel(RowTableModel[RateRow]):
    columns = (
        Column("classification", "Classification", formatter=format_label),
        Column("effective_from", "Effective from", kind="date"),
        Column("amount", "Monthly rate", kind="decimal"),
        Column("created_by", "Entered by"),
    )
