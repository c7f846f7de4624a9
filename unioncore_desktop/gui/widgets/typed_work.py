"""Typed work is never thrown away without asking: Esc on a form, another area, another user, quitting.

A screen that holds typed work answers `confirm_discard()`: True when nothing typed would be lost, or the user
agreed to let it go (the screen then drops it, so the question is never asked twice about the same text); False
keeps the user where they were. The main window asks the screen being left (another area, switch user) and every
screen (quit); screens without typed work simply lack the method. A dialog asks the same way before Esc closes it."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from unioncore_desktop.gui import messages


def _tr(text: str) -> str:
    return QCoreApplication.translate("TypedWork", text)


@runtime_checkable
class HoldsTypedWork(Protocol):
    def confirm_discard(self) -> bool: ...


def ask_discard(parent: QWidget, what: str) -> bool:
    """"Discard what you typed in `what`?" True: discard (No is the default: Enter keeps the work)."""
    return messages.question(parent, _tr("Unsaved typing"),
                             _tr("You have typed {} that is not saved. Discard it?").format(what))


def confirm_leaving(screen: QWidget) -> bool:
    """The screen's own answer, or True for a screen that holds no typed work."""
    return screen.confirm_discard() if isinstance(screen, HoldsTypedWork) else True
