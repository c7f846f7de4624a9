"""Every message box goes through here, so each has a parent and tests can record them instead of blocking."""

from __future__ import annotations

import platform
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import PySide6
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop import __version__


def _tr(text: str) -> str:
    return QCoreApplication.translate("messages", text)


@dataclass(frozen=True)
class RecordedMessage:
    """One message box that headless mode captured instead of showing."""

    kind: str  # information, warning, error, question or exception
    title: str
    text: str
    parent: QWidget
    details: str = ""


@dataclass
class Recorder:
    """Collects message boxes in headless mode; `answer` is what every `question` returns."""

    answer: bool = True
    messages: list[RecordedMessage] = field(default_factory=list)

    def kinds(self) -> list[str]:
        return [message.kind for message in self.messages]

    def clear(self) -> None:
        self.messages.clear()


_recorder: Recorder | None = None


def enable_headless(answer: bool = True) -> Recorder:
    """Record messages instead of showing them until `disable_headless()`; returns the recorder."""
    global _recorder
    _recorder = Recorder(answer=answer)
    return _recorder


def disable_headless() -> None:
    global _recorder
    _recorder = None


def recorder() -> Recorder | None:
    """The active recorder, or None when messages are shown for real."""
    return _recorder


def _require_parent(parent: QWidget) -> None:
    # A parentless box floats free of the window it is about, can hide behind it, and is not modal to it.
    if not isinstance(parent, QWidget):
        raise TypeError(f"a message box needs a parent widget, got {parent!r}")


def _record(kind: str, parent: QWidget, title: str, text: str, details: str = "") -> bool:
    if _recorder is None:
        return False
    _recorder.messages.append(RecordedMessage(kind, title, text, parent, details))
    return True


def information(parent: QWidget, title: str, text: str) -> None:
    _require_parent(parent)
    if not _record("information", parent, title, text):
        QMessageBox.information(parent, title, text)


def warning(parent: QWidget, title: str, text: str) -> None:
    _require_parent(parent)
    if not _record("warning", parent, title, text):
        QMessageBox.warning(parent, title, text)


def error(parent: QWidget, title: str, text: str) -> None:
    _require_parent(parent)
    if not _record("error", parent, title, text):
        QMessageBox.critical(parent, title, text)


def question(parent: QWidget, title: str, text: str, *, default_yes: bool = False) -> bool:
    """Ask Yes/No; True means Yes. In headless mode returns the recorder's preset answer."""
    _require_parent(parent)
    if _record("question", parent, title, text):
        assert _recorder is not None
        return _recorder.answer
    buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    default = QMessageBox.StandardButton.Yes if default_yes else QMessageBox.StandardButton.No
    return QMessageBox.question(parent, title, text, buttons, default) == QMessageBox.StandardButton.Yes


def exception_details(exc: BaseException, log_path: Path | None) -> str:
    """The text a user copies into a bug report: versions, log location and the traceback."""
    lines = [
        f"UnionCore Desktop {__version__}, Python {platform.python_version()}, PySide6 {PySide6.__version__}, "
        f"{platform.platform()}",
    ]
    if log_path is not None:
        lines.append(f"Log file: {log_path}")
    lines.append("")
    lines.append("".join(traceback.format_exception(exc)).rstrip())
    return "\n".join(lines)


def exception_summary(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else ""
    return f"{type(exc).__name__}: {first}"[:300] if first else type(exc).__name__


def exception_dialog(parent: QWidget, exc: BaseException, log_path: Path | None) -> None:
    """Report a bug: a short message, the details and a copy button. Modal; returns when closed."""
    _require_parent(parent)
    details = exception_details(exc, log_path)
    if _record("exception", parent, _tr("Unexpected error"), exception_summary(exc), details):
        return
    ExceptionDialog(parent, exc, log_path).exec()


class ExceptionDialog(QDialog):
    """Shows an unexpected error with details the user can copy into a report, instead of the program vanishing."""

    def __init__(self, parent: QWidget, exc: BaseException, log_path: Path | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_tr("Unexpected error"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._details = exception_details(exc, log_path)

        headline = QLabel(_tr("Something went wrong that the program did not expect. "
                              "Your last action may not have been completed."))
        headline.setWordWrap(True)
        summary = QLabel(exception_summary(exc))
        summary.setWordWrap(True)
        summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        where = QLabel(_tr("The details below have also been written to the log file:\n{path}").format(path=log_path)
                       if log_path is not None else _tr("Please copy the details below into your report."))
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.details_view = QPlainTextEdit(self._details)
        self.details_view.setReadOnly(True)
        self.details_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.details_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton(_tr("Copy details"))
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        for widget in (headline, summary, where, self.details_view, buttons):
            layout.addWidget(widget)
        self.resize(640, 420)

    def details(self) -> str:
        return self._details

    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self._details)


def status(widget: QWidget, text: str, timeout_ms: int = 5000) -> None:
    """A passing note in the main window's status bar (nothing when the widget is not inside one)."""
    window = widget.window()
    if isinstance(window, QMainWindow):
        window.statusBar().showMessage(text, timeout_ms)
