"""Building the big book reports: the out-of-work list of a 1,200-registration book (target < 6 s) and the
all-books list over four books of 1,000 (target < 20 s), from synthetic rows (no database), best and median of a
few builds. tests/reports/test_book_reports.py checks that every registration is printed; this measures how long
it takes.

    python bench/book_reports.py [--rounds 3] [--books 4]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path

from unioncore_desktop.domain.queries.books import BookListRow, BookSummary
from unioncore_desktop.reports.base import ReportContext
from unioncore_desktop.reports.pdf.out_of_work import build_all_books_list, build_out_of_work_list

LAST = ("Smith", "Garcia", "Nguyen", "O'Brien", "Kowalczyk", "Vandenberghe-Whitfield", "Lee", "Øberg")
FIRST = ("Ann", "Christopher", "Bo", "Maria", "Zoë", "Kenji")


def book(i: int) -> BookSummary:
    return BookSummary(i, f"B{i}", f"BOOK {i}", "Inside wireperson", "Seattle", "WIREPERSON", "standard",
                       clock(8, 30), i, (0, 0, 0, 0), 0, 1)


def book_rows(tier_sizes: dict[int, int], seed: int) -> list[BookListRow]:
    """Registrants in queue order, as tests/reports builds them: every 20th exempt, every 25th overdue."""
    rng = random.Random(seed)
    rows = []
    rank = 0
    for tier in sorted(tier_sizes):
        for i in range(tier_sizes[tier]):
            rank += 1
            exempt = rank % 20 == 0
            rows.append(BookListRow(
                rank=rank, registration_id=seed * 100_000 + rank, member_id=seed * 100_000 + rank,
                card_number=str(7_000_000 + rank), last_name=rng.choice(LAST), first_name=rng.choice(FIRST),
                tier=tier, apn=Decimal(45717 + i // 9) + Decimal(i % 9 + 1) / 100,
                registered_at=datetime(2025, 3, 1, 16, tzinfo=UTC) + timedelta(hours=7 * i), method="in_person",
                last_resign_on=date(2026, 11, 2), resign_due_on=date(2026, 12, 2), marks=rank % 3,
                exemption_reason="medical" if exempt else None, exemption_end=date(2027, 1, 31) if exempt else None,
                exempt=exempt, resign_overdue=not exempt and rank % 25 == 0,
                on_dispatch_book="MARINE" if rank % 40 == 13 else None, version=1))
    return rows


def timed(build: Callable[[], object], rounds: int) -> list[float]:
    """Seconds per build."""
    seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        build()
        seconds.append(time.perf_counter() - started)
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--books", type=int, default=4, help="books of 1,000 on the all-books list")
    args = parser.parse_args()

    context = ReportContext(hall_name="IBEW Local 46 Hiring Hall", title="Out-of-Work List",
                            parameters=[("Book", "BOOK 0")], as_of=datetime(2026, 11, 21, 16, 14, tzinfo=UTC),
                            run_by="Bench")
    one = book_rows({1: 900, 2: 300}, seed=46)
    books = [(book(i), book_rows({1: 700, 2: 300}, seed=i)) for i in range(args.books)]
    with tempfile.TemporaryDirectory(prefix="uc-bench-reports-") as folder:
        out = Path(folder)
        single = timed(lambda: build_out_of_work_list(out / "one.pdf", context, book(0), one), args.rounds)
        every = timed(lambda: build_all_books_list(out / "all.pdf", context, books), args.rounds)
    print(f"out-of-work list, {len(one):,} rows:   best {min(single):.2f} s, "
          f"median {statistics.median(single):.2f} s  (target < 6 s)")
    print(f"all-books list, {sum(len(r) for _, r in books):,} rows: best {min(every):.2f} s, "
          f"median {statistics.median(every):.2f} s  (target < 20 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
