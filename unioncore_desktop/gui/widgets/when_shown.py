"""Reloads for a screen nobody is looking at wait until it is shown.

Every area of the main window listens to every change; a hidden one (another area or tab in front) that reloaded
at once would read an 836-row book or the open requests on each keystroke at another desk. A hidden screen marks
itself stale instead and reloads once, when it is shown again.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget


def hidden(widget: QWidget) -> bool:
    """Behind another area or tab of a window that is up (a widget whose window is not up counts as shown)."""
    return not widget.isVisible() and widget.window().isVisible()


class ReloadWhenShown(QObject):
    """`request()` runs `reload` now when `widget` is on screen, or when its window is not (a widget tested on its
    own, a window still being built); else it marks the widget stale and runs `reload` once on its next Show."""

    def __init__(self, widget: QWidget, reload: Callable[[], None]) -> None:
        super().__init__(widget)
        self._widget = widget
        self._reload = reload
        self.stale = False
        widget.installEventFilter(self)

    def hidden(self) -> bool:
        return hidden(self._widget)

    def defer(self) -> bool:
        """True when hidden, marking it stale: the caller skips its reload, and `reload` runs once it is shown."""
        if self.hidden():
            self.stale = True
            return True
        return False

    def request(self) -> None:
        if self.hidden():
            self.stale = True
        else:
            self.stale = False
            self._reload()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self._widget and event.type() == QEvent.Type.Show and self.stale:
            self.stale = False
            self._reload()
        return False
