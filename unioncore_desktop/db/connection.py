"""One logged-in connection to the hall's server: the engine, preflight facts, and units of work.

This is what the GUI's composition root holds, so no SQLAlchemy object crosses into Qt code."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from psycopg.conninfo import make_conninfo
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry

from unioncore_desktop.db import migrate, preflight
from unioncore_desktop.db.engine import build_engine, session_factory
from unioncore_desktop.db.notify import ChangeListener, ChangesCallback, StateCallback
from unioncore_desktop.db.profile import ConnectionProfile
from unioncore_desktop.domain.driver_errors import translated
from unioncore_desktop.domain.uow import UnitOfWork

T = TypeVar("T")


class HallConnection:
    """Built once after login; every query and command of the session goes through it."""

    def __init__(self, engine: Engine, facts: preflight.Preflight, profile: ConnectionProfile) -> None:
        self.engine = engine
        self.facts = facts
        self.profile = profile
        self._sessions = session_factory(engine)
        self._password: str | None = None  # set once the login's password changed during this session
        event.listen(engine, "do_connect", self._on_do_connect)

    def _on_do_connect(self, _dialect: Dialect, _record: ConnectionPoolEntry, _cargs: list[Any],
                       cparams: dict[str, Any]) -> None:
        if self._password is not None:
            cparams["password"] = self._password

    def use_password(self, password: str) -> None:
        """After the login's password changed: connections opened from now on (the pool recycles them) use it."""
        self._password = password

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self._sessions)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A read-only session; errors leave translated (ConnectionProblem, DomainError)."""
        session = self._sessions()
        try:
            with translated():
                yield session
        finally:
            try:
                session.rollback()
            finally:
                session.close()

    def read(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `query(session, *args, **kwargs)` in its own short transaction."""
        with self.session() as session:
            return query(session, *args, **kwargs)

    def ping(self) -> bool:
        with self.session() as session:
            session.execute(text("SELECT 1"))
        return True

    def listener(self, on_changes: ChangesCallback, on_state: StateCallback | None = None) -> ChangeListener:
        """A ChangeListener (not started) on this login's server, database and credentials."""
        url = self.engine.url
        # The profile's extras ride in the URL query: `host` (a socket folder), `sslmode` and `sslrootcert`.
        params = {key: value if isinstance(value, str) else value[-1] for key, value in url.query.items()}

        def conninfo() -> str:  # asked at every reconnect: a password changed meanwhile is the one used
            password = self._password if self._password is not None else url.password
            return make_conninfo("", **{"host": url.host, "port": url.port, "dbname": url.database,
                                        "user": url.username, "password": password, **params})

        return ChangeListener(conninfo, on_changes, on_state)

    def upgrade_schema(self) -> preflight.Preflight:
        """For an admin whose database is older than this build."""
        migrate.upgrade(self.engine)
        self.facts = preflight.run(self.engine)
        return self.facts

    def close(self) -> None:
        self.engine.dispose()


def connect(profile: ConnectionProfile, password: str | None = None) -> HallConnection:
    """Build the engine for the person logging in and run preflight; raises with one clear sentence."""
    problem = profile.tls_problem()
    if problem is not None:
        raise preflight.PreflightError(problem)
    engine = build_engine(profile.sqlalchemy_url(password))
    try:
        facts = preflight.run(engine)
    except BaseException:
        engine.dispose()
        raise
    return HallConnection(engine, facts, profile)
