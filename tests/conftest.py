"""Test fixtures: a real PostgreSQL (embedded, or UNIONCORE_TEST_DATABASE_URL), migrated once into a template;
per-test rollback for most tests, cloned databases for tests that need real commits from several connections.

The harness is strict: an ERROR (or CRITICAL) log record fails the test that was running when it was logged,
unless the test said it expects it (`@pytest.mark.error_log(pattern)`, or `logged_errors.take(pattern)`). The
task runner logs every bug in a worker at ERROR, and the change listener every failure of its thread or a
callback, so an exception in background work cannot pass quietly. Exceptions in Qt slots and virtual methods
fail the test through pytest-qt; unhandled exceptions in other threads through pytest's warning (an error here).
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tests.harness import LoggedErrors, deliver_pending_results, fail_on
from unioncore_desktop.db import embedded, migrate
from unioncore_desktop.domain.uow import UnitOfWork

RUN_ID = f"{os.getpid()}_{uuid.uuid4().hex[:6]}"
pytest_plugins = ("pytester",)  # tests/gui/test_harness.py runs this harness on tests made to break it


def pytest_configure(config: pytest.Config) -> None:
    try:
        from unioncore_desktop.gui import build_forms
    except ImportError:  # the GUI package is optional for Qt-free runs
        return
    build_forms.build()


@dataclass
class PgServer:
    """The server under test, reached as a superuser; `url(db, user)` builds SQLAlchemy URLs."""

    admin_url: str
    roles_created: list[str] = field(default_factory=list)

    def url(self, database: str, user: str | None = None) -> str:
        url = make_url(self.admin_url).set(database=database)
        if user is not None:
            url = url.set(username=user, password=None)
        return url.render_as_string(hide_password=False)

    def admin_engine(self) -> Engine:
        return create_engine(self.admin_url, isolation_level="AUTOCOMMIT", pool_size=1)


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PgServer]:
    url = os.environ.get("UNIONCORE_TEST_DATABASE_URL")
    if url:
        server = PgServer(url.replace("postgresql://", "postgresql+psycopg://", 1))
    else:
        started = embedded.start(tmp_path_factory.mktemp("pg") / "data")
        server = PgServer(started.sqlalchemy_url())
    yield server
    engine = server.admin_engine()
    with engine.connect() as conn:
        for role in server.roles_created:
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
    engine.dispose()


@pytest.fixture(scope="session")
def template_db(pg_server: PgServer) -> str:
    """A database migrated to head and marked 'test', cloned by the other fixtures."""
    name = f"uc_template_{RUN_ID}"
    admin = pg_server.admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(pg_server.url(name))
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE app_settings SET value = 'test', version = version + 1 WHERE key = 'environment'"))
    engine.dispose()
    admin.dispose()
    return name


class DatabaseFactory:
    """Clones of the template: each test that commits gets its own database."""

    def __init__(self, server: PgServer, template: str) -> None:
        self.server = server
        self.template = template
        self.created: list[str] = []
        self.engines: list[Engine] = []

    def create(self) -> str:
        name = self._create(f"uc_t_{uuid.uuid4().hex[:10]}", f'TEMPLATE "{self.template}"')
        engine = create_engine(self.server.url(name))
        with engine.begin() as conn:  # a copy gets the default database privileges back, as a restore would
            migrate.close_to_public(conn)
        engine.dispose()
        return name

    def create_empty(self) -> str:
        """A database with no schema at all (for migration and preflight tests)."""
        return self._create(f"uc_e_{uuid.uuid4().hex[:10]}", "")

    def _create(self, name: str, clause: str) -> str:
        admin = self.server.admin_engine()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" {clause}'))
        admin.dispose()
        self.created.append(name)
        return name

    def engine(self, database: str, user: str | None = None, **kwargs) -> Engine:
        engine = create_engine(self.server.url(database, user), **kwargs)
        self.engines.append(engine)
        return engine

    def make_staff(self, database: str, role: str, full_name: str | None = None) -> str:
        """A new staff login in `role`, or in several groups as "manager+dues_clerk" (groups do not inherit each
        other's rights); roles are cluster-wide, so names are unique per test."""
        login = f"t_{role[:5]}_{uuid.uuid4().hex[:8]}"
        with self.engine(database).begin() as conn:
            conn.execute(text("SELECT uc_create_staff(:l, :n, :r, NULL)"),
                         {"l": login, "n": full_name or f"Test {role}", "r": role.split("+")})
        self.server.roles_created.append(login)
        return login

    def drop_all(self) -> None:
        for engine in self.engines:
            engine.dispose()
        admin = self.server.admin_engine()
        with admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def databases(pg_server: PgServer, template_db: str) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(pg_server, template_db)
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session")
def shared_db(pg_server: PgServer, template_db: str) -> Iterator[tuple[str, Engine]]:
    """One clone for all rolled-back tests."""
    factory = DatabaseFactory(pg_server, template_db)
    name = factory.create()
    yield name, factory.engine(name)
    factory.drop_all()


@pytest.fixture
def connection(shared_db: tuple[str, Engine]) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    _, engine = shared_db
    with engine.connect() as conn:
        transaction = conn.begin()
        yield conn
        transaction.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> Callable[[], Session]:
    return lambda: Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)


@pytest.fixture
def uow(session_factory: Callable[[], Session]) -> UnitOfWork:
    return UnitOfWork(session_factory)


@pytest.fixture
def memory_keyring() -> Iterator[object]:
    """An in-memory keyring backend (the only fake: the keyring is outside our system)."""
    import keyring
    from keyring.backend import KeyringBackend

    class MemoryKeyring(KeyringBackend):
        priority = 1  # type: ignore[assignment]

        def __init__(self) -> None:
            super().__init__()
            self.store: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.store.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.store[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.store.pop((service, username), None)

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


# --- no error passes quietly ----------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def logged_errors(request: pytest.FixtureRequest) -> Iterator[LoggedErrors]:
    """Every test: an ERROR log record it did not declare fails it."""
    marker = request.node.get_closest_marker("error_log")
    handler = LoggedErrors(tuple(marker.args) if marker is not None else ())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
        deliver_pending_results()
    finally:
        root.removeHandler(handler)
    # what arrived after the test body (workers finishing while fixtures shut them down) fails it here
    fail_on(handler.unexpected(), "while the test's fixtures were torn down")
    if handler.missing():
        pytest.fail(f"the test expects ERROR log records matching {handler.missing()!r}; none was logged",
                    pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """Fail the test itself (not its teardown) for what was logged while it ran."""
    result = yield
    handler = getattr(item, "funcargs", {}).get("logged_errors")
    if isinstance(handler, LoggedErrors):
        deliver_pending_results()
        fail_on(handler.unexpected(), "during the test")
    return result
