"""App-wide signals, so windows refresh after each other's writes without knowing each other."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class AppEvents(QObject):
    """The one hub every window listens to; obtain it with `hub()`."""

    # kind names the area ("member", "employer", ...), ids the rows written, initiator the widget that asked
    # (so it can skip refreshing what it already shows).
    data_changed = Signal(str, list, object)
    # False when a task hit a ConnectionProblem, True again on the next task that reaches the server.
    connection_state_changed = Signal(bool)


_hub: AppEvents | None = None


def hub() -> AppEvents:
    """The process-wide hub, created on first use so importing this module needs no QApplication."""
    global _hub
    if _hub is None:
        _hub = AppEvents()
    return _hub
