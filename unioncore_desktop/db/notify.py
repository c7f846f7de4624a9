"""Changes other workstations commit, heard through PostgreSQL LISTEN/NOTIFY on a connection of its own.

Triggers (migration 0003, `uc_notify_change`) send one JSON payload per changed row on channel `uc_change`;
PostgreSQL folds identical payloads of one transaction and delivers them only at commit. A daemon thread
waits on the socket with `select`, collects a burst for a short window and hands it over as one list, so a
dispatch that touches forty registrations refreshes a screen once. Qt-free: the GUI bridge is gui/live.py.
"""

from __future__ import annotations

import json
import logging
import select
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import psycopg
from psycopg.conninfo import make_conninfo

from unioncore_desktop import APP_NAME

log = logging.getLogger(__name__)
T = TypeVar("T")

CHANNEL = "uc_change"
COALESCE_SECONDS = 0.15
HEALTH_CHECK_SECONDS = 20.0
BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0, 8.0)
# A server that vanishes without closing the socket (a cut cable) is noticed by TCP keepalive, not by waiting.
_CONNECTION_DEFAULTS = {"connect_timeout": "5", "keepalives": "1", "keepalives_idle": "30",
                        "keepalives_interval": "10", "keepalives_count": "3"}


@dataclass(frozen=True, slots=True)
class Change:
    """One committed row change: `op` is I, U or D; `key` the trigger's key column as text (e.g. a book id);
    `what` names the change where the row's table does not hold it (a staff login's roles or password)."""

    table: str
    op: str
    key: str | None
    by: str | None
    app: str | None
    what: str | None = None

    @classmethod
    def parse(cls, payload: str) -> Change | None:
        """None for a payload that is not ours (anyone may NOTIFY the channel)."""
        try:
            data = json.loads(payload)
        except ValueError:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("table"), str) or not data.get("op"):
            return None

        def text(name: str) -> str | None:
            value = data.get(name)
            return None if value is None else str(value)

        return cls(data["table"], str(data["op"]), text("key"), text("by"), text("app"), text("what"))


ChangesCallback = Callable[[list[Change]], None]
StateCallback = Callable[[bool], None]


