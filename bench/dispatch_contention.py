"""Dispatch under contention: N workstation processes dispatch from one book at once for a fixed time, against
a freshly seeded database with many open requests on that book. Every dispatch is the real command (lock the
request, walk the list from the top under row locks, write the skip lines, the dispatch, the employment row).
Afterwards the database is asked for double dispatches and over-filled requests. The baseline is the same
command from a single process in the same run. Targets: both counts 0, p95 < 50 ms.

    python bench/dispatch_contention.py [--workstations 8] [--seconds 10] [--registrants 8000] [--profile]

--profile adds, per contended dispatch, where the time went on the workstation's side: before the statement that
locks the book's list, that statement (the wait for the lock, and with the server-side walk all the locked work),
after it (the commit included), statements sent and the workstation's CPU.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import bench_engine, percentiles
from sqlalchemy import create_engine, event, text
from sqlalchemy.orm import sessionmaker

from unioncore_desktop.domain.errors import DomainError
from unioncore_desktop.domain.services import dispatch as dispatch_module
from unioncore_desktop.domain.services import walk as walk_module
from unioncore_desktop.domain.services.dispatch import dispatch_next_accepting
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.seed.referral_world import build_world

EXEMPT_AT_TOP = 12  # every walk passes these first and writes their skip lines, as real lists do


class Phases:
    """Splits each dispatch at the statement that locks the book's list (the first `FOR UPDATE OF g`, or the
    server-side walk, which waits for the lock and then does all the locked work in that one statement).

    Statements go through the engine (its cursor events) or straight to the driver (`domain.driver_sql`,
    wrapped here where the services call it)."""

    def __init__(self, engine) -> None:
        self.rows: list[tuple[float, float, float, int, float]] = []
        self.lock_start: float | None = None
        self.lock_end: float | None = None
        self.statements = 0
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        walk_module.fetch_dicts = self._timed(walk_module.fetch_dicts)
        dispatch_module.execute_and_commit = self._timed(dispatch_module.execute_and_commit)

    def _timed(self, run):
        def timed(session, statement, params):
            self._before(None, None, statement)
            try:
                return run(session, statement, params)
            finally:
                self._after()
        return timed

    def _before(self, conn, cursor, statement, *args) -> None:
        self.statements += 1
        if self.lock_start is None and ("FOR UPDATE OF g" in statement or "uc_dispatch_walked" in statement):
            self.lock_start = time.perf_counter()

    def _after(self, *args) -> None:
        if self.lock_start is not None and self.lock_end is None:
            self.lock_end = time.perf_counter()

    def start(self) -> None:
        self.lock_start = self.lock_end = None
        self.statements = 0
        self.cpu0 = time.process_time()

    def record(self, t0: float, t1: float) -> None:
        """(before the locking statement, it, after it) in ms, statements, workstation CPU ms."""
        if self.lock_start is None or self.lock_end is None:
            return
        self.rows.append(((self.lock_start - t0) * 1000, (self.lock_end - self.lock_start) * 1000,
                          (t1 - self.lock_end) * 1000, self.statements, (time.process_time() - self.cpu0) * 1000))


def workstation(url: str, request_ids: list[int], ready, go, stop_at, seed: int, out, profile: bool = False) -> None:
    """One dispatcher: pick an open request, send the next eligible registrant, repeat until time is up."""
    engine = create_engine(url, pool_size=1, max_overflow=0)
    phases = Phases(engine) if profile else None
    factory = sessionmaker(engine, expire_on_commit=False)
    rng = random.Random(seed)
    open_ids = list(request_ids)
    latencies, refused, first_error = [], 0, None
    with engine.connect() as conn:  # connect before the clock starts
        conn.execute(text("SELECT 1"))
    ready.put(seed)
    go.wait()
    while open_ids and time.time() < stop_at.value:
        request_id = rng.choice(open_ids)
        if phases is not None:
            phases.start()
        t0 = time.perf_counter()
        try:
            dispatch_next_accepting(UnitOfWork(factory), request_id=request_id, idempotency_key=uuid.uuid4())
            latencies.append((time.perf_counter() - t0) * 1000)
            if phases is not None:
                phases.record(t0, time.perf_counter())
        except DomainError as exc:
            refused += 1
            first_error = first_error or exc.message
            if "is filled" in exc.message:
                open_ids.remove(request_id)
    engine.dispose()
    out.put((latencies, refused, first_error, phases.rows if phases is not None else []))


def counts(engine) -> tuple[int, int, int]:
    """(dispatches, members with overlapping active dispatches, requests with more dispatches than asked)."""
    with engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM dispatches")).scalar_one()
        doubles = conn.execute(text("""
            SELECT count(*) FROM (SELECT member_id FROM dispatches
                                  WHERE status IN ('dispatched', 'checked_in', 'working')
                                  GROUP BY member_id HAVING count(*) > 1) x""")).scalar_one()
        overfilled = conn.execute(text("""
            SELECT count(*) FROM labor_requests r
            WHERE (SELECT count(*) FROM dispatches d WHERE d.request_id = r.id) > r.workers_requested""")
        ).scalar_one()
    return total, doubles, overfilled


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workstations", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--registrants", type=int, default=8000)
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--workers-per-request", type=int, default=4)
    parser.add_argument("--baseline", type=int, default=300, help="single-process dispatches for the baseline")
    parser.add_argument("--profile", action="store_true", help="where the contended dispatches spent their time")
    args = parser.parse_args()

    engine = bench_engine("uc_bench_dispatch")
    started = time.perf_counter()
    with engine.begin() as conn:
        today = conn.execute(text("SELECT uc_hall_today()")).scalar_one()
        world = build_world(conn, code="BENCH_WIRE", registrants=args.registrants,
                            requests=args.requests + args.baseline, workers=args.workers_per_request,
                            referral_date=today)
        conn.execute(text("""
            UPDATE registrations SET exemption_reason = 'medical', exemption_start = :d, version = version + 1
            WHERE id = ANY(:ids)"""), {"d": today, "ids": world.registration_ids[:EXEMPT_AT_TOP]})
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
    print(f"seeded {args.registrants} registrants, {args.requests + args.baseline} requests "
          f"x {args.workers_per_request} workers in {time.perf_counter() - started:.1f} s")

    # baseline: the same command from one process, nobody else on the book (its own requests)
    baseline_ids, contended_ids = world.request_ids[:args.baseline], world.request_ids[args.baseline:]
    factory = sessionmaker(engine, expire_on_commit=False)
    base_ms = []
    for i in range(args.baseline):
        t0 = time.perf_counter()
        dispatch_next_accepting(UnitOfWork(factory), request_id=baseline_ids[i], idempotency_key=uuid.uuid4())
        base_ms.append((time.perf_counter() - t0) * 1000)
    base_ms = base_ms[20:]  # warm-up

    url = engine.url.render_as_string(hide_password=False)
    before, _, _ = counts(engine)
    ctx = mp.get_context("spawn")
    out, ready, go, stop_at = ctx.Queue(), ctx.Queue(), ctx.Event(), ctx.Value("d", 0.0)
    procs = [ctx.Process(target=workstation, args=(url, contended_ids, ready, go, stop_at, i, out,
                                                          args.profile))
             for i in range(args.workstations)]
    for p in procs:
        p.start()
    for _ in procs:  # every interpreter imported and connected: start the clock
        ready.get()
    stop_at.value = time.time() + args.seconds
    go.set()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    latencies = [ms for lat, *_ in results for ms in lat]
    refused = sum(r for _, r, *_ in results)
    errors = {e for _, _, e, _ in results if e}
    phases = [row for *_, rows in results for row in rows]
    if not latencies:
        print(f"no dispatch succeeded: {errors}")
        return 2
    total, doubles, overfilled = counts(engine)
    engine.dispose()

    p50, p95 = percentiles(latencies)
    b50, b95 = percentiles(base_ms)
    print(f"workstations={args.workstations} seconds={args.seconds:g} book_registrants={args.registrants}")
    print(f"dispatches={total - before} dispatches/s={(total - before) / args.seconds:.1f} refused={refused}")
    print(f"contended dispatch: p50={p50:.2f} ms p95={p95:.2f} ms")
    print(f"single process:     p50={b50:.2f} ms p95={b95:.2f} ms")
    print(f"ratio p50={p50 / b50:.2f} p95={p95 / b95:.2f}")
    print(f"double_dispatches={doubles} overfilled_requests={overfilled}  (target: both 0, p95 < 50 ms)")
    if refused:
        print(f"refused because: {'; '.join(sorted(errors))}")
    if phases:
        names = ("before the lock", "locking statement", "after it", "statements", "workstation CPU")
        for i, name in enumerate(names):
            m50, m95 = percentiles([row[i] for row in phases])
            print(f"profile {name + ':':17s} p50={m50:.2f} p95={m95:.2f}{'' if i == 3 else ' ms'}")
    return 0 if doubles == 0 and overfilled == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
