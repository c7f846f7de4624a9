"""Alembic in code: upgrade, current and head revisions, and the models-versus-database drift check."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

import unioncore_desktop.domain.models  # noqa: F401 - registers every table
from unioncore_desktop.db import sql_sources
from unioncore_desktop.domain.metadata import metadata
from unioncore_desktop.paths import migrations_dir


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"migrations have {len(heads)} heads; merge them")
    return heads[0]


def known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
        if revision == "head":
            close_to_public(connection)


CLOSE_TO_PUBLIC = """
    DO $$ BEGIN
        EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
    END $$"""
"""Database privileges live outside the schema: a copy made with CREATE DATABASE ... TEMPLATE, or a restore, gets
PostgreSQL's defaults again (any login may create temporary tables). Every upgrade closes that once more."""


def close_to_public(connection: Connection) -> None:
    connection.execute(text(CLOSE_TO_PUBLIC))


def loopholes(connection: Connection) -> list[str]:
    """What PUBLIC may still do here that the role model forbids (for `db check`); empty when closed."""
    found = []
    if connection.exec_driver_sql("""
            SELECT count(*) FROM pg_database AS d
            CROSS JOIN LATERAL aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) AS g
            WHERE d.datname = current_database() AND g.grantee = 0 AND g.privilege_type = 'TEMPORARY'
            """).scalar_one():
        found.append("every login may create temporary tables here: run `unioncore db upgrade` to close it")
    if connection.exec_driver_sql("SELECT has_schema_privilege('public', 'public', 'CREATE')").scalar_one():
        found.append("every login may create objects in schema public: run `unioncore db upgrade` to close it")
    return found


def check(connection: Connection) -> list[str]:
    """What `unioncore db check` says is wrong, one printed line each; empty when the database is what this build
    expects (also run on a restored copy by `backup --verify`)."""
    current, head = current_revision(connection), head_revision()
    if current != head:
        return [f"database is at {current or 'no schema'}, this build expects {head}: run `unioncore db upgrade`"]
    # alembic compares tables, columns and indexes; functions, triggers, views and CHECKs are held to
    # migrations/sql/ and the models here
    differences = [*drift(connection), *sql_sources.drift(connection)]
    lines = ["the database differs from the models:", *(f"  {diff}" for diff in differences)] if differences else []
    return lines + [f"the database is open: {loophole}" for loophole in loopholes(connection)]


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def drift(connection: Connection) -> list[Any]:
    """Differences between the models and the database; empty when they agree."""
    context = MigrationContext.configure(connection, opts={
        "compare_type": True,
        "include_object": lambda obj, name, type_, reflected, compare_to: not (
            type_ == "table" and name == "alembic_version"),
    })
    differences: list[Any] = compare_metadata(context, metadata)
    return differences
