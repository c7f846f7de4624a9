"""Expiring the requests due before a screen loads the day: the hall has no scheduler, so the first dispatcher or
manager to open the referral or requests screen in the morning (or refresh it) runs `uc_expire_requests`, which
expires each request once however many workstations ask; `unioncore requests expire` does the same from cron."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import requests
from unioncore_desktop.domain.services.requests import ExpiredRequest
from unioncore_desktop.gui import messages
from unioncore_desktop.gui.roles import REQUEST_EXPIRERS
from unioncore_desktop.gui.tasks import TaskRunner


def expire_then(runner: TaskRunner, hall: HallConnection, parent: QWidget, then: Callable[[], None]) -> None:
    """Expire what is due (a login that may), then call `then`, whether or not anything expired or it failed:
    the day is shown either way."""
    if not hall.facts.roles & REQUEST_EXPIRERS:
        then()
        return

    def expired(rows: list[ExpiredRequest]) -> None:
        if rows:
            messages.status(parent, parent.tr("{} request(s) expired, unfilled on their start day: {}").format(
                len(rows), ", ".join(r.number for r in rows[:5]) + ("…" if len(rows) > 5 else "")), 10000)
        then()

    # Started from the event loop, not from the caller: a command delivers the results already in before it
    # starts, and a screen's constructor must not hand other screens their first results before they are shown.
    QTimer.singleShot(0, parent, lambda: runner.command(partial(requests.expire_due, hall), parent=parent,
                                                        success=expired, failure=lambda _exc: then(),
                                                        name="expire requests"))
