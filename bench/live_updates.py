"""How soon another workstation's change reaches this one, and how soon the listener stops.

- a NOTIFY sent from another connection, until the ChangeListener hands it over (target < 1 s);
- a sign-on committed at another desk, until the hub's data_changed reaches the GUI thread through LiveUpdates and
  the open book is reloaded into its model and painted (target < 1 s);
- stop() of a connected listener (target < 0.5 s), and of one retrying an unreachable server (target < 1.5 s).

The tests check that these things happen (tests/db/test_notify.py, tests/gui/test_live.py, the books screen's live
reload); the figures are measured here, outside the suite.

    python bench/live_updates.py [--rounds 30] [--registrations 200] [--no-gui]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import queue
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import bench_engine, percentiles
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from unioncore_desktop.db.notify import CHANNEL, Change, ChangeListener
from unioncore_desktop.domain.queries.books import book_list
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.seed.referral_world import make_book, make_member, register

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication

WAIT = 10.0  # seconds: a round that takes longer than this is reported as lost


class Recorder:
    def __init__(self) -> None:
        self.batches: queue.Queue[list[Change]] = queue.Queue()
        self.states: queue.Queue[bool] = queue.Queue()

    def on_changes(self, changes: list[Change]) -> None:
        self.batches.put(changes)

    def on_state(self, connected: bool) -> None:
        self.states.put(connected)


def notify_rounds(engine: Engine, dsn: str, rounds: int) -> tuple[list[float], list[float]]:
    """(NOTIFY -> callback ms, stop() of a connected listener ms) per round."""
    delivery: list[float] = []
    stops: list[float] = []
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as other:
        for round_ in range(rounds + 1):
            recorder = Recorder()
            listener = ChangeListener(dsn, recorder.on_changes, recorder.on_state).start()
            if recorder.states.get(timeout=WAIT) is not True:
                raise RuntimeError("the listener did not connect")
            body = json.dumps({"table": "registrations", "op": "I", "key": round_, "by": "bench", "app": "bench"})
            t0 = time.perf_counter()
            other.execute(text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": body})
            recorder.batches.get(timeout=WAIT)
            t1 = time.perf_counter()
            listener.stop()
            t2 = time.perf_counter()
            if round_:  # the first round warms up the server and the driver
                delivery.append((t1 - t0) * 1000)
                stops.append((t2 - t1) * 1000)
    return delivery, stops


def unreachable_stops(rounds: int) -> list[float]:
    """stop() of a listener that is retrying a server nobody answers on, ms per round."""
    stops: list[float] = []
    for _ in range(rounds):
        recorder = Recorder()
        listener = ChangeListener("host=127.0.0.1 port=1 dbname=nowhere connect_timeout=1", recorder.on_changes,
                                  recorder.on_state, backoff=(0.1,)).start()
        if recorder.states.get(timeout=WAIT) is not False:
            raise RuntimeError("an unreachable server was reported as connected")
        t0 = time.perf_counter()
        listener.stop()
        stops.append((time.perf_counter() - t0) * 1000)
    return stops


def build_book(engine: Engine, registrations: int) -> tuple[int, list[int]]:
    """A book of `registrations` places and as many spare members to sign on during the rounds."""
    with engine.begin() as conn:
        book_id = make_book(conn, "BENCH_LIVE")
        for i in range(registrations):
            register(conn, make_member(conn, f"Placed {i:04d}", books=["BENCH_LIVE"]), book_id,
                     apn=f"{45000 + i}.01")
        spare = [make_member(conn, f"Spare {i:04d}", books=["BENCH_LIVE"]) for i in range(registrations)]
        conn.execute(text("ANALYZE"))
    return book_id, spare


def gui_rounds(engine: Engine, dsn: str, book_id: int, spare: list[int], rounds: int) -> tuple[list[float],
                                                                                                list[float]]:
    """(commit -> data_changed on the GUI thread ms, commit -> the book reloaded and painted ms) per round."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from unioncore_desktop.gui import events
    from unioncore_desktop.gui.itemmodels.books import BookListModel
    from unioncore_desktop.gui.live import LiveUpdates
    from unioncore_desktop.gui.widgets.table_panel import TablePanel

    app = QApplication.instance() or QApplication([])
    model = BookListModel()
    panel = TablePanel("bench-live", model)
    panel.resize(1300, 700)
    panel.show()
    heard: list[float] = []
    reloaded: list[float] = []
    with Session(engine) as session:
        as_of = hall_clock(session).today
        panel.reload(book_list(session, book_id, as_of=as_of))
        session.rollback()

        def on_data_changed(kind: str, ids: list[object], _initiator: object) -> None:
            if kind != "registration" or (ids and book_id not in ids):
                return
            heard.append(time.perf_counter())
            panel.reload(book_list(session, book_id, as_of=as_of))
            session.rollback()
            panel.view.viewport().repaint()
            reloaded.append(time.perf_counter())

        events.hub().data_changed.connect(on_data_changed)
        live = LiveUpdates(lambda on_changes, on_state: ChangeListener(dsn, on_changes, on_state))
        states: list[bool] = []
        live.state_changed.connect(states.append)
        live.start()
        if not _spin(app, lambda: states == [True], WAIT):
            raise RuntimeError("the live board did not connect")
        to_heard: list[float] = []
        to_reloaded: list[float] = []
        for round_ in range(rounds + 1):
            heard.clear()
            reloaded.clear()
            t0 = time.perf_counter()
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO registrations (member_id, book_id, tier, apn) VALUES (:m, :b, 1, :a)"),
                             {"m": spare[round_], "b": book_id, "a": 44000 + round_})
            if not _spin(app, lambda: bool(reloaded), WAIT):
                raise RuntimeError(f"round {round_}: the change never reached the screen")
            if round_:
                to_heard.append((heard[0] - t0) * 1000)
                to_reloaded.append((reloaded[0] - t0) * 1000)
        live.stop()
        events.hub().data_changed.disconnect(on_data_changed)
    panel.close()
    return to_heard, to_reloaded


