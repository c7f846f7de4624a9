"""Taking labor requests from employers (number, R3 referral date, R4 agreement, R9 short call, R11 no-mark
reasons, R13 by-name foreperson) and bids on posted requests (R8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from unioncore_desktop.domain.error_texts import ALREADY_BID
from unioncore_desktop.domain.errors import (
    DomainError,
    NotFound,
    StaleRecord,
    ValidationError,
)
from unioncore_desktop.domain.models import (
    Bid,
    Book,
    Employer,
    LaborRequest,
    Member,
    Registration,
    Worksite,
)
from unioncore_desktop.domain.queries.fragments import hall_date
from unioncore_desktop.domain.queries.requests import (
    LIVE_REQUEST_STATUSES,
    RequestDetail,
    request_detail,
)
from unioncore_desktop.domain.rules.referral import (
    BID_REFUSAL_WINDOW_MONTHS,
    bid_referral_day,
    bid_window_open,
    bidding_revoked_until,
    starts_early,
)
from unioncore_desktop.domain.rules.referral import referral_date as r3_referral_date
from unioncore_desktop.domain.rules.requests import (
    BOOK_MISSING,
    DERIVED_NO_MARK,
    EMPLOYER_MISSING,
    RequestInput,
    bid_errors,
    cancel_errors,
    clean_requirements,
    normalize_start_time,
    request_errors,
    start_date_errors,
)
from unioncore_desktop.domain.services.referral_context import (
    business_calendar,
    hall_clock,
    record_activity,
    rules_for,
    snapshot,
)
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.domain.vocab import NO_MARK_REASONS


@dataclass(frozen=True, slots=True)
class BidResult:
    bid_id: int
    request_id: int
    member_id: int
    registration_id: int
    received_at: datetime


# --- requests -------------------------------------------------------------------------------------------------

def create_request(uow: UnitOfWork, data: RequestInput, *, received_at: datetime | None = None) -> RequestDetail:
    """Take a request; its received time is the server's clock (`received_at` only replays a known time)."""
    with uow:
        s = uow.session
        clock = hall_clock(s)
        received = received_at or clock.now
        # a replayed request (an import) is held to the day it was received; a new one to the hall's today
        values = _validated(uow, data, received, clock.zone, today=received.astimezone(clock.zone).date())
        request = LaborRequest(number=_next_number(uow, received.astimezone(clock.zone).year),
                               received_at=received, **values)
        s.add(request)
        uow.flush()
        detail = request_detail(s, request.id)
        uow.commit()
        return detail


def edit_request(uow: UnitOfWork, *, request_id: int, data: RequestInput, version: int) -> RequestDetail:
    """Save the form over the request as loaded at `version`; refused once someone else saved it.

    The received time (and so R3's referral date, unless the book changes) stays as first taken. A request
    that already has dispatches keeps its book and employer: the offer lines and dispatches refer to them.
    """
    with uow:
        s = uow.session
        request = s.get(LaborRequest, request_id, with_for_update=True)
        if request is None:
            raise NotFound("That labor request no longer exists.")
        if request.version != version:
            raise StaleRecord(f"Request {request.number} was changed by someone else after you opened it. "
                              "Reopen it and make your changes again.", current=request_detail(s, request_id))
        if request.status not in LIVE_REQUEST_STATUSES:
            raise DomainError(f"Request {request.number} is {request.status.replace('_', ' ')}; "
                              "it can no longer be edited.")
        clock = hall_clock(s)
        values = _validated(uow, data, request.received_at, clock.zone, today=clock.today,
                            saved_start=request.start_on)
        if request.workers_dispatched and (values["book_id"] != request.book_id
                                           or values["employer_id"] != request.employer_id):
            raise ValidationError({"book_id" if values["book_id"] != request.book_id else "employer_id":
                                   "Workers were already dispatched to this request; "
                                   "cancel it and take a new one instead."})
        if values["workers_requested"] < request.workers_dispatched:
            raise ValidationError({"workers_requested": f"{request.workers_dispatched} workers were already "
                                                        "dispatched; the request cannot ask for fewer."})
        for name, value in values.items():
            if getattr(request, name) != value:
                setattr(request, name, value)
        request.updated_at = clock.now
        try:
            uow.flush()
        except StaleDataError:
            raise StaleRecord(f"Request {request.number} was changed by someone else while you saved.") from None
        detail = request_detail(s, request_id)
        uow.commit()
        return detail


