"""Backups and restores of a hall's database with pg_dump and pg_restore, in their custom format.

A backup is written to a hidden file beside its name and renamed only when pg_dump succeeded, so a file with the
backup's name is always a whole backup. A restore goes only into an empty database (it never overwrites a hall),
refuses a backup from a schema newer than this build, runs in one transaction (a failed restore leaves the
database empty) and then closes what a restore opens again, as `db upgrade` does.

Roles belong to the server, not to a database, so a backup holds none. Restoring onto another server creates the
four uc_ groups when they are missing (the login needs CREATEROLE, as the schema's owner has) and names each staff
login the server lacks, with the `unioncore staff add` line that brings it back (its roles read from the audit
trail, which records every change of a login's roles); passwords are never in a backup and are set anew. Objects
restored are owned by the login that restores, normally the schema owner the hall already uses.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import ProgrammingError

from unioncore_desktop.db import migrate, pg_tools
from unioncore_desktop.db.permissions import GROUPS
from unioncore_desktop.domain.errors import DomainError
from unioncore_desktop.domain.vocab import STAFF_ROLES

# the tables whose row counts a restore and a verification report (and the tests compare)
MAIN_TABLES = ("members", "employers", "books", "registrations", "labor_requests", "employment_history",
               "payments", "dues_charges", "staff", "audit_log")


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int  # bytes
    seconds: float
    revision: str


@dataclass(frozen=True)
class MissingLogin:
    """A staff login the backup names and this server lacks."""

    login: str
    full_name: str
    roles: tuple[str, ...]  # from the audit trail; empty when it never recorded them

    def add_command(self, url: str | None = None) -> str:
        import shlex

        where = f" --url {shlex.quote(url)}" if url else ""
        roles = " ".join(f"--role {role}" for role in self.roles) or "--role ROLE"
        return f"unioncore{where} staff add {self.login} {roles} --full-name {shlex.quote(self.full_name)}"


@dataclass(frozen=True)
class Restore:
    database: str
    login: str  # who restored, and so owns what was restored
    revision: str  # the backup's schema
    upgraded_to: str | None  # the head it was upgraded to, when the backup was older
    seconds: float
    counts: dict[str, int]
    groups_created: tuple[str, ...]
    missing_logins: tuple[MissingLogin, ...]
    groups_not_granted: tuple[str, ...] = ()  # groups the restoring login may not grant: staff admin will be refused


@dataclass(frozen=True)
class Verification:
    restore: Restore
    problems: dict[str, list[str]] = field(default_factory=dict)  # check name -> what it found
    # reports of the hall's own data (the integrity findings): a restore is all or nothing, so what they find was
    # in the database backed up, and it is shown without failing the backup
    findings: dict[str, list[str]] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return not any(self.problems.values())


Check = Callable[[Engine], list[str]]
"""A check of a restored copy: what it found, one printed line each; empty when clean."""


def default_name(database: str, now: datetime | None = None) -> str:
    return f"unioncore-{database}-{(now or datetime.now()):%Y%m%d-%H%M}.dump"


def backup(engine: Engine, to: Path | None = None, *, now: datetime | None = None) -> Backup:
    """Dump the database to `to` (a file, or a folder for the default name; the current folder when None)."""
    started = time.perf_counter()
    with engine.connect() as conn:
        major = pg_tools.server_major(conn)
        revision = migrate.current_revision(conn)
    database = engine.url.database or "postgres"
    if revision is None:
        raise DomainError(f"Database {database} has no UnionCore schema; there is nothing to back up.")
    tool = pg_tools.find("pg_dump", major)
    target = Path(to or Path.cwd()).expanduser()
    if target.is_dir():
        target = target / default_name(database, now)
    if not target.parent.is_dir():
        raise DomainError(f"The folder {target.parent} does not exist; create it or choose another with --to.")
    conninfo, env = pg_tools.connection_args(engine.url)
    # in the same folder, so the rename that makes it the backup cannot cross file systems
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        pg_tools.run(tool, ["--format=custom", "--no-password", f"--file={partial}", f"--dbname={conninfo}"],
                     env=env, what=f"Backing up {database}")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return Backup(path=target, size=target.stat().st_size, seconds=time.perf_counter() - started, revision=revision)


def prune(made: Path, database: str, keep_days: int, *, now: datetime | None = None) -> list[Path]:
    """Remove this database's backups older than `keep_days` from the folder of `made` (never `made` itself), by
    the time in their default names: a file named otherwise, or another database's, is never touched."""
    named = re.compile(rf"unioncore-{re.escape(database)}-(\d{{8}}-\d{{4}})\.dump")
    cutoff = (now or datetime.now()) - timedelta(days=keep_days)
    removed = []
    for path in sorted(made.parent.iterdir()):
        match = named.fullmatch(path.name)
        if match is None or path == made or not path.is_file():
            continue
        try:
            taken = datetime.strptime(match.group(1), "%Y%m%d-%H%M")
        except ValueError:
            continue
        if taken < cutoff:
            path.unlink()
            removed.append(path)
    return removed


