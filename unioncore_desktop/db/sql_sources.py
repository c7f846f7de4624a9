"""The schema's SQL as reviewed source: every function, trigger and view lives once, in `migrations/sql/`.

Layout (found beside the migrations, `paths.migrations_dir() / "sql"`, and shipped with them):

    functions/<name>.sql   one function: CREATE OR REPLACE FUNCTION, its settings in its own header
    views/<name>.sql       one view: CREATE OR REPLACE VIEW
    triggers/<table>.sql   every trigger on that table: CREATE OR REPLACE TRIGGER (PostgreSQL 14 and later)

A function's header carries `SET search_path = public, pg_temp` unless the function cannot be fooled by a path
(tests/db/test_permissions.py lints which may go without): no later ALTER FUNCTION adds to what the file says.
A file holds the whole current definition of its objects, and the database is held to it: `drift()` (run by
`unioncore db check` and by tests/db/test_sql_sources.py) creates what each file defines in a scratch schema inside
a rolled-back transaction and compares PostgreSQL's own rendering of it (pg_get_functiondef, pg_get_viewdef,
pg_get_triggerdef) with the live object's. Indentation and blank lines do not count; everything else does,
comments inside a function's body included (comments above the CREATE are free). The same pass compares every
CHECK constraint with the one the models in `domain/models/` declare, the CHECKs' only home.

How the SQL changes from now on:

- Changing a function, trigger or view: edit its file and add a migration that applies it. The text the file had
  before is kept in that migration, copied from git history, and nowhere else::

      REPLACED_SOURCES = {"functions/uc_audit.sql": '''...the file as it read before this change...'''}

      def upgrade() -> None:
          sql_sources.apply(op.get_bind(), ["functions/uc_audit.sql"], revision=revision)

      def downgrade() -> None:
          sql_sources.apply(op.get_bind(), ["functions/uc_audit.sql"], revision=down_revision)

- A new object: a new file, and a migration that applies it and grants what `db/permissions.py` says (nothing is
  executable by PUBLIC by default); its downgrade drops the object. A new table's audit, version and notify
  triggers go in triggers/<table>.sql like every other trigger (uc_track is history's helper).
- Removing an object, or a trigger from its table's file: applying a file only creates or replaces, so the
  migration drops it, and keeps the file's last text in its REPLACED_SOURCES for its downgrade to apply. The same
  holds for a function whose arguments or result type change: drop the old one, then apply.
- Migrations 0001-0014 carry their bodies pasted in, as they ran; they are history and stay as they are. 0015
  applies every source as it stood then and changes nothing (tests/migrations/test_sql_sources_baseline.py).

`revision` keeps replayed history right: a migration applies a file as it read at that revision, which is the text
kept in REPLACED_SOURCES by the first later migration that changed the file, or the file itself when none did. So
upgrading an empty database never runs today's body at an older revision, where the table or column it needs may
not exist yet.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType

from sqlalchemy import CheckConstraint, Connection, exc, text
from sqlalchemy.schema import AddConstraint

from unioncore_desktop.paths import migrations_dir

KINDS = ("functions", "views", "triggers")  # the order sources are applied in: triggers name functions
SCRATCH = "sql_source_check"
"""The schema `drift` creates the sources in; it exists only inside the rolled-back transaction."""


def sources_dir() -> Path:
    return migrations_dir() / "sql"


def source_names(directory: Path | None = None) -> list[str]:
    """Every source, as `kind/file.sql`, in the order they can be applied in."""
    directory = directory or sources_dir()
    return [f"{kind}/{path.name}" for kind in KINDS for path in sorted((directory / kind).glob("*.sql"))]


def read(name: str, directory: Path | None = None) -> str:
    return ((directory or sources_dir()) / name).read_text(encoding="utf-8")


def text_as_of(name: str, revision: str | None, directory: Path | None = None) -> str:
    """The source `name` as it read at `revision` (None: as it reads now)."""
    later = migrations_after(revision) if revision is not None else []
    return replaced_text(name, later) or read(name, directory)


def replaced_text(name: str, later_migrations: Iterable[ModuleType]) -> str | None:
    """The text kept by the first of `later_migrations` (oldest first) that replaced `name`, if one did."""
    for module in later_migrations:
        replaced: dict[str, str] = getattr(module, "REPLACED_SOURCES", {})
        if name in replaced:
            return replaced[name]
    return None


def migrations_after(revision: str) -> list[ModuleType]:
    """The migration modules after `revision`, oldest first."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(str(migrations_dir())).iterate_revisions("heads", revision)
    return [script.module for script in reversed(list(scripts))]


def apply(connection: Connection, names: Sequence[str], *, revision: str | None = None,
          directory: Path | None = None) -> None:
    """Run each named source (as it read at `revision`, see the module's docstring) on `connection`."""
    later = migrations_after(revision) if revision is not None else []
    for name in names:
        execute(connection, replaced_text(name, later) or read(name, directory))


