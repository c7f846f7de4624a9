"""The harness fails a test for an error it did not declare, wherever the error happened: a task runner
worker, a Qt slot, another thread. Each case runs as its own pytest session under this project's conftest."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

CASES = '''
import logging
import threading

import pytest
from PySide6.QtCore import QTimer

from unioncore_desktop.gui.tasks import TaskRunner


def _runner_and_wait(qtbot, fn, **kwargs):
    runner = TaskRunner()
    handle = runner.query(fn, **kwargs)
    qtbot.waitUntil(lambda: handle.done)
    runner.shutdown(wait=True)


def test_a_bug_in_a_worker(qtbot):
    def boom():
        raise RuntimeError("a bug in a worker")
    _runner_and_wait(qtbot, boom)


def test_a_bug_in_a_result_callback(qtbot):
    def show(_result):
        raise RuntimeError("a bug on the GUI thread")
    _runner_and_wait(qtbot, lambda: 1, success=show)


def test_a_bug_in_a_timer_slot(qtbot):
    def tick():
        raise RuntimeError("a bug in a slot")
    QTimer.singleShot(0, tick)
    qtbot.wait(50)


def test_a_bug_in_a_thread():
    thread = threading.Thread(target=lambda: 1 / 0)
    thread.start()
    thread.join()


def test_an_error_logged_after_the_body(qtbot):
    runner = TaskRunner()
    runner.query(lambda: 1 / 0)  # not waited for: it fails at the end of the call or during teardown


@pytest.mark.error_log("expected: it went wrong")
def test_a_declared_error():
    logging.getLogger("expected").error("it went wrong")


def test_a_taken_error(logged_errors):
    logging.getLogger("expected").error("it went wrong")
    assert len(logged_errors.take("it went wrong")) == 1


@pytest.mark.error_log("never logged")
def test_a_declared_error_that_never_comes():
    pass
'''


def test_errors_nobody_declared_fail_their_test(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    pytester.makeconftest((ROOT / "tests" / "conftest.py").read_text())
    pytester.makepyprojecttoml((ROOT / "pyproject.toml").read_text())
    pytester.makepyfile(test_cases=CASES)
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # this checkout, not whichever one is installed
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rA", "test_cases.py")
    summary = [line.split(" ")[:2] for line in result.outlines
               if line.startswith(("PASSED test_cases.py::", "FAILED test_cases.py::", "ERROR test_cases.py::"))]
    broken = {test.split("::")[-1] for outcome, test in summary if outcome != "PASSED"}
    passed = {test.split("::")[-1] for outcome, test in summary if outcome == "PASSED"} - broken
    assert broken == {
        "test_a_bug_in_a_worker", "test_a_bug_in_a_result_callback", "test_a_bug_in_a_timer_slot",
        "test_a_bug_in_a_thread", "test_an_error_logged_after_the_body", "test_a_declared_error_that_never_comes",
    }, result.stdout.str()
    assert passed == {"test_a_declared_error", "test_a_taken_error"}, result.stdout.str()
