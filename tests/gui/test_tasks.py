"""TaskRunner on real worker threads, plus its synchronous mode for widget tests."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import shiboken6
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from tests.harness import LoggedErrors
from unioncore_desktop.domain.changes import Changed, done
from unioncore_desktop.domain.errors import ConnectionProblem, DomainError, ValidationError
from unioncore_desktop.gui import events, messages
from unioncore_desktop.gui.tasks import TaskKind, TaskRunner

WAIT_MS = 5000

Connect = Callable[[Any, Callable[..., Any]], None]


def _raise(error: BaseException) -> Any:
    raise error


class TestDelivery:
    def test_success_runs_on_gui_thread_with_worker_result(
        self, qtbot: QtBot, runner: TaskRunner, parent_widget: QWidget
    ) -> None:
        seen: list[tuple[str, threading.Thread]] = []

        handle = runner.query(lambda: threading.current_thread().name, parent=parent_widget,
                              success=lambda name: seen.append((name, threading.current_thread())))

        qtbot.waitUntil(lambda: handle.done, timeout=WAIT_MS)
        worker_name, callback_thread = seen[0]
        assert worker_name.startswith("unioncore-query")
        assert callback_thread is threading.main_thread()

    def test_commands_run_on_their_own_worker(self, qtbot: QtBot, runner: TaskRunner) -> None:
        seen: list[str] = []
        handle = runner.command(lambda: threading.current_thread().name, success=seen.append)
        qtbot.waitUntil(lambda: handle.done, timeout=WAIT_MS)
        assert seen[0].startswith("unioncore-command")
        assert handle.kind is TaskKind.COMMAND

    def test_busy_changes_once_each_way(self, qtbot: QtBot, runner: TaskRunner) -> None:
        states: list[bool] = []
        runner.busy_changed.connect(states.append)
        gate = threading.Event()

        handles = [runner.query(lambda: gate.wait(WAIT_MS / 1000)) for _ in range(3)]
        assert runner.busy
        gate.set()
        qtbot.waitUntil(lambda: all(h.done for h in handles), timeout=WAIT_MS)

        assert states == [True, False]
        assert not runner.busy

    def test_commands_apply_and_report_in_submission_order(self, qtbot: QtBot, runner: TaskRunner) -> None:
        applied: list[int] = []
        reported: list[int] = []

        def write(number: int) -> int:
            time.sleep(0.005 if number % 3 == 0 else 0)
            applied.append(number)
            return number

        handles = [runner.command(lambda n=n: write(n), success=reported.append) for n in range(12)]

        qtbot.waitUntil(lambda: all(h.done for h in handles), timeout=WAIT_MS)
        assert applied == list(range(12))
        assert reported == list(range(12))

    def test_command_announces_change_before_success(
        self, qtbot: QtBot, runner: TaskRunner, parent_widget: QWidget, connect: Connect
    ) -> None:
        order: list[str] = []
        hub = events.hub()
        connect(hub.data_changed, lambda *args: order.append("data_changed"))

        with qtbot.waitSignal(hub.data_changed, timeout=WAIT_MS) as blocker:
            runner.command(lambda: 42, parent=parent_widget, changed=lambda new_id: ("member", [new_id]),
                           success=lambda _: order.append("success"))
        qtbot.waitUntil(lambda: "success" in order, timeout=WAIT_MS)

        assert blocker.args == ["member", [42], parent_widget]
        assert order == ["data_changed", "success"]

    def test_a_command_that_reports_its_changes_announces_them_and_hands_on_its_value(
        self, qtbot: QtBot, runner: TaskRunner, parent_widget: QWidget, connect: Connect
    ) -> None:
        order: list[object] = []
        connect(events.hub().data_changed, lambda kind, ids, by: order.append((kind, ids, by)))

        handle = runner.command(
            lambda: done("saved", Changed.of("labor_request", book_ids=[3]), Changed.of("bid", request_ids=[8, 8])),
            parent=parent_widget, success=order.append)
        qtbot.waitUntil(lambda: handle.done, timeout=WAIT_MS)

        assert order == [("labor_request", [3], parent_widget), ("bid", [8], parent_widget), "saved"]

    def test_failed_command_announces_no_change(
        self, qtbot: QtBot, runner: TaskRunner, parent_widget: QWidget
    ) -> None:
        with qtbot.assertNotEmitted(events.hub().data_changed):
            handle = runner.command(lambda: _raise(DomainError("No.")), parent=parent_widget,
                                    changed=("member", [1]))
            qtbot.waitUntil(lambda: handle.done, timeout=WAIT_MS)

    def test_cancelled_query_calls_nothing_back(self, qtbot: QtBot, runner: TaskRunner) -> None:
        gate = threading.Event()
        called: list[object] = []
        handle = runner.query(lambda: gate.wait(WAIT_MS / 1000), success=called.append)
        handle.cancel()
        gate.set()
        qtbot.waitUntil(lambda: handle.done, timeout=WAIT_MS)
        assert called == []

    def test_result_for_a_deleted_widget_is_dropped(self, qtbot: QtBot, runner: TaskRunner) -> None:
        widget = QWidget()
        gate = threading.Event()
        called: list[object] = []
        handle = runner.query(lambda: gate.wait(WAIT_MS / 1000), parent=widget, success=called.append)

        shiboken6.delete(widget)
        gate.set()

        qtbot.waitUntil(lambda: handle.done, timeout=WAIT_MS)
        assert called == []

    def test_logs_name_and_duration_at_debug(
        self, qtbot: QtBot, runner: TaskRunner, caplog: pytest.LogCaptureFixture
    ) -> None:
        caplog.set_level(logging.DEBUG, logger="unioncore_desktop.gui.tasks")
        handle = runner.query(lambda: None, name="list_members")
        qtbot.waitUntil(lambda: handle.done, timeout=WAIT_MS)
        record = next(r for r in caplog.records if "list_members" in r.getMessage())
        assert record.levelno == logging.DEBUG
        assert " ms" in record.getMessage()


class TestNewestWins:
    def test_stale_result_is_discarded(self, qtbot: QtBot, runner: TaskRunner) -> None:
        gate = threading.Event()
        shown: list[str] = []

        def slow() -> str:
            gate.wait(WAIT_MS / 1000)
            return "smi"

        older = runner.query(slow, success=shown.append, key="members-search")
        newer = runner.query(lambda: "smith", success=shown.append, key="members-search")
        qtbot.waitUntil(lambda: newer.done, timeout=WAIT_MS)
        gate.set()
        qtbot.waitUntil(lambda: older.done, timeout=WAIT_MS)

        assert shown == ["smith"]

    def test_superseded_query_that_has_not_started_never_runs(self, qtbot: QtBot, runner: TaskRunner) -> None:
        gate = threading.Event()
        blockers = [runner.query(lambda: gate.wait(WAIT_MS / 1000)) for _ in range(2)]
        ran: list[str] = []

        older = runner.query(lambda: ran.append("older"), key="k")
        newer = runner.query(lambda: ran.append("newer"), key="k")
        gate.set()
        qtbot.waitUntil(lambda: all(h.done for h in [*blockers, older, newer]), timeout=WAIT_MS)

        assert ran == ["newer"]

    def test_different_keys_do_not_interfere(self, qtbot: QtBot, runner: TaskRunner) -> None:
        shown: list[str] = []
        first = runner.query(lambda: "members", success=shown.append, key="members")
        second = runner.query(lambda: "employers", success=shown.append, key="employers")
        qtbot.waitUntil(lambda: first.done and second.done, timeout=WAIT_MS)
        assert sorted(shown) == ["employers", "members"]


class TestFailures:
    def test_domain_error_becomes_a_warning(
        self, qtbot: QtBot, runner: TaskRunner, parent_widget: QWidget, message_recorder: messages.Recorder
    ) -> None:
        handle = runner.command(lambda: _raise(DomainError("Card number already in use.", field="card_number")),
                                parent=parent_widget)
        qtbot.waitUntil(lambda: handle.done, timeout=WAIT_MS)

        [message] = message_recorder.messages
        assert (message.kind, message.text, message.parent) == ("warning", "Card number already in use.",
                                                                parent_widget)

    def test_own_failure_handler_replaces_the_warning(
        self, qtbot: QtBot, runner: TaskRunner, parent_widget: QWidget, message_recorder: messages.Recorder
    ) -> None:
        errors: list[BaseException] = []
        handle = runner.command(lambda: _raise(ValidationError({"last_name": "Last name is required."})),
                                parent=parent_widget, failure=errors.append)
        qtbot.waitUntil(lambda: handle.done, timeout=WAIT_MS)

        assert isinstance(errors[0], ValidationError)
        assert errors[0].field == "last_name"
        assert message_recorder.messages == []

    def test_bug_is_logged_and_shown_with_details(
        self,
        qtbot: QtBot,
        runner: TaskRunner,
        parent_widget: QWidget,
        message_recorder: messages.Recorder,
        logged_errors: LoggedErrors,
    ) -> None:
        errors: list[BaseException] = []
        handle = runner.query(lambda: _raise(ZeroDivisionError("division by zero")), parent=parent_widget,
                              failure=errors.append, name="dues_summary")
        qtbot.waitUntil(lambda: handle.done, timeout=WAIT_MS)

        [message] = message_recorder.messages
        assert message.kind == "exception"
        assert message.text == "ZeroDivisionError: division by zero"
        assert "Traceback" in message.details
        [record] = logged_errors.take(r"unioncore_desktop\.gui\.tasks: query dues_summary failed")
        assert record.exc_info is not None
        # The caller hears about it too, to restore its buttons.
        assert isinstance(errors[0], ZeroDivisionError)

    def test_connection_problem_without_banner_warns_once(
        self,
        qtbot: QtBot,
        runner: TaskRunner,
        parent_widget: QWidget,
        message_recorder: messages.Recorder,
        connect: Connect,
    ) -> None:
        states: list[bool] = []
        connect(events.hub().connection_state_changed, states.append)

        handles = [runner.query(lambda: _raise(ConnectionProblem()), parent=parent_widget) for _ in range(3)]
        qtbot.waitUntil(lambda: all(h.done for h in handles), timeout=WAIT_MS)

        assert message_recorder.kinds() == ["warning"]
        assert "Cannot reach the server" in message_recorder.messages[0].text
        assert not runner.connected
        assert states == [False]

        back = runner.query(lambda: "ok")
        qtbot.waitUntil(lambda: back.done, timeout=WAIT_MS)
        assert runner.connected
        assert states == [False, True]

    def test_connection_problem_with_banner_signals_and_retries(
        self, qtbot: QtBot, runner: TaskRunner, parent_widget: QWidget, message_recorder: messages.Recorder
    ) -> None:
        banner: list[str] = []
        runner.connection_lost.connect(banner.append)
        attempts: list[int] = []
        saved: list[str] = []
        failures: list[BaseException] = []

        def post_payment() -> str:
            attempts.append(1)
            if len(attempts) == 1:
                raise ConnectionProblem("server closed the connection unexpectedly")
            return "posted"

        handle = runner.command(post_payment, parent=parent_widget, success=saved.append, failure=failures.append)
        qtbot.waitUntil(lambda: handle.done, timeout=WAIT_MS)

        assert banner == ["server closed the connection unexpectedly"]
        assert message_recorder.messages == []
        assert isinstance(failures[0], ConnectionProblem)

        assert runner.retry_failed() == 1
        qtbot.waitUntil(lambda: handle.done, timeout=WAIT_MS)
        assert saved == ["posted"]
        assert len(attempts) == 2
        assert runner.retry_failed() == 0

    def test_retry_skips_superseded_queries(
        self, qtbot: QtBot, runner: TaskRunner, parent_widget: QWidget
    ) -> None:
        runner.connection_lost.connect(lambda _message: None)
        failed = runner.query(lambda: _raise(ConnectionProblem()), parent=parent_widget, key="search")
        qtbot.waitUntil(lambda: failed.done, timeout=WAIT_MS)
        newer = runner.query(lambda: _raise(ConnectionProblem()), parent=parent_widget, key="search")
        qtbot.waitUntil(lambda: newer.done, timeout=WAIT_MS)

        assert runner.retry_failed() == 1


class TestSynchronous:
    def test_runs_inline_through_invoke_and_calls_back(self, qtbot: QtBot) -> None:
        runner = TaskRunner(synchronous=True, invoke=lambda fn: fn("unit-of-work"))
        states: list[bool] = []
        runner.busy_changed.connect(states.append)
        got: list[tuple[str, threading.Thread]] = []

        handle = runner.query(lambda uow: f"read in {uow}",
                              success=lambda value: got.append((value, threading.current_thread())))

        assert handle.done
        assert got == [("read in unit-of-work", threading.main_thread())]
        assert states == [True, False]

    def test_failure_is_reported_before_returning(
        self, sync_runner: TaskRunner, parent_widget: QWidget, message_recorder: messages.Recorder
    ) -> None:
        sync_runner.command(lambda: _raise(DomainError("Member is not on any book.")), parent=parent_widget)
        assert [(m.kind, m.text) for m in message_recorder.messages] == [("warning", "Member is not on any book.")]

    def test_command_emits_data_changed(self, qtbot: QtBot, sync_runner: TaskRunner) -> None:
        with qtbot.waitSignal(events.hub().data_changed, timeout=0) as blocker:
            sync_runner.command(lambda: None, changed=("employer", (7, 8)))
        assert blocker.args == ["employer", [7, 8], None]


class TestShutdown:
    def test_waits_for_the_running_command_and_refuses_new_tasks(self) -> None:
        runner = TaskRunner()
        finished = threading.Event()
        started = threading.Event()

        def slow_write() -> None:
            started.set()
            time.sleep(0.2)
            finished.set()

        runner.command(slow_write)
        assert started.wait(WAIT_MS / 1000)
        runner.shutdown(wait=True)
        assert finished.is_set()

        ran: list[int] = []
        late = runner.query(lambda: ran.append(1))
        assert late.cancelled and late.done
        assert ran == []

    def test_accepted_writes_queued_behind_the_running_one_still_apply(self) -> None:
        runner = TaskRunner()
        gate = threading.Event()
        applied: list[int] = []
        runner.command(lambda: gate.wait(WAIT_MS / 1000))
        for n in range(3):
            runner.command(lambda n=n: applied.append(n))
        gate.set()
        runner.shutdown(wait=True)
        assert applied == [0, 1, 2]