def dump_revision(tool: pg_tools.Tool, path: Path) -> str:
    """The schema revision the backup was made at (its alembic_version row), read from the file alone."""
    out = pg_tools.run(tool, ["--data-only", "--table=alembic_version", "--file=-", str(path)],
                       what=f"Reading {path}")
    match = re.search(r"^COPY [\w.\"]*alembic_version \(version_num\) FROM stdin;\n(.*?)\n\\\.$", out, re.M | re.S)
    rows = match.group(1).split() if match else []
    if len(rows) != 1:
        raise DomainError(f"{path} is not a UnionCore backup: it holds no schema revision.")
    return rows[0]


def restore(engine: Engine, path: Path) -> Restore:
    """Restore the backup at `path` into the empty database `engine` reaches, then bring it to this build's head."""
    started = time.perf_counter()
    path = Path(path).expanduser()
    database = engine.url.database or "postgres"
    if not path.is_file():
        raise DomainError(f"There is no backup file {path}.")
    with engine.connect() as conn:
        tool = pg_tools.find("pg_restore", pg_tools.server_major(conn))
        revision = dump_revision(tool, path)
        head = migrate.head_revision()
        if revision not in migrate.known_revisions():
            raise DomainError(f"{path.name} was made at schema {revision}, newer than this UnionCore's {head}: "
                              f"restore it with the version that made it, or a newer one.")
        if (objects := _objects_in(conn)) > 0:
            raise DomainError(f"Database {database} is not empty ({objects} tables, views or functions): a restore "
                              f"never overwrites a hall; create an empty database for it and name that one.")
        created = _ensure_groups(conn)
        conn.commit()
    _pg_restore(tool, engine.url, path, database)
    with engine.begin() as conn:
        close_restored(conn)
    migrate.upgrade(engine)  # nothing to do at head but close TEMP again, which a restore opens
    with engine.connect() as conn:
        counts = table_counts(conn)
        missing = missing_logins(conn)
        not_granted = groups_not_granted(conn)
        login = current_user(conn)
    return Restore(database=database, login=login, revision=revision, seconds=time.perf_counter() - started,
                   counts=counts, groups_created=created, missing_logins=missing, groups_not_granted=not_granted,
                   upgraded_to=None if revision == head else head)


def _objects_in(conn: Connection) -> int:
    """Relations and functions outside the system schemas; an extension's own are not counted (a server may put
    extensions in every new database, and the backup's CREATE EXTENSION IF NOT EXISTS leaves them be)."""
    return int(conn.execute(text("""
        SELECT (SELECT count(*) FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
                  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
                  AND NOT EXISTS (SELECT FROM pg_depend AS d WHERE d.classid = 'pg_class'::regclass
                                  AND d.objid = c.oid AND d.deptype = 'e'))
             + (SELECT count(*) FROM pg_proc AS p JOIN pg_namespace AS n ON n.oid = p.pronamespace
                WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
                  AND NOT EXISTS (SELECT FROM pg_depend AS d WHERE d.classid = 'pg_proc'::regclass
                                  AND d.objid = p.oid AND d.deptype = 'e'))
    """)).scalar_one())


def _ensure_groups(conn: Connection) -> tuple[str, ...]:
    """The uc_ groups the backup's grants name, created as migration 0001 does when this server lacks them."""
    have = set(conn.execute(text("SELECT rolname FROM pg_roles WHERE rolname = ANY (:g)"),
                            {"g": list(GROUPS)}).scalars())
    missing = tuple(group for group in GROUPS if group not in have)
    user = current_user(conn)
    try:
        for group in missing:
            conn.execute(text(f"CREATE ROLE {group} NOLOGIN"))
    except ProgrammingError as exc:
        raise DomainError(f"This server lacks the groups {', '.join(missing)} the backup grants to, and "
                          f"{user} may not create roles (it needs CREATEROLE): have a superuser run "
                          f"CREATE ROLE ... NOLOGIN for each, then restore again.") from exc
    return missing


