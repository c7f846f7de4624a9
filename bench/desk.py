"""The desk at work: the real main window, offscreen, logged in as the demo manager over a freshly seeded demo hall,
driven by keystrokes. For each action it prints keystroke -> visible result (the result's signal and the paint
after it) p50/p95, the database tasks the keystroke set off until the screens went quiet (the echo of its own
NOTIFY and hidden screens included), and the longest GUI-thread stall (a 5 ms heartbeat's longest gap) while it
ran; then the longest garbage-collector pause of the run. Targets: p95 < 100 ms, no stall > 50 ms.

- search: type a member's surname into the members search (a typist's 60 ms between keys), last key -> results;
- book: Down/Up in the books screen's book picker -> the book's list;
- walk: Down on the morning board onto another request -> the walk's preview of the next eligible;
- answer: D, N (each confirmed with Enter) or A on the walk -> the walk shown again after the answer;
- post: Enter on a keyed dues line (card, Tab, amount) -> the receipt in the batch's grid;
- ledger: Enter on a card in Member dues -> the member's ledger.

    python bench/desk.py [--rounds 20] [--default-gc]

--default-gc runs with Python's collector as it comes, for the before/after figure of gui/gc_tuning.py.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from _common import bench_engine, percentiles
from sqlalchemy import text

from unioncore_desktop.seed.demo import seed_demo

HEARTBEAT_MS = 5
TYPING_MS = 60      # between a typist's keys
QUIET_MS = 400      # no task for this long (the NOTIFY echo comes ~150 ms after a commit): the screens are quiet
WAIT = 15.0
# stalls reported apart from the keystrokes': start-up, the typist's pauses, and an area built on its first showing
NOT_KEYSTROKES = ("start-up", "typing", "open area")


class Desk:
    """The window, its runner (counting tasks), a heartbeat and the collector's pauses."""

    def __init__(self, hall: Any, app: Any) -> None:
        from PySide6.QtCore import QSettings, Qt, QTimer

        from unioncore_desktop.gui import messages
        from unioncore_desktop.gui.live import LiveUpdates
        from unioncore_desktop.gui.main_window import MainWindow
        from unioncore_desktop.gui.settings import UiSettings
        from unioncore_desktop.gui.tasks import TaskRunner

        self.app = app
        settings_dir = tempfile.mkdtemp(prefix="uc-desk-settings-")
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_dir)
        messages.enable_headless(answer=True)  # the check mark's question is answered Yes, as Enter would

        desk = self

        class CountingRunner(TaskRunner):
            def _submit(self, task: Any) -> Any:
                desk.tasks.append((time.perf_counter(), task.kind.value, task.name))
                return super()._submit(task)

        self.tasks: list[tuple[float, str, str]] = []
        self.runner = CountingRunner()
        self.hall = hall
        self.window = MainWindow(self.runner, hall, UiSettings(hall.facts.user))
        self.window.resize(1360, 820)
        self.window.show()
        make_live: Any = LiveUpdates
        try:
            self.live = make_live(hall.listener, own_application=hall.application_name)
        except (TypeError, AttributeError):  # a build that does not know its own connections' name
            self.live = make_live(hall.listener)
        connected: list[bool] = []
        self.live.state_changed.connect(connected.append)
        self.live.start()
        self.spin(lambda: connected == [True])

        self.stalls: dict[str, float] = defaultdict(float)
        self.busy: dict[str, float] = defaultdict(float)
        self.action = "start-up"
        self._last_beat, self._last_cpu = time.perf_counter(), time.thread_time()
        self.heartbeat = QTimer()
        self.heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
        self.heartbeat.setInterval(HEARTBEAT_MS)
        self.heartbeat.timeout.connect(self._beat)
        self.heartbeat.start()
        self.gc_pauses: list[tuple[int, float]] = []
        self._gc_started = 0.0
        gc.callbacks.append(self._on_gc)

    def _beat(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        gap, busy = (now - self._last_beat) * 1000, (cpu - self._last_cpu) * 1000
        self._last_beat, self._last_cpu = now, cpu
        if gap > self.stalls[self.action]:
            self.stalls[self.action] = gap
        # the GUI thread's own work between two beats: the stall without the time other processes took the CPU
        if busy > self.busy[self.action]:
            self.busy[self.action] = busy

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        elif self.action != "start-up":  # the one collection before the freeze is start-up's
            self.gc_pauses.append((info["generation"], (time.perf_counter() - self._gc_started) * 1000))

    def spin(self, done: Callable[[], bool], timeout: float = WAIT) -> float:
        """Run the GUI thread until `done()`, then once more so what it shows is painted; returns that moment."""
        from PySide6.QtCore import QEventLoop

        deadline = time.perf_counter() + timeout
        while not done():
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{self.action}: timed out")
            self.app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        self.app.processEvents()
        return time.perf_counter()

    def pause(self, ms: float) -> None:
        from PySide6.QtCore import QEventLoop

        end = time.perf_counter() + ms / 1000
        while time.perf_counter() < end:
            self.app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)

    def quiet(self) -> None:
        """Until no task has run or started for QUIET_MS."""
        deadline = time.perf_counter() + WAIT
        while time.perf_counter() < deadline:
            self.spin(lambda: not self.runner.busy)
            last = self.tasks[-1][0] if self.tasks else 0.0
            if time.perf_counter() - last >= QUIET_MS / 1000:
                self.pause(QUIET_MS)
                if not self.runner.busy and (not self.tasks or self.tasks[-1][0] == last):
                    return
            else:
                self.pause(QUIET_MS / 4)
        raise RuntimeError(f"{self.action}: never quiet")

    def tasks_since(self, started: float) -> list[str]:
        return [name for at, _kind, name in self.tasks if at >= started]