def _spin(app: QCoreApplication, done: Callable[[], bool], timeout: float) -> bool:
    """Run the GUI thread's events until `done()` (True) or `timeout` seconds have passed (False)."""
    deadline = time.perf_counter() + timeout
    while not done():
        if time.perf_counter() > deadline:
            return False
        app.processEvents()
        time.sleep(0.0005)
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--registrations", type=int, default=200, help="places on the book the screen shows")
    parser.add_argument("--no-gui", action="store_true", help="skip the live board part")
    args = parser.parse_args()

    logging.getLogger("unioncore_desktop.db.notify").setLevel(logging.ERROR)  # the unreachable rounds' retries
    engine = bench_engine("uc_bench_live")
    dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    delivery, stops = notify_rounds(engine, dsn, args.rounds)
    unreachable = unreachable_stops(max(3, args.rounds // 6))
    gui = None
    if not args.no_gui:
        book_id, spare = build_book(engine, max(args.registrations, args.rounds + 1))
        gui = gui_rounds(engine, dsn, book_id, spare, args.rounds)
    engine.dispose()

    d50, d95 = percentiles(delivery)
    s50, s95 = percentiles(stops)
    u50, u95 = percentiles(unreachable)
    print(f"rounds={args.rounds}")
    print(f"NOTIFY -> listener callback:        p50={d50:.1f} ms p95={d95:.1f} ms  (target < 1000 ms)")
    print(f"stop(), connected:                  p50={s50:.1f} ms p95={s95:.1f} ms  (target < 500 ms)")
    print(f"stop(), server unreachable:         p50={u50:.1f} ms p95={u95:.1f} ms  (target < 1500 ms)")
    if gui is not None:
        h50, h95 = percentiles(gui[0])
        r50, r95 = percentiles(gui[1])
        print(f"sign-on commit -> data_changed:     p50={h50:.1f} ms p95={h95:.1f} ms")
        print(f"sign-on commit -> book reloaded:    p50={r50:.1f} ms p95={r95:.1f} ms  (target < 1000 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
