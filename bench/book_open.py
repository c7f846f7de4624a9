"""Opening an out-of-work book: `book_list` through the domain against the same SQL run raw through psycopg in
the same run, on the demo hall with WIRE SEATTLE topped up to 1,200 registrations. Target: p95 of a few ms,
ratio <= 2. Then the books screen's part in the same run: load through the domain, fill the BookListModel and
paint a QTableView: the first open (with the column sizing a workstation does once), an open (target < 50 ms),
and a live reload keeping the user's place (target < 100 ms).

    python bench/book_open.py [--registrations 1200] [--rounds 50] [--no-gui]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg
from _common import bench_engine, percentiles
from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.queries.books import _BOOK_LIST_SQL, book_list
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.seed.demo import seed_demo


def top_up(engine, book_code: str, registrations: int) -> int:
    """Sign members who are not on the book yet onto it until it holds `registrations`; returns the book id."""
    with engine.begin() as conn:
        book_id, have = conn.execute(text(
            "SELECT b.id, count(g.id) FROM books b LEFT JOIN registrations g ON g.book_id = b.id "
            "AND g.status = 'registered' WHERE b.code = :c GROUP BY b.id"), {"c": book_code}).one()
        conn.execute(text("""
            INSERT INTO registrations (member_id, book_id, tier, apn, registered_at, resign_due_on)
            SELECT m.id, :b, 1 + m.id % 3, 45500 + m.id % 700 + 0.01, now() - m.id * interval '1 hour',
                   current_date + m.id % 30
            FROM members m
            WHERE NOT EXISTS (SELECT 1 FROM registrations g WHERE g.member_id = m.id AND g.book_id = :b
                              AND g.status IN ('registered', 'dispatched', 'awaiting_reregistration'))
            ORDER BY m.id LIMIT :n
        """), {"b": book_id, "n": max(0, registrations - have)})
        conn.execute(text("ANALYZE registrations"))
    return book_id


def gui_rounds(session: Session, book_id: int, as_of,
               rounds: int) -> tuple[list[float], list[float], list[float]]:
    """(first-open ms, open ms, reload ms) per round: domain load + model + a synchronous paint of the visible rows.

    The books screen sizes its columns to their contents once, for the first book it ever shows without the
    user's saved widths (queue_view.QueueView.show_rows); every later open keeps them."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from unioncore_desktop.gui.books.queue_view import SIZE_SAMPLE_ROWS
    from unioncore_desktop.gui.itemmodels.books import BookListModel
    from unioncore_desktop.gui.widgets.table_panel import TablePanel

    app = QApplication.instance() or QApplication([])
    model = BookListModel()
    panel = TablePanel("bench", model)
    panel.view.setAlternatingRowColors(False)  # as the books screen: tier shading instead
    panel.view.horizontalHeader().setResizeContentsPrecision(SIZE_SAMPLE_ROWS)
    panel.resize(1300, 700)
    panel.show()
    app.processEvents()

    def paint() -> None:
        panel.view.viewport().repaint()  # synchronous: the rows a dispatcher sees are drawn before the clock stops

    first_ms: list[float] = []
    open_ms: list[float] = []
    reload_ms: list[float] = []
    for round_ in range(rounds + 1):
        model.set_rows([])
        app.processEvents()
        t0 = time.perf_counter()
        rows = book_list(session, book_id, as_of=as_of)
        session.rollback()
        model.set_rows(rows)
        panel.view.resizeColumnsToContents()
        paint()
        t1 = time.perf_counter()
        model.set_rows([])
        app.processEvents()
        t_open = time.perf_counter()
        rows = book_list(session, book_id, as_of=as_of)
        session.rollback()
        model.set_rows(rows)
        panel.view.scrollToTop()
        paint()
        t_opened = time.perf_counter()
        panel.view.selectRow(len(rows) // 2)
        panel.view.scrollTo(model.index(len(rows) // 2, 0))
        app.processEvents()
        t2 = time.perf_counter()
        rows = book_list(session, book_id, as_of=as_of)
        session.rollback()
        panel.reload(rows)
        paint()
        t3 = time.perf_counter()
        if round_:
            first_ms.append((t1 - t0) * 1000)
            open_ms.append((t_opened - t_open) * 1000)
            reload_ms.append((t3 - t2) * 1000)
    panel.close()
    return first_ms, open_ms, reload_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--registrations", type=int, default=1200)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--no-gui", action="store_true", help="skip the model + view part")
    args = parser.parse_args()

    engine = bench_engine("uc_bench_books")
    started = time.perf_counter()
    seed_demo(engine, jobs_per_member=4)
    book_id = top_up(engine, "WIRE_SEATTLE", args.registrations)
    print(f"seeded the demo hall in {time.perf_counter() - started:.1f} s")

    domain_ms: list[float] = []
    with Session(engine) as session:
        as_of = hall_clock(session).today
        rows = book_list(session, book_id, as_of=as_of)  # warm-up
        session.rollback()
        for round_ in range(args.rounds + 1):
            t0 = time.perf_counter()
            rows = book_list(session, book_id, as_of=as_of)
            session.rollback()
            if round_:
                domain_ms.append((time.perf_counter() - t0) * 1000)

    sql = re.sub(r"(?<!:):(\w+)", r"%(\1)s", _BOOK_LIST_SQL.text)
    dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    raw_ms: list[float] = []
    with psycopg.connect(dsn) as conn:
        for round_ in range(args.rounds + 1):
            t0 = time.perf_counter()
            with conn.cursor() as cur:
                cur.execute(sql, {"book_id": book_id, "as_of": as_of})
                cur.fetchall()
            conn.rollback()
            if round_:
                raw_ms.append((time.perf_counter() - t0) * 1000)
    gui: tuple[list[float], list[float], list[float]] | None = None
    if not args.no_gui:
        with Session(engine) as session:
            gui = gui_rounds(session, book_id, as_of, args.rounds)
    engine.dispose()

    d50, d95 = percentiles(domain_ms)
    r50, r95 = percentiles(raw_ms)
    print(f"book WIRE SEATTLE: {len(rows)} registrations, rounds={args.rounds}")
    print(f"domain book_list: p50={d50:.2f} ms p95={d95:.2f} ms")
    print(f"raw psycopg:      p50={r50:.2f} ms p95={r95:.2f} ms")
    print(f"ratio p50={d50 / r50:.2f} p95={d95 / r95:.2f}  (target: a few ms, ratio <= 2)")
    if gui is not None:
        f50, f95 = percentiles(gui[0])
        o50, o95 = percentiles(gui[1])
        l50, l95 = percentiles(gui[2])
        print(f"screen first open (load + model + column sizing + paint, once per workstation): p50={f50:.2f} ms "
              f"p95={f95:.2f} ms, {f50 / r50:.1f}x the raw query")
        print(f"screen open (load + model + paint): p50={o50:.2f} ms p95={o95:.2f} ms, "
              f"{o50 / r50:.1f}x the raw query  (target < 50 ms)")
        print(f"screen live reload (load + model, place kept + paint): p50={l50:.2f} ms p95={l95:.2f} ms, "
              f"{l50 / r50:.1f}x the raw query  (target < 100 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
