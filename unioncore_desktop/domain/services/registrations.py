"""Signing on, re-signing, resigning, exemptions and re-registration on the out-of-work books (R5-R7, R14),
and the roll-off helpers the dispatch and drop-run services share. Every change leaves an activity row."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.errors import (
    DomainError,
    NotFound,
    StaleRecord,
    ValidationError,
)
from unioncore_desktop.domain.models import Book, Member, Registration
from unioncore_desktop.domain.queries.books import (
    RegistrationRow,
    registration_row,
    registration_rows,
)
from unioncore_desktop.domain.rules.apn import excel_serial, format_apn, next_apn
from unioncore_desktop.domain.rules.book_rules import RuleSet
from unioncore_desktop.domain.rules.registration import (
    book_choice_errors,
    exemption_cap_end,
    exemption_end_errors,
    exemption_errors,
    is_exempt,
    last_resign_day,
    office_errors,
    reregistration_overdue,
    resign_accepted_on,
)
from unioncore_desktop.domain.rules.registration import resign_due as resign_due_after
from unioncore_desktop.domain.services.referral_context import (
    HallClock,
    hall_clock,
    record_activity,
    rules_for,
    snapshot,
)
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.domain.vocab import (
    LIVE_REGISTRATION_STATUSES,
    REGISTRATION_METHODS,
    ROLL_OFF_REASONS,
)

APN_LOCK = "SELECT pg_advisory_xact_lock(hashtext('uc_apn'))"
"""Serialises APN hand-out across workstations; held until the transaction ends, so the next visit's
max(apn) sees this one's rows."""


# --- sign-on (R5) and re-registration (R6) ------------------------------------------------------------------

def sign_on(uow: UnitOfWork, *, member_id: int, book_ids: Sequence[int], method: str = "in_person",
            office_id: int | None = None, tiers: dict[int, int] | None = None) -> list[RegistrationRow]:
    """One sign-on visit: the member joins each book with one shared APN (R5).

    Only books the member is qualified for (member_qualified_books); the tier is the qualified one unless
    `tiers` (book id -> tier) asks for a lower-priority tier. A second live registration is refused.
    """
    tiers = dict(tiers or {})
    with uow:
        session = uow.session
        _check_method(session, method, office_id)
        books = _books(session, book_ids)
        member = _active_member(session, member_id)
        qualified: dict[str, int] = dict(session.execute(text(
            "SELECT book_code, tier FROM member_qualified_books WHERE member_id = :m"), {"m": member_id}).all())
        errors: dict[str, str] = {}
        chosen: dict[int, int] = {}
        for book in books:
            if book.code not in qualified:
                errors.setdefault("book", f"{_name(member)} is not qualified for the {book.name} book.")
                continue
            tier = tiers.get(book.id, qualified[book.code])
            if not 1 <= tier <= 4 or tier < qualified[book.code]:
                errors.setdefault("tier", f"{_name(member)} may sign {book.name} at tier {qualified[book.code]}"
                                          f"{' or lower' if qualified[book.code] < 4 else ''}, not tier {tier}.")
                continue
            chosen[book.id] = tier
        if errors:
            raise ValidationError(errors)
        _refuse_live(session, member, books)
        clock = hall_clock(session)
        # everything read before the APN lock: from it to the commit every workstation's sign-on waits
        rules = {book.id: rules_for(session, book.id, clock.today) for book in books}
        apn = _take_apn(session, clock.today)
        created = [_new_registration(session, member_id, book, chosen[book.id], apn, method, office_id, clock,
                                     rules[book.id]) for book in books]
        uow.flush()
        for registration in created:
            record_activity(session, registration, "sign_on")
        uow.commit()
        return registration_rows(session, [r.id for r in created])  # read after the commit, the lock let go


