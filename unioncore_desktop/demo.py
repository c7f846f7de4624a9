"""The demo hall on a private embedded server in the per-user data folder: started, migrated and seeded once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy import exc as sa_exc

from unioncore_desktop.db import embedded, revisions
from unioncore_desktop.db.profile import ConnectionProfile
from unioncore_desktop.paths import user_data_dir
from unioncore_desktop.seed.demo import demo_staff_current, ensure_demo_staff, is_seeded, mark_environment, seed_demo

log = logging.getLogger(__name__)
DATABASE = "unioncore"


@dataclass(frozen=True)
class DemoHall:
    server: embedded.EmbeddedServer
    database: str = DATABASE

    def profile(self, user: str = "postgres") -> ConnectionProfile:
        return ConnectionProfile(name="demo", host=str(self.server.socket_dir), port=self.server.port,
                                 database=self.database, user=user)

    def admin_url(self) -> str:
        return self.server.sqlalchemy_url(self.database)


def data_dir() -> Path:
    return user_data_dir() / "demo-pgdata"


def start(*, keep_running: bool = False, seed: bool = True,
          before_preparing: Callable[[], object] | None = None) -> DemoHall:
    """Start the demo server, create and migrate its database, and seed it on first run. A demo hall that is
    ready (at this build's head, seeded, its staff as they should be) costs one connection and four reads, and
    writes nothing: the app's every --demo start goes through here. `before_preparing` is called before a hall
    that is not ready is migrated or seeded, which imports Alembic and the generators (the app waits there until
    its GUI thread has imported the window's modules)."""
    server = embedded.start(data_dir(), keep_running=keep_running)
    hall = DemoHall(server)
    engine = create_engine(hall.admin_url())
    try:
        try:
            conn = engine.connect()
        except sa_exc.OperationalError:
            _create_database(server)  # the first start (a server that cannot be reached fails here again)
            conn = engine.connect()
        with conn:
            migrated = conn.execute(text("SELECT to_regclass('public.alembic_version') IS NOT NULL")).scalar()
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar() if migrated else None
            if seed and current == revisions.head() and is_seeded(conn) and demo_staff_current(conn):
                return hall
        if before_preparing is not None:
            before_preparing()
        _prepare(engine, current, seed)
    finally:
        engine.dispose()
    return hall


def _create_database(server: embedded.EmbeddedServer) -> None:
    admin = create_engine(server.sqlalchemy_url("postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": DATABASE}).scalar():
                conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    finally:
        admin.dispose()


def _prepare(engine: Engine, current: str | None, seed: bool) -> None:
    """Migrate (Alembic, a third of a second to import, only when there is work for it), mark a new database as
    the demo's, seed it once, and give an older build's demo staff today's groups."""
    if current != revisions.head():
        from unioncore_desktop.db import migrate

        migrate.upgrade(engine)
    if current is None:
        with engine.begin() as conn:
            mark_environment(conn, "demo")
    if seed and seed_demo(engine):
        log.info("demo hall seeded")
    elif seed:
        with engine.begin() as conn:
            ensure_demo_staff(conn)


def stop() -> bool:
    return embedded.stop(data_dir())
