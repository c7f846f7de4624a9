"""The nightly drop run over 4,000 registrations on the demo books, 400 of them overdue: preview_drops (target
< 0.5 s) and apply_drops of that preview in one transaction (target < 1.5 s). Each round adds 4,000 new members
and places; tests/domain/test_drop_run.py checks that exactly the overdue ones drop, this measures how long it
takes.

    python bench/drop_run.py [--registrations 4000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import bench_engine
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.services.drop_run import apply_drops, preview_drops
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.seed.books import insert_books


def add_places(engine: Engine, books: list[int], round_: int, registrations: int) -> None:
    """`registrations` new members, each on one book; one in ten is past its re-sign date."""
    with engine.begin() as conn:
        today = conn.execute(text("SELECT uc_hall_today()")).scalar_one()
        conn.execute(text("""
            INSERT INTO members (card_number, first_name, last_name, classification)
            SELECT (:base + i)::text, 'Pat', 'M' || i, 'journeyman' FROM generate_series(1, :n) AS i
        """), {"base": 80_000_000 + round_ * 1_000_000, "n": registrations})
        conn.execute(text("""
            INSERT INTO registrations (member_id, book_id, tier, apn, status, resign_due_on)
            SELECT m.id, (CAST(:books AS int[]))[1 + m.id % cardinality(CAST(:books AS int[]))], 1 + m.id % 3,
                   45000 + m.id % 500 + 0.01, 'registered', CAST(:today AS date) + (m.id % 50) - 5
            FROM members m WHERE m.card_number::bigint BETWEEN :base + 1 AND :base + :n
        """), {"books": books, "today": today, "base": 80_000_000 + round_ * 1_000_000, "n": registrations})
        conn.execute(text("ANALYZE members, registrations"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registrations", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    engine = bench_engine("uc_bench_drop_run")
    with engine.begin() as conn:
        books = list(insert_books(conn).values())
    sessions = sessionmaker(engine, expire_on_commit=False)
    preview_s: list[float] = []
    apply_s: list[float] = []
    dropped = 0
    for round_ in range(args.rounds):
        add_places(engine, books, round_, args.registrations)
        with Session(engine) as session:
            as_of = hall_clock(session).today
        started = time.perf_counter()
        preview = preview_drops(UnitOfWork(sessions), as_of=as_of)
        preview_s.append(time.perf_counter() - started)
        started = time.perf_counter()
        result = apply_drops(UnitOfWork(sessions), as_of=as_of, expected=[c.key for c in preview])
        apply_s.append(time.perf_counter() - started)
        dropped = result.rolled_off
    engine.dispose()

    print(f"{args.registrations:,} registrations a round, {dropped} rolled off in the last, rounds={args.rounds}")
    print(f"preview_drops: best {min(preview_s):.3f} s, median {statistics.median(preview_s):.3f} s  (target < 0.5 s)")
    print(f"apply_drops:   best {min(apply_s):.3f} s, median {statistics.median(apply_s):.3f} s  (target < 1.5 s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