def cancel_request(uow: UnitOfWork, *, request_id: int, reason: str) -> RequestDetail:
    """Cancel a request that still needs workers; dispatches already made stand."""
    with uow:
        s = uow.session
        errors = cancel_errors(reason)
        if errors:
            raise ValidationError(errors)
        request = s.get(LaborRequest, request_id, with_for_update=True)
        if request is None:
            raise NotFound("That labor request no longer exists.")
        if request.status not in LIVE_REQUEST_STATUSES:
            raise DomainError(f"Request {request.number} is already {request.status.replace('_', ' ')}.")
        request.status = "cancelled"
        request.cancel_reason = reason.strip()
        uow.flush()
        detail = request_detail(s, request_id)
        uow.commit()
        return detail


@dataclass(frozen=True, slots=True)
class ExpiredRequest:
    """A request `uc_expire_requests` expired just now; `dispatched` of `requested` places were filled."""

    id: int
    number: str
    book_id: int
    dispatched: int
    requested: int

    @property
    def partly_filled(self) -> bool:
        return self.dispatched > 0


def expire_requests(uow: UnitOfWork) -> list[ExpiredRequest]:
    """Expire every request due (domain §3, the book's `expire_unfilled`): one server function decides and writes,
    so the screens of every workstation and the cron job expire the same requests, each once."""
    with uow:
        rows = uow.session.execute(text("SELECT * FROM uc_expire_requests()")).all()
        expired = [ExpiredRequest(*row) for row in rows]
        uow.commit()
        return expired


def _next_number(uow: UnitOfWork, year: int) -> str:
    """'R2026-00042': the next number of the year. A transaction lock keyed on the year serialises takers,
    so two workstations never draw the same number (gaps after a rollback are fine)."""
    prefix = f"R{year}-"
    uow.session.execute(text("SELECT pg_advisory_xact_lock(hashtext('labor_request_number'), :y)"), {"y": year})
    last = uow.session.execute(text(
        "SELECT max(substr(number, :n)::integer) FROM labor_requests "
        "WHERE number LIKE :p AND substr(number, :n) ~ '^[0-9]+$'"),
        {"n": len(prefix) + 1, "p": prefix + "%"}).scalar()
    return f"{prefix}{(last or 0) + 1:05d}"


def _parties(s: Session, data: RequestInput,
             errors: dict[str, str]) -> tuple[Employer | None, Worksite | None, Book | None]:
    """The request's employer, worksite and book, each checked (an error is set for any that will not do)."""
    employer = s.get(Employer, data.employer_id) if data.employer_id is not None else None
    if employer is None:
        errors["employer_id"] = EMPLOYER_MISSING
    elif not employer.active:
        errors["employer_id"] = f"{employer.name} is inactive."
    worksite = s.get(Worksite, data.worksite_id) if data.worksite_id is not None else None
    if data.worksite_id is not None and (worksite is None or (employer and worksite.employer_id != employer.id)):
        errors["worksite_id"] = "Choose one of this employer's worksites."
    book = s.get(Book, data.book_id) if data.book_id is not None else None
    if book is None or not book.active:
        errors["book_id"] = BOOK_MISSING
    return employer, worksite, book


def _validated(uow: UnitOfWork, data: RequestInput, received: datetime, zone: ZoneInfo, *, today: date,
               saved_start: date | None = None) -> dict[str, Any]:
    """The request columns from the form, or ValidationError naming every bad field."""
    s = uow.session
    errors = {**start_date_errors(data.start_on, today, saved_start), **request_errors(data)}
    employer, worksite, book = _parties(s, data, errors)
    if data.by_name_member_id is not None and s.get(Member, data.by_name_member_id) is None:
        errors["by_name_member_id"] = "Choose the foreperson named by the employer."
        errors.pop("by_name_attested", None)
    rules = None
    if book is not None:
        local = received.astimezone(zone)
        rules = rules_for(s, book.id, local.date())
        if data.bidding and not rules.bidding_enabled:
            errors["bidding"] = f"{book.name} does not take bids."
    if errors:
        raise ValidationError(errors)
    assert book is not None and rules is not None and employer is not None
    start_time, parsed = normalize_start_time(data.start_time)
    requirements = clean_requirements(data.requirements)
    calendar = business_calendar(s)
    short_call = data.duration_days is not None and data.duration_days <= rules.short_call_max_days
    reasons = set(data.no_mark_reasons) - set(DERIVED_NO_MARK)
    if short_call:
        reasons.add("short_call")
    if starts_early(parsed):
        reasons.add("early_start")
    return {
        "employer_id": employer.id, "worksite_id": worksite.id if worksite else None, "book_id": book.id,
        "job_class": (data.job_class or "").strip() or None, "workers_requested": data.workers_requested,
        "wage": data.wage, "start_on": data.start_on, "start_time": start_time,
        "duration_days": data.duration_days, "short_call": short_call,
        "referral_date": r3_referral_date(received, calendar, rules.request_cutoff, zone=zone),
        "agreement_type": book.agreement_type,
        "no_mark_reasons": [r for r in NO_MARK_REASONS if r in reasons], "requirements": requirements,
        "by_name_member_id": data.by_name_member_id,
        "by_name_attested": bool(data.by_name_attested and data.by_name_member_id is not None),
        "bidding": bool(data.bidding),
        "report_to": (data.report_to or "").strip() or (worksite.report_to if worksite else None),
        "comments": (data.comments or "").strip() or None,
    }


