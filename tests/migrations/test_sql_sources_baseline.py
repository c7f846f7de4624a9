"""The SQL sources are what migrations 0001-0014 left behind: 0015, which applies them all, changes nothing, and
neither does its downgrade. The sources are taken as they read at 0015 (later migrations keep the text they
replaced)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from unioncore_desktop.db import migrate, sql_sources


def _sources_at_0015(directory: Path) -> Path:
    """The files 0015 applied, each as it read then."""
    m0015 = next(m for m in sql_sources.migrations_after("0014") if m.revision == "0015")
    for name in m0015.SOURCES:
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sql_sources.text_as_of(name, "0015"), encoding="utf-8")
    return directory


def _definitions(engine: Engine) -> dict[tuple[str, str], str]:
    with engine.connect() as conn:
        return {key: found.definition for key, found in sql_sources.catalog(conn).live.items()}


def test_0015_applies_the_sources_and_changes_nothing(databases, tmp_path):
    engine = databases.engine(databases.create_empty())
    migrate.upgrade(engine, "0014")
    with engine.connect() as conn:
        # history, pasted bodies and all, left exactly what the files define (the models' CHECKs are today's,
        # and may name columns later revisions add: tests/db/test_sql_sources.py holds them at head)
        assert sql_sources.drift(conn, _sources_at_0015(tmp_path), checks=False) == []
    at_0014 = _definitions(engine)
    migrate.upgrade(engine, "0015")
    assert _definitions(engine) == at_0014
    migrate.downgrade(engine, "0014")
    assert _definitions(engine) == at_0014
