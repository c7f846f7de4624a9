"""Shared bench set-up: a throwaway embedded server (or $UNIONCORE_BENCH_DATABASE_URL), migrated to head."""

from __future__ import annotations

import os
import statistics
import tempfile
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from unioncore_desktop.db import embedded, migrate

KEPT_DATA = Path(tempfile.gettempdir()) / "unioncore-bench" / "data"


def bench_engine(database: str = "uc_bench", *, keep: bool = False, fresh: bool = False) -> Engine:
    """A fresh database migrated to head; with `keep`, the database is reused (unless `fresh`) when it exists, on an
    embedded server whose data outlives the run (KEPT_DATA), so data that takes minutes to seed is made once."""
    url = os.environ.get("UNIONCORE_BENCH_DATABASE_URL")
    if url:
        admin_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    else:
        data = KEPT_DATA if keep else Path(tempfile.mkdtemp(prefix="uc-bench-")) / "data"
        admin_url = embedded.start(data).sqlalchemy_url()
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": database}).first()
        if fresh or not (keep and exists):
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    engine = create_engine(admin.url.set(database=database))
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE app_settings SET value = 'bench', version = version + 1 WHERE key = 'environment'"
                          " AND value <> 'bench'"))
    return engine


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95
