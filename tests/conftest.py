"""Test fixtures: a real PostgreSQL (embedded, or UNIONCORE_TEST_DATABASE_URL), migrated once into a template;
per-test rollback for most tests, cloned databases for tests that need real commits from several connections.

The harness is strict: an ERROR (or CRITICAL) log record fails the test that was running when it was logged,
unless the test said it expects it (`@pytest.mark.error_log(pattern)`, or `logged_errors.take(pattern)`). The
task runner logs every bug in a worker at ERROR, and the change listener every failure of its thread or a
callback, so an exception in background work cannot pass quietly. Exceptions in Qt slots and virtual methods
fail the test through pytest-qt; unhandled exceptions in other threads through pytest's warning (an error here).

Tests marked `commits` (the dispatch and dues services) get the same `connection`, `session_factory` and `uow`
fixtures on a clone where everything commits for real, as in production: the services' own COMMIT runs (the
dispatch's statement-and-COMMIT round trip included), the test's connection commits each statement, and the clone
is put back as the template left it after every test."""

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


class CommittedDb:
    """A clone where the tests of the services that commit run: every statement commits. After each test it is put
    back as the template left it (its rows deleted, the template's own rows copied back), which costs a few
    milliseconds where a fresh clone costs half a second."""

    def __init__(self, factory: DatabaseFactory) -> None:
        self.factory = factory
        self.name = factory.create()
        self.engine = factory.engine(self.name)
        self.sessions: list[Session] = []
        self.staff_engines: list[Engine] = []
        with self.engine.connect() as conn:
            self.tables = conn.execute(text("""
                SELECT quote_ident(relname) FROM pg_class
                WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p') ORDER BY 1""")).scalars().all()
            driver = conn.connection.driver_connection
            self.kept: dict[str, bytes] = {}
            for table in self.tables:
                with driver.cursor().copy(f"COPY {table} TO STDOUT") as copy:
                    data = b"".join(bytes(chunk) for chunk in copy)
                if data:
                    self.kept[table] = data

    def connect(self) -> Connection:
        return self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def session(self, engine: Engine | None = None) -> Session:
        """A session of its own (closed at the end of the test if the test left it open)."""
        self.sessions.append(Session(bind=engine or self.engine, expire_on_commit=False))
        return self.sessions[-1]

    def staff_engine(self, role: str) -> tuple[str, Engine]:
        """A new staff login in `role` and an engine that logs in as it."""
        login = self.factory.make_staff(self.name, role)
        self.staff_engines.append(self.factory.engine(self.name, login))
        return login, self.staff_engines[-1]

    def reset(self) -> None:
        for session in self.sessions:
            session.close()
        for engine in [*self.staff_engines, self.engine]:
            engine.dispose()
        self.sessions.clear()
        self.staff_engines.clear()
        with self.engine.connect() as conn:  # anything still connected is a leak of the test: cut it off
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
            conn.commit()
            driver = conn.connection.driver_connection
            with driver.transaction():
                driver.execute("SET LOCAL session_replication_role = replica")  # no triggers, no foreign keys
                driver.execute("; ".join(f"DELETE FROM {table}" for table in self.tables))
                for table, data in self.kept.items():
                    with driver.cursor().copy(f"COPY {table} FROM STDIN") as copy:
                        copy.write(data)


@pytest.fixture(scope="session")
def committed_db(pg_server: PgServer, template_db: str) -> Iterator[CommittedDb]:
    factory = DatabaseFactory(pg_server, template_db)
    yield CommittedDb(factory)
    factory.drop_all()


@pytest.fixture
def connection(request: pytest.FixtureRequest) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test; for a test marked `commits`, a
    connection that commits each statement, on a clone reset after the test."""
    if request.node.get_closest_marker("commits") is not None:
        committed: CommittedDb = request.getfixturevalue("committed_db")
        try:
            with committed.connect() as conn:
                yield conn
        finally:
            committed.reset()
        return
    _, engine = request.getfixturevalue("shared_db")
    with engine.connect() as conn:
        transaction = conn.begin()
        yield conn
        transaction.rollback()


@pytest.fixture
def session_factory(request: pytest.FixtureRequest, connection: Connection) -> Callable[[], Session]:
    if request.node.get_closest_marker("commits") is not None:
        committed: CommittedDb = request.getfixturevalue("committed_db")
        return committed.session
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
