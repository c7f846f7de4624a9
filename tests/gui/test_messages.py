"""messages: headless recording, the parent rule, the exception dialog; qtlog's routing of Qt messages."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PySide6.QtCore import QMessageLogContext, Qt, QtMsgType
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from unioncore_desktop.gui import messages, qtlog


def _failing() -> None:
    raise RuntimeError("ledger out of balance\nsecond line")


def caught() -> RuntimeError:
    try:
        _failing()
    except RuntimeError as exc:
        return exc
    raise AssertionError("unreachable")


class TestHeadless:
    def test_boxes_are_recorded_with_their_parent(
        self, parent_widget: QWidget, message_recorder: messages.Recorder
    ) -> None:
        messages.information(parent_widget, "Saved", "Member saved.")
        messages.warning(parent_widget, "Not saved", "Card number in use.")
        messages.error(parent_widget, "Cannot print", "No printer.")

        assert message_recorder.kinds() == ["information", "warning", "error"]
        assert message_recorder.messages[1].text == "Card number in use."
        assert all(m.parent is parent_widget for m in message_recorder.messages)

    @pytest.mark.parametrize("answer", [True, False])
    def test_question_returns_the_preset_answer(
        self, parent_widget: QWidget, message_recorder: messages.Recorder, answer: bool
    ) -> None:
        message_recorder.answer = answer
        assert messages.question(parent_widget, "Deactivate", "Deactivate this employer?") is answer
        assert message_recorder.kinds() == ["question"]

    def test_a_parent_is_required(self) -> None:
        with pytest.raises(TypeError):
            messages.warning(None, "Title", "Text")  # type: ignore[arg-type]

    def test_exception_is_recorded_with_details(
        self, parent_widget: QWidget, message_recorder: messages.Recorder, tmp_path: Path
    ) -> None:
        messages.exception_dialog(parent_widget, caught(), tmp_path / "unioncore-desktop.log")

        [message] = message_recorder.messages
        assert message.text == "RuntimeError: ledger out of balance"
        assert "_failing" in message.details
        assert str(tmp_path / "unioncore-desktop.log") in message.details


class TestExceptionDialog:
    def test_copy_puts_the_details_on_the_clipboard(self, qtbot: QtBot, parent_widget: QWidget) -> None:
        dialog = messages.ExceptionDialog(parent_widget, caught(), Path("/tmp/uc.log"))
        qtbot.addWidget(dialog)

        qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)

        assert QGuiApplication.clipboard().text() == dialog.details()
        assert "Traceback" in dialog.details_view.toPlainText()


class TestQtLog:
    def test_qt_messages_become_log_records(self, caplog: pytest.LogCaptureFixture) -> None:
        caplog.set_level(logging.DEBUG, logger="qt")
        # The stubs say bytes, but PySide6 accepts only str here.
        context = QMessageLogContext("qwidget.cpp", 12, "show", "qt.widgets")  # type: ignore[call-overload]

        qtlog.qt_message_handler(QtMsgType.QtWarningMsg, context, "propagateSizeHints")
        qtlog.qt_message_handler(QtMsgType.QtDebugMsg, QMessageLogContext(), "plain")

        warning, debug = caplog.records
        assert (warning.name, warning.levelno) == ("qt.widgets", logging.WARNING)
        assert warning.getMessage() == "propagateSizeHints (qwidget.cpp:12, show)"
        assert (debug.name, debug.levelno, debug.getMessage()) == ("qt", logging.DEBUG, "plain")
