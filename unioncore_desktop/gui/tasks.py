"""Runs database work off the GUI thread and brings results back to it, so the window never waits on the server."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QMetaMethod, QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QWidget

from unioncore_desktop.domain.changes import Done
from unioncore_desktop.domain.errors import ConnectionProblem, DomainError
from unioncore_desktop.gui import events, messages

log = logging.getLogger(__name__)

Success = Callable[[Any], None]
Failure = Callable[[BaseException], None]
# (kind, ids) known up front, or computed from the command's result. Screens never pass one: their commands are
# actions (domain/actions) returning a `Done` that carries the changes; this remains for plain functions.
Changed = tuple[str, Sequence[Any]] | Callable[[Any], tuple[str, Sequence[Any]]]
Invoke = Callable[[Callable[..., Any]], Any]


class TaskKind(Enum):
    QUERY = "query"
    COMMAND = "command"


class TaskHandle:
    """Returned by `query()`/`command()` so the caller can drop a result it no longer wants, and tests can wait."""

    def __init__(self, name: str, kind: TaskKind) -> None:
        self.name = name
        self.kind = kind
        self._cancelled = False
        self._done = False
        self._future: Future[None] | None = None

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    @property
    def done(self) -> bool:
        """True once the outcome reached the GUI thread (delivered or discarded)."""
        return self._done

    def cancel(self) -> None:
        """Drop the callbacks. A query not yet started never runs; a write still happens once accepted."""
        self._cancelled = True
        if self.kind is TaskKind.QUERY and self._future is not None:
            self._future.cancel()

    def __repr__(self) -> str:
        return f"<TaskHandle {self.kind.value} {self.name} done={self._done} cancelled={self._cancelled}>"


@dataclass(eq=False)
class _Task:
    kind: TaskKind
    fn: Callable[..., Any]
    name: str
    parent: QWidget | None
    success: Success | None
    failure: Failure | None
    changed: Changed | None
    key: Hashable | None
    handle: TaskHandle
    generation: int = 0
    result: Any = None
    error: BaseException | None = None


def _call(fn: Callable[..., Any]) -> Any:
    return fn()


def _task_name(fn: Callable[..., Any]) -> str:
    while isinstance(fn, functools.partial):
        fn = fn.func
    return getattr(fn, "__qualname__", type(fn).__name__)


def _alive(widget: QWidget | None) -> bool:
    return widget is None or shiboken6.isValid(widget)


class TaskRunner(QObject):
    """Runs reads on a small pool and writes one at a time in order, delivering callbacks on the GUI thread.

    Usage: `runner.query(partial(members.search, hall, text), parent=self, success=self._show, key="search")`
    and `runner.command(partial(members.save_member, hall, data, base), parent=dialog, success=dialog.accept)`.
    `fn` runs in a worker and must not touch widgets; `invoke` (from the composition root) decides how it is
    called, e.g. `lambda fn: fn(uow_factory())`, so this class knows nothing about databases. A result that is a
    `Done` (what an action returns) has its changes announced on `events.hub().data_changed` and its `value`
    handed to `success`.
    """

    busy_changed = Signal(bool)
    # Emitted with the error text whenever a task could not reach the server; the main window shows a banner
    # whose Retry calls retry_failed().
    connection_lost = Signal(str)
    # (kind, name) of every task accepted, as it starts: what one keystroke costs the server is countable
    task_submitted = Signal(str, str)
    _task_finished = Signal(object)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        synchronous: bool = False,
        invoke: Invoke | None = None,
        log_path: Path | None = None,
        query_workers: int = 2,
    ) -> None:
        super().__init__(parent)
        self.synchronous = synchronous
        # Parent for messages about tasks started without one (or whose widget is gone); set to the main window.
        self.default_parent: QWidget | None = None
        self._invoke: Invoke = invoke or _call
        self._log_path = log_path
        self._commands: ThreadPoolExecutor | None = None
        self._queries: ThreadPoolExecutor | None = None
        if not synchronous:
            self._commands = ThreadPoolExecutor(max_workers=1, thread_name_prefix="unioncore-command")
            self._queries = ThreadPoolExecutor(max_workers=query_workers, thread_name_prefix="unioncore-query")
        self._generations: dict[Hashable, int] = {}
        self._latest_by_key: dict[Hashable, TaskHandle] = {}
        self._in_flight = 0
        self._accepting = True
        self._closed = False
        self._connected = True
        self._awaiting_retry: list[_Task] = []
        self._task_finished.connect(self._on_task_finished, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        return self._in_flight > 0

    @property
    def connected(self) -> bool:
        """False from a ConnectionProblem until the next task that reaches the server."""
        return self._connected

    def query(
        self,
        fn: Callable[..., Any],
        *,
        parent: QWidget | None = None,
        success: Success | None = None,
        failure: Failure | None = None,
        key: Hashable | None = None,
        name: str | None = None,
    ) -> TaskHandle:
        """Run a read on the query pool.

        Args:
            parent: the widget the result is for: messages are parented to it, and callbacks are dropped if it is
                deleted before the result arrives.
            success: called with fn's return value on the GUI thread.
            failure: replaces the warning shown for a DomainError. Connection problems and bugs are always
                reported by the runner; `failure` is then called as well, so the caller can restore its state.
            key: newest wins: starting another query with the same key discards this one's result.
        """
        task = self._new_task(TaskKind.QUERY, fn, parent, success, failure, None, key, name)
        return self._submit(task)

    def command(
        self,
        fn: Callable[..., Any],
        *,
        parent: QWidget | None = None,
        success: Success | None = None,
        failure: Failure | None = None,
        changed: Changed | None = None,
        name: str | None = None,
    ) -> TaskHandle:
        """Run a write on the single command worker, after every write submitted before it.

        Args are as for `query()`, plus `changed`: `(kind, ids)`, or a function of the result returning it, for a
        function that does not report its changes itself. After success, `events.hub().data_changed(kind, ids,
        parent)` is emitted for the result's changes (a `Done`'s) and for `changed`, before `success` runs.
        """
        task = self._new_task(TaskKind.COMMAND, fn, parent, success, failure, changed, None, name)
        return self._submit(task)

    def retry_failed(self) -> int:
        """Re-run the tasks that could not reach the server and whose callers still want them; returns how many."""
        tasks, self._awaiting_retry = self._awaiting_retry, []
        retried = 0
        for task in tasks:
            if task.handle.cancelled or not _alive(task.parent) or self._superseded(task):
                continue
            task.result = None
            task.error = None
            task.handle._done = False
            self._submit(task)
            retried += 1
        return retried

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking tasks and drop queued reads; writes already accepted still finish (and are waited for)."""
        self._accepting = False
        # Whatever arrives from now on is for windows that are closing: log it, do not call back into them.
        self._closed = True
        self._awaiting_retry.clear()
        if self._queries is not None:
            self._queries.shutdown(wait=wait, cancel_futures=True)
        if self._commands is not None:
            # A write the user was told is under way is never silently dropped.
            self._commands.shutdown(wait=wait)

    def _new_task(
        self,
        kind: TaskKind,
        fn: Callable[..., Any],
        parent: QWidget | None,
        success: Success | None,
        failure: Failure | None,
        changed: Changed | None,
        key: Hashable | None,
        name: str | None,
    ) -> _Task:
        name = name or _task_name(fn)
        return _Task(kind, fn, name, parent, success, failure, changed, key, TaskHandle(name, kind))

    def _submit(self, task: _Task) -> TaskHandle:
        handle = task.handle
        if not self._accepting:
            # A late debounce timer during quit must not crash the app; the task is simply not run.
            log.debug("not running %s: the task runner is shut down", task.name)
            handle._cancelled = True
            handle._done = True
            return handle
        if task.key is not None:
            task.generation = self._generations.get(task.key, 0) + 1
            self._generations[task.key] = task.generation
            previous = self._latest_by_key.get(task.key)
            if previous is not None and previous._future is not None:
                # Frees the read pool when typing outruns the server; its result would be discarded anyway.
                previous._future.cancel()
            self._latest_by_key[task.key] = handle
        self._change_in_flight(+1)
        self.task_submitted.emit(task.kind.value, task.name)

        if self.synchronous:
            try:
                self._execute(task)
            except BaseException:
                # Only non-Exception escapes reach here (a test's pytest.fail, KeyboardInterrupt): let them through.
                handle._done = True
                self._change_in_flight(-1)
                raise
            self._deliver(task)
            return handle

        if task.kind is TaskKind.COMMAND:
            # Deliver results that have already arrived before queueing another write, so the user sees the
            # outcome of earlier work (and windows start refreshing from it) before a later write is in flight.
            QCoreApplication.sendPostedEvents(self, QEvent.Type.MetaCall)
            executor = self._commands
        else:
            executor = self._queries
        assert executor is not None
        future = executor.submit(self._execute, task)
        handle._future = future
        future.add_done_callback(functools.partial(self._on_future_done, task))
        return handle

    def _execute(self, task: _Task) -> None:
        """Runs in a worker (or inline when synchronous); never touches Qt objects."""
        started = time.perf_counter()
        try:
            task.result = self._invoke(task.fn)
        except Exception as exc:
            task.error = exc
        elapsed_ms = (time.perf_counter() - started) * 1000
        outcome = "failed" if task.error is not None else "finished"
        log.debug("%s %s %s in %.1f ms", task.kind.value, task.name, outcome, elapsed_ms)

    def _on_future_done(self, task: _Task, future: Future[None]) -> None:
        # Runs in the worker thread (or the cancelling thread); the queued signal carries the task to the GUI thread.
        if not future.cancelled() and future.exception() is not None and task.error is None:
            task.error = future.exception()
        if shiboken6.isValid(self):
            self._task_finished.emit(task)

    def _on_task_finished(self, task: _Task) -> None:
        self._deliver(task)

    def _superseded(self, task: _Task) -> bool:
        return task.key is not None and self._generations.get(task.key) != task.generation

    def _deliver(self, task: _Task) -> None:
        handle = task.handle
        handle._done = True
        self._change_in_flight(-1)
        if task.key is not None and self._latest_by_key.get(task.key) is handle:
            del self._latest_by_key[task.key]
        if handle._future is not None and handle._future.cancelled():
            log.debug("%s was cancelled before it ran", task.name)
            return
        if self._superseded(task):
            log.debug("discarding the result of %s: a newer query with the same key was started", task.name)
            return

        listening = not handle.cancelled and not self._closed and _alive(task.parent)
        if task.error is None:
            self._set_connected(True)
            result = task.result
            changes: list[tuple[str, Sequence[Any]]] = []
            if isinstance(result, Done):
                changes += [(c.kind, c.ids) for c in result.changes]
                result = result.value
            if task.kind is TaskKind.COMMAND and task.changed is not None:
                changes.append(task.changed(result) if callable(task.changed) else task.changed)
            initiator = task.parent if _alive(task.parent) else None
            for kind, ids in changes:
                # Before the success callback: one that opens a modal box would otherwise hold back every
                # other window's refresh until the box is closed.
                events.hub().data_changed.emit(kind, list(ids), initiator)
            if listening and task.success is not None:
                task.success(result)
            return
        self._report_failure(task, listening)

    def _report_failure(self, task: _Task, listening: bool) -> None:
        error = task.error
        assert error is not None
        parent = self._message_parent(task)

        if isinstance(error, DomainError):
            log.info("%s %s refused: %s", task.kind.value, task.name, error.message)
            if not listening:
                return
            if task.failure is not None:
                task.failure(error)
            elif parent is not None:
                title = self.tr("Not saved") if task.kind is TaskKind.COMMAND else self.tr("Cannot show this")
                messages.warning(parent, title, error.message)
            return

        if isinstance(error, ConnectionProblem):
            log.warning("%s %s could not reach the server: %s", task.kind.value, task.name, error.message)
            if self._closed:
                return
            was_connected = self._connected
            self._set_connected(False)
            if listening:
                self._awaiting_retry.append(task)
            self.connection_lost.emit(error.message)
            banner_shown = self.isSignalConnected(QMetaMethod.fromSignal(self.connection_lost))
            if was_connected and not banner_shown and parent is not None:
                messages.warning(parent, self.tr("Connection lost"),
                                 self.tr("Cannot reach the server. What you just did was not completed; "
                                         "check the network connection and try again."))
            if listening and task.failure is not None:
                task.failure(error)
            return

        log.error("%s %s failed", task.kind.value, task.name, exc_info=error)
        if self._closed:
            return
        if parent is not None:
            messages.exception_dialog(parent, error, self._log_path)
        if listening and task.failure is not None:
            task.failure(error)

    def _message_parent(self, task: _Task) -> QWidget | None:
        for candidate in (task.parent, self.default_parent, QApplication.activeWindow()):
            if isinstance(candidate, QWidget) and shiboken6.isValid(candidate):
                return candidate
        return None

    def _set_connected(self, connected: bool) -> None:
        if connected == self._connected:
            return
        self._connected = connected
        if connected and self._awaiting_retry:
            # The banner and its Retry go away with the outage; the owning dialogs are still open to save again.
            log.info("connection is back; not retrying %d failed task(s)", len(self._awaiting_retry))
            self._awaiting_retry.clear()
        events.hub().connection_state_changed.emit(connected)

    def _change_in_flight(self, delta: int) -> None:
        was_busy = self.busy
        self._in_flight += delta
        if self.busy != was_busy:
            self.busy_changed.emit(self.busy)
