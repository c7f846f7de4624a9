"""Books as the manager sets them up: add a book with its first rule settings, change where it sits in the
morning referral and what it dispatches under, retire it and bring it back.

A book is never deleted: registrations, requests, dispatches and activity name it for good (no staff group holds
DELETE on books, and those foreign keys refuse it for the owner too). A retired book is kept, shown as retired, and
takes no sign-ons and no requests; the database refuses them too (uc_book_open_guard)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from sqlalchemy.orm.exc import StaleDataError

from unioncore_desktop.domain.errors import DomainError, NotFound, StaleRecord, ValidationError
from unioncore_desktop.domain.models import Book
from unioncore_desktop.domain.queries.book_setup import BookSetupRow, book_setup_row
from unioncore_desktop.domain.queries.book_rules import rules_in_force
from unioncore_desktop.domain.queries.books import BOOK_GONE
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.rules.book_rules import RuleSet
from unioncore_desktop.domain.rules.books import BookDraft, book_errors, normalized, retire_refusal
from unioncore_desktop.domain.services.book_rules import add_rule_set
from unioncore_desktop.domain.uow import UnitOfWork

EDITABLE = ("region", "contract_code", "agreement_type", "morning_slot", "sort_order")


def _checked(draft: BookDraft) -> BookDraft:
    draft = normalized(draft)
    errors = book_errors(draft)
    if errors:
        raise ValidationError(errors)
    return draft


def create_book(uow: UnitOfWork, *, draft: BookDraft, rules_from: date,
                rules: RuleSet | None = None, rules_like_book: int | None = None) -> BookSetupRow:
    """A new book and its first rule settings from `rules_from` (today or later), in one transaction: `rules`
    as given, else those in force today on `rules_like_book`, else the hall's defaults."""
    draft = _checked(draft)
    with uow:
        s = uow.session
        today = hall_clock(s).today
        if rules is None and rules_like_book is not None:
            rules = rules_in_force(s, rules_like_book, today).rules
        book = Book(**{**asdict(draft)})
        s.add(book)
        uow.flush()
        add_rule_set(uow, book_id=book.id, effective_from=rules_from, today=today,
                     rules=rules if rules is not None else RuleSet())
        saved = book_setup_row(s, book.id)
        uow.commit()
        return saved


def _locked(uow: UnitOfWork, book_id: int, expected_version: int) -> Book:
    book = uow.session.get(Book, book_id, with_for_update=True)
    if book is None:
        raise NotFound(BOOK_GONE)
    if book.version != expected_version:
        raise StaleRecord(f"Someone changed the {book.name} book after you opened it; it is shown as it is now. "
                          "Your entries are still in the form; review them and save again.",
                          current=book_setup_row(uow.session, book_id))
    return book


def _saved(uow: UnitOfWork, book_id: int) -> BookSetupRow:
    try:
        uow.flush()
    except StaleDataError:
        raise StaleRecord("Someone changed this book while you saved; review it and save again.") from None
    saved = book_setup_row(uow.session, book_id)
    uow.commit()
    return saved


def update_book(uow: UnitOfWork, *, book_id: int, expected_version: int, draft: BookDraft) -> BookSetupRow:
    """Slot, sort order, region, contract and agreement type; the code, name and classification stay."""
    draft = _checked(draft)
    with uow:
        book = _locked(uow, book_id, expected_version)
        for name in EDITABLE:
            value = getattr(draft, name)
            if getattr(book, name) != value:
                setattr(book, name, value)
        return _saved(uow, book_id)


def retire_book(uow: UnitOfWork, *, book_id: int, expected_version: int) -> BookSetupRow:
    with uow:
        book = _locked(uow, book_id, expected_version)
        if not book.active:
            raise DomainError(f"The {book.name} book is already retired.")
        row = book_setup_row(uow.session, book_id)
        refusal = retire_refusal(live_registrations=row.live_registrations, open_requests=row.open_requests)
        if refusal:
            raise DomainError(refusal)
        book.active = False
        return _saved(uow, book_id)


def reinstate_book(uow: UnitOfWork, *, book_id: int, expected_version: int) -> BookSetupRow:
    with uow:
        book = _locked(uow, book_id, expected_version)
        if book.active:
            raise DomainError(f"The {book.name} book is in use already.")
        book.active = True
        return _saved(uow, book_id)
