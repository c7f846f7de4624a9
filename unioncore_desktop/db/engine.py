"""Engines are built once, after login, for the person logged in; never at import."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from unioncore_desktop import APP_NAME

if TYPE_CHECKING:
    import psycopg
    from sqlalchemy.pool import ConnectionPoolEntry


def build_engine(url: URL | str, *, application_name: str = APP_NAME, pool_size: int = 4) -> Engine:
    """An engine whose connections name the app (audit rows and pg_stat_activity show it) and fail fast."""
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=2,
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