def execute(connection: Connection, sql: str) -> None:
    """Plain SQL straight to the driver, with no parameters: '%' and ':' in function bodies are left alone."""
    driver = connection.connection.driver_connection
    if driver is None:
        raise RuntimeError("the connection is closed")
    with driver.cursor() as cursor:
        cursor.execute(sql)


# --- drift --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Found:
    """One object's definition, as PostgreSQL renders it; `source` is the file that defines it, if any."""

    kind: str  # function, view, trigger or CHECK
    name: str
    definition: str
    source: str | None = None
    # a CHECK as a restore has it: pg_dump writes the rendering above and the restore parses it again, which for
    # `IN (...)` over varchar gives another tree (and another rendering) meaning the same
    restored: str | None = None

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass(frozen=True)
class Catalog:
    """The live objects and what the sources (and the models, for CHECKs) define, by (kind, name)."""

    live: dict[tuple[str, str], Found]
    defined: dict[tuple[str, str], Found]
    problems: list[str]  # sources that do not run, or define nothing, or an object twice


LIVE_FUNCTIONS = """
    SELECT p.oid::regprocedure::text, pg_get_functiondef(p.oid) FROM pg_proc AS p
    WHERE p.pronamespace = CAST(:schema AS regnamespace) AND p.prokind IN ('f', 'p')
      AND NOT EXISTS (SELECT FROM pg_depend AS d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                                                  AND d.deptype = 'e')
"""
LIVE_VIEWS = """
    SELECT c.relname, pg_get_viewdef(c.oid) || coalesce(' WITH ' || array_to_string(c.reloptions, ', '), '')
    FROM pg_class AS c
    WHERE c.relnamespace = CAST(:schema AS regnamespace) AND c.relkind = 'v'
      AND NOT EXISTS (SELECT FROM pg_depend AS d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                                  AND d.deptype = 'e')
"""
LIVE_TRIGGERS = """
    SELECT t.tgname || ' on ' || c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger AS t
    JOIN pg_class AS c ON c.oid = t.tgrelid
    WHERE c.relnamespace = CAST(:schema AS regnamespace) AND NOT t.tgisinternal
"""
LIVE_CHECKS = """
    SELECT n.conname || ' on ' || c.relname, pg_get_constraintdef(n.oid) FROM pg_constraint AS n
    JOIN pg_class AS c ON c.oid = n.conrelid
    WHERE c.relnamespace = CAST(:schema AS regnamespace) AND n.contype = 'c'
"""
KIND_QUERIES = {"function": LIVE_FUNCTIONS, "view": LIVE_VIEWS, "trigger": LIVE_TRIGGERS}
FILE_KINDS = {"functions": "function", "views": "view", "triggers": "trigger"}
TABLES = """
    SELECT c.relname FROM pg_class AS c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
      AND NOT EXISTS (SELECT FROM pg_depend AS d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                                  AND d.deptype = 'e')
"""


def normalise(definition: str) -> str:
    """The definition without indentation, trailing spaces or blank lines, and with the scratch schema's name read
    as public's (PostgreSQL qualifies a function's name and a trigger's table)."""
    definition = definition.replace(f"{SCRATCH}.", "public.")
    return "\n".join(stripped for line in definition.splitlines() if (stripped := line.strip()))


def _found(connection: Connection, kind: str, query: str, schema: str, source: str | None = None) -> list[Found]:
    rows = connection.execute(text(query), {"schema": schema}).all()
    return [Found(kind, name, normalise(definition), source) for name, definition in rows]


def _error(error: Exception) -> str:
    message = str(getattr(error, "orig", None) or error).strip()
    return message.splitlines()[0] if message else type(error).__name__


def catalog(connection: Connection, directory: Path | None = None, *, checks: bool = True) -> Catalog:
    """The live definitions, and those of every source (and every CHECK the models declare) created in a scratch
    schema; the scratch schema and everything in it is rolled back."""
    directory = directory or sources_dir()
    live: dict[tuple[str, str], Found] = {}
    defined: dict[tuple[str, str], Found] = {}
    problems: list[str] = []
    errors = (exc.DBAPIError, connection.dialect.loaded_dbapi.Error)
    scratch = connection.begin_nested()
    try:
        connection.exec_driver_sql(f"CREATE SCHEMA {SCRATCH}")
        # names are rendered as seen from this search path: the live objects are read under it too
        connection.exec_driver_sql(f"SET LOCAL search_path = {SCRATCH}, public")
        live_queries = {**KIND_QUERIES, **({"CHECK": LIVE_CHECKS} if checks else {})}
        for kind, query in live_queries.items():
            live.update({(f.kind, f.name): f for f in _found(connection, kind, query, "public")})
        tables_copied = False
        for name in source_names(directory):
            kind = FILE_KINDS[name.split("/")[0]]
            if kind == "trigger" and not tables_copied:
                _copy_tables(connection)  # triggers are created on empty copies of the tables
                tables_copied = True
            attempt = connection.begin_nested()
            try:
                execute(connection, read(name, directory))
                found = _found(connection, kind, KIND_QUERIES[kind], SCRATCH, source=name)
            except errors as error:
                problems.append(f"{name} does not run: {_error(error)}")
                continue
            finally:
                attempt.rollback()
            _add(defined, found, problems, name, kind)
        if checks:
            if not tables_copied:
                _copy_tables(connection)
            problems += _model_checks(connection, errors)
            _add(defined, _restored_checks(connection, _found(connection, "CHECK", LIVE_CHECKS, SCRATCH,
                                                               source="the models")), problems)
    finally:
        scratch.rollback()
    return Catalog(live, defined, problems)


