"""A private server for a load run: the embedded PostgreSQL in a fresh folder, its connection limit set for the
run (ALTER SYSTEM and a restart), a database migrated, marked demo and seeded with the demo hall.

A workstation holds its pool (one connection per action running at once, the app allows up to 6) and its
live-update listener; a simulated desk runs one action at a time, so it needs two. PostgreSQL's default of 100
leaves no room for 100 desks, so the limit is always given, never assumed."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from unioncore_desktop.db import embedded, migrate
from unioncore_desktop.seed.demo import mark_environment, seed_demo, seed_quick

DATABASE = "uc_load"
CONNECTIONS_PER_DESK = 2  # the pool's one busy connection and the listener
SPARE_CONNECTIONS = 20  # the run's own: staging, counting, superuser reserve


def connections_for(workstations: int) -> int:
    return workstations * CONNECTIONS_PER_DESK + SPARE_CONNECTIONS


@dataclass(frozen=True)
class PrivateServer:
    server: embedded.EmbeddedServer
    max_connections: int

    def engine(self) -> Engine:
        return create_engine(self.server.sqlalchemy_url(DATABASE))

    def stop(self) -> None:
        embedded.stop(self.server.data_dir)


def start(*, max_connections: int, members: int | None = None) -> PrivateServer:
    """Started, sized, migrated and seeded: the quick demo hall when `members` is None, else the demo hall of
    that many members."""
    data_dir = Path(tempfile.mkdtemp(prefix="uc-load-")) / "data"
    server = embedded.start(data_dir)
    admin = create_engine(server.sqlalchemy_url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"ALTER SYSTEM SET max_connections = {int(max_connections)}"))
    admin.dispose()
    embedded.stop(data_dir)
    server = embedded.start(data_dir)
    admin = create_engine(server.sqlalchemy_url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        actual = int(conn.execute(text("SHOW max_connections")).scalar_one())
        conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    private = PrivateServer(server, actual)
    engine = private.engine()
    try:
        migrate.upgrade(engine)
        with engine.begin() as conn:
            mark_environment(conn, "demo")
        if members is None:
            seed_quick(engine)
        else:
            seed_demo(engine, members=members)
    finally:
        engine.dispose()
    return private
