"""Typed work is never thrown away without asking: Esc on a form, another area, another user, quitting.

A screen that holds typed work answers `confirm_discard()`: True when nothing typed would be lost, or the user
agreed to let it go (the screen then drops it, so the question is never asked twice about the same text); False
keeps the user where they were. The main window asks the screen being left (another area, switch user) and every
screen (quit); screens without typed work simply lack the method. A dialog asks the same way before Esc closes it."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from unioncore_desktop.gui import messages


def _tr(text: str) -> str:
    return QCoreApplication.translate("TypedWork", text)


@runtime_checkable
class HoldsTypedWork(Protocol):
    def confirm_discard(self) -> bool: ...


def ask_discard(parent: QWidget, what: str) -> bool:
    """"What you typed in `what` is not saved. Discard it?" True: discard (No is the default: Enter keeps it)."""
    return messages.question(parent, _tr("Unsaved typing"),
                             _tr("What you typed in {} is not saved. Discard it?").format(what))


def confirm_leaving(screen: QWidget) -> bool:
    """The screen's own answer, or True for a screen that holds no typed work."""
    return screen.confirm_discard() if isinstance(screen, HoldsTypedWork) else True


def typed_state(root: QWidget) -> tuple[object, ...]:
    """Every editable value under `root` as shown: texts, ticks, picks and numbers, in widget order."""
    values: list[object] = []
    for widget in root.findChildren(QWidget):
        if isinstance(widget, QLineEdit) and not widget.isReadOnly():
            values.append(widget.text())
        elif isinstance(widget, QPlainTextEdit | QTextEdit) and not widget.isReadOnly():
            values.append(widget.toPlainText())
        elif isinstance(widget, QAbstractButton) and widget.isCheckable():
            values.append(widget.isChecked())
        elif isinstance(widget, QComboBox):
            values.append(widget.currentIndex())
        elif isinstance(widget, QAbstractSpinBox):
            values.append(widget.text())
    return tuple(values)


class DiscardGuard(QObject):
    """A dialog's fields as they were when it was first shown; its `reject` (Esc, Cancel, the close button)
    asks `allows_closing()` first:

        def reject(self) -> None:
            if self.discard_guard.allows_closing():
                super().reject()
    """

    def __init__(self, dialog: QDialog, what: str) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.what = what
        self.opened: tuple[object, ...] | None = None
        dialog.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.dialog and event.type() == QEvent.Type.Show and self.opened is None:
            self.opened = typed_state(self.dialog)
        return False

    def mark_clean(self) -> None:
        """What is shown now is what was loaded (a dialog that fills itself after opening)."""
        self.opened = typed_state(self.dialog)

    def is_dirty(self) -> bool:
        return self.opened is not None and typed_state(self.dialog) != self.opened

    def allows_closing(self) -> bool:
        return not self.is_dirty() or ask_discard(self.dialog, self.what)
