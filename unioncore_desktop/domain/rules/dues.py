"""The dues rules as pure functions: months, money, receipt numbers, standing, oldest-first allocation, and the
checks a payment or adjustment must pass before it reaches the database (which checks them again)."""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from unioncore_desktop.domain.error_texts import (
    ADJUSTMENT_AMOUNT_ZERO,
    ADJUSTMENT_REASON_MISSING,
    AMOUNT_NOT_POSITIVE,
    CLASSIFICATION_MISSING,
    DEPOSIT_TOTAL_NEGATIVE,
    PAYMENT_AFTER_TODAY,
    PAYMENT_METHOD_MISSING,
    RATE_NEGATIVE,
    VOID_REASON_MISSING,
)
from unioncore_desktop.domain.vocab import (
    ADJUSTMENT_TYPES,
    CLASSIFICATIONS,
    CREDIT_TYPES,
    DEBIT_TYPES,
    PAYMENT_METHODS,
    REFERENCE_LENGTH,
)

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")  # numeric(12,2)
REFERENCE_REQUIRED = ("check",)  # a check is known by its number; a money order may have none
RECEIPT_PATTERN = re.compile(r"^\d{4}-\d{6}$")


@dataclass(frozen=True, slots=True)
class DuesSettings:
    """The hall's dues thresholds (app_settings keys dues_*): union constitutions differ, so none is a constant."""

    grace_days: int = 14       # due the 1st, grace to the 15th
    arrears_months: int = 1    # months past grace before a member is in arrears
    suspend_months: int = 3    # ... and before the member is suspended

    @classmethod
    def from_settings(cls, values: Mapping[str, str]) -> DuesSettings:
        def number(key: str, default: int) -> int:
            try:
                return int(values.get(key, default))
            except (TypeError, ValueError):
                return default

        defaults = cls()
        return cls(number("dues_grace_days", defaults.grace_days),
                   number("dues_arrears_months", defaults.arrears_months),
                   number("dues_suspend_months", defaults.suspend_months))


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> int:
    """Whole months from `first`'s month to `last`'s month (negative when `last` is earlier)."""
    return (last.year - first.year) * 12 + last.month - first.month


def month_label(month: date | None) -> str:
    return "" if month is None else month.strftime("%B %Y")


def money(value: object) -> Decimal:
    """An amount as the ledger stores it; raises ValueError for anything that is not a sum of cents."""
    try:
        amount = Decimal(str(value).replace(",", "").replace("$", "").strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount") from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValueError(f"{value!r} is not a whole number of cents")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def receipt_number(year: int, number: int) -> str:
    return f"{year:04d}-{number:06d}"


def standing_for(months_behind: int, settings: DuesSettings = DuesSettings()) -> str:
    if months_behind >= settings.suspend_months:
        return "suspended"
    if months_behind >= settings.arrears_months:
        return "in_arrears"
    return "good_standing"


def allocate_oldest_first(credits: Iterable[tuple[Hashable, Decimal]],
                          charges: Iterable[tuple[Hashable, Decimal]]) -> list[tuple[Hashable, Hashable, Decimal]]:
    """Apply credits (oldest first) to open charges (oldest first): (credit, charge, amount) triples.

    The reference for the set-based SQL in services/dues.py, which computes the same overlap of running totals.
    """
    result: list[tuple[Hashable, Hashable, Decimal]] = []
    pending: list[list[Any]] = [[key, amount] for key, amount in charges if amount > 0]
    i = 0
    for credit_key, available in credits:
        while available > 0 and i < len(pending):
            take = min(available, pending[i][1])
            result.append((credit_key, pending[i][0], take))
            available -= take
            pending[i][1] -= take
            if pending[i][1] == 0:
                i += 1
    return result


def validate_payment(*, amount: object, method: str, reference: str | None, paid_on: date | None,
                     today: date) -> dict[str, str]:
    """Field -> message for a payment as keyed (the posting screen checks each line with it as Enter is pressed,
    the service again before posting)."""
    errors: dict[str, str] = {}
    try:
        value = money(amount)
        if value <= 0:
            errors["amount"] = AMOUNT_NOT_POSITIVE
        elif value > MAX_AMOUNT:
            errors["amount"] = "The amount is too large."
    except ValueError:
        errors["amount"] = ("Enter the amount in dollars and cents." if str(amount or "").strip()
                            else "Enter the amount.")
    if method not in PAYMENT_METHODS:
        errors["method"] = PAYMENT_METHOD_MISSING
    if method in REFERENCE_REQUIRED and not (reference or "").strip():
        errors["reference"] = "Enter the check number."
    if reference is not None and len(reference.strip()) > REFERENCE_LENGTH:
        errors["reference"] = f"The reference is limited to {REFERENCE_LENGTH} characters."
    if paid_on is not None and paid_on > today:
        errors["paid_on"] = PAYMENT_AFTER_TODAY
    return errors


def deposit_total_errors(deposit_total: object) -> dict[str, str]:
    """A batch's deposit total, as it is opened or corrected: a sum of cents, not negative."""
    try:
        total = money(deposit_total)
    except ValueError:
        return {"deposit_total": "Enter the deposit total in dollars and cents."}
    if total < 0:
        return {"deposit_total": DEPOSIT_TOTAL_NEGATIVE}
    return {}


def close_batch_errors(*, payments_total: Decimal, deposit_total: Decimal) -> dict[str, str]:
    """A batch closes only when its payments add up to the deposit total."""
    if payments_total == deposit_total:
        return {}
    return {"deposit_total": f"The batch does not balance: payments total {payments_total:,.2f}, deposit total "
                             f"{deposit_total:,.2f} (difference {deposit_total - payments_total:,.2f})."}


def rate_errors(*, classification: str | None, amount: object) -> dict[str, str]:
    """A classification's monthly rate: a known classification, a sum of cents, not negative."""
    errors: dict[str, str] = {}
    if classification not in CLASSIFICATIONS:
        errors["classification"] = CLASSIFICATION_MISSING
    try:
        if money(amount) < 0:
            errors["amount"] = RATE_NEGATIVE
    except ValueError:
        errors["amount"] = "Enter the rate in dollars and cents."
    return errors


def void_errors(reason: str | None) -> dict[str, str]:
    return {} if (reason or "").strip() else {"reason": VOID_REASON_MISSING}


def validate_adjustment(*, amount: object, type: str, reason: str | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if type not in ADJUSTMENT_TYPES:
        errors["type"] = "Choose the kind of adjustment."
    try:
        value = money(amount)
        if value == 0:
            errors["amount"] = ADJUSTMENT_AMOUNT_ZERO
        elif type in CREDIT_TYPES and value > 0:
            errors["amount"] = f"A {type.replace('_', ' ')} lowers what is owed: enter a negative amount."
        elif type in DEBIT_TYPES and value < 0:
            errors["amount"] = f"A {type.replace('_', ' ')} raises what is owed: enter a positive amount."
        elif abs(value) > MAX_AMOUNT:
            errors["amount"] = "The amount is too large."
    except ValueError:
        errors["amount"] = "Enter the amount in dollars and cents."
    if not (reason or "").strip():
        errors["reason"] = ADJUSTMENT_REASON_MISSING
    return errors
