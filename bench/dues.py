"""Dues month-end and posting over 10,000 active members with a year of history: one month's charges through
generate_charges (target < 2 s) and 1,000 payments through post_payment, one transaction each (target < 5 s),
each beside the same work done as raw SQL through psycopg in the same run.

    python bench/dues.py [--members 10000] [--payments 1000] [--history 12] [--profile]

--profile then posts a few hundred more payments (not timed above) and splits post_payment's time per post into
its one statement with its COMMIT, and the rest (session, pool, Python).
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg
from _common import bench_engine
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from unioncore_desktop.domain.queries.dues import arrears_list
from unioncore_desktop.domain.rules.dues import add_months, month_start
from unioncore_desktop.domain.services import dues as svc
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.seed.demo import seed_stress
from unioncore_desktop.seed.dues import seed_dues
from unioncore_desktop.seed.generate import bulk_mode


def _raw(sql: str) -> str:
    """SQLAlchemy :name parameters as psycopg %(name)s."""
    import re
    return re.sub(r"(?<!:):(\w+)", r"%(\1)s", sql.replace("%", "%%"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--payments", type=int, default=1_000)
    parser.add_argument("--history", type=int, default=12, help="months of dues history seeded first")
    parser.add_argument("--profile", action="store_true", help="then split post_payment's time per post")
    args = parser.parse_args()

    engine = bench_engine("uc_bench_dues")
    started = time.perf_counter()
    seed_stress(engine, members=args.members)
    with engine.begin() as conn:
        bulk_mode(conn)
        conn.execute(text("UPDATE members SET status = 'active'"))
        today = conn.execute(text("SELECT uc_hall_today()")).scalar_one()
        seed_dues(conn, today=today, months=args.history, open_months=args.history)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
        counts = conn.execute(text("SELECT (SELECT count(*) FROM dues_charges), (SELECT count(*) FROM payments),"
                                   " (SELECT count(*) FROM payment_allocations)")).one()
    print(f"seeded {args.members} members, {counts[0]} charges, {counts[1]} payments, {counts[2]} allocations "
          f"in {time.perf_counter() - started:.1f} s")
    dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    uow = UnitOfWork(sessionmaker(engine, expire_on_commit=False))
    month = add_months(month_start(today), 1)

    # --- one month's charges ---
    with psycopg.connect(dsn) as conn:  # the bare INSERT ... SELECT, rolled back so the service bills the same
        conn.execute("INSERT INTO dues_periods (month, due_on, grace_until) VALUES (%(m)s, %(m)s, %(m)s + 14)",
                     {"m": month})
        t0 = time.perf_counter()
        raw_created = conn.execute(_raw(svc.CHARGE_SQL), {"m": month}).rowcount
        raw_charges = time.perf_counter() - t0
        conn.rollback()
    t0 = time.perf_counter()
    run = svc.generate_charges(uow, month=month)
    domain_charges = time.perf_counter() - t0
    assert run.created == raw_created, (run.created, raw_created)

    # --- payments, one transaction each ---
    member_ids = [r[0] for r in engine.connect().execute(text("SELECT id FROM members ORDER BY id"))]
    half = len(member_ids) // 2
    batch = svc.open_batch(uow, deposit_on=today, deposit_total="0")
    t0 = time.perf_counter()
    for i in range(args.payments):
        svc.post_payment(uow, idempotency_key=uuid.uuid4(), member_id=member_ids[i % half], amount="75.00",
                         method="cash", batch_id=batch.id)
    domain_payments = time.perf_counter() - t0

    insert = _raw("""INSERT INTO payments (member_id, amount, method, batch_id, idempotency_key)
                     VALUES (:m, 75.00, 'cash', :b, :k) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id""")
    allocate = _raw(svc.APPLY_SQL.text)
    with psycopg.connect(dsn) as conn:
        t0 = time.perf_counter()
        for i in range(args.payments):
            member = member_ids[half + i % half]
            conn.execute(insert, {"m": member, "b": batch.id, "k": uuid.uuid4()})
            conn.execute(allocate, {"members": [member], "on": today})
            conn.commit()
        raw_payments = time.perf_counter() - t0

    with Session(engine) as session:
        t0 = time.perf_counter()
        behind = arrears_list(session)
        arrears_ms = (time.perf_counter() - t0) * 1000

    print(f"charges for {month:%B %Y}: created={run.created} exceptions={len(run.exceptions)} "
          f"credit applied={run.credit_applied} to {run.members_credited} members")
    print(f"  generate_charges: {domain_charges:.2f} s   raw INSERT ... SELECT: {raw_charges:.2f} s   "
          f"ratio {domain_charges / raw_charges:.1f}  (target < 2 s; the service also applies members' credit)")
    print(f"payments: {args.payments}")
    print(f"  post_payment: {domain_payments:.2f} s ({domain_payments * 1000 / args.payments:.2f} ms each)   "
          f"raw insert + allocate + commit: {raw_payments:.2f} s   ratio {domain_payments / raw_payments:.1f}"
          f"  (target < 5 s; the service also returns the receipt with the new standing)")
    print(f"arrears list: {len(behind)} members in {arrears_ms:.0f} ms")
    if args.profile:
        _profile(engine, uow, member_ids[:half], batch.id)
    engine.dispose()
    return 0


def _profile(engine: Engine, uow: UnitOfWork, member_ids: list[int], batch_id: int, posts: int = 300) -> None:
    """Where one post's time goes: the service against its one statement and COMMIT sent bare through psycopg
    in one pipeline, as the service sends them; the difference is the session, the pool and the receipt."""
    t0 = time.perf_counter()
    for i in range(posts):
        svc.post_payment(uow, idempotency_key=uuid.uuid4(), member_id=member_ids[-1 - i % len(member_ids)],
                         amount="75.00", method="cash", batch_id=batch_id)
    service = time.perf_counter() - t0
    dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    statement = _raw(svc.POST_SQL)
    with psycopg.connect(dsn) as conn:
        t0 = time.perf_counter()
        for i in range(posts):
            with conn.pipeline():
                cursor = conn.execute(statement, {
                    "k": uuid.uuid4(), "m": member_ids[i % len(member_ids)], "a": Decimal("75.00"), "method": "cash",
                    "ref": None, "b": batch_id, "d": None})
                conn.commit()
                cursor.fetchone()
        bare = time.perf_counter() - t0
    print(f"profile of {2 * posts} more posts: post_payment {service * 1000 / posts:.2f} ms each, "
          f"uc_post_payment + COMMIT bare {bare * 1000 / posts:.2f} ms; "
          f"the rest (session, pool, receipt) {(service - bare) * 1000 / posts:.2f} ms")


if __name__ == "__main__":
    raise SystemExit(main())