def reregister(uow: UnitOfWork, *, member_id: int, book_ids: Sequence[int] | None = None,
               method: str = "in_person", office_id: int | None = None) -> list[RegistrationRow]:
    """R6: a member awaiting re-registration comes back before the deadline; each book gets one new APN for
    the visit (the old place is gone). `book_ids` None re-registers every book awaiting it."""
    with uow:
        session = uow.session
        _check_method(session, method, office_id)
        member = _active_member(session, member_id)
        awaiting = list(session.scalars(
            select(Registration).where(Registration.member_id == member_id,
                                       Registration.status == "awaiting_reregistration")
            .order_by(Registration.id).with_for_update()))
        if not awaiting:
            raise DomainError(f"{_name(member)} has no registration awaiting re-registration.", field="book")
        if book_ids is not None:
            wanted = set(book_ids)
            missing = wanted - {r.book_id for r in awaiting}
            if missing:
                names = ", ".join(b.name for b in _books(session, sorted(missing)))
                raise ValidationError({"book": f"{_name(member)} is not awaiting re-registration on {names}."})
            awaiting = [r for r in awaiting if r.book_id in wanted]
        clock = hall_clock(session)
        late = [r for r in awaiting if reregistration_overdue(clock.now, r.reregister_by)]
        if late:
            deadline = min(r.reregister_by for r in late if r.reregister_by is not None).astimezone(clock.zone)
            raise DomainError(f"The re-registration deadline ({deadline:%a %d %b %Y %H:%M}) has passed; "
                              f"{_name(member)} drops from all books at the next drop run and must sign on again.",
                              field="book")
        apn = _take_apn(session, clock.today)
        for registration in awaiting:
            before = snapshot(registration)
            rules = rules_for(session, registration.book_id, clock.today)
            registration.status = "registered"
            registration.apn = apn
            registration.registered_at = clock.now
            registration.method = method
            registration.office_id = office_id
            registration.reregister_by = None
            registration.last_resign_on = None
            registration.resign_due_on = resign_due_after(clock.today, rules)
            registration.restorations_used = 0
            record_activity(session, registration, "reregistered", before=before)
        uow.flush()
        rows = registration_rows(session, [r.id for r in awaiting])
        uow.commit()
        return rows


# --- keeping a place: re-sign (R7), resign, exemptions (R14) -------------------------------------------------

def re_sign(uow: UnitOfWork, *, registration_id: int, expected_version: int) -> RegistrationRow:
    """R7: the member re-signs; the APN never changes, the due date moves on."""
    with uow:
        session = uow.session
        registration = _locked(session, registration_id, expected_version)
        _require_status(registration, ("registered", "dispatched"), "re-sign")
        clock = hall_clock(session)
        rules = rules_for(session, registration.book_id, clock.today)
        if _exempt_today(registration, clock.today, rules):
            raise DomainError("The registration is exempt: no re-sign is needed until the exemption ends.",
                              field="status")
        due = registration.resign_due_on
        if due is not None and not resign_accepted_on(clock.today, due, rules):
            if clock.today > last_resign_day(due, rules):
                raise DomainError(f"The re-sign was due by {last_resign_day(due, rules):%d %b %Y} and was missed; "
                                  "the registration drops at the next drop run.", field="resign_due_on")
            raise DomainError(f"Re-signing for this period opens on {due.replace(day=10):%d %b %Y}.",
                              field="resign_due_on")
        before = snapshot(registration)
        registration.last_resign_on = clock.today
        registration.resign_due_on = resign_due_after(clock.today, rules)
        record_activity(session, registration, "re_sign", before=before)
        return _saved(uow, registration)


def resign(uow: UnitOfWork, *, registration_id: int, expected_version: int, note: str | None = None
           ) -> RegistrationRow:
    """The member leaves the book of their own accord (no penalty; signing on again gives a new APN)."""
    with uow:
        session = uow.session
        registration = _locked(session, registration_id, expected_version)
        _require_status(registration, LIVE_REGISTRATION_STATUSES, "resign from")
        before = snapshot(registration)
        registration.status = "resigned"
        registration.rolled_off_on = hall_clock(session).today
        registration.reregister_by = None
        record_activity(session, registration, "resign", before=before, note=_clean(note))
        return _saved(uow, registration)


