"""One member's dues statement for a range of months: the balance brought forward, every charge, payment (with
its receipt number), reversal and adjustment dated in the range with a running balance, and where the member
stands now. Built from the member's ledger (queries.dues.member_ledger), so the statement and the dues screen
can never disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from unioncore_desktop.domain.queries.dues import (
    ZERO,
    LedgerLine,
    MemberDuesSummary,
    member_dues_summary,
    member_ledger,
)
from unioncore_desktop.domain.rules.dues import add_months, month_start


@dataclass(frozen=True, slots=True)
class DuesStatement:
    summary: MemberDuesSummary  # the member and their standing now (paid-through, months behind)
    first_month: date
    last_month: date
    opening_balance: Decimal    # owed before the first month (negative: credit)
    lines: tuple[LedgerLine, ...]

    @property
    def closing_balance(self) -> Decimal:
        counted = [line for line in self.lines if line.counts]
        return counted[-1].balance if counted else self.opening_balance

    def total(self, *kinds: str) -> Decimal:
        """What the lines of these kinds that count added to the balance (payments are negative)."""
        return sum((line.amount for line in self.lines if line.counts and line.kind in kinds), ZERO)


def dues_statement(session: Session, member_id: int, first_month: date, last_month: date) -> DuesStatement:
    """The statement of `first_month`..`last_month` (the months' first days; lines dated in those months)."""
    first, after = month_start(first_month), add_months(month_start(last_month), 1)
    summary = member_dues_summary(session, member_id)
    ledger = member_ledger(session, member_id)
    before = [line for line in ledger if line.on < first and line.counts]
    opening = before[-1].balance if before else ZERO
    lines = tuple(line for line in ledger if first <= line.on < after)
    return DuesStatement(summary, first, month_start(last_month), opening, lines)
