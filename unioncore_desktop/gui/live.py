"""The live board: other workstations' commits reach every open screen through the app-wide `data_changed`.

A ChangeListener thread hears PostgreSQL notifications; this bridge moves each burst to the GUI thread through
a queued signal and re-emits it as `events.hub().data_changed(kind, ids, None)`, the same signal a local
command emits, so a screen refreshes the same way whoever made the change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable

from PySide6.QtCore import QObject, Qt, Signal

from unioncore_desktop.db.notify import (
    Change,
    ChangeListener,
    ChangesCallback,
    StateCallback,
)
from unioncore_desktop.domain.changes import table_kinds
from unioncore_desktop.gui import events

log = logging.getLogger(__name__)

# Notified table -> data_changed kind, from the one catalog local commands report with (domain/changes.py): a
# book id for registrations, labor requests, dispatches, check marks and book rules; a request id for bids; a
# member id for payments and dues adjustments; a batch id for payment batches; a remittance id for remittances; an
# office id for offices. Dues months, rates and charges, holidays, hall settings and contract codes notify once per
# statement with no key: anything of that kind may have changed.
TABLE_KINDS: dict[str, str] = table_kinds()

ListenerFactory = Callable[[ChangesCallback, StateCallback], ChangeListener]


def _key(text: str | None) -> Hashable:
    if text is not None and text.lstrip("-").isdigit():
        return int(text)
    return text


def group_by_kind(changes: list[Change]) -> dict[str, list[Hashable]]:
    """Kind -> distinct keys in arrival order; tables without a kind are left out."""
    grouped: dict[str, dict[Hashable, None]] = {}
    for change in changes:
        kind = TABLE_KINDS.get(change.table)
        if kind is None:
            continue
        keys = grouped.setdefault(kind, {})
        if change.key is not None:
            keys[_key(change.key)] = None
    return {kind: list(keys) for kind, keys in grouped.items()}


class LiveUpdates(QObject):
    """Owns the listener for one login; start after login, stop before the connection closes.

    `data_changed(kind, ids, None)` goes out on the hub for each kind in a burst. After the listener reconnects,
    changes made meanwhile were missed, so every kind goes out once with an empty id list, meaning
    "anything of this kind may have changed".
    """

    changes_received = Signal(list)  # list[Change] on the GUI thread, for screens that want who/which op
    state_changed = Signal(bool)  # the listener's connectedness
    _changes_heard = Signal(list)  # emitted on the listener thread; queued to the GUI thread
    _state_heard = Signal(bool)

    def __init__(self, make_listener: ListenerFactory, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._make_listener = make_listener
        self._listener: ChangeListener | None = None
        self._lost = False
        self._changes_heard.connect(self._on_changes_heard, Qt.ConnectionType.QueuedConnection)
        self._state_heard.connect(self._on_state_heard, Qt.ConnectionType.QueuedConnection)

    @property
    def running(self) -> bool:
        return self._listener is not None

    def start(self) -> None:
        if self._listener is None:
            self._listener = self._make_listener(self._changes_heard.emit, self._state_heard.emit).start()

    def stop(self) -> None:
        """Stop the thread (returns promptly); queued bursts not yet delivered are dropped."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()

    def _on_changes_heard(self, changes: list[Change]) -> None:
        if self._listener is None:
            return
        self.changes_received.emit(changes)
        for kind, ids in group_by_kind(changes).items():
            log.debug("live change: %s %s", kind, ids)
            events.hub().data_changed.emit(kind, ids, None)

    def _on_state_heard(self, connected: bool) -> None:
        if self._listener is None:
            return
        self.state_changed.emit(connected)
        # the status bar's indicator and the boards hear it at once, not at the next action that fails
        events.hub().connection_state_changed.emit(connected)
        if not connected:
            self._lost = True
        elif self._lost:
            self._lost = False
            self.resync()

    def resync(self) -> None:
        """Tell every screen to refresh, as after an outage in which notifications were missed."""
        hub = events.hub()
        for kind in dict.fromkeys(TABLE_KINDS.values()):
            hub.data_changed.emit(kind, [], None)
