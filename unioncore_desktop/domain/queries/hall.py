"""Facts every report and screen header needs: the hall's name and zone, the server's 'now', its calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.queries.fragments import HALL_ZONE
from unioncore_desktop.domain.rules.calendar import BusinessCalendar


@dataclass(frozen=True, slots=True)
class HallFacts:
    hall_name: str
    time_zone: str
    now: datetime  # from the server's clock, never the workstation's
    user_login: str
    user_name: str


def hall_facts(session: Session) -> HallFacts:
    row = session.execute(text(f"""
        SELECT coalesce((SELECT value FROM app_settings WHERE key = 'hall_name'), 'Hiring Hall'),
               {HALL_ZONE},
               now(), session_user,
               coalesce((SELECT full_name FROM staff WHERE login = session_user), session_user)
    """)).one()
    return HallFacts(*row)


@dataclass(frozen=True, slots=True)
class HallClock:
    """The server's 'now' in the hall's zone: workstation clocks never decide a referral date or a drop."""

    now: datetime
    zone: ZoneInfo

    @property
    def today(self) -> date:
        return self.now.date()


def hall_clock(session: Session) -> HallClock:
    zone_name, now = session.execute(text(f"SELECT {HALL_ZONE}, now()")).one()
    zone = ZoneInfo(zone_name)
    return HallClock(now.astimezone(zone), zone)


def holidays(session: Session) -> frozenset[date]:
    return frozenset(session.execute(text("SELECT day FROM holidays")).scalars())


def business_calendar(session: Session) -> BusinessCalendar:
    """Monday to Friday minus the hall's holidays: what R3, R6 and R9 count in."""
    return BusinessCalendar.of(holidays(session))