def start_exemption(uow: UnitOfWork, *, registration_id: int, expected_version: int, reason: str,
                    start: date, end: date | None = None, extended: bool = False, note: str | None = None
                    ) -> RegistrationRow:
    """R14: the registration keeps its APN, needs no re-sign and is skipped when dispatching.

    Capped reasons (traveling, under-scale) end at the cap (6 months by default) unless `extended` allows a
    later `end`; the others are open-ended unless an end is given.
    """
    with uow:
        session = uow.session
        registration = _locked(session, registration_id, expected_version)
        _require_status(registration, ("registered",), "exempt")
        clock = hall_clock(session)
        rules = rules_for(session, registration.book_id, start)
        errors = exemption_errors(reason, start, end, rules, extended=extended)
        if not errors and start > clock.today:
            errors["exemption_start"] = "Record an exemption on or after the day it starts."
        if not errors and start < registration.registered_at.astimezone(clock.zone).date():
            errors["exemption_start"] = "An exemption cannot start before the member signed the book."
        if errors:
            raise ValidationError(errors)
        if _exempt_today(registration, clock.today, rules):
            reason_text = (registration.exemption_reason or "").replace("_", " ")
            raise DomainError(f"The registration is already exempt ({reason_text});"
                              " end that exemption first.", field="exemption_reason")
        before = snapshot(registration)
        registration.exemption_reason = reason
        registration.exemption_start = start
        registration.exemption_end = end if end is not None else exemption_cap_end(start, reason, rules)
        registration.resign_due_on = None
        record_activity(session, registration, "exempt_start", before=before, note=_clean(note))
        return _saved(uow, registration)


def end_exemption(uow: UnitOfWork, *, registration_id: int, expected_version: int, end_on: date | None = None,
                  note: str | None = None) -> RegistrationRow:
    """The member is available again: re-sign is due again counting from the end date."""
    with uow:
        session = uow.session
        registration = _locked(session, registration_id, expected_version)
        if registration.exemption_reason is None:
            raise DomainError("The registration is not exempt.", field="exemption_reason")
        _require_status(registration, ("registered",), "end the exemption of")
        today = hall_clock(session).today
        end_on = end_on or today
        if end_on > today:
            raise ValidationError({"exemption_end": "End the exemption on the day it ends, not ahead of time."})
        assert registration.exemption_start is not None  # a CHECK keeps reason and start together
        errors = exemption_end_errors(registration.exemption_start, end_on)
        if errors:
            raise ValidationError(errors)
        before = snapshot(registration)
        clear_exemption(registration, resign_due_after(end_on, rules_for(session, registration.book_id, end_on)))
        record_activity(session, registration, "exempt_end", before=before, note=_clean(note))
        return _saved(uow, registration)


# --- roll-off helpers (shared with dispatch, termination and the drop run) ----------------------------------

def roll_off(session: Session, registration: Registration, reason: str, on_date: date, note: str | None = None,
             *, request_id: int | None = None, dispatch_id: int | None = None) -> None:
    """Take a live registration off its book for `reason`, inside the caller's transaction."""
    if reason not in ROLL_OFF_REASONS:
        raise ValueError(f"unknown roll-off reason {reason!r}")
    if registration.status not in LIVE_REGISTRATION_STATUSES:
        raise DomainError(f"The registration is already {registration.status.replace('_', ' ')}.", field="status")
    before = snapshot(registration)
    registration.status = "rolled_off"
    registration.roll_off_reason = reason
    registration.rolled_off_on = on_date
    registration.reregister_by = None
    record_activity(session, registration, "roll_off", before=before, request_id=request_id,
                    dispatch_id=dispatch_id, note=note)


def roll_off_all_books(session: Session, member_id: int, reason: str, on_date: date, note: str | None = None, *,
                       request_id: int | None = None, dispatch_id: int | None = None) -> list[int]:
    """R6/R12: every live registration of the member off its book; returns the registration ids."""
    registrations = list(session.scalars(
        select(Registration).where(Registration.member_id == member_id,
                                   Registration.status.in_(LIVE_REGISTRATION_STATUSES))
        .order_by(Registration.id).with_for_update()))
    for registration in registrations:
        roll_off(session, registration, reason, on_date, note, request_id=request_id, dispatch_id=dispatch_id)
    return [r.id for r in registrations]


# --- helpers ------------------------------------------------------------------------------------------------

def _take_apn(session: Session, today: date) -> Decimal:
    session.execute(text(APN_LOCK))
    serial = excel_serial(today)
    highest = session.execute(text("SELECT max(apn) FROM registrations WHERE apn >= :lo AND apn < :hi"),
                              {"lo": serial, "hi": serial + 1}).scalar()
    return next_apn(today, highest)


