"""Dues reports read back with pdftotext: receipts, daily cash by method, the Dues Summary and the arrears list,
from hand-made rows and from real ledger output."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import text

from unioncore_desktop.domain.queries import dues as q
from unioncore_desktop.domain.rules.dues import add_months, month_start
from unioncore_desktop.domain.services import dues as svc
from unioncore_desktop.reports import export_table, tables
from unioncore_desktop.reports.pdf.arrears import build_arrears_list
from unioncore_desktop.reports.pdf.daily_cash import build_daily_cash
from unioncore_desktop.reports.pdf.dues_summary import build_dues_summary
from unioncore_desktop.reports.pdf.receipt import build_receipts


def receipt(number: int = 123, *, amount: str = "150.00", months: tuple[date, ...] = (date(2026, 10, 1),
            date(2026, 11, 1)), unapplied: str = "0.00", reverses: int | None = None) -> q.PaymentReceipt:
    applied = tuple(q.Applied(m, 1000 + i, Decimal("75.00")) for i, m in enumerate(months))
    return q.PaymentReceipt(
        payment_id=number, receipt_number=f"2026-{number:06d}", member_id=7, card_number="7464416",
        member_name="Smith, John", paid_on=date(2026, 11, 23), amount=Decimal(amount), method="check",
        reference="Chk 4411", batch_id=12, posted_by="demo_clerk", posted_at=datetime(2026, 11, 23, 17, 5, tzinfo=UTC),
        reverses_payment_id=reverses, void_reason="Bounced check" if reverses else None, applied=applied,
        unapplied=Decimal(unapplied), balance=Decimal("-25.00") if Decimal(unapplied) else Decimal("0.00"),
        credit=Decimal(unapplied), paid_through=date(2026, 11, 1), months_behind=0, standing="good_standing")


def payment(i: int, method: str, amount: str, *, reverses: int | None = None, voided: bool = False) -> q.PaymentRow:
    return q.PaymentRow(i, f"2026-{i:06d}", date(2026, 11, 23), 100 + i, str(7_400_000 + i), f"Member {i:03d}, Pat",
                      Decimal(amount), method, f"Chk {i}" if method == "check" else None, 12, "demo_clerk",
                      datetime(2026, 11, 23, 17, i, tzinfo=UTC), reverses, voided,
                      "Bounced" if reverses else None)


def daily_cash() -> q.DailyCash:
    payments = [payment(1, "cash", "75.00"), payment(2, "cash", "40.00"), payment(3, "check", "225.00", voided=True),
                payment(4, "check", "85.00"), payment(5, "card", "75.00"), payment(6, "check", "-225.00", reverses=3)]
    by = {}
    for p in payments:
        n, t = by.get(p.method, (0, Decimal("0.00")))
        by[p.method] = (n + 1, t + p.amount)
    return q.DailyCash(date(2026, 11, 23), tuple(q.MethodTotal(m, n, t) for m, (n, t) in sorted(by.items())),
                     sum((p.amount for p in payments), Decimal("0.00")),
                     tuple(sorted(payments, key=lambda p: p.method)))


def summary_rows() -> list[q.DuesSummaryRow]:
    return [q.DuesSummaryRow(date(2026, 9, 1), "closed", 3900, 3510, Decimal("292500.00"), Decimal("280800.00"),
                           Decimal("11700.00"), Decimal("96.0")),
            q.DuesSummaryRow(date(2026, 10, 1), "open", 3910, 3000, Decimal("293250.00"), Decimal("234600.00"),
                           Decimal("58650.00"), Decimal("80.0")),
            q.DuesSummaryRow(date(2026, 11, 1), "open", 0, 0, Decimal("0"), Decimal("0"), Decimal("0"), None)]


def arrears_rows() -> list[q.ArrearsRow]:
    return [q.ArrearsRow(1, "7000001", "Lee, Ann", "journeyman", "suspended", 5, Decimal("375.00"), date(2026, 6, 1),
                       date(2026, 6, 3), Decimal("75.00"), "suspended"),
            q.ArrearsRow(2, "7000002", "Garcia, Bo", "apprentice_3", "active", 2, Decimal("90.00"), date(2026, 9, 1),
                       date(2026, 9, 2), Decimal("45.00"), "in_arrears"),
            q.ArrearsRow(3, "7000003", "Nguyen, Zoë", "journeyman", "active", 1, Decimal("75.00"), None, None, None,
                       "in_arrears")]


@pytest.fixture
def ctx(context):
    return replace(context, title="Dues Receipts", parameters=[("Day", "2026-11-23")], run_by="Chris (demo_clerk)")


def test_receipts_one_block_per_payment(tmp_path, ctx, poppler):
    receipts = [receipt(1), receipt(2, amount="100.00", months=(date(2026, 12, 1),), unapplied="25.00"),
                receipt(3, amount="-150.00", reverses=1, months=()), receipt(4), receipt(5)]
    path = build_receipts(tmp_path / "r.pdf", ctx, receipts)
    text_ = poppler.text(path)
    for r in receipts:
        assert f"Dues receipt {r.receipt_number}" in text_
    assert text_.count("Smith, John") == 5
    assert re.search(r"Amount\s+\$150\.00", text_) and re.search(r"Method\s+Check", text_)
    assert re.search(r"Reference\s+Chk 4411", text_) and re.search(r"Posted by\s+demo_clerk, 2026-11-23 09:05", text_)
    assert re.search(r"October 2026\s+\$75\.00", text_) and re.search(r"November 2026\s+\$75\.00", text_)
    assert re.search(r"Held as credit \(pays future months\)\s+\$25\.00", text_)
    assert re.search(r"Balance after payment\s+-\$25\.00", text_)
    assert re.search(r"Paid through\s+November 2026", text_)
    assert "VOID (reverses an earlier payment)" in text_ and "Bounced check" in text_
    assert poppler.pages(path) == 3  # two receipts a page, none split across pages


def test_daily_cash_totals_by_method_match_the_deposit(tmp_path, ctx, poppler):
    path = build_daily_cash(tmp_path / "c.pdf", replace(ctx, title="Daily Cash"), daily_cash())
    text_ = poppler.text(path)
    assert re.search(r"Cash: 2 receipts\s+115\.00", text_)
    assert re.search(r"Check: 3 receipts\s+85\.00", text_)  # 225 + 85 - 225 (the void)
    assert re.search(r"Card: 1 receipt\s+75\.00", text_)
    assert re.search(r"Day total: 6 receipts\s+275\.00", text_)
    assert re.search(r"Total for deposit\s+275\.00", text_)
    assert "Voided later" in text_ and "Void: Bounced" in text_


def test_empty_day(tmp_path, ctx, poppler):
    empty = q.DailyCash(date(2026, 11, 22), (), Decimal("0.00"), ())
    text_ = poppler.text(build_daily_cash(tmp_path / "c.pdf", ctx, empty))
    assert "No payments were received on this day." in text_ and re.search(r"Total for deposit\s+0\.00", text_)


def test_dues_summary_with_range_totals(tmp_path, ctx, poppler):
    path = build_dues_summary(tmp_path / "s.pdf", replace(ctx, title="Dues Summary"), summary_rows())
    text_ = poppler.text(path)
    assert re.search(r"Month\s+Period\s+Billed\s+Paid in full\s+Total due\s+Collected\s+Outstanding\s+Collected %",
                     text_)
    assert re.search(r"September 2026\s+Closed\s+3,900\s+3,510\s+292,500\.00\s+280,800\.00\s+11,700\.00\s+96\.0%",
                     text_)
    assert re.search(r"Total\s+7,810\s+6,510\s+585,750\.00\s+515,400\.00\s+70,350\.00\s+88\.0%", text_)
    assert re.search(r"Collection rate\s+88\.0%", text_)


def test_arrears_list(tmp_path, ctx, poppler):
    path = build_arrears_list(tmp_path / "a.pdf", replace(ctx, title="Arrears"), arrears_rows())
    text_ = poppler.text(path)
    assert re.search(r"7000001\s+Lee, Ann\s+Journeyman\s+Suspended\s+5\s+375\.00\s+Jun 2026\s+2026-06-03\s+75\.00",
                     text_)
    assert re.search(r"3 members\s+540\.00", text_) and re.search(r"Total owed\s+540\.00", text_)
    assert re.search(r"In arrears\s+2\n", text_) and re.search(r"5 months behind\s+1\n", text_)


def test_excel_tables(tmp_path, ctx):
    cases = [(tables.receipts_table, [receipt(1)]), (tables.daily_cash_table, daily_cash()),
             (tables.dues_summary_table, summary_rows()), (tables.arrears_table, arrears_rows())]
    for builder, argument in cases:
        columns, rows = builder(argument)
        path = export_table(tmp_path / f"{builder.__name__}.xlsx", title=builder.__name__, columns=columns,
                            rows=rows, context=ctx)
        sheet = openpyxl.load_workbook(path).worksheets[0]
        assert sheet.max_row == len(rows) + 1 and sheet.max_column == len(columns)
    columns, rows = tables.daily_cash_table(daily_cash())
    sheet = openpyxl.load_workbook(export_table(tmp_path / "cash.xlsx", title="Cash", columns=columns,
                                                rows=rows)).worksheets[0]
    amounts = [sheet.cell(r, len(columns)).value for r in range(2, sheet.max_row + 1)]
    assert sum(amounts) == 275 and sheet.cell(2, 1).is_date


@pytest.mark.commits
def test_reports_from_the_ledger(tmp_path, ctx, poppler, uow, connection, session_factory):
    connection.execute(text("INSERT INTO dues_rates (classification, effective_from, amount) "
                            "VALUES ('journeyman', DATE '2000-01-01', 75)"))
    today = connection.execute(text("SELECT uc_hall_today()")).scalar_one()
    this = month_start(today)
    members = [connection.execute(text(
        "INSERT INTO members (card_number, first_name, last_name, classification) "
        "VALUES (:c, 'Pat', :l, 'journeyman') RETURNING id"), {"c": f"76{i:05d}", "l": last}).scalar_one()
        for i, last in enumerate(["Able", "Brook", "Cole"])]
    for offset in (-3, -2, -1, 0):
        svc.generate_charges(uow, month=add_months(this, offset))
    posted = [svc.post_payment(uow, idempotency_key=uuid.uuid4(), member_id=members[0], amount="300.00",
                               method="check", reference="1001"),
              svc.post_payment(uow, idempotency_key=uuid.uuid4(), member_id=members[1], amount="75.00",
                               method="cash")]
    session = session_factory()

    receipts = [q.payment_receipt(session, p.payment_id) for p in posted]
    text_ = poppler.text(build_receipts(tmp_path / "r.pdf", ctx, receipts))
    assert all(f"Dues receipt {p.receipt_number}" in text_ for p in posted)
    assert add_months(this, -3).strftime("%B %Y") in text_

    cash_text = poppler.text(build_daily_cash(tmp_path / "c.pdf", ctx, q.daily_cash(session, today)))
    assert re.search(r"Total for deposit\s+375\.00", cash_text)

    summary = q.dues_summary(session, add_months(this, -3), this)
    summary_text = poppler.text(build_dues_summary(tmp_path / "s.pdf", ctx, summary))
    assert re.search(r"Total\s+12\s+\d+\s+900\.00\s+375\.00\s+525\.00\s+41\.7%", summary_text)

    arrears = q.arrears_list(session)
    arrears_text = poppler.text(build_arrears_list(tmp_path / "a.pdf", ctx, arrears))
    assert "Cole, Pat" in arrears_text and "Able, Pat" not in arrears_text
