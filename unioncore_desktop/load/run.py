"""A run: N workstations in the hall's mix, spread over a few processes of many threads each (the client side shares
the machine with the server, and one interpreter per workstation would cost more CPU than the desks do), logged in
before the clock starts, working for T seconds; then the database is asked what it kept.

The mix follows a hall's counter: of every 20 desks 12 dispatch, 5 post dues and 3 are managers' (at least one
of each once there are three)."""

from __future__ import annotations

import itertools
import math
import multiprocessing as mp
import os
import statistics
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Engine, text

from unioncore_desktop.load.stage import Integrity, Stage, integrity, retire_logins, stage
from unioncore_desktop.load.workstation import INTERACTIVE, OPERATIONS, Tally, Workstation

MIX = ("dispatcher",) * 12 + ("dues_clerk",) * 5 + ("manager",) * 3
TARGET_P95_MS = 100.0
GROWTH = 1.10  # a point whose throughput is not 10 % above the previous one's: the server no longer keeps up
LOGIN_WAIT = 120.0  # seconds every desk has to log in before the clock starts


def roles(workstations: int) -> list[str]:
    """The group of each desk, spread so that any prefix keeps the hall's proportions."""
    order = [MIX[(i * 7) % len(MIX)] for i in range(len(MIX))]  # interleaved: 7 is prime to 20
    chosen = [order[i % len(order)] for i in range(workstations)]
    if workstations >= 3:
        for role in ("dues_clerk", "manager"):
            if role not in chosen:  # in place of the last dispatcher
                chosen[len(chosen) - 1 - chosen[::-1].index("dispatcher")] = role
    return chosen


@dataclass
class OpStats:
    count: int
    p50: float
    p95: float
    p99: float
    errors: int
    refused: int
    mean: float = 0.0
    in_database: float = 0.0  # of the mean, ms inside the driver's execute (server, round trips, rows' transfer)
    statements: float = 0.0  # per operation


@dataclass
class Sessions:
    """The database's sessions as pg_stat_activity showed them twice a second while the clock ran (another login's
    state is visible only to a superuser or pg_read_all_stats: otherwise the counts stay 0)."""

    peak_connections: int = 0
    peak_idle_in_transaction: int = 0  # a transaction open while its desk does something else (or waits for a CPU)
    mean_idle_in_transaction: float = 0.0
    peak_waiting_on_locks: int = 0
    peak_waiting_on_advisory: int = 0  # of those, on an advisory lock (priority numbers, a member's dues, a key)
    idle_after: dict[str, int] = field(default_factory=dict)  # a transaction's last statement -> times seen idle
    waiting_in: dict[str, int] = field(default_factory=dict)  # a statement -> times seen waiting on a lock


class _Watch(threading.Thread):
    SQL = text("""
        SELECT count(*), count(*) FILTER (WHERE state = 'idle in transaction'),
               count(*) FILTER (WHERE wait_event_type = 'Lock'),
               count(*) FILTER (WHERE wait_event_type = 'Lock' AND wait_event = 'advisory')
        FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()""")

    def __init__(self, engine: Engine) -> None:
        super().__init__(daemon=True)
        self.engine, self.stop = engine, threading.Event()
        self.samples: list[tuple[int, int, int, int]] = []
        self.idle_after: Counter[str] = Counter()
        self.waiting_in: Counter[str] = Counter()

    STATEMENTS = text("""
        SELECT state = 'idle in transaction', regexp_replace(left(query, 70), '\\s+', ' ', 'g')
        FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()
          AND (state = 'idle in transaction' OR wait_event_type = 'Lock')""")

    def run(self) -> None:
        with self.engine.connect() as conn:
            while not self.stop.wait(0.5):
                total, idle, locked, advisory = conn.execute(self.SQL).one()
                self.samples.append((total, idle, locked, advisory))
                for idle_now, statement in conn.execute(self.STATEMENTS):
                    (self.idle_after if idle_now else self.waiting_in)[statement] += 1
                conn.rollback()

    def result(self) -> Sessions:
        self.stop.set()
        self.join(timeout=5)
        if not self.samples:
            return Sessions()
        return Sessions(max(s[0] for s in self.samples), max(s[1] for s in self.samples),
                        round(statistics.mean(s[1] for s in self.samples), 1), max(s[2] for s in self.samples),
                        max(s[3] for s in self.samples), dict(self.idle_after.most_common(5)),
                        dict(self.waiting_in.most_common(5)))


@dataclass
class LoadReport:
    workstations: int
    seconds: float
    pause_ms: float
    processes: int
    operations: dict[str, OpStats]
    throughput: float  # completed interactive operations and reports per second
    logins: int
    failed_logins: int
    live_failed: int  # desks whose live-update listener never connected
    client_cores: float  # the cores the simulated desks themselves kept busy (they share the machine)
    sessions: Sessions
    integrity: Integrity
    errors: int
    messages: dict[str, int] = field(default_factory=dict)
    # this machine's one-minute load average when the clock started and stopped (None where the system has none):
    # the desks, and a private server, share the machine, so their figures mean little without it
    load_average: tuple[float, float] | None = None

    @property
    def worst_interactive_p95(self) -> float:
        return max((s.p95 for op, s in self.operations.items() if op in INTERACTIVE and s.count), default=0.0)

    @property
    def sound(self) -> bool:
        """Nothing lost, doubled or overfilled."""
        i = self.integrity
        return not (i.double_dispatches or i.overfilled_requests or i.payments_lost or i.payments_doubled
                    or i.dispatches_lost)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["worst_interactive_p95"] = self.worst_interactive_p95
        return data


def _percentile(ordered: list[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)] if ordered else 0.0