class Results:
    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.tasks: dict[str, list[int]] = defaultdict(list)
        self.names: dict[str, Counter[str]] = defaultdict(Counter)

    def add(self, action: str, latency_ms: float, tasks: list[str]) -> None:
        self.latency[action].append(latency_ms)
        self.tasks[action].append(len(tasks))
        self.names[action].update(tasks)


def key(widget: Any, k: Any, text: str = "") -> float:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    t0 = time.perf_counter()
    if text:
        QTest.keyClick(widget, text)
    else:
        QTest.keyClick(widget, k, Qt.KeyboardModifier.NoModifier)
    return t0


def run_search(desk: Desk, results: Results, names: list[str]) -> None:
    from PySide6.QtCore import Qt

    desk.action = "open area"  # an area is built the first time it is shown: once a session, not a keystroke
    screen = desk.window.open_area("members")
    desk.quiet()
    edit = screen.panel.search_edit
    for name in names:
        desk.action = "typing"
        edit.setFocus()
        edit.selectAll()
        key(edit, Qt.Key.Key_Backspace)
        desk.quiet()
        desk.action = "search"
        started = time.perf_counter()
        t0 = 0.0
        for i, ch in enumerate(name):
            if i:
                desk.pause(TYPING_MS)
            t0 = key(edit, None, ch)
        shown = desk.spin(lambda n=name: screen._shown_search == n)
        desk.quiet()
        results.add("search", (shown - t0) * 1000, desk.tasks_since(started))


def run_books(desk: Desk, results: Results, rounds: int) -> None:
    from PySide6.QtCore import Qt

    desk.action = "open area"  # an area is built the first time it is shown: once a session, not a keystroke
    screen = desk.window.open_area("books")
    desk.spin(lambda: screen.book_id is not None)
    desk.quiet()
    combo = screen.book_combo
    for i in range(rounds):
        desk.action = "book"
        combo.setFocus()
        down = i % 2 == 0
        wanted = combo.itemData(combo.currentIndex() + (1 if down else -1))
        started = key(combo, Qt.Key.Key_Down if down else Qt.Key.Key_Up)
        shown = desk.spin(lambda w=wanted: screen.book_id == w and not screen.panel._busy)
        desk.quiet()
        results.add("book", (shown - started) * 1000, desk.tasks_since(started))


def request_items(board: Any) -> list[Any]:
    from PySide6.QtCore import Qt

    items = []
    for i in range(board.topLevelItemCount()):
        book = board.topLevelItem(i)
        items += [book.child(j) for j in range(book.childCount())
                  if book.child(j).data(0, Qt.ItemDataRole.UserRole)[0] == "request"]
    return items