def _copy_tables(connection: Connection) -> None:
    for table in connection.execute(text(TABLES)).scalars().all():
        connection.exec_driver_sql(f'CREATE TABLE {SCRATCH}."{table}" (LIKE public."{table}")')


def _add(defined: dict[tuple[str, str], Found], found: list[Found], problems: list[str], name: str | None = None,
         kind: str | None = None) -> None:
    if name is not None and not found:
        problems.append(f"{name} defines no {kind}")
    for item in found:
        if (item.kind, item.name) in defined:
            problems.append(f"{item.label} is defined twice: in {defined[item.kind, item.name].source} and {name}")
        defined[item.kind, item.name] = item


def _model_checks(connection: Connection, errors: tuple[type[Exception], ...]) -> list[str]:
    """Add every CHECK the models declare to the scratch copies of their tables."""
    import unioncore_desktop.domain.models  # noqa: F401 - registers every table
    from unioncore_desktop.domain.metadata import metadata

    problems = []
    for table in metadata.sorted_tables:
        for constraint in table.constraints:
            if not isinstance(constraint, CheckConstraint):
                continue
            attempt = connection.begin_nested()
            try:
                connection.execute(AddConstraint(constraint))  # unqualified: it lands on the scratch copy
            except errors as error:
                attempt.rollback()
                problems.append(f"the models' CHECK {constraint.name} on {table.name} does not run: {_error(error)}")
            else:
                attempt.commit()
    return problems


def _restored_checks(connection: Connection, checks: list[Found]) -> list[Found]:
    """Each CHECK with its rendering once a dump's text of it is parsed again (a restored database's)."""
    result = []
    for check in checks:
        constraint, _, table = check.name.partition(" on ")
        attempt = connection.begin_nested()
        try:
            connection.exec_driver_sql(f'ALTER TABLE {SCRATCH}."{table}" DROP CONSTRAINT "{constraint}"')
            connection.exec_driver_sql(f'ALTER TABLE {SCRATCH}."{table}" ADD CONSTRAINT "{constraint}" '
                                       f"{check.definition}")
            again = connection.execute(text(
                "SELECT pg_get_constraintdef(n.oid) FROM pg_constraint AS n JOIN pg_class AS c ON c.oid = n.conrelid "
                "WHERE c.relnamespace = CAST(:schema AS regnamespace) AND c.relname = :table AND n.conname = :name"),
                {"schema": SCRATCH, "table": table, "name": constraint}).scalar_one()
        finally:
            attempt.rollback()
        result.append(replace(check, restored=normalise(again)))
    return result


def drift(connection: Connection, directory: Path | None = None, *, checks: bool = True) -> list[str]:
    """What differs between the database and its SQL sources (and the models' CHECKs), one line each; empty when
    they agree."""
    try:
        found = catalog(connection, directory, checks=checks)
    except (exc.DBAPIError, connection.dialect.loaded_dbapi.Error) as error:  # e.g. a login that may not CREATE
        return [f"the SQL sources could not be compared: {_error(error)}"]
    lines = list(found.problems)
    for key in sorted(found.live.keys() | found.defined.keys()):
        live, defined = found.live.get(key), found.defined.get(key)
        if defined is None:
            where = "the models" if key[0] == "CHECK" else "a source"
            lines.append(f"{key[0]} {key[1]} is in the database but not in {where}")
        elif live is None:
            lines.append(f"{defined.label} ({defined.source}) is not in the database")
        elif live.definition not in (defined.definition, defined.restored):
            lines.append(f"{live.label} differs from {defined.source}: {_first_difference(live, defined)}")
    return lines


def _first_difference(live: Found, defined: Found) -> str:
    """Where the two definitions first part, as a short quote of each side."""
    ours, theirs = live.definition.splitlines(), defined.definition.splitlines()
    other = "the models" if defined.source == "the models" else "the source"
    matcher = difflib.SequenceMatcher(a=ours, b=theirs, autojunk=False)
    for tag, i1, _, j1, _ in matcher.get_opcodes():
        if tag == "delete":
            return f"only the database has {_clip(ours[i1])!r}"
        if tag == "insert":
            return f"only {other} {'have' if other == 'the models' else 'has'} {_clip(theirs[j1])!r}"
        if tag == "replace":
            a, b = ours[i1], theirs[j1]
            common = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
            start = common - 24 if common > 40 else 0
            return f"the database has {_clip(a, start)!r}, {other} {_clip(b, start)!r}"
    return "they differ"


def _clip(line: str, start: int = 0, width: int = 72) -> str:
    clipped = ("..." if start else "") + line[start:start + width]
    return clipped + ("..." if len(line) > start + width else "")
