"""Migrations are the schema's only authority: they round-trip, match the models, and never destroy silently."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from sqlalchemy import text

from unioncore_desktop.db import migrate
from unioncore_desktop.paths import migrations_dir

VERSIONS = sorted((migrations_dir() / "versions").glob("*.py"))
DESTRUCTIVE_OPS = {"drop_table", "drop_column"}
DESTRUCTIVE_SQL = re.compile(r"\bDROP\s+(TABLE|COLUMN)\b|\bALTER\s+COLUMN\s+\w+\s+(SET\s+DATA\s+)?TYPE\b", re.I)


def test_upgrade_downgrade_upgrade_round_trip(databases):
    name = databases.create_empty()
    engine = databases.engine(name)
    migrate.upgrade(engine)
    migrate.downgrade(engine, "base")
    with engine.connect() as conn:
        tables = conn.execute(text(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            " AND table_name <> 'alembic_version'")).scalars().all()
    assert tables == []
    migrate.upgrade(engine)
    with engine.connect() as conn:
        assert migrate.current_revision(conn) == migrate.head_revision()
        assert migrate.drift(conn) == []


def test_models_and_migrations_do_not_drift(shared_db):
    _, engine = shared_db
    with engine.connect() as conn:
        assert migrate.drift(conn) == []


def destructive_calls(source: str) -> list[str]:
    """Drops and type changes inside upgrade() (downgrades undo by nature and are not checked)."""
    tree = ast.parse(source)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == "upgrade":
            for call in ast.walk(node):
                if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
                    continue
                if call.func.attr in DESTRUCTIVE_OPS:
                    found.append(call.func.attr)
                elif call.func.attr == "alter_column" and any(k.arg == "type_" for k in call.keywords):
                    found.append("alter_column type_")
                elif call.func.attr == "execute":
                    for arg in call.args:
                        if (isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                                and DESTRUCTIVE_SQL.search(arg.value)):
                            found.append("raw SQL drop/type change")
    return found


@pytest.mark.parametrize("path", VERSIONS, ids=lambda p: p.name)
def test_destructive_operations_are_marked(path: Path):
    source = path.read_text()
    if destructive_calls(source):
        assert re.search(r"#\s*BREAKING_OK:\s*\S", source), (
            f"{path.name} drops or retypes data in upgrade(); add '# BREAKING_OK: <reason>' if that is intended")


@pytest.mark.parametrize("source, flagged", [
    ("def upgrade():\n    op.drop_column('members', 'notes')\n", True),
    ("def upgrade():\n    op.alter_column('members', 'notes', type_=sa.String(10))\n", True),
    ("def upgrade():\n    op.execute('ALTER TABLE members DROP COLUMN notes')\n", True),
    ("def upgrade():\n    op.add_column('members', sa.Column('x', sa.Text()))\n", False),
    ("def downgrade():\n    op.drop_table('members')\n", False),
])
def test_destructive_detector(source, flagged):
    assert bool(destructive_calls(source)) is flagged


def test_one_head_and_migrations_dir_is_found():
    assert (migrations_dir() / "env.py").exists()
    assert migrate.head_revision() in migrate.known_revisions()


def test_the_revisions_read_without_alembic_are_alembics():
    """Logging in reads the head and the known revisions from the files' lines (db/revisions.py); Alembic's
    reading of the same files must agree, merges and all."""
    from alembic.script import ScriptDirectory

    from unioncore_desktop.db import revisions

    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    assert revisions.head() == migrate.head_revision()
    assert revisions.known() == migrate.known_revisions()
    assert revisions.revisions() == {
        script.revision: tuple(scripts.get_revision(script.revision)._normalized_down_revisions)
        for script in scripts.walk_revisions()}