def run_referral(desk: Desk, results: Results, rounds: int) -> None:
    from PySide6.QtCore import Qt

    desk.action = "open area"  # an area is built the first time it is shown: once a session, not a keystroke
    screen = desk.window.open_area("referral")
    desk.spin(lambda: screen.books)
    desk.quiet()
    board = screen.board
    walks: list[float] = []
    screen.walk_shown.connect(lambda: walks.append(time.perf_counter()))
    outcomes = ("declined", "no_answer", "declined", "accepted")
    keys = {"declined": Qt.Key.Key_D, "no_answer": Qt.Key.Key_N, "accepted": Qt.Key.Key_A}
    answered = 0
    for i in range(rounds * 3):
        if answered >= rounds:
            break
        # walk: Down onto the next request (wrapping to the first), its walk shown
        requests = request_items(board)
        current = board.currentItem()
        position = requests.index(current) if current in requests else -1
        target = requests[(position + 1) % len(requests)]
        board.setFocus()
        desk.action = "walk"
        walks.clear()
        if position + 1 >= len(requests) or board.itemBelow(current) is not target:
            board.setCurrentItem(board.itemAbove(target) or target)  # to just above it: the Down lands on it
            desk.quiet()
            walks.clear()
        started = key(board, Qt.Key.Key_Down)
        desk.spin(lambda: bool(walks) and screen.view is not None and screen.view.request.id == screen.request_id)
        desk.quiet()
        if i < rounds:
            results.add("walk", (walks[0] - started) * 1000 if walks else 0.0, desk.tasks_since(started))
        if not screen._can_answer():
            continue
        # answer: D, N or A on the walk; the walk shown again after the answer
        outcome = outcomes[answered % len(outcomes)]
        desk.action = "answer"
        walks.clear()
        before = screen.last_result
        screen.walk_view.setFocus()
        started = key(screen.walk_view, keys[outcome])
        desk.spin(lambda b=before: screen.last_result is not b and bool(walks))
        desk.quiet()
        results.add("answer", (walks[0] - started) * 1000, desk.tasks_since(started))
        answered += 1


def run_posting(desk: Desk, results: Results, cards: list[str]) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    desk.action = "open area"  # an area is built the first time it is shown: once a session, not a keystroke
    screen = desk.window.open_area("dues")
    posting = screen.posting
    screen.tabs.setCurrentWidget(posting)
    desk.spin(lambda: posting.today is not None)
    desk.quiet()
    posted: list[float] = []
    posting.line_posted.connect(lambda _r: posted.append(time.perf_counter()))
    desk.action = "typing"
    posting.deposit_total.setFocus()
    QTest.keyClicks(posting.deposit_total, "100000.00")
    key(posting.deposit_total, Qt.Key.Key_Return)
    desk.spin(lambda: posting.batch is not None and posting.member_edit.hasFocus())
    desk.quiet()
    for card in cards:
        desk.action = "typing"
        posting.member_edit.setFocus()
        QTest.keyClicks(posting.member_edit, card)
        desk.quiet()
        key(posting.member_edit, Qt.Key.Key_Tab)
        QTest.keyClicks(posting.amount_edit, "25.00")
        desk.quiet()
        desk.action = "post"
        posted.clear()
        started = key(posting.amount_edit, Qt.Key.Key_Return)
        shown = desk.spin(lambda: bool(posted))
        desk.quiet()
        results.add("post", (shown - started) * 1000, desk.tasks_since(started))


