"""Pure dues rules: months, money, standing thresholds, oldest-first allocation, input checks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from unioncore_desktop.domain.rules.dues import (
    DuesSettings,
    add_months,
    allocate_oldest_first,
    money,
    months_between,
    receipt_number,
    standing_for,
    validate_adjustment,
    validate_payment,
)


@pytest.mark.parametrize("month, n, expected", [
    (date(2026, 1, 1), 1, date(2026, 2, 1)),
    (date(2026, 12, 1), 1, date(2027, 1, 1)),
    (date(2026, 1, 1), -1, date(2025, 12, 1)),
    (date(2026, 3, 1), -14, date(2025, 1, 1)),
    (date(2026, 3, 1), 0, date(2026, 3, 1)),
])
def test_add_months(month, n, expected):
    assert add_months(month, n) == expected
    assert months_between(month, expected) == n


@pytest.mark.parametrize("value, expected", [("75", D("75.00")), ("$1,234.5", D("1234.50")), (D("0.01"), D("0.01"))])
def test_money_reads_what_a_clerk_types(value, expected):
    assert money(value) == expected


@pytest.mark.parametrize("value", ["abc", "1.234", "NaN", ""])
def test_money_refuses_fractions_of_cents_and_words(value):
    with pytest.raises(ValueError):
        money(value)


def test_receipt_number_format():
    assert receipt_number(2026, 123) == "2026-000123"


@pytest.mark.parametrize("behind, settings, expected", [
    (0, DuesSettings(), "good_standing"),
    (1, DuesSettings(), "in_arrears"),
    (2, DuesSettings(), "in_arrears"),
    (3, DuesSettings(), "suspended"),
    (5, DuesSettings(suspend_months=6), "in_arrears"),
    (6, DuesSettings(suspend_months=6), "suspended"),
    (1, DuesSettings(arrears_months=2), "good_standing"),
])
def test_standing_thresholds_are_settings(behind, settings, expected):
    assert standing_for(behind, settings) == expected


def test_settings_fall_back_to_defaults_on_bad_values():
    settings = DuesSettings.from_settings({"dues_suspend_months": "6", "dues_arrears_months": "x"})
    assert settings == DuesSettings(grace_days=14, arrears_months=1, suspend_months=6)


@pytest.mark.parametrize("credits, charges, expected", [
    # three and a half months
    ([("p", D("262.50"))], [("jan", D(75)), ("feb", D(75)), ("mar", D(75)), ("apr", D(75))],
     [("p", "jan", D(75)), ("p", "feb", D(75)), ("p", "mar", D(75)), ("p", "apr", D("37.50"))]),
    # two payments, the older one is used first, and a charge is split between them
    ([("old", D(50)), ("new", D(100))], [("jan", D(75)), ("feb", D(75))],
     [("old", "jan", D(50)), ("new", "jan", D(25)), ("new", "feb", D(75))]),
    # overpayment leaves credit (nothing to apply it to)
    ([("p", D(900))], [("jan", D(75))], [("p", "jan", D(75))]),
    # fully paid charges are skipped
    ([("p", D(10))], [("jan", D(0)), ("feb", D(20))], [("p", "feb", D(10))]),
    ([], [("jan", D(75))], []),
])
def test_allocate_oldest_first(credits, charges, expected):
    assert allocate_oldest_first(credits, charges) == expected


def test_payment_checks():
    today = date(2026, 6, 10)
    assert validate_payment(amount="75", method="cash", reference=None, paid_on=None, today=today) == {}
    errors = validate_payment(amount="0", method="barter", reference=None, paid_on=date(2026, 6, 11), today=today)
    assert set(errors) == {"amount", "method", "paid_on"}
    assert "reference" in validate_payment(amount="75", method="check", reference=" ", paid_on=None, today=today)


@pytest.mark.parametrize("amount, kind, reason, bad", [
    ("-75", "waiver", "Hardship approved by the board", set()),
    ("75", "waiver", "x", {"amount"}),
    ("-10", "late_fee", "x", {"amount"}),
    ("10", "correction", "x", set()),
    ("-10", "correction", "x", set()),
    ("0", "credit", "x", {"amount"}),
    ("-5", "hardship", "  ", {"reason"}),
    ("-5", "gift", "x", {"type"}),
])
def test_adjustment_checks(amount, kind, reason, bad):
    assert set(validate_adjustment(amount=amount, type=kind, reason=reason)) == bad
