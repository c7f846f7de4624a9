"""The core is Qt-free (CLI, tests and other clients use it headless), the GUI never talks SQL directly (widgets
call actions, domain/actions, and only actions open sessions and units of work), and every module imports only the
layers ARCHITECTURE.md's table allows it."""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "unioncore_desktop"
# where the domain keeps what only actions may call: services (writes) and queries (reads over a session)
CALLED_THROUGH_ACTIONS = ("unioncore_desktop.domain.services", "unioncore_desktop.domain.queries")


def gui_trees() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted((PACKAGE / "gui").rglob("*.py")):
        yield str(path.relative_to(PACKAGE)), ast.parse(path.read_text(), filename=str(path))


def _through_actions(module: str) -> bool:
    return module.startswith(CALLED_THROUGH_ACTIONS)


def test_core_imports_without_pyside6():
    """Every module outside gui/ (walked from the files, so a new one is covered the day it is added)."""
    modules = sorted(
        ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        for path in PACKAGE.rglob("*.py") if "gui" not in path.relative_to(PACKAGE).parts)
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print(','.join(bad))\n"
    )
    assert len(modules) > 50
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_gui_never_imports_sqlalchemy():
    offenders = []
    for path, tree in gui_trees():
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path}: {n}" for n in names if n.split(".")[0] in ("sqlalchemy", "psycopg", "alembic")]
    assert offenders == []


def test_gui_opens_no_session_and_no_unit_of_work():
    """`.session()`, `.uow()` and `hall.read(query)` are for actions: a widget asks an action for DTOs."""
    offenders = []
    for path, tree in gui_trees():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            receiver = ast.unparse(node.func.value)
            if node.func.attr in ("session", "sessions", "uow") or (node.func.attr == "read" and "hall" in receiver):
                offenders.append(f"{path}:{node.lineno}: {receiver}.{node.func.attr}()")
    assert offenders == []


def test_gui_takes_only_dtos_from_services_and_queries():
    """From domain/services and domain/queries a widget imports result types and constants, never a function to
    call: every read and write goes through an action."""
    offenders = []
    for path, tree in gui_trees():
        modules: dict[str, object] = {}  # local name -> a services/queries module imported whole
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and _through_actions(node.module):
                source = importlib.import_module(node.module)
                for alias in node.names:
                    # a submodule (`from ...queries import dues`) is an attribute only once something imported it
                    value = getattr(source, alias.name, None) or importlib.import_module(f"{node.module}.{alias.name}")
                    if inspect.ismodule(value):
                        modules[alias.asname or alias.name] = value
                    elif inspect.isfunction(value):
                        offenders.append(f"{path}:{node.lineno}: {node.module}.{alias.name}")
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in modules
                    and inspect.isfunction(getattr(modules[node.value.id], node.attr, None))):
                offenders.append(f"{path}:{node.lineno}: {node.value.id}.{node.attr}")
    assert offenders == []


def test_gui_announces_no_changes_by_hand():
    """What a command changed comes back with its result (domain/changes.py) and drives every refresh; no widget
    writes a (kind, ids) of its own."""
    offenders = [f"{path}:{node.lineno}" for path, tree in gui_trees() for node in ast.walk(tree)
                 if isinstance(node, ast.Call) and any(k.arg == "changed" for k in node.keywords)]
    assert offenders == []


# Who may import whom inside the package (ARCHITECTURE.md, "Layers"): the longest prefix naming a module decides,
# and an import is allowed when it starts with one of that layer's prefixes. Imports inside functions and under
# TYPE_CHECKING count as well: a cycle dodged with a local import is still a cycle.
ROOT = "unioncore_desktop"
DB_SEES = ("domain.errors", "domain.vocab", "domain.metadata", "domain.models", "domain.uow", "domain.driver_errors")
MAY_IMPORT: dict[str, tuple[str, ...]] = {
    "domain.vocab": (),
    "domain.errors": (),
    "domain.error_texts": (),
    "domain.metadata": (),
    "domain.driver_sql": (),
    "domain.driver_errors": ("domain.errors", "domain.error_texts"),
    "domain.uow": ("domain.driver_errors", "domain.driver_sql"),
    "domain.models": ("domain.models", "domain.metadata", "domain.vocab"),
    "domain.rules": ("domain.rules", "domain.vocab", "domain.errors", "domain.error_texts"),
    "domain.queries": ("domain.queries", "domain.rules", "domain.models", "domain.vocab", "domain.errors"),
    "domain.services": ("domain",),
    "domain.changes": (),
    "domain.actions": ("domain",),
    "domain": ("domain",),
    "db": ("db", "paths", "", *DB_SEES),
    "reports": ("reports", "domain.queries", "paths"),  # paths: the embedded fonts under resources/
    "seed": ("seed", "domain", "db"),
    "load": ("load", "db", "domain", "seed"),
    "cli": ("cli", "db", "domain", "seed", "load", "demo", "paths", "log", ""),
    "demo": ("db", "seed", "paths"),
    "log": ("paths",),
    "paths": ("",),
    "gui": ("gui", "db", "domain", "reports", "seed", "demo", "paths", "log", ""),
}
# no database driver, no ORM: plain Python
PURE = ("domain.rules", "domain.vocab", "domain.errors", "domain.error_texts")


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, relative ones resolved."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            found.append((node.lineno, base))
            # `from unioncore_desktop.domain import vocab` imports the submodule
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names
                      if (PACKAGE.parent / f"{base}.{alias.name}".replace(".", "/")).with_suffix(".py").exists()
                      or (PACKAGE.parent / f"{base}.{alias.name}".replace(".", "/") / "__init__.py").exists()]
    return found


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _layer(relative: str) -> str:
    """The most specific layer naming the module; "" when none does."""
    return max((layer for layer in MAY_IMPORT if _within(relative, layer)), key=len, default="")


def test_every_module_imports_only_the_layers_it_may() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = _module_name(path).removeprefix(ROOT).removeprefix(".")
        if not relative:
            continue  # the package root: its name and version only
        layer = _layer(relative)
        if not layer:
            offenders.append(f"{relative} belongs to no layer of MAY_IMPORT")
            continue
        for line, name in _imports(path):
            if not _within(name, ROOT):
                if layer in PURE and name.split(".")[0] in ("sqlalchemy", "psycopg", "alembic"):
                    offenders.append(f"{relative}:{line} imports {name} (rules are pure)")
                continue
            target = name.removeprefix(ROOT).removeprefix(".")
            allowed = MAY_IMPORT[layer]
            if not any(target == "" if prefix == "" else _within(target, prefix) for prefix in allowed):
                offenders.append(f"{relative}:{line} imports {target or ROOT} ({layer} may import {allowed})")
    assert offenders == []


def test_the_layer_table_covers_every_module() -> None:
    layers = {_layer(_module_name(path).removeprefix(ROOT + ".")) for path in PACKAGE.rglob("*.py")
              if path.parent != PACKAGE or path.name != "__init__.py"}
    assert "" not in layers
    assert {"domain.rules", "domain.models", "domain.queries", "domain.services", "db", "gui"} <= layers


def test_the_layering_check_sees_local_imports() -> None:
    """Imports inside functions and under TYPE_CHECKING are found like any other (the rules-models cycle used to
    hide in one)."""
    assert f"{ROOT}.demo" in {name for _, name in _imports(PACKAGE / "cli.py")}  # inside a function
    assert f"{ROOT}.domain.queries.requests" in {name for _, name in _imports(PACKAGE / "reports" / "tables.py")}
