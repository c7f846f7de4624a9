"""Book and dispatch reports read back with pdftotext: tier groups and subtotals, totals, page counts, and the
same reports from real query output on a small hall."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.queries.books import (
    ActivityRow,
    BookListRow,
    BookSummary,
    DroppedRow,
    ResignDueRow,
    UnemployedCount,
    book_list,
    list_books,
    referral_history,
    unemployed_counts,
)
from unioncore_desktop.domain.queries.dispatch import DayBook, DayBookTotal, DispatchRow
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.queries.requests import RequestRow
from unioncore_desktop.domain.services.registrations import sign_on, start_exemption
from unioncore_desktop.reports import export_table, tables
from unioncore_desktop.reports.pdf.book_reports import (
    build_day_book,
    build_dropped,
    build_open_requests,
    build_referral_history,
    build_resign_due,
    build_unemployed_counts,
)
from unioncore_desktop.reports.pdf.out_of_work import (
    build_all_books_list,
    build_out_of_work_list,
)
from unioncore_desktop.seed.books import insert_books

LAST = ("Smith", "Garcia", "Nguyen", "O'Brien", "Kowalczyk", "Vandenberghe-Whitfield", "Lee", "Øberg")
FIRST = ("Ann", "Christopher", "Bo", "Maria", "Zoë", "Kenji")


def book(code: str = "WIRE_SEATTLE", name: str = "WIRE SEATTLE", *, book_id: int = 1, region: str | None = "Seattle",
         contract: str | None = "WIREPERSON", slot: time = time(8, 30), sort_order: int = 1) -> BookSummary:
    return BookSummary(book_id, code, name, "Inside wireperson", region, contract, "standard", slot, sort_order,
                       (0, 0, 0, 0), 0, 1)


def book_rows(tier_sizes: dict[int, int], *, seed: int = 46, first_card: int = 7_000_000) -> list[BookListRow]:
    """Registrants in queue order: `tier_sizes` {tier: count}; every 20th exempt, every 25th overdue."""
    rng = random.Random(seed)
    rows = []
    rank = 0
    for tier in sorted(tier_sizes):
        for i in range(tier_sizes[tier]):
            rank += 1
            exempt = rank % 20 == 0
            registered = datetime(2025, 3, 1, 16, tzinfo=UTC) + timedelta(hours=7 * i)
            rows.append(BookListRow(
                rank=rank, registration_id=seed * 100_000 + rank, member_id=seed * 100_000 + rank,
                card_number=str(first_card + rank), last_name=rng.choice(LAST), first_name=rng.choice(FIRST),
                tier=tier, apn=Decimal(45717 + i // 9) + Decimal(i % 9 + 1) / 100, registered_at=registered,
                method="in_person", last_resign_on=date(2026, 11, 2), resign_due_on=date(2026, 12, 2),
                marks=rank % 3, exemption_reason="medical" if exempt else None,
                exemption_end=date(2027, 1, 31) if exempt else None, exempt=exempt,
                resign_overdue=not exempt and rank % 25 == 0, on_dispatch_book="MARINE" if rank % 40 == 13 else None,
                version=1))
    return rows


def unemployed() -> list[UnemployedCount]:
    return [UnemployedCount(1, "WIRE_SEATTLE", "WIRE SEATTLE", 1, 812), UnemployedCount(1, "WIRE_SEATTLE",
            "WIRE SEATTLE", 2, 140), UnemployedCount(1, "WIRE_SEATTLE", "WIRE SEATTLE", 4, 3),
            UnemployedCount(6, "STOCKMAN", "STOCKMAN", 1, 5), UnemployedCount(6, "STOCKMAN", "STOCKMAN", 2, 6),
            UnemployedCount(6, "STOCKMAN", "STOCKMAN", 3, 43),
            UnemployedCount(9, "TECHNICIAN", "TECHNICIAN", 1, 112),
            UnemployedCount(9, "TECHNICIAN", "TECHNICIAN", 2, 17),
            UnemployedCount(9, "TECHNICIAN", "TECHNICIAN", 3, 131)]


def resign_rows() -> list[ResignDueRow]:
    def row(i: int, due: date, overdue: bool, book_name: str = "WIRE SEATTLE") -> ResignDueRow:
        return ResignDueRow(i, i, str(7_100_000 + i), LAST[i % len(LAST)], FIRST[i % len(FIRST)], "X", book_name,
                            1 + i % 2, Decimal("45800.01") + i, due - timedelta(days=30), due, overdue)
    return ([row(1, date(2026, 11, 19), True), row(2, date(2026, 11, 20), True)]
            + [row(10 + i, date(2026, 11, 23), False) for i in range(3)]
            + [row(20 + i, date(2026, 11, 24), False, "MARINE") for i in range(4)])


def dropped_rows() -> list[DroppedRow]:
    reasons = ["failed_re_sign"] * 5 + ["check_marks"] * 2 + ["quit"] * 3
    return [DroppedRow(i, 500 + i, str(7_200_000 + i), LAST[i % len(LAST)], FIRST[i % len(FIRST)], "WIRE_SEATTLE",
                       "WIRE SEATTLE", 1, Decimal("45700.02") + i, date(2026, 11, 1 + i), reason)
            for i, reason in enumerate(reasons)]


def request_rows() -> list[RequestRow]:
    def row(i: int, day: date, *, short: bool = False, no_marks: tuple[str, ...] = (), agreement: str = "standard",
            wanted: int = 2, sent: int = 0) -> RequestRow:
        return RequestRow(i, f"2026-{i:05d}", 1, "WIRE SEATTLE", 10 + i, f"Employer {i} Electric", 20 + i,
                          "Pier 91", "Journeyman", wanted, sent, date(2026, 11, 24), "07:00", short,
                          datetime(2026, 11, 20, 18, i, tzinfo=UTC), day, agreement, no_marks, (), False, False,
                          "open" if sent == 0 else "partially_filled")
    return [row(1, date(2026, 11, 23)), row(2, date(2026, 11, 23), short=True, wanted=3, sent=1),
            row(3, date(2026, 11, 24), no_marks=("early_start",), agreement="pla", wanted=5)]


def day_book(count: int = 12) -> DayBook:
    employers = ["Cascade Electric", "Puget Power Systems", "Sound Wiring Co."]
    books = ["WIRE SEATTLE", "MARINE"]
    rows = []
    for i in range(count):
        rows.append(DispatchRow(
            id=i + 1, request_id=100 + i % 4, request_number=f"2026-{100 + i % 4:05d}", member_id=900 + i,
            card_number=str(7_300_000 + i), member_name=f"{LAST[i % len(LAST)]}, {FIRST[i % len(FIRST)]}",
            registration_id=800 + i, book_id=1 + i % 2, book_name=books[i % 2], employer_id=50 + i % 3,
            employer_name=employers[i % 3], worksite_name="Pier 91" if i % 2 else None,
            dispatched_at=datetime(2026, 11, 23, 16, 30, tzinfo=UTC) + timedelta(minutes=i),
            dispatch_date=date(2026, 11, 23),
            by_name=i == 3, via_bid=i == 5, short_call=i % 4 == 0, status="dispatched", checked_in_at=None,
            terminated_on=None, termination_reason=None, business_days_worked=None, hours_worked=None,
            restored=False, dispatched_by="demo_dispatcher", dispatched_by_name="Dana Ortiz", note=None, version=1))
    by_book = tuple(DayBookTotal(b, n, sum(1 for r in rows if r.book_id == b))
                    for b, n in ((2, "MARINE"), (1, "WIRE SEATTLE")))
    by_employer = tuple(DayBookTotal(50 + k, e, sum(1 for r in rows if r.employer_id == 50 + k))
                        for k, e in enumerate(employers))
    return DayBook(date(2026, 11, 23), tuple(rows), by_book, by_employer, sum(r.by_name for r in rows))


def activity_rows() -> list[ActivityRow]:
    at = datetime(2026, 9, 1, 16, tzinfo=UTC)
    return [
        ActivityRow(1, at, 1, "WIRE_SEATTLE", "WIRE SEATTLE", "sign_on", "tier 1, APN 46001.03, re-sign due 2026-10-01",
                    None, {"tier": 1}, "demo_dispatcher", "Dana Ortiz", None, None, None, None),
        ActivityRow(2, at + timedelta(days=30), 1, "WIRE_SEATTLE", "WIRE SEATTLE", "re_sign",
                    "last re-sign none -> 2026-10-01; re-sign due 2026-10-01 -> 2026-10-31", {}, {}, "demo_dispatcher",
                    "Dana Ortiz", None, None, None, "Re-signed by phone"),
        ActivityRow(3, at + timedelta(days=40), 1, "WIRE_SEATTLE", "WIRE SEATTLE", "dispatched",
                    "status registered -> dispatched", {}, {}, "demo_dispatcher", "Dana Ortiz", 7, "2026-00007", 3,
                    None),
    ]

@pytest.fixture
def ctx(context):
    return replace(context, title="Out-of-Work List", parameters=[("Book", "WIRE SEATTLE")])


def pages(poppler, path) -> list[str]:
    return poppler.text(path).rstrip("\f").split("\f")


# --- out-of-work list ---------------------------------------------------------------------------------------

def test_out_of_work_list_groups_tiers_with_subtotals_and_marks_exempt(tmp_path, ctx, poppler):
    rows = book_rows({1: 70, 2: 30, 4: 5})
    path = build_out_of_work_list(tmp_path / "oow.pdf", ctx, book(), rows)

    text_ = poppler.text(path)
    assert "WIRE SEATTLE (WIRE_SEATTLE) · Seattle · WIREPERSON · morning 08:30" in text_
    assert re.search(r"Tier 1 subtotal\s+70 registered\s+3 exempt", text_)
    assert re.search(r"Tier 2 subtotal\s+30 registered\s+2 exempt", text_)
    assert re.search(r"Tier 4 subtotal\s+5 registered", text_)
    assert "Tier 3" not in text_  # tiers with nobody are not invented
    assert re.search(r"Book total\s+105 registered\s+5 exempt", text_)
    assert re.search(r"Registered\s+105\n", text_)
    # rank, APN with two decimals, name, card, tier, dates, marks in one line
    first = rows[0]
    assert re.search(rf"^\s*1\s+45717\.01\s+{re.escape(first.display_name)}\s+{first.card_number}\s+1\s+"
                     r"2025-03-01 08:00\s+2026-11-02\s+2026-12-02\s+1\b", text_, re.M)
    exempt = rows[19]
    line = next(x for x in text_.splitlines() if exempt.card_number in x)
    assert "EXEMPT to 2027-01-31" in line
    overdue = rows[24]
    assert "Re-sign overdue" in next(x for x in text_.splitlines() if overdue.card_number in x)
    assert "Out on MARINE" in next(x for x in text_.splitlines() if rows[12].card_number in x)


def test_out_of_work_list_page_frame_and_header_on_every_page(tmp_path, ctx, poppler):
    path = build_out_of_work_list(tmp_path / "oow.pdf", ctx, book(), book_rows({1: 150, 2: 60}))

    printed = pages(poppler, path)
    assert poppler.pages(path) == len(printed) >= 4
    for number, page in enumerate(printed, start=1):
        assert "Out-of-Work List" in page and f"Page {number} of {len(printed)}" in page
        if "registered" in page or "7000" in page:
            assert re.search(r"Rank\s+APN\s+Name\s+Card\s+Tier\s+Registered\s+Last re-sign\s+Due\s+Marks\s+Status",
                             page)


def test_empty_book_says_so(tmp_path, ctx, poppler):
    path = build_out_of_work_list(tmp_path / "oow.pdf", ctx, book(), [])
    assert "No one is registered on this book." in poppler.text(path)
    assert poppler.pages(path) == 1


def test_out_of_work_list_page_renders(tmp_path, ctx, poppler):
    path = build_out_of_work_list(tmp_path / "oow.pdf", ctx, book(), book_rows({1: 40, 2: 30}))
    png = poppler.png(path, tmp_path / "oow_page1")
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 10_000


def test_all_books_list_each_book_on_its_own_pages_in_the_order_given(tmp_path, ctx, poppler):
    books = [(book(), book_rows({1: 60, 2: 10})),
             (book("MARINE", "MARINE", book_id=5, region=None, contract="GROUP MARINE"), []),
             (book("STOCKMAN", "STOCKMAN", book_id=6, region=None, contract="STOCKPERSON"),
              book_rows({1: 5, 2: 6, 3: 43}, seed=7, first_card=7_500_000))]
    path = build_all_books_list(tmp_path / "all.pdf", replace(ctx, title="All Books"), books)

    printed = pages(poppler, path)
    starts = [i for i, page in enumerate(printed) for code in ("(WIRE_SEATTLE)", "(MARINE)", "(STOCKMAN)")
              if f"{code} ·" in page]
    assert starts == sorted(starts) and len(set(starts)) == 3  # each book begins on a new page, in order
    marine = next(p for p in printed if "(MARINE) ·" in p)
    assert "No one is registered on this book." in marine
    stockman = printed[starts[2]]
    assert re.search(r"Tier 3 subtotal\s+43 registered", poppler.text(path))
    assert "Tier 1" in stockman
    assert re.search(r"Registrations on all books\s+124\b", printed[-1])
    assert re.search(r"STOCKMAN\s+\(T1 5, T2 6, T3 43\)\s+54\b", printed[-1])


def test_large_lists_print_every_registration(tmp_path, ctx, poppler):
    """A 1,200-registration book and a 4,000-row all-books list, whole (how long they take: bench/book_reports.py)."""
    one = book_rows({1: 900, 2: 300})
    text_ = poppler.text(build_out_of_work_list(tmp_path / "big.pdf", ctx, book(), one))
    assert re.search(r"Book total\s+1,200 registered\s+60 exempt", text_)
    assert all(r.card_number in text_ for r in one)
    books = [(book(code=f"B{i}", name=f"BOOK {i}", book_id=i), book_rows({1: 700, 2: 300}, seed=i))
             for i in range(4)]
    printed = pages(poppler, build_all_books_list(tmp_path / "all.pdf", ctx, books))
    assert re.search(r"Registrations on all books\s+4,000\b", printed[-1])
    assert all(re.search(rf"BOOK {i} \(T1 700, T2 300\)\s+1,000\b", printed[-1]) for i in range(4))


# --- the other book reports ---------------------------------------------------------------------------------

def test_unemployed_counts_show_each_tier_and_totals(tmp_path, ctx, poppler):
    path = build_unemployed_counts(tmp_path / "u.pdf", replace(ctx, title="Unemployed Counts"), unemployed())
    text_ = poppler.text(path)
    assert re.search(r"Book\s+Code\s+Tier 1\s+Tier 2\s+Tier 3\s+Tier 4\s+Total", text_)
    assert re.search(r"STOCKMAN\s+STOCKMAN\s+5\s+6\s+43\s+0\s+54", text_)  # inverted book as it is
    assert re.search(r"TECHNICIAN\s+TECHNICIAN\s+112\s+17\s+131\s+0\s+260", text_)
    assert re.search(r"All books\s+929\s+163\s+174\s+3\s+1,269", text_)


def test_resign_due_groups_overdue_then_by_day(tmp_path, ctx, poppler):
    path = build_resign_due(tmp_path / "r.pdf", replace(ctx, title="Re-sign Due"), resign_rows())
    text_ = poppler.text(path)
    assert text_.index("Overdue: drop at the next drop run") < text_.index("Due 2026-11-23 Mon") < text_.index(
        "Due 2026-11-24 Tue")
    assert re.search(r"Due 2026-11-23\s+3\n", text_) and re.search(r"Due 2026-11-24\s+4\n", text_)
    assert re.search(r"All\s+9\n", text_) and re.search(r"Overdue\s+2\n", text_)


def test_dropped_groups_by_reason(tmp_path, ctx, poppler):
    path = build_dropped(tmp_path / "d.pdf", replace(ctx, title="Dropped"), dropped_rows())
    text_ = poppler.text(path)
    assert "Failed re sign: 5 dropped" in text_ and "Check marks: 2 dropped" in text_ and "Quit: 3 dropped" in text_
    assert "All reasons: 10 dropped" in text_


def test_open_requests_with_terms_and_totals(tmp_path, ctx, poppler):
    path = build_open_requests(tmp_path / "o.pdf", replace(ctx, title="Open Requests"), request_rows())
    text_ = poppler.text(path)
    assert "Referral 2026-11-23 Mon" in text_ and "Referral 2026-11-24 Tue" in text_
    assert "short call" in text_ and "PLA manual rules" in text_ and "early start" in text_
    assert re.search(r"3 requests\s+10\s+1\s+9", text_)


def test_day_book_lists_dispatches_with_totals_by_book_and_employer(tmp_path, ctx, poppler):
    day = day_book(40)
    path = build_day_book(tmp_path / "db.pdf", replace(ctx, title="Day Book", parameters=[("Day", "2026-11-23")]),
                          day)
    text_ = poppler.text(path)
    assert re.search(r"Time\s+Request\s+Book\s+Employer\s+Worksite\s+Card\s+Member\s+How\s+Status\s+Dispatcher",
                     text_)
    assert re.search(r"08:30\s+2026-00100\s+WIRE SEATTLE\s+Cascade Electric", text_)  # hall time, not UTC
    assert "40 dispatches" in text_
    by_book = text_[text_.index("Totals by book"):text_.index("Totals by employer")]
    assert re.search(r"MARINE\s+20\n", by_book) and re.search(r"Total\s+40\n", by_book)
    by_employer = text_[text_.index("Totals by employer"):]
    assert re.search(r"Cascade Electric\s+14\n", by_employer)
    assert re.search(r"By name \(R13\)\s+1\n", text_)
    png = poppler.png(path, tmp_path / "daybook_page1")
    assert png.stat().st_size > 10_000


def test_empty_day_book(tmp_path, ctx, poppler):
    empty = replace(day_book(0), by_book=(), by_employer=())
    path = build_day_book(tmp_path / "db.pdf", ctx, empty)
    assert "No one was dispatched on this day." in poppler.text(path)


def test_referral_history(tmp_path, ctx, poppler):
    path = build_referral_history(tmp_path / "h.pdf", replace(ctx, title="Referral History — Smith, Ann"),
                                  activity_rows())
    text_ = poppler.text(path)
    assert "Sign-on" in text_ and "Re-sign" in text_ and "2026-00007" in text_
    assert re.search(r"Registration changes\s+3\n", text_)


# --- Excel --------------------------------------------------------------------------------------------------

def test_excel_tables_have_typed_cells(tmp_path, ctx):
    rows = book_rows({1: 3, 2: 2})
    columns, data = tables.out_of_work_table(rows)
    path = export_table(tmp_path / "oow.xlsx", title="Out-of-work", columns=columns, rows=data, context=ctx)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Rank", "Tier", "APN", "Card"]
    assert sheet.cell(2, 3).value == 45717.01 and sheet.cell(2, 3).number_format == "#,##0.00"
    assert sheet.max_row == 6
    for builder, argument in [(tables.unemployed_counts_table, unemployed()),
                              (tables.resign_due_table, resign_rows()), (tables.dropped_table, dropped_rows()),
                              (tables.open_requests_table, request_rows()), (tables.day_book_table, day_book()),
                              (tables.referral_history_table, activity_rows()),
                              (tables.all_books_table, [(book(), rows)])]:
        columns, data = builder(argument)
        assert data and all(len(row) == len(columns) for row in data)
        export_table(tmp_path / f"{builder.__name__}.xlsx", title=builder.__name__, columns=columns, rows=data)


# --- from real query output ---------------------------------------------------------------------------------

def test_reports_from_a_small_hall(tmp_path, ctx, poppler, uow, connection):
    books = insert_books(connection)
    wire = [books["WIRE_SEATTLE"], books["WIRE_BREMERTON"]]
    office = connection.execute(text("SELECT min(id) FROM offices")).scalar_one()
    members = []
    for i, (tier, last) in enumerate([(1, "Adams"), (2, "Baker"), (1, "Chen"), (2, "Diaz"), (1, "Evans")]):
        member = connection.execute(text(
            "INSERT INTO members (card_number, first_name, last_name, classification) "
            "VALUES (:c, 'Pat', :l, 'journeyman') RETURNING id"), {"c": f"75{i:05d}", "l": last}).scalar_one()
        for code in ("WIRE_SEATTLE", "WIRE_BREMERTON"):
            connection.execute(text("INSERT INTO member_qualified_books (member_id, book_code, tier) "
                                    "VALUES (:m, :b, :t)"), {"m": member, "b": code, "t": tier})
        members.append(sign_on(uow, member_id=member, book_ids=wire, method="in_person",
                               office_id=office))
    first = members[2][0]  # Chen, tier 1 on WIRE SEATTLE
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    today = hall_clock(session).today
    start_exemption(uow, registration_id=first.id, expected_version=first.version, reason="medical", start=today)

    summaries = [b for b in list_books(session) if b.id in wire]
    lists = [(b, book_list(session, b.id)) for b in summaries]
    seattle, seattle_rows = next((b, r) for b, r in lists if b.code == "WIRE_SEATTLE")
    path = build_out_of_work_list(tmp_path / "oow.pdf", ctx, seattle, seattle_rows)
    text_ = poppler.text(path)
    assert [r.last_name for r in seattle_rows] == ["Adams", "Chen", "Evans", "Baker", "Diaz"]
    assert re.search(r"Tier 1 subtotal\s+3 registered\s+1 exempt", text_)
    assert re.search(r"Tier 2 subtotal\s+2 registered", text_)
    assert "EXEMPT" in next(line for line in text_.splitlines() if "Chen, Pat" in line)

    all_path = build_all_books_list(tmp_path / "all.pdf", ctx, lists)
    assert re.search(r"Registrations on all books\s+10\b", poppler.text(all_path))

    counts_path = build_unemployed_counts(tmp_path / "u.pdf", ctx, unemployed_counts(session))
    assert re.search(r"WIRE SEATTLE\s+WIRE_SEATTLE\s+3\s+2\s+0\s+0\s+5", poppler.text(counts_path))

    history = referral_history(session, seattle_rows[1].member_id)
    history_path = build_referral_history(tmp_path / "h.pdf", ctx, history)
    history_text = poppler.text(history_path)
    assert history_text.count("Sign-on") >= 2 and "Exemption start" in history_text