def run_ledger(desk: Desk, results: Results, cards: list[str]) -> None:
    from PySide6.QtCore import Qt

    desk.action = "open area"  # an area is built the first time it is shown: once a session, not a keystroke
    screen = desk.window.open_area("dues")
    view = screen.member_dues
    screen.tabs.setCurrentWidget(view)
    desk.quiet()
    shown_at: list[float] = []
    view.record_shown.connect(lambda: shown_at.append(time.perf_counter()))
    for card in cards:
        desk.action = "typing"
        view.lookup.setFocus()
        view.lookup.selectAll()
        key(view.lookup, Qt.Key.Key_Backspace)
        desk.quiet()
        desk.action = "ledger"
        shown_at.clear()
        started = time.perf_counter()
        for ch in card:
            key(view.lookup, None, ch)
            desk.pause(TYPING_MS)
        enter = key(view.lookup, Qt.Key.Key_Return)  # a clerk's Enter after the card
        desk.spin(lambda: bool(shown_at))
        desk.quiet()
        results.add("ledger", max(0.0, shown_at[0] - enter) * 1000, desk.tasks_since(started))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--default-gc", action="store_true", help="leave Python's garbage collector as it comes")
    parser.add_argument("--tasks", action="store_true", help="also list the tasks each action set off")
    args = parser.parse_args()

    engine = bench_engine("uc_bench_desk")
    seed_demo(engine, jobs_per_member=4)
    with engine.connect() as conn:
        names = list(conn.execute(text(
            "SELECT last_name FROM members WHERE length(last_name) BETWEEN 5 AND 9 GROUP BY last_name "
            "ORDER BY count(*) DESC, last_name LIMIT :n"), {"n": args.rounds}).scalars())
        cards = list(conn.execute(text(
            "SELECT card_number FROM members WHERE status = 'active' AND card_number ~ '^[0-9]+$' "
            "ORDER BY id LIMIT :n"), {"n": 2 * args.rounds}).scalars())
    url = engine.url.set(username="demo_manager", password=None).render_as_string(hide_password=False)
    engine.dispose()

    from PySide6.QtWidgets import QApplication

    from unioncore_desktop.db.connection import connect
    from unioncore_desktop.db.profile import ConnectionProfile
    from unioncore_desktop.gui import build_forms

    build_forms.build()
    app = QApplication.instance() or QApplication([])
    hall = connect(ConnectionProfile.from_url(url))
    if not args.default_gc:
        from unioncore_desktop.gui import gc_tuning

        gc_tuning.tune()
    desk = Desk(hall, app)
    desk.quiet()
    if not args.default_gc:
        gc_tuning.after_start_up()
    results = Results()
    run_search(desk, results, names)
    run_books(desk, results, args.rounds)
    run_referral(desk, results, args.rounds)
    run_posting(desk, results, cards[:args.rounds])
    run_ledger(desk, results, cards[args.rounds:])
    desk.heartbeat.stop()
    desk.live.stop()
    desk.runner.shutdown(wait=True)
    hall.close()

    print(f"rounds={args.rounds} gc={'default' if args.default_gc else 'tuned'} load={os.getloadavg()[0]:.1f}  "
          "(keystroke -> visible: p50/p95 ms; tasks per keystroke: median/max; longest GUI stall ms, and the "
          "GUI thread's own CPU time in it)")
    for action in ("search", "book", "walk", "answer", "post", "ledger"):
        samples = results.latency.get(action)
        if not samples:
            print(f"{action:7s} no samples")
            continue
        p50, p95 = percentiles(samples)
        counts = sorted(results.tasks[action])
        print(f"{action:7s} p50={p50:6.1f} p95={p95:6.1f}  tasks={counts[len(counts) // 2]}/{counts[-1]}  "
              f"stall={desk.stalls[action]:6.1f} (GUI thread busy {desk.busy[action]:5.1f})  (n={len(samples)})")
        if args.tasks:
            runs = len(samples)
            print("        " + ", ".join(f"{name} {n / runs:.1f}" for name, n in results.names[action].most_common()))
    full = [ms for generation, ms in desk.gc_pauses if generation == 2]
    longest = max((ms for _generation, ms in desk.gc_pauses), default=0.0)
    stall = max(v for k, v in desk.stalls.items() if k not in NOT_KEYSTROKES)
    busy = max(v for k, v in desk.busy.items() if k not in NOT_KEYSTROKES)
    print(f"gc during the actions: {len(desk.gc_pauses)} collections, {len(full)} full; longest {longest:.1f} ms, "
          f"longest full "
          f"{max(full, default=0.0):.1f} ms; longest stall overall {stall:.1f} ms (GUI thread busy {busy:.1f} ms)")
    print(f"an area built on its first showing (once a session): longest stall {desk.stalls['open area']:.1f} ms "
          f"(GUI thread busy {desk.busy['open area']:.1f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
