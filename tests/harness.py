"""What the strict harness (tests/conftest.py) keeps per test: the ERROR log records nobody declared."""

from __future__ import annotations

import logging
import re
import sys
import threading

import pytest


def _describe(record: logging.LogRecord) -> str:
    return f"{record.name}: {record.getMessage()}"


class LoggedErrors(logging.Handler):
    """ERROR and CRITICAL records logged (from any thread) while one test runs."""

    def __init__(self, expected: tuple[str, ...] = ()) -> None:
        super().__init__(level=logging.ERROR)
        self.expected = expected
        self.records: list[logging.LogRecord] = []
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        with self._guard:
            self.records.append(record)

    def take(self, pattern: str) -> list[logging.LogRecord]:
        """The records matching `pattern` (a regular expression searched in 'logger: message'), now expected;
        fails when there is none."""
        with self._guard:
            taken = [r for r in self.records if re.search(pattern, _describe(r))]
            self.records = [r for r in self.records if r not in taken]
        if not taken:
            pytest.fail(f"expected an ERROR log record matching {pattern!r}; none was logged", pytrace=False)
        return taken

    def unexpected(self) -> list[logging.LogRecord]:
        """The records no expected pattern matches, handed over once (so a failure is reported once)."""
        with self._guard:
            found = [r for r in self.records if not any(re.search(p, _describe(r)) for p in self.expected)]
            self.records = [r for r in self.records if r not in found]
        return found

    def missing(self) -> list[str]:
        """The expected patterns no record has matched."""
        with self._guard:
            return [p for p in self.expected if not any(re.search(p, _describe(r)) for r in self.records)]


def deliver_pending_results() -> None:
    """Let results that workers have already posted reach the GUI thread, where the task runner logs a failed
    one (a Qt-free run has no application and nothing posted)."""
    qt_core = sys.modules.get("PySide6.QtCore")
    app = qt_core.QCoreApplication.instance() if qt_core is not None else None
    if app is not None:
        app.processEvents()


def fail_on(records: list[logging.LogRecord], when: str) -> None:
    if not records:
        return
    formatter = logging.Formatter("%(levelname)s %(name)s [%(threadName)s]: %(message)s")
    shown = "\n".join(formatter.format(r) for r in records)
    pytest.fail(f"unexpected ERROR log record(s) {when} (mark the test with error_log(pattern) or use "
                f"logged_errors.take(pattern) if it expects them):\n{shown}", pytrace=False)
