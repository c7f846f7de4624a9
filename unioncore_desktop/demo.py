"""The demo hall on a private embedded server in the per-user data folder: started, migrated and seeded once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

from unioncore_desktop.db import embedded, revisions
from unioncore_desktop.db.profile import ConnectionProfile
from unioncore_desktop.paths import user_data_dir
from unioncore_desktop.seed.demo import ensure_demo_staff, mark_environment, seed_demo

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


def start(*, keep_running: bool = False, seed: bool = True) -> DemoHall:
    """Start the demo server, create and migrate its database, and seed it on first run."""
    server = embedded.start(data_dir(), keep_running=keep_running)
    admin = create_engine(server.sqlalchemy_url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": DATABASE}).scalar():
            conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    hall = DemoHall(server)
    engine = create_engine(hall.admin_url())
    try:
        with engine.connect() as conn:
            migrated = conn.execute(text("SELECT to_regclass('public.alembic_version') IS NOT NULL")).scalar()
            current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar() if migrated else None
        fresh = current is None
        if current != revisions.head():  # Alembic (a third of a second to import) only when there is work for it
            from unioncore_desktop.db import migrate

            migrate.upgrade(engine)
        if fresh:
            with engine.begin() as conn:
                mark_environment(conn, "demo")
        if seed and seed_demo(engine):
            log.info("demo hall seeded")
        elif seed:
            with engine.begin() as conn:  # a demo hall from an older build: its people get today's groups
                ensure_demo_staff(conn)
    finally:
        engine.dispose()
    return hall


def stop() -> bool:
    return embedded.stop(data_dir())