def _stats(tally: Tally, op: str) -> OpStats:
    ordered = sorted(tally.samples[op])
    done = len(ordered) + tally.errors[op]  # a failed operation's statements count too
    return OpStats(len(ordered), round(statistics.median(ordered), 1) if ordered else 0.0,
                   round(_percentile(ordered, 0.95), 1), round(_percentile(ordered, 0.99), 1),
                   tally.errors[op], tally.refused[op],
                   mean=round(statistics.mean(ordered), 1) if ordered else 0.0,
                   in_database=round(tally.in_database[op] / done, 1) if done else 0.0,
                   statements=round(tally.statements[op] / done, 1) if done else 0.0)


def _desks(stage_: Stage, share: list[tuple[int, str]], pause_ms: float, ready: Any, go: Any, stop_at: Any,
           out: Any) -> None:
    """A worker process: its desks as threads, each logging in, then working until the parent's stop time."""
    desks = [Workstation(stage_, role, n, pause_ms) for n, role in share]
    logins = [threading.Thread(target=desk.log_in) for desk in desks]
    for thread in logins:
        thread.start()
    for thread in logins:
        thread.join()
    ready.put(len(desks))
    go.wait()
    cpu = time.process_time()
    workers = [threading.Thread(target=desk.work, args=(stop_at.value,)) for desk in desks if desk.hall is not None]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    tally = Tally(client_cpu=time.process_time() - cpu)
    for desk in desks:
        desk.log_out()
        tally.merge(desk.tally)
    out.put(tally)


def run(engine: Engine, *, workstations: int, seconds: float, pause_ms: float, processes: int | None = None,
        force: bool = False) -> LoadReport:
    """One run against the database of `engine` (the schema owner's, which stages the run and counts after)."""
    stage_ = stage(engine, workstations=workstations, seconds=seconds, force=force,
                   books=max(4, math.ceil(workstations / 4)))
    try:
        return _drive(engine, stage_, workstations, seconds, pause_ms, processes)
    finally:
        retire_logins(engine, stage_)


def _drive(engine: Engine, stage_: Stage, workstations: int, seconds: float, pause_ms: float,
           processes: int | None) -> LoadReport:
    count = max(1, min(workstations, processes or os.cpu_count() or 2))
    ctx = mp.get_context("spawn")
    ready, out, go, stop_at = ctx.Queue(), ctx.Queue(), ctx.Event(), ctx.Value("d", 0.0)
    groups = roles(workstations)
    shares = [[(n, groups[n]) for n in range(i, workstations, count)] for i in range(count)]
    procs = [ctx.Process(target=_desks, args=(stage_, share, pause_ms, ready, go, stop_at, out), daemon=True)
             for share in shares]
    for proc in procs:
        proc.start()
    deadline = time.time() + LOGIN_WAIT
    for _ in procs:
        ready.get(timeout=max(1.0, deadline - time.time()))
    watch = _Watch(engine)
    watch.start()
    load_before = _load_average()
    stop_at.value = time.time() + seconds
    go.set()
    tally = Tally()
    for _ in procs:
        tally.merge(out.get(timeout=seconds + LOGIN_WAIT))
    load_after = _load_average()
    sessions = watch.result()
    for proc in procs:
        proc.join(timeout=30)
    found = integrity(engine, stage_, tally.payment_keys, tally.answer_keys)
    operations = {op: _stats(tally, op) for op in OPERATIONS}
    done = sum(s.count for op, s in operations.items() if op != "login")
    return LoadReport(workstations=workstations, seconds=seconds, pause_ms=pause_ms, processes=count,
                      operations=operations, throughput=round(done / seconds, 1),
                      logins=operations["login"].count, failed_logins=tally.failed_logins,
                      live_failed=tally.live_failed, client_cores=round(tally.client_cpu / seconds, 2),
                      sessions=sessions, integrity=found,
                      errors=sum(s.errors for op, s in operations.items() if op != "login"),
                      messages=dict(sorted(tally.messages.items(), key=lambda kv: -kv[1])[:10]),
                      load_average=(load_before, load_after) if load_before is not None and load_after is not None
                      else None)


def _load_average() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):  # Windows has none
        return None


def saturation(reports: list[LoadReport]) -> tuple[int | None, str]:
    """The first point of a curve where the server no longer keeps up, and why: desks could not log in, an
    interactive p95 passed 100 ms, or throughput grew less than 10 % over the previous point."""
    firsts = [(n, why) for n, why in (over_target(reports), throughput_ceiling(reports)) if n is not None]
    for report in reports:
        if report.failed_logins or report.live_failed:
            return report.workstations, (f"{report.failed_logins} of {report.workstations} workstations could not "
                                         f"log in and {report.live_failed} got no live updates")
        for n, why in firsts:
            if n == report.workstations:
                return n, why
    return None, "not saturated at the largest point measured"


def over_target(reports: list[LoadReport]) -> tuple[int | None, str]:
    """The first point where an interactive operation's p95 passed 100 ms."""
    for report in reports:
        worst = report.worst_interactive_p95
        if worst > TARGET_P95_MS:
            return report.workstations, f"an interactive p95 reached {worst:.0f} ms (target {TARGET_P95_MS:.0f} ms)"
    return None, f"every interactive p95 within {TARGET_P95_MS:.0f} ms"


def throughput_ceiling(reports: list[LoadReport]) -> tuple[int | None, str]:
    """The first point whose throughput is less than 10 % above the previous point's."""
    for previous, report in itertools.pairwise(reports):
        if report.throughput < previous.throughput * GROWTH:
            return report.workstations, (f"throughput stopped growing ({previous.throughput:g}/s at "
                                         f"{previous.workstations}, {report.throughput:g}/s at {report.workstations})")
    return None, "throughput grew at every point"