def _pg_restore(tool: pg_tools.Tool, url: URL, path: Path, database: str) -> None:
    """pg_restore in one transaction, stopping at the first error, without the backup's owner names.

    The backup's default privileges name the login that made it (which this server may lack); they are left out
    and set again for the restoring login by close_restored()."""
    listing = pg_tools.run(tool, ["--list", str(path)], what=f"Reading {path}")
    kept = [line for line in listing.splitlines() if " DEFAULT ACL " not in line]
    conninfo, env = pg_tools.connection_args(url)
    with tempfile.TemporaryDirectory(prefix="unioncore-restore-") as folder:
        list_file = Path(folder) / "contents.list"
        list_file.write_text("\n".join(kept) + "\n")
        pg_tools.run(tool, ["--no-owner", "--single-transaction", "--exit-on-error", "--no-password",
                            f"--use-list={list_file}", f"--dbname={conninfo}", str(path)],
                     env=env, what=f"Restoring {path.name} into {database}")


def close_restored(conn: Connection) -> None:
    """What a restore opens again: the schema public and future functions closed to PUBLIC (migration 0014); TEMP
    is closed by migrate.close_to_public, which every upgrade runs too."""
    conn.execute(text("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
    conn.execute(text("ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC"))


def table_counts(conn: Connection, tables: Sequence[str] = MAIN_TABLES) -> dict[str, int]:
    return {table: int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()) for table in tables}


def missing_logins(conn: Connection) -> tuple[MissingLogin, ...]:
    """Active staff whose login this server lacks, with the roles the audit trail last recorded for them."""
    rows = conn.execute(text("""
        SELECT s.login, s.full_name,
               (SELECT a.new_values -> 'roles' FROM audit_log AS a
                WHERE a.table_name = 'staff' AND a.row_key = s.id::text AND a.new_values ? 'roles'
                ORDER BY a.changed_at DESC, a.id DESC LIMIT 1) AS roles
        FROM staff AS s
        WHERE s.active AND NOT EXISTS (SELECT FROM pg_roles AS r WHERE r.rolname = s.login)
        ORDER BY s.login""")).all()
    return tuple(MissingLogin(login=row.login, full_name=row.full_name,
                              roles=tuple(role for role in STAFF_ROLES if role in (row.roles or ())))
                 for row in rows)


def groups_not_granted(conn: Connection) -> tuple[str, ...]:
    """The groups the restoring login may not grant. The staff functions run as the owner of what was restored
    (this login), and from PostgreSQL 16 on CREATEROLE grants only roles one holds WITH ADMIN OPTION, as the
    login that created the groups does; a server whose groups another role created needs that grant."""
    return tuple(conn.execute(text("""
        SELECT g FROM unnest(CAST(:groups AS text[])) AS g
        WHERE NOT pg_has_role(current_user, g, 'MEMBER WITH ADMIN OPTION')
          AND NOT (current_setting('server_version_num')::int < 160000
                   AND (SELECT rolcreaterole FROM pg_roles WHERE rolname = current_user))
        ORDER BY g"""), {"groups": list(GROUPS)}).scalars())


def verify(engine: Engine, path: Path, checks: dict[str, Check],
           reports: dict[str, Check] | None = None) -> Verification:
    """Restore the backup into a scratch database on the same server, run the checks (which fail it) and the
    reports (which do not) there, and drop it."""
    scratch = f"uc_verify_{uuid.uuid4().hex[:12]}"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        _create_database(conn, scratch)
    copy = create_engine(engine.url.set(database=scratch), pool_size=1)
    try:
        restored = restore(copy, path)
        return Verification(restored, {name: check(copy) for name, check in checks.items()},
                            {name: report(copy) for name, report in (reports or {}).items()})
    finally:
        copy.dispose()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))


def _create_database(conn: Connection, name: str) -> None:
    user = current_user(conn)
    try:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    except ProgrammingError as exc:
        raise DomainError(f"Verifying a backup restores it into a scratch database, and {user} may not "
                          f"create one on this server (it needs CREATEDB): {exc.orig}") from exc


def current_user(conn: Connection) -> str:
    return str(conn.execute(text("SELECT current_user")).scalar_one())
