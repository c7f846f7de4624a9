"""Shared bench set-up: a throwaway embedded server (or $UNIONCORE_BENCH_DATABASE_URL), migrated to head."""

from __future__ import annotations

import os
import statistics
import tempfile
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from unioncore_desktop.db import embedded, migrate


def bench_engine(database: str = "uc_bench") -> Engine:
    url = os.environ.get("UNIONCORE_BENCH_DATABASE_URL")
    if url:
        admin_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    else:
        server = embedded.start(Path(tempfile.mkdtemp(prefix="uc-bench-")) / "data")
        admin_url = server.sqlalchemy_url()
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    admin.dispose()
    engine = create_engine(admin.url.set(database=database))
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE app_settings SET value = 'bench', version = version + 1 WHERE key = 'environment'"))
    return engine


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95
