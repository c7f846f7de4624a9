"""The SQL sources are what migrations 0001-0014 left behind: 0015, which applies them all, changes nothing, and
neither does its downgrade."""

from __future__ import annotations

from sqlalchemy import Engine

from unioncore_desktop.db import migrate, sql_sources


def _definitions(engine: Engine) -> dict[tuple[str, str], str]:
    with engine.connect() as conn:
        return {key: found.definition for key, found in sql_sources.catalog(conn).live.items()}


def test_0015_applies_the_sources_and_changes_nothing(databases):
    engine = databases.engine(databases.create_empty())
    migrate.upgrade(engine, "0014")
    with engine.connect() as conn:
        assert sql_sources.drift(conn) == []  # history, pasted bodies and all, left exactly what the files define
    at_0014 = _definitions(engine)
    migrate.upgrade(engine, "0015")
    assert _definitions(engine) == at_0014
    migrate.downgrade(engine, "0014")
    assert _definitions(engine) == at_0014