def _new_registration(session: Session, member_id: int, book: Book, tier: int, apn: Decimal, method: str,
                      office_id: int | None, clock: HallClock, rules: RuleSet) -> Registration:
    registration = Registration(member_id=member_id, book_id=book.id, tier=tier, apn=apn, method=method,
                                office_id=office_id, registered_at=clock.now, status="registered",
                                resign_due_on=resign_due_after(clock.today, rules))
    session.add(registration)
    return registration


def _books(session: Session, book_ids: Iterable[int]) -> list[Book]:
    ids = list(dict.fromkeys(book_ids))
    errors = book_choice_errors(ids)
    if errors:
        raise ValidationError(errors)
    books = {b.id: b for b in session.scalars(select(Book).where(Book.id.in_(ids)))}
    missing = [i for i in ids if i not in books or not books[i].active]
    if missing:
        raise ValidationError({"book": "That book no longer exists or is closed."})
    return [books[i] for i in ids]


def _active_member(session: Session, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise NotFound("That member no longer exists.")
    if member.status != "active":
        raise ValidationError({"member": f"{_name(member)} is {member.status}; only active members sign the books."})
    return member


def _refuse_live(session: Session, member: Member, books: list[Book]) -> None:
    live = session.execute(text("""
        SELECT b.name, g.status, g.apn FROM registrations g JOIN books b ON b.id = g.book_id
        WHERE g.member_id = :m AND g.book_id = ANY(:ids)
          AND g.status IN ('registered', 'dispatched', 'awaiting_reregistration')
        ORDER BY b.name
    """), {"m": member.id, "ids": [b.id for b in books]}).all()
    if live:
        name, status, apn = live[0]
        raise ValidationError({"book": f"{_name(member)} already has a live registration on {name} "
                                       f"({status.replace('_', ' ')}, APN {format_apn(apn)})."})


def _locked(session: Session, registration_id: int, expected_version: int) -> Registration:
    registration = session.get(Registration, registration_id, with_for_update=True)
    if registration is None:
        raise NotFound("That registration no longer exists.")
    if registration.version != expected_version:
        current = registration_row(session, registration_id)
        who = session.execute(text("""
            SELECT coalesce(s.full_name, a.staff_login) FROM registration_activity a
            LEFT JOIN staff s ON s.login = a.staff_login
            WHERE a.registration_id = :id ORDER BY a.id DESC LIMIT 1
        """), {"id": registration_id}).scalar()
        raise StaleRecord(f"{who or 'Someone'} changed this registration after you opened it "
                          f"(it is now {current.status.replace('_', ' ')}); look again and retry.",
                          changed_by=who, current=current)
    return registration


def _require_status(registration: Registration, allowed: Iterable[str], verb: str) -> None:
    if registration.status not in allowed:
        state = registration.status.replace("_", " ")
        raise DomainError(f"Cannot {verb} a registration that is {state}.", field="status")


def _exempt_today(registration: Registration, today: date, rules: RuleSet) -> bool:
    return is_exempt(today, registration.exemption_reason, registration.exemption_start,
                     registration.exemption_end, rules)


def clear_exemption(registration: Registration, resign_due_on: date) -> None:
    """End an exemption on the row (the activity row keeps what it was); re-sign is due again."""
    registration.exemption_reason = None
    registration.exemption_start = None
    registration.exemption_end = None
    registration.resign_due_on = resign_due_on


def _saved(uow: UnitOfWork, registration: Registration) -> RegistrationRow:
    uow.flush()
    row = registration_row(uow.session, registration.id)
    uow.commit()
    return row


def _check_method(session: Session, method: str, office_id: int | None) -> None:
    """How the member came, and where when in person (R1; the database's uc_registration_office_guard too)."""
    if method not in REGISTRATION_METHODS:
        raise ValidationError({"method": "Choose how the member signed on (in person, e-mail, fax or web)."})
    offices = session.execute(text("SELECT count(*) FROM offices")).scalar_one()
    errors = office_errors(method, office_id, offices)
    if errors:
        raise ValidationError(errors)


def _name(member: Member) -> str:
    return f"{member.first_name} {member.last_name} ({member.card_number})"


def _clean(note: str | None) -> str | None:
    return note.strip() or None if note else None