# --- bids (R8) ------------------------------------------------------------------------------------------------

def record_bid(uow: UnitOfWork, *, request_id: int, member_id: int, source: str,
               at: datetime | None = None) -> BidResult:
    """Take a bid on a posted request during the book's bid window (server clock; `at` replays a known time).

    The bidder needs a registered place on the request's book; where the bid arrives in time plays no part in
    who wins (list position does, see the dispatch walk).
    """
    with uow:
        s = uow.session
        errors = bid_errors(source)
        if errors:
            raise ValidationError(errors)
        clock = hall_clock(s)
        when = (at or clock.now).astimezone(clock.zone)
        request = s.get(LaborRequest, request_id, with_for_update=True)
        if request is None:
            raise NotFound("That labor request no longer exists.")
        rules = rules_for(s, request.book_id, when.date())
        if not (request.bidding and rules.bidding_enabled):
            raise DomainError(f"Request {request.number} is not posted for bids.")
        if request.status not in LIVE_REQUEST_STATUSES:
            raise DomainError(f"Request {request.number} is {request.status.replace('_', ' ')}; "
                              "it takes no more bids.")
        if not bid_window_open(when, rules):
            raise DomainError(f"Bids are taken from {rules.bid_opens:%H:%M} to {rules.bid_closes:%H:%M}; "
                              f"it is {when:%H:%M}.")
        day = bid_referral_day(when, business_calendar(s), rules)
        if day != request.referral_date:
            raise DomainError(f"Request {request.number} is worked on {request.referral_date:%a %d %b}; "
                              f"bids taken now are for the referral of {day:%a %d %b}.")
        registration = s.scalars(select(Registration).where(
            Registration.member_id == member_id, Registration.book_id == request.book_id,
            Registration.status == "registered").with_for_update()).first()
        if registration is None:
            raise ValidationError({"member_id": "The member has no registered place on this book."})
        revoked = bidding_revoked_until(bid_refusals(uow, member_id))
        if revoked is not None and revoked >= when.date():
            raise DomainError(f"The member refused two won bids within {BID_REFUSAL_WINDOW_MONTHS} months; "
                              f"bidding is revoked through {revoked:%d %b %Y}.")
        if s.scalar(select(Bid.id).where(Bid.request_id == request_id, Bid.member_id == member_id)):
            raise ValidationError({"member_id": ALREADY_BID})
        bid = Bid(request_id=request_id, member_id=member_id, registration_id=registration.id, source=source,
                  received_at=when)
        s.add(bid)
        uow.flush()
        record_activity(s, registration, "bid", before=snapshot(registration), request_id=request_id,
                        note=f"bid by {source}")
        result = BidResult(bid.id, request_id, member_id, registration.id, when)
        uow.commit()
        return result


def withdraw_bid(uow: UnitOfWork, *, bid_id: int) -> None:
    """The member takes the bid back before the referral; the row stays (who bid is part of the record)."""
    with uow:
        bid = uow.session.get(Bid, bid_id, with_for_update=True)
        if bid is None:
            raise NotFound("That bid no longer exists.")
        bid.withdrawn = True
        uow.commit()


def bid_refusals(uow: UnitOfWork, member_id: int) -> list[date]:
    """R8: the days the member refused a job won by bid: declined the offer, or never checked in (no-show)."""
    return list(uow.session.execute(text(f"""
        SELECT {hall_date("o.at")}
        FROM offer_lines o
        JOIN labor_requests r ON r.id = o.request_id AND r.bidding
        JOIN bids b ON b.request_id = o.request_id AND b.member_id = o.member_id
        WHERE o.member_id = :m AND o.outcome = 'declined'
        UNION ALL
        SELECT dispatch_date FROM dispatches WHERE member_id = :m AND via_bid AND status = 'no_show'
    """), {"m": member_id}).scalars())
