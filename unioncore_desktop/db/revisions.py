"""The migrations' revision names read from the files' own lines, without Alembic: logging in needs only the head
and the known names, and importing Alembic (with Mako and Pygments) costs a start-up some 0.3 s for them.
`tests/migrations/test_migrations.py` holds these to Alembic's own reading."""

from __future__ import annotations

import ast
import functools
import re

from unioncore_desktop.paths import migrations_dir

_ASSIGNMENT = re.compile(r"^(revision|down_revision)\b[^=\n]*=\s*(.+?)\s*(?:#.*)?$", re.MULTILINE)


@functools.cache
def revisions() -> dict[str, tuple[str, ...]]:
    """Each revision and the revisions it follows (none for the first)."""
    found: dict[str, tuple[str, ...]] = {}
    for path in sorted((migrations_dir() / "versions").glob("*.py")):
        names = dict(_ASSIGNMENT.findall(path.read_text(encoding="utf-8")))
        if "revision" not in names:
            continue
        follows = ast.literal_eval(names.get("down_revision", "None"))
        found[ast.literal_eval(names["revision"])] = (
            () if follows is None else (follows,) if isinstance(follows, str) else tuple(follows))
    return found


def known() -> set[str]:
    return set(revisions())


def head() -> str:
    """The one revision nothing follows; several mean the migrations need a merge."""
    followed = {name for parents in revisions().values() for name in parents}
    heads = [name for name in revisions() if name not in followed]
    if len(heads) != 1:
        raise RuntimeError(f"migrations have {len(heads)} heads; merge them")
    return heads[0]
