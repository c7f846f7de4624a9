"""Importing the sample hall's exports (resources/sample_exports: 4,000 members, 150,000 employment rows): rows per
second for members plus employment history through run_import (read, map, check, COPY into staging, the set-based
server function, which for employment writes each part while the next is read), target at least 50,000 rows/s on a
two-core machine. Beside it, in the same run, raw COPYs of the same rows straight into members and
employment_history, rolled back (and vacuumed away before the import runs):

- the baseline: every members trigger, and on employment_history the foreign keys checked row by row with the
  audit trigger off, as the import had it (the import now checks those keys itself, for all rows at once, where
  the owner may skip their triggers, as here);
- with the per-row employment audit on as well, which prices the one audit row per part;
- with every trigger off (no foreign-key checks, no audit at all): what the writes alone cost.

    python bench/import_rows.py [--exports DIR]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg
from _common import bench_engine
from sqlalchemy import Engine, text
from sqlalchemy.orm import sessionmaker

from unioncore_desktop.domain.driver_sql import copy_text
from unioncore_desktop.domain.rules import imports as rules
from unioncore_desktop.domain.services import imports as svc
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.seed.books import insert_books

EXPORTS = Path(__file__).resolve().parent.parent / "resources" / "sample_exports"
SOURCE = "LaborPower"


def _raw_copy(engine: Engine, members: rules.ReadRows, jobs: list[tuple[object, ...]], *, triggers: str) -> float:
    """COPY the checked rows straight into the targets (members first, their ids, then the jobs), rolled back.
    `triggers`: "import" (as the import has them: the employment audit off), "all", or "none"."""
    dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    member_columns = svc.STAGE_COLUMNS["members"]
    with psycopg.connect(dsn) as conn:
        if triggers == "none":
            conn.execute("SET session_replication_role = replica")
        t0 = time.perf_counter()
        with conn.cursor() as cursor, cursor.copy(
                f"COPY members ({', '.join(member_columns)}) FROM STDIN") as copy:
            for values in members.rows:
                row = [values.get(c) for c in member_columns]
                row[member_columns.index("status")] = row[member_columns.index("status")] or "active"
                row[member_columns.index("card_type")] = row[member_columns.index("card_type")] or "A"
                copy.write_row(row)
        ids = dict(conn.execute("SELECT card_number, id FROM members").fetchall())
        if triggers == "import":
            conn.execute("ALTER TABLE employment_history DISABLE TRIGGER employment_history_audit")
        with conn.cursor() as cursor, cursor.copy(
                "COPY employment_history (member_id, employer_id, job_class, started_on, ended_on, termination_reason,"
                " days_worked, hours_worked, source) FROM STDIN") as copy:
            for card, *rest in jobs:
                copy.write_row((ids[card], *rest, "import"))
        seconds = time.perf_counter() - t0
        conn.rollback()
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--exports", type=Path, default=EXPORTS)
    args = parser.parse_args()
    files = {"members": args.exports / "members.csv", "employers": args.exports / "employers.csv.gz",
             "employment": args.exports / "employment.csv.gz"}

    engine = bench_engine("uc_bench_import")
    with engine.begin() as conn:
        insert_books(conn)
    uow = UnitOfWork(sessionmaker(engine, expire_on_commit=False))
    employers = svc.run_import(uow, entity="employers", path=files["employers"], source=SOURCE)

    # the import's Python part, timed alone: reading the files and checking their rows as run_import does
    t0 = time.perf_counter()
    member_table = rules.read_source(files["members"])
    member_rows = rules.read_rows("members", member_table, rules.suggest_mapping("members", member_table.headers))
    job_table = rules.read_source(files["employment"])
    job_mapping = rules.suggest_mapping("employment", job_table.headers)
    checked = sum(len(numbers) for numbers, *_ in rules.read_employment(job_table, job_mapping, copy_text, []))
    reading = time.perf_counter() - t0
    # the rows the raw COPY writes: the same ones
    job_rows = rules.read_rows("employment", job_table, job_mapping)
    assert checked == len(job_rows.rows)
    with engine.connect() as conn:
        by_key = {rules.name_key(name): i for i, name in conn.execute(text("SELECT id, name FROM employers"))}
    jobs = [(v["card_number"], by_key[rules.name_key(str(v["employer"]))], v.get("job_class"), v["started_on"],
             v.get("ended_on"), v.get("termination_reason"), v.get("days_worked"), v.get("hours_worked"))
            for v in job_rows.rows]
    raw = _raw_copy(engine, member_rows, jobs, triggers="import")
    audited = _raw_copy(engine, member_rows, jobs, triggers="all")
    bare = _raw_copy(engine, member_rows, jobs, triggers="none")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:  # the import's tables as clean
        conn.execute(text("VACUUM (ANALYZE) members, employment_history, audit_log, name_terms"))  # as the COPY's

    t0 = time.perf_counter()
    members = svc.run_import(uow, entity="members", path=files["members"], source=SOURCE)
    employment = svc.run_import(uow, entity="employment", path=files["employment"], source=SOURCE)
    imported = time.perf_counter() - t0
    rows = members.rows_read + employment.rows_read
    assert members.created + employment.created == rows, (members.summary_lines(), employment.summary_lines())

    t0 = time.perf_counter()
    again = [svc.run_import(uow, entity=e, path=files[e], source=SOURCE) for e in ("members", "employment")]
    repeat = time.perf_counter() - t0
    assert all(not r.changes_anything for r in again)

    print(f"employers: {employers.created} created from {employers.rows_read:,} rows in {employers.seconds:.2f} s")
    print(f"members + employment: {rows:,} rows ({members.rows_read:,} + {employment.rows_read:,})")
    print(f"  run_import: {imported:.2f} s = {rows / imported:,.0f} rows/s (target >= 50,000)   "
          f"members {members.seconds:.2f} s, employment {employment.seconds:.2f} s")
    print(f"  of which reading the files and checking the rows in Python (overlapping the server's writes): "
          f"{reading:.2f} s")
    print(f"  raw COPY of the same rows, keys checked per row, employment audit off: {raw:.2f} s = "
          f"{rows / raw:,.0f} rows/s   ratio {imported / raw:.2f} (import time / raw COPY time)")
    print(f"  raw COPY with the per-row employment audit: {audited:.2f} s = {rows / audited:,.0f} rows/s   "
          f"ratio {imported / audited:.2f}")
    print(f"  raw COPY with no triggers (no key checks, no audit): {bare:.2f} s = {rows / bare:,.0f} rows/s   "
          f"ratio {imported / bare:.2f}")
    print(f"  the same files again (all unchanged): {repeat:.2f} s = {rows / repeat:,.0f} rows/s")
    engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