class ChangeListener:
    """LISTENs on `uc_change` in a daemon thread, reconnecting with backoff for as long as it runs.

    `on_changes(list[Change])` gets each burst once, duplicates folded, in arrival order; `on_state(bool)` is
    called on every change of connectedness (first True when listening). Both run on the listener thread.
    Notifications sent while disconnected are lost, so a consumer should refresh everything after a True that
    follows a False.
    """

    def __init__(self, conninfo: str | Callable[[], str], on_changes: ChangesCallback,
                 on_state: StateCallback | None = None, *, application_name: str = f"{APP_NAME} live",
                 coalesce: float = COALESCE_SECONDS, health_check: float = HEALTH_CHECK_SECONDS,
                 backoff: Sequence[float] = BACKOFF_SECONDS) -> None:
        # a callable is asked at every (re)connect, so a password changed meanwhile is used from then on
        self._conninfo = conninfo
        self._application_name = application_name
        self.on_changes = on_changes
        self.on_state = on_state
        self.coalesce = coalesce
        self.health_check = health_check
        self.backoff = tuple(backoff)
        self._stopping = threading.Event()
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._connected: bool | None = None
        self._backend_pid: int | None = None

    @property
    def conninfo(self) -> str:
        source = self._conninfo() if callable(self._conninfo) else self._conninfo
        return make_conninfo(source, **{**_CONNECTION_DEFAULTS, "application_name": self._application_name})

    @property
    def connected(self) -> bool:
        return bool(self._connected)

    @property
    def backend_pid(self) -> int | None:
        """The server process of the listening connection (for pg_stat_activity and tests)."""
        return self._backend_pid

    def start(self) -> ChangeListener:
        if self._thread is not None:
            raise RuntimeError("a ChangeListener starts once")
        # Written to by stop(), so the select() in the thread wakes at once instead of at its next timeout.
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._thread = threading.Thread(target=self._run, name="uc-change-listener", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop listening and close the connection; returns as soon as the thread has finished."""
        self._stopping.set()
        try:
            if self._wake_w is not None:
                self._wake_w.send(b"x")
        except OSError:  # the thread has already finished and closed it
            pass
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():  # from a callback: ends on return
            thread.join(timeout)
            if thread.is_alive():  # pragma: no cover - a connect() stuck past connect_timeout
                log.warning("change listener did not stop within %.1f s", timeout)

    # --- the thread ----------------------------------------------------------------------------------------

    def _run(self) -> None:
        wake = self._wake_r
        assert wake is not None
        attempt = 0
        while not self._stopping.is_set():
            try:
                conn = psycopg.connect(self.conninfo, autocommit=True)
                try:  # not `with`: its exit would try a ROLLBACK on a connection the server has dropped
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._backend_pid = conn.info.backend_pid
                    attempt = 0
                    self._set_state(True)
                    self._listen(conn, wake)
                finally:
                    conn.close()
            except psycopg.Error as exc:
                if self._stopping.is_set():
                    break
                log.warning("change listener: %s", str(exc).strip() or type(exc).__name__)
                self._set_state(False)
                delay = self.backoff[min(attempt, len(self.backoff) - 1)] if self.backoff else 1.0
                attempt += 1
                self._stopping.wait(delay)
            except Exception:  # a bug here must not end live updates for the rest of the session
                log.exception("change listener failed")
                self._set_state(False)
                self._stopping.wait(self.backoff[-1] if self.backoff else 1.0)
        # Stopping is not an outage: no callback, the owner asked for it.
        self._connected = False
        self._backend_pid = None
        for sock in (self._wake_r, self._wake_w):
            if sock is not None:
                sock.close()

    def _listen(self, conn: psycopg.Connection, wake: socket.socket) -> None:
        pending: list[Change] = []
        flush_at: float | None = None
        check_at = time.monotonic() + self.health_check
        fileno = conn.fileno()
        while not self._stopping.is_set():
            if time.monotonic() >= check_at:
                conn.execute("SELECT 1")  # an idle connection killed by a proxy or restart shows up here
                check_at = time.monotonic() + self.health_check
            # timeout=0 takes what the socket holds plus what arrived during our own statements (the health
            # check), then returns; it raises OperationalError when the server has closed the connection.
            for notify in conn.notifies(timeout=0):
                change = Change.parse(notify.payload) if notify.channel == CHANNEL else None
                if change is None:
                    log.debug("ignored a notification that is not a change: %.80r", notify.payload)
                    continue
                pending.append(change)
                if flush_at is None:
                    flush_at = time.monotonic() + self.coalesce
            now = time.monotonic()
            if flush_at is not None and now >= flush_at:
                batch, pending, flush_at = list(dict.fromkeys(pending)), [], None
                self._call(self.on_changes, batch)
            wait = check_at - now if flush_at is None else min(flush_at, check_at) - now
            watched: list[int | socket.socket] = [fileno, wake]
            readable, _, _ = select.select(watched, [], [], max(0.0, wait))
            if wake in readable:
                self._drain(wake)

    @staticmethod
    def _drain(wake: socket.socket) -> None:
        try:
            while wake.recv(64):
                pass
        except (BlockingIOError, OSError):
            pass

    def _set_state(self, connected: bool) -> None:
        if connected == self._connected:
            return
        self._connected = connected
        if connected:
            log.info("listening for changes (backend %s)", self._backend_pid)
        if self.on_state is not None:
            self._call(self.on_state, connected)

    @staticmethod
    def _call(callback: Callable[[T], None], value: T) -> None:
        # A consumer's bug is logged, not allowed to drop the connection and lose the changes that follow.
        try:
            callback(value)
        except Exception:
            log.exception("change listener callback %r failed", callback)
