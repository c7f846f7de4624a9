"""Engines are built once, after login, for the person logged in; never at import."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# the dialect every engine here uses, loaded with this module rather than by the first create_engine (in a worker)
import sqlalchemy.dialects.postgresql.psycopg  # noqa: F401
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from unioncore_desktop import APP_NAME

if TYPE_CHECKING:
    import psycopg
    from sqlalchemy.pool import ConnectionPoolEntry


# What one workstation may hold open on the server at once; `unioncore server init --workstations N` sizes the
# server's max_connections from it, so keep them together. The pool keeps POOL_SIZE connections and may open
# MAX_OVERFLOW more at a busy moment; the live-update listener holds one; a profile that reads reports from a
# standby keeps one more there (and on the primary while the standby is down).
POOL_SIZE = 4
MAX_OVERFLOW = 2
LISTENER_CONNECTIONS = 1
REPORTS_POOL_SIZE = 1
WORKSTATION_CONNECTIONS = POOL_SIZE + MAX_OVERFLOW + LISTENER_CONNECTIONS + REPORTS_POOL_SIZE


def build_engine(url: URL | str, *, application_name: str = APP_NAME, pool_size: int = POOL_SIZE,
                 max_overflow: int = MAX_OVERFLOW) -> Engine:
    """An engine whose connections name the app (audit rows and pg_stat_activity show it) and fail fast."""
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,  # a dropped server is noticed at checkout, not halfway through a save
        pool_recycle=1800,
        connect_args={"application_name": application_name, "connect_timeout": 5},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: psycopg.Connection[Any],
                    _record: ConnectionPoolEntry) -> None:  # pragma: no cover - trivial
        # statements that hang on a lock must not freeze a workstation forever
        with dbapi_connection.cursor() as cur:
            cur.execute("SET lock_timeout = '10s'; SET idle_in_transaction_session_timeout = '5min'")
        dbapi_connection.commit()

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=False)
