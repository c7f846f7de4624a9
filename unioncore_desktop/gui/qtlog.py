"""Sends Qt's own messages into Python logging, so they reach the log file next to ours."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}

_installed = False
_previous: Callable[[QtMsgType, QMessageLogContext, str], object] | None = None


def qt_message_handler(msg_type: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Log one Qt message under `qt`, or its category (`qt.qpa.fonts`; other categories get a `qt.` prefix)."""
    category = context.category or ""
    if category in ("", "default"):
        name = "qt"
    elif category == "qt" or category.startswith("qt."):
        name = category
    else:
        name = f"qt.{category}"
    where = f" ({context.file}:{context.line}, {context.function})" if context.file else ""
    logging.getLogger(name).log(_LEVELS.get(msg_type, logging.WARNING), "%s%s", message, where)


def install() -> None:
    """Route Qt messages to logging. Called by the app only: tests leave pytest-qt's handler in place."""
    global _installed, _previous
    if not _installed:
        _previous = qInstallMessageHandler(qt_message_handler)
        _installed = True


def uninstall() -> None:
    """Put back whichever handler was there before `install()`."""
    global _installed, _previous
    if _installed:
        qInstallMessageHandler(_previous)
        _installed = False
        _previous = None
