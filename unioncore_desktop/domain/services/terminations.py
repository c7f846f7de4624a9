"""Ending a dispatch: the employment row closes, and the registration it came from is restored (R9), made to
re-register (R6), rolled off, or — after a quit or discharge — every book is, with a by-name ban (R12)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.errors import DomainError, NotFound, ValidationError
from unioncore_desktop.domain.models import (
    Dispatch,
    EmploymentRecord,
    ReferralBan,
    Registration,
)
from unioncore_desktop.domain.rules.book_rules import RuleSet
from unioncore_desktop.domain.rules.calendar import BusinessCalendar
from unioncore_desktop.domain.rules.registration import EndDecision, EndOutcome, dispatch_end, termination_errors
from unioncore_desktop.domain.services.referral_context import (
    business_calendar,
    hall_clock,
    record_activity,
    rules_for,
    snapshot,
)
from unioncore_desktop.domain.services.registrations import roll_off, roll_off_all_books
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.domain.vocab import ACTIVE_DISPATCH_STATUSES


@dataclass(frozen=True, slots=True)
class TerminationResult:
    dispatch_id: int
    outcome: str  # an EndOutcome value: restore_old_place, must_reregister, sign_on_again, roll_off_all_books
    business_days: int
    short_call: bool
    restorations_used: int | None  # the registration's counter afterwards
    reregister_by: datetime | None
    rolled_off_registrations: tuple[int, ...]
    ban_ends_on: date | None


@dataclass(frozen=True, slots=True)
class EndFacts:
    """What ending a dispatch is decided on: `terminate` applies `decide`, and the end-of-job dialog previews
    the consequence with the very same facts and rule."""

    started_on: date
    restorations_used: int
    on_book: bool  # the dispatch came from a registration still marked dispatched
    calendar: BusinessCalendar
    zone: ZoneInfo
    rules: RuleSet
    today: date

    def decide(self, reason: str, ended_on: date) -> EndDecision:
        return dispatch_end(started_on=self.started_on, ended_on=ended_on, reason=reason,
                            restorations_used=self.restorations_used, calendar=self.calendar, zone=self.zone,
                            rules=self.rules)


def _end_facts(s: Session, *, started_on: date, registration: Registration | None, book_id: int,
               rules_on: date | None = None) -> EndFacts:
    clock = hall_clock(s)
    return EndFacts(started_on=started_on,
                    restorations_used=registration.restorations_used if registration else 0,
                    on_book=registration is not None and registration.status == "dispatched",
                    calendar=business_calendar(s), zone=clock.zone,
                    rules=rules_for(s, book_id, rules_on or clock.today), today=clock.today)


def end_facts(session: Session, dispatch_id: int) -> EndFacts:
    """The facts ending this dispatch today would be decided on (read, no locks: for the preview)."""
    dispatch = session.get(Dispatch, dispatch_id)
    if dispatch is None:
        raise NotFound("That dispatch no longer exists.")
    started_on = session.execute(text("SELECT started_on FROM employment_history WHERE id = :e"),
                                 {"e": dispatch.employment_id}).scalar() or dispatch.dispatch_date
    registration = session.get(Registration, dispatch.registration_id) if dispatch.registration_id else None
    return _end_facts(session, started_on=started_on, registration=registration, book_id=dispatch.book_id)


def terminate(uow: UnitOfWork, *, dispatch_id: int, reason: str, ended_on: date,
              hours: Decimal | None = None, note: str | None = None) -> TerminationResult:
    """Record the end of a job and apply what it does to the member's place on the book (rules.registration)."""
    with uow:
        s = uow.session
        errors = termination_errors(reason=reason, hours=hours)
        if errors:
            raise ValidationError(errors)
        dispatch = s.get(Dispatch, dispatch_id, with_for_update=True, populate_existing=True)
        if dispatch is None:
            raise NotFound("That dispatch no longer exists.")
        if dispatch.status not in ACTIVE_DISPATCH_STATUSES:
            raise DomainError(f"The dispatch is already {dispatch.status.replace('_', ' ')}.")
        employment = s.get(EmploymentRecord, dispatch.employment_id, with_for_update=True) \
            if dispatch.employment_id else None
        started_on = employment.started_on if employment else dispatch.dispatch_date
        errors = termination_errors(reason=reason, ended_on=ended_on,
                                    started_on=max(started_on, dispatch.dispatch_date))
        if errors:
            raise ValidationError(errors)
        registration = s.get(Registration, dispatch.registration_id, with_for_update=True) \
            if dispatch.registration_id else None
        facts = _end_facts(s, started_on=started_on, registration=registration, book_id=dispatch.book_id,
                           rules_on=ended_on)
        errors = termination_errors(reason=reason, ended_on=ended_on, today=facts.today)
        if errors:
            raise ValidationError(errors)
        decision = facts.decide(reason, ended_on)

        dispatch.status = "terminated"
        dispatch.terminated_on = ended_on
        dispatch.termination_reason = reason
        dispatch.business_days_worked = decision.business_days
        dispatch.hours_worked = hours
        if note and note.strip():
            dispatch.note = note.strip()
        if employment is not None:
            employment.ended_on = ended_on
            employment.termination_reason = reason
            employment.days_worked = decision.business_days
            employment.hours_worked = hours
        s.flush()

        rolled: list[int] = []
        why = f"{reason.replace('_', ' ')} after {decision.business_days} business days"
        if decision.outcome is EndOutcome.ROLL_OFF_ALL_BOOKS:
            rolled = roll_off_all_books(s, dispatch.member_id, reason, ended_on, why, request_id=dispatch.request_id,
                                        dispatch_id=dispatch.id)
            if decision.ban_ends_on is not None:
                s.add(ReferralBan(member_id=dispatch.member_id, employer_id=dispatch.employer_id,
                                  starts_on=ended_on, ends_on=decision.ban_ends_on, reason=reason,
                                  dispatch_id=dispatch.id))
        elif registration is not None and registration.status == "dispatched":
            before = snapshot(registration)
            if decision.outcome is EndOutcome.RESTORE_OLD_PLACE:
                registration.status = "registered"
                registration.restorations_used = decision.restorations_used
                dispatch.restored = True
                record_activity(s, registration, "restored", before=before, request_id=dispatch.request_id,
                                dispatch_id=dispatch.id, note=why)
            elif decision.outcome is EndOutcome.MUST_REREGISTER:
                registration.status = "awaiting_reregistration"
                registration.reregister_by = decision.reregister_by
                record_activity(s, registration, "job_ended", before=before,
                                request_id=dispatch.request_id, dispatch_id=dispatch.id,
                                note=f"{why}: re-register by {decision.reregister_by:%a %d %b %Y %H:%M}")
            else:
                roll_off(s, registration, "dispatched_long_call", ended_on, why, request_id=dispatch.request_id,
                         dispatch_id=dispatch.id)
                rolled = [registration.id]
        uow.flush()
        result = TerminationResult(
            dispatch.id, decision.outcome.value, decision.business_days, decision.short_call,
            registration.restorations_used if registration is not None else None,
            decision.reregister_by if decision.outcome is EndOutcome.MUST_REREGISTER else None,
            tuple(rolled), decision.ban_ends_on)
        uow.commit()
        return result

