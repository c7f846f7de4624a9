"""The live board: other workstations' commits reach every open screen through the app-wide `data_changed`.

A ChangeListener thread hears PostgreSQL notifications; this bridge moves each burst to the GUI thread through
a queued signal and re-emits it as `events.hub().data_changed(kind, ids, None)`, the same signal a local
command emits, so a screen refreshes the same way whoever made the change.

The server notifies this workstation of its own commits too, about 150 ms after the task runner has announced
them. That echo is left out (`EchoFilter`): each change kind and id this workstation's connections announced in the
last few seconds covers one echo of it, so a screen reloads once per change, not twice; what an own commit
changed beyond what its command reported still goes out.
"""

from __future__ import annotations

import logging
import time
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


ECHO_SECONDS = 5.0  # a local announcement not echoed by then (a command that wrote nothing) covers nothing more


class EchoFilter:
    """What this workstation announced itself, so the server's echo of its own commits is not announced again.

    `announced(kind, ids)` is every local data_changed; `strip(kind, keys)` takes one notified burst of this
    workstation's own changes of a kind and returns the keys no announcement covered. An announcement without ids
    ("anything of this kind") covers a whole burst of its kind.
    """

    def __init__(self, window: float = ECHO_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self._window = window
        self._clock = clock
        self._pending: dict[tuple[str, Hashable], list[float]] = {}

    def announced(self, kind: str, ids: list[Hashable]) -> None:
        self._expire()
        now = self._clock()
        for key in ids or [None]:
            self._pending.setdefault((kind, key), []).append(now)

    def strip(self, kind: str, keys: list[Hashable]) -> list[Hashable] | None:
        """The keys to announce after all (an empty list: anything of the kind), or None: nothing to announce."""
        self._expire()
        if self._take((kind, None)):
            return None
        left = [key for key in keys if not self._take((kind, key))]
        if keys and not left:
            return None
        return left

    def _take(self, entry: tuple[str, Hashable]) -> bool:
        times = self._pending.get(entry)
        if not times:
            return False
        times.pop(0)
        if not times:
            del self._pending[entry]
        return True

    def _expire(self) -> None:
        oldest = self._clock() - self._window
        for entry in [e for e, times in self._pending.items() if times[-1] < oldest]:
            del self._pending[entry]
        for times in self._pending.values():
            while times[0] < oldest:
                times.pop(0)


class LiveUpdates(QObject):
    """Owns the listener for one login; start after login, stop before the connection closes.

    `data_changed(kind, ids, None)` goes out on the hub for each kind in a burst. After the listener reconnects,
    changes made meanwhile were missed, so every kind goes out once with an empty id list, meaning
    "anything of this kind may have changed". `own_application` is the application name of this login's
    connections (`HallConnection.application_name`): changes they committed and announced are not sent again.
    """

    changes_received = Signal(list)  # list[Change] on the GUI thread, for screens that want who/which op
    state_changed = Signal(bool)  # the listener's connectedness
    _changes_heard = Signal(list)  # emitted on the listener thread; queued to the GUI thread
    _state_heard = Signal(bool)

    def __init__(self, make_listener: ListenerFactory, parent: QObject | None = None, *,
                 own_application: str | None = None) -> None:
        super().__init__(parent)
        self._make_listener = make_listener
        self._listener: ChangeListener | None = None
        self._lost = False
        self._own_application = own_application
        self.echoes = EchoFilter()
        self._announcing = False
        self._changes_heard.connect(self._on_changes_heard, Qt.ConnectionType.QueuedConnection)
        self._state_heard.connect(self._on_state_heard, Qt.ConnectionType.QueuedConnection)

    @property
    def running(self) -> bool:
        return self._listener is not None

    def start(self) -> None:
        if self._listener is None:
            if self._own_application is not None:
                events.hub().data_changed.connect(self._on_hub_data_changed)
            self._listener = self._make_listener(self._changes_heard.emit, self._state_heard.emit).start()

    def stop(self) -> None:
        """Stop the thread (returns promptly); queued bursts not yet delivered are dropped."""
        listener, self._listener = self._listener, None
        if listener is not None:
            if self._own_application is not None:
                events.hub().data_changed.disconnect(self._on_hub_data_changed)
            listener.stop()

    def _on_hub_data_changed(self, kind: str, ids: list, _initiator: object) -> None:
        if not self._announcing:  # the task runner's announcement of a command of this workstation
            self.echoes.announced(kind, ids)

    def _on_changes_heard(self, changes: list[Change]) -> None:
        if self._listener is None:
            return
        self.changes_received.emit(changes)
        own = [c for c in changes if self._own_application is not None and c.app == self._own_application]
        others = group_by_kind([c for c in changes if c not in own]) if own else group_by_kind(changes)
        for kind, keys in group_by_kind(own).items():
            left = self.echoes.strip(kind, keys)
            if left is None:
                log.debug("own change already announced: %s %s", kind, keys)
                continue
            if kind in others:
                others[kind] = [] if not left or not others[kind] else list(dict.fromkeys(others[kind] + left))
            else:
                others[kind] = left
        self._announcing = True
        try:
            for kind, ids in others.items():
                log.debug("live change: %s %s", kind, ids)
                events.hub().data_changed.emit(kind, ids, None)
        finally:
            self._announcing = False

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
        self._announcing = True
        try:
            for kind in dict.fromkeys(TABLE_KINDS.values()):
                hub.data_changed.emit(kind, [], None)
        finally:
            self._announcing = False
