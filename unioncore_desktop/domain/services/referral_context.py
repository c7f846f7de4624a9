"""What every referral service reads before deciding: the hall's clock and calendar, the book's rules in force,
and the append-only activity row each registration change leaves behind.

An activity row's before and after are the registration as `uc_registration_snapshot` (migrations/sql/functions/)
spells it, the one spelling: the services read it through `snapshot`, SQL writes call it through `snapshot_sql`."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session, object_session

from unioncore_desktop.domain.models import Registration
from unioncore_desktop.domain.queries.book_rules import rules_in_force
from unioncore_desktop.domain.queries.hall import HallClock, business_calendar, hall_clock, holidays
from unioncore_desktop.domain.rules.book_rules import RuleSet


def rules_for(session: Session, book_id: int, on_date: date) -> RuleSet:
    """The book's settings in force on `on_date`; the defaults when the book has none yet."""
    return rules_in_force(session, book_id, on_date).rules


def snapshot_sql(alias: str) -> str:
    """SQL for the snapshot of the registrations row `alias` (a table alias or a row of that type)."""
    return f"uc_registration_snapshot({alias})"


_SNAPSHOT_SQL = text(f"SELECT {snapshot_sql('g')} FROM registrations AS g WHERE g.id = :id")
_ACTIVITY_SQL = text(f"""
    INSERT INTO registration_activity (registration_id, member_id, book_id, action, before, after, request_id,
                                       dispatch_id, note)
    SELECT g.id, g.member_id, g.book_id, :action, CAST(:before AS jsonb), {snapshot_sql('g')},
           CAST(:request AS integer), CAST(:dispatch AS integer), CAST(:note AS text)
    FROM registrations AS g WHERE g.id = :id
""")


def _written(registration: Registration) -> Session:
    """The registration's session, with the changes made to the registration (and anything else) written."""
    session = object_session(registration)
    if session is None:
        raise ValueError("the registration belongs to no session")
    session.flush()
    return session


def snapshot(registration: Registration) -> dict[str, Any]:
    """The registration's state as JSON for activity rows: what the referral history shows before and after.
    Changes made to the object and not yet written are written first, so this is the state the object holds."""
    session = _written(registration)
    state: dict[str, Any] = session.execute(_SNAPSHOT_SQL, {"id": registration.id}).scalar_one()
    return state


def record_activity(session: Session, registration: Registration, action: str, *,
                    before: dict[str, Any] | None = None, request_id: int | None = None,
                    dispatch_id: int | None = None, note: str | None = None) -> None:
    """Append the activity row for a change already applied to `registration` (written first): its `after` is
    the registration as it now stands."""
    _written(registration)
    session.execute(_ACTIVITY_SQL, {
        "id": registration.id, "action": action, "before": None if before is None else json.dumps(before),
        "request": request_id, "dispatch": dispatch_id, "note": note})


__all__ = ["HallClock", "business_calendar", "hall_clock", "holidays", "record_activity", "rules_for", "snapshot",
           "snapshot_sql"]
