"""Check marks (R10): issued by the dispatch walk, at most one per book per day, the Nth rolls the member off
that book only; a dispatcher may remove one with a reason (kept on the row and in the audit log)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.errors import DomainError, NotFound, ValidationError
from unioncore_desktop.domain.models import CheckMark, Registration
from unioncore_desktop.domain.rules.book_rules import RuleSet
from unioncore_desktop.domain.rules.referral import mark_removal_errors, rolls_off_for_marks
from unioncore_desktop.domain.services.referral_context import (
    hall_clock,
    record_activity,
    snapshot,
)
from unioncore_desktop.domain.services.registrations import roll_off
from unioncore_desktop.domain.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class MarkOutcome:
    mark_id: int
    live_marks: int  # on this registration, after this one
    rolled_off: bool


def marked_on(session: Session, registration_id: int, day: date) -> bool:
    """Whether the registration already holds a live mark dated `day` (two passes in one day are one mark)."""
    return session.execute(select(func.count()).select_from(CheckMark).where(
        CheckMark.registration_id == registration_id, CheckMark.marked_on == day,
        CheckMark.removed_at.is_(None))).scalar_one() > 0


def add_mark(session: Session, registration: Registration, *, day: date, rules: RuleSet, request_id: int,
             offer_line_id: int) -> MarkOutcome:
    """Mark the registration for a pass on `request_id`; the Nth live mark rolls it off this book only."""
    before = snapshot(registration)
    mark = CheckMark(registration_id=registration.id, member_id=registration.member_id,
                     book_id=registration.book_id, marked_on=day, request_id=request_id,
                     offer_line_id=offer_line_id)
    session.add(mark)
    session.flush()
    live = live_marks(session, registration.id)
    record_activity(session, registration, "mark_added", before=before, request_id=request_id,
                    note=f"check mark {live} of {rules.check_marks_allowed}")
    rolled = rolls_off_for_marks(live, rules)
    if rolled:
        roll_off(session, registration, "check_marks", day, f"{live} check marks", request_id=request_id)
    return MarkOutcome(mark.id, live, rolled)


def live_marks(session: Session, registration_id: int) -> int:
    return session.execute(select(func.count()).select_from(CheckMark).where(
        CheckMark.registration_id == registration_id, CheckMark.removed_at.is_(None))).scalar_one()


def remove_mark(uow: UnitOfWork, *, mark_id: int, reason: str) -> int:
    """Remove a live mark with a reason (audited); returns the registration's live marks left.

    A registration the mark already rolled off stays rolled off: the member signs on again.
    """
    with uow:
        s = uow.session
        errors = mark_removal_errors(reason)
        if errors:
            raise ValidationError(errors)
        mark = s.get(CheckMark, mark_id, with_for_update=True)
        if mark is None:
            raise NotFound("That check mark no longer exists.")
        if mark.removed_at is not None:
            raise DomainError(f"The mark was already removed ({mark.removal_reason}).")
        registration = s.get(Registration, mark.registration_id, with_for_update=True)
        assert registration is not None  # the mark's foreign key
        before = snapshot(registration)
        now, login = hall_clock(s).now, s.execute(text("SELECT session_user")).scalar_one()
        mark.removed_at, mark.removed_by, mark.removal_reason = now, login, reason.strip()
        uow.flush()
        left = live_marks(s, registration.id)
        record_activity(s, registration, "mark_removed", before=before, request_id=mark.request_id,
                        note=f"mark of {mark.marked_on:%d %b %Y} removed: {reason.strip()}")
        uow.commit()
        return left
