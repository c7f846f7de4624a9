"""Alembic environment: target metadata is the domain's; the URL or connection comes from the caller."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

import unioncore_desktop.domain.models  # noqa: F401 - registers every table
from unioncore_desktop.domain.metadata import metadata

config = context.config
target_metadata = metadata


def _include_object(obj, name, type_, reflected, compare_to):  # noqa: ANN001 - alembic hook signature
    # alembic_version is Alembic's own; exclusion constraints are kept in migrations only
    return not (type_ == "table" and name == "alembic_version")


def _configure(connection) -> None:  # noqa: ANN001
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_include_object,
        compare_type=True,
        compare_server_default=False,
        transaction_per_migration=True,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
    with engine.connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `unioncore db upgrade`")
run_migrations_online()
