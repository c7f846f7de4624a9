"""The hall's clock: the server's now in the hall's zone, never the workstation's."""

from __future__ import annotations

from datetime import date

from unioncore_desktop.domain.actions import Hall
from unioncore_desktop.domain.queries.hall import HallClock, hall_clock


def now(hall: Hall) -> HallClock:
    return hall.read(hall_clock)


def today(hall: Hall) -> date:
    return now(hall).today
