"""What every referral service reads before deciding: the hall's clock and calendar, the book's rules in force,
and the append-only activity row each registration change leaves behind."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from unioncore_desktop.domain.models import Registration, RegistrationActivity
from unioncore_desktop.domain.queries.book_rules import rules_in_force
from unioncore_desktop.domain.queries.hall import HallClock, business_calendar, hall_clock, holidays
from unioncore_desktop.domain.rules.book_rules import RuleSet


def rules_for(session: Session, book_id: int, on_date: date) -> RuleSet:
    """The book's settings in force on `on_date`; the defaults when the book has none yet."""
    return rules_in_force(session, book_id, on_date).rules


def snapshot(registration: Registration) -> dict[str, Any]:
    """The registration's state as JSON for activity rows: what the referral history shows before and after."""
    return {
        "status": registration.status, "tier": registration.tier,
        "apn": None if registration.apn is None else f"{registration.apn:.2f}",
        "last_resign_on": _iso(registration.last_resign_on), "resign_due_on": _iso(registration.resign_due_on),
        "restorations_used": registration.restorations_used,
        "exemption_reason": registration.exemption_reason, "exemption_end": _iso(registration.exemption_end),
        "roll_off_reason": registration.roll_off_reason,
    }


def record_activity(session: Session, registration: Registration, action: str, *,
                    before: dict[str, Any] | None = None, request_id: int | None = None,
                    dispatch_id: int | None = None, note: str | None = None) -> None:
    """Append the activity row for a change already applied to `registration` (flushes to get its id)."""
    if registration.id is None:
        session.flush()
    session.add(RegistrationActivity(
        registration_id=registration.id, member_id=registration.member_id, book_id=registration.book_id,
        action=action, before=before, after=snapshot(registration), request_id=request_id,
        dispatch_id=dispatch_id, note=note))


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


__all__ = ["HallClock", "business_calendar", "hall_clock", "holidays", "record_activity", "rules_for", "snapshot"]
