"""One logged-in connection to the hall's server: the engine, preflight facts, and units of work.

This is what the GUI's composition root holds, so no SQLAlchemy object crosses into Qt code."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from psycopg.conninfo import make_conninfo
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry

from unioncore_desktop import APP_NAME
from unioncore_desktop.db import preflight
from unioncore_desktop.db.engine import REPORTS_POOL_SIZE, build_engine, session_factory
from unioncore_desktop.db.notify import ChangeListener, ChangesCallback, StateCallback
from unioncore_desktop.db.profile import ConnectionProfile
from unioncore_desktop.domain.driver_errors import translated
from unioncore_desktop.domain.uow import UnitOfWork

T = TypeVar("T")


class HallConnection:
    """Built once after login; every query and command of the session goes through it."""

    def __init__(self, engine: Engine, facts: preflight.Preflight, profile: ConnectionProfile,
                 application_name: str = APP_NAME) -> None:
        self.engine = engine
        self.facts = facts
        self.profile = profile
        # what this login's connections call themselves: the notifications of its own commits carry it ("app"),
        # so the live board can tell its own changes' echo from another workstation's
        self.application_name = application_name
        self._sessions = session_factory(engine)
        self._password: str | None = None  # set once the login's password changed during this session
        self._reports: ReportsReader | None = None
        self._reports_lock = threading.Lock()
        event.listen(engine, "do_connect", self._on_do_connect)

    def _on_do_connect(self, _dialect: Dialect, _record: ConnectionPoolEntry, _cargs: list[Any],
                       cparams: dict[str, Any]) -> None:
        if self._password is not None:
            cparams["password"] = self._password

    def use_password(self, password: str) -> None:
        """After the login's password changed: connections opened from now on (the pool recycles them) use it."""
        self._password = password
        with self._reports_lock:  # built with the old password: the next report builds it again
            if self._reports is not None:
                self._reports.engine.dispose()
                self._reports = None

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self._sessions)

    def for_reports(self) -> HallConnection | ReportsReader:
        """What the reports screen reads through: the profile's reports standby when it names one (writes, such
        as the log of the run, still go to the primary), else this connection."""
        reports = self.profile.reports_profile()
        if reports is None:
            return self
        with self._reports_lock:  # two reports started at once build one engine
            if self._reports is None:
                password = self._password if self._password is not None else self.engine.url.password
                self._reports = ReportsReader(self, build_engine(reports.sqlalchemy_url(password),
                                                                 application_name=self.application_name,
                                                                 pool_size=REPORTS_POOL_SIZE, max_overflow=0))
            return self._reports

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
        # the profile's servers (all of them, read-write: NOTIFY is heard on the primary), database and TLS
        params = self.profile.libpq_params()

        def conninfo() -> str:  # asked at every reconnect: a password changed meanwhile is the one used
            password = self._password if self._password is not None else url.password
            return make_conninfo("", **params, password=password)

        return ChangeListener(conninfo, on_changes, on_state)

    def upgrade_schema(self) -> preflight.Preflight:
        """For an admin whose database is older than this build."""
        from unioncore_desktop.db import migrate

        migrate.upgrade(self.engine)
        self.facts = preflight.run(self.engine)
        return self.facts

    def close(self) -> None:
        if self._reports is not None:
            self._reports.engine.dispose()
        self.engine.dispose()


class ReportsReader:
    """A Hall (domain/actions) whose reads run on the reports standby and whose writes go to the primary."""

    def __init__(self, hall: HallConnection, engine: Engine) -> None:
        self.hall = hall
        self.engine = engine
        self._sessions = session_factory(engine)

    def uow(self) -> UnitOfWork:
        return self.hall.uow()

    def read(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        session = self._sessions()
        try:
            with translated():
                return query(session, *args, **kwargs)
        finally:
            try:
                session.rollback()
            finally:
                session.close()


def connect(profile: ConnectionProfile, password: str | None = None) -> HallConnection:
    """Build the engine for the person logging in and run preflight; raises with one clear sentence."""
    problem = profile.tls_problem()
    if problem is not None:
        raise preflight.PreflightError(problem)
    name = workstation_name()
    engine = build_engine(profile.sqlalchemy_url(password), application_name=name)
    try:
        facts = preflight.run(engine)
    except BaseException:
        engine.dispose()
        raise
    return HallConnection(engine, facts, profile, name)


def workstation_name() -> str:
    """The application name of one login's connections: the app's name and a tag of this login, unique enough
    that no other workstation's connections carry it (audit rows and pg_stat_activity show it too)."""
    return f"{APP_NAME} {secrets.token_hex(4)}"
