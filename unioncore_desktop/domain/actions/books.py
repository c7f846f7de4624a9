"""The out-of-work books: a book's queue, the member at the counter (sign-on, re-registration), re-sign, resign
and exemptions, the drop run, each book's rule settings, and the manager's set-up of the books themselves.

Registration and book-rule changes are announced by their book (the key their notifications carry). The services
(and the ORM models beneath them) load with the first write: the books screen opens on the reads alone."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Protocol

from unioncore_desktop.domain.actions import Hall
from unioncore_desktop.domain.changes import Changed, Done, done
from unioncore_desktop.domain.queries import book_rules as rules_q
from unioncore_desktop.domain.queries import book_setup as setup_q
from unioncore_desktop.domain.queries import books as q
from unioncore_desktop.domain.rules.book_rules import RuleSet
from unioncore_desktop.domain.rules.books import BookDraft

if TYPE_CHECKING:
    from unioncore_desktop.domain.services import drop_run


class PlaceRef(Protocol):
    """A registration as a screen loaded it: a book's list row, or a member record's registration."""

    @property
    def registration_id(self) -> int: ...

    @property
    def version(self) -> int: ...


def _registrations(rows: Iterable[q.RegistrationRow | drop_run.DropCandidate]) -> Changed:
    return Changed.of("registration", book_ids=sorted({r.book_id for r in rows}))


def list_books(hall: Hall) -> list[q.BookSummary]:
    """The active books in morning order, with their counts by tier."""
    return hall.read(q.list_books)


def open_book(hall: Hall, book_id: int) -> q.BookPage:
    return hall.read(q.book_page, book_id)


def open_books(hall: Hall) -> q.BooksOpening:
    """The books screen's first read: the books in morning order and the first book's page."""
    return hall.read(q.books_opening)


def offices(hall: Hall) -> list[q.OfficeRow]:
    return hall.read(q.list_offices)


def member_visit(hall: Hall, member_id: int) -> q.MemberVisit:
    return hall.read(q.member_visit, member_id)


def reregistration_visit(hall: Hall, member_id: int) -> q.ReregistrationVisit:
    return hall.read(q.reregistration_visit, member_id)


def sign_on(hall: Hall, member_id: int, book_ids: Sequence[int], *, method: str, office_id: int | None,
            tiers: dict[int, int]) -> Done[list[q.RegistrationRow]]:
    from unioncore_desktop.domain.services import registrations as services

    rows = services.sign_on(hall.uow(), member_id=member_id, book_ids=book_ids, method=method, office_id=office_id,
                            tiers=tiers)
    return done(rows, _registrations(rows))


def reregister(hall: Hall, member_id: int, book_ids: Sequence[int], *, method: str,
               office_id: int | None) -> Done[list[q.RegistrationRow]]:
    from unioncore_desktop.domain.services import registrations as services

    rows = services.reregister(hall.uow(), member_id=member_id, book_ids=book_ids, method=method,
                               office_id=office_id)
    return done(rows, _registrations(rows))


def re_sign(hall: Hall, row: PlaceRef) -> Done[q.RegistrationRow]:
    from unioncore_desktop.domain.services import registrations as services

    saved = services.re_sign(hall.uow(), registration_id=row.registration_id, expected_version=row.version)
    return done(saved, _registrations([saved]))


def resign(hall: Hall, row: PlaceRef) -> Done[q.RegistrationRow]:
    from unioncore_desktop.domain.services import registrations as services

    saved = services.resign(hall.uow(), registration_id=row.registration_id, expected_version=row.version)
    return done(saved, _registrations([saved]))


def rules_on(hall: Hall, book_id: int, day: date) -> RuleSet:
    """The book's rules in force on `day`."""
    from unioncore_desktop.domain.services.referral_context import rules_for

    return hall.read(rules_for, book_id, day)


def start_exemption(hall: Hall, row: PlaceRef, *, reason: str, start: date, end: date | None,
                    extended: bool, note: str) -> Done[q.RegistrationRow]:
    from unioncore_desktop.domain.services import registrations as services

    saved = services.start_exemption(hall.uow(), registration_id=row.registration_id, expected_version=row.version,
                                     reason=reason, start=start, end=end, extended=extended, note=note)
    return done(saved, _registrations([saved]))


def end_exemption(hall: Hall, row: PlaceRef) -> Done[q.RegistrationRow]:
    from unioncore_desktop.domain.services import registrations as services

    saved = services.end_exemption(hall.uow(), registration_id=row.registration_id, expected_version=row.version)
    return done(saved, _registrations([saved]))


def preview_drops(hall: Hall, as_of: date) -> list[drop_run.DropCandidate]:
    from unioncore_desktop.domain.services import drop_run

    return hall.read(drop_run.preview_drops, as_of=as_of)


def apply_drops(hall: Hall, as_of: date,
                expected: Iterable[drop_run.CandidateKey]) -> Done[drop_run.DropRunResult]:
    """Apply exactly the previewed candidates (refused when the list changed since)."""
    from unioncore_desktop.domain.services import drop_run

    result = drop_run.apply_drops(hall.uow(), as_of=as_of, expected=expected)
    if not result.candidates:  # applied before: nothing written now
        return done(result)
    return done(result, _registrations(result.candidates))


def book_rules(hall: Hall, book_id: int) -> rules_q.BookRulesView:
    return hall.read(rules_q.book_rules_view, book_id)


def _rules_changed(row: rules_q.BookRulesRow) -> Done[rules_q.BookRulesRow]:
    return done(row, Changed.of("book_rules", book_ids=[row.book_id]))


def save_book_rules(hall: Hall, book_id: int, rules: RuleSet,
                    editing: rules_q.BookRulesRow | None) -> Done[rules_q.BookRulesRow]:
    """New settings from `rules.effective_from`, or the scheduled settings being edited (as they were loaded)."""
    from unioncore_desktop.domain.services import book_rules as rules_services

    if editing is None:
        return _rules_changed(rules_services.schedule_book_rules(hall.uow(), book_id=book_id,
                                                                 effective_from=rules.effective_from, rules=rules))
    return _rules_changed(rules_services.edit_scheduled_book_rules(
        hall.uow(), rules_id=editing.id, expected_version=editing.version, effective_from=rules.effective_from,
        rules=rules))


def cancel_book_rules(hall: Hall, row: rules_q.BookRulesRow) -> Done[rules_q.BookRulesRow]:
    from unioncore_desktop.domain.services import book_rules as rules_services

    return _rules_changed(rules_services.cancel_scheduled_book_rules(hall.uow(), rules_id=row.id,
                                                                     expected_version=row.version))


# --- setting books up (managers) ------------------------------------------------------------------------------


def book_setup(hall: Hall) -> setup_q.BookSetupView:
    """Every book, retired ones too, with the contract codes and regions the form offers."""
    return hall.read(setup_q.book_setup_view)


def _book_changed(row: setup_q.BookSetupRow) -> Done[setup_q.BookSetupRow]:
    return done(row, Changed.of("book", book_ids=[row.id]))


def create_book(hall: Hall, draft: BookDraft, rules_from: date,
                rules_like_book: int | None) -> Done[setup_q.BookSetupRow]:
    """A new book with its first rule settings from `rules_from` (copied from another book's, or the defaults)."""
    from unioncore_desktop.domain.services import book_setup as setup_services

    row = setup_services.create_book(hall.uow(), draft=draft, rules_from=rules_from, rules_like_book=rules_like_book)
    return done(row, Changed.of("book", book_ids=[row.id]), Changed.of("book_rules", book_ids=[row.id]))


def update_book(hall: Hall, row: setup_q.BookSetupRow, draft: BookDraft) -> Done[setup_q.BookSetupRow]:
    from unioncore_desktop.domain.services import book_setup as setup_services

    return _book_changed(setup_services.update_book(hall.uow(), book_id=row.id, expected_version=row.version,
                                                    draft=draft))


def retire_book(hall: Hall, row: setup_q.BookSetupRow) -> Done[setup_q.BookSetupRow]:
    from unioncore_desktop.domain.services import book_setup as setup_services

    return _book_changed(setup_services.retire_book(hall.uow(), book_id=row.id, expected_version=row.version))


def reinstate_book(hall: Hall, row: setup_q.BookSetupRow) -> Done[setup_q.BookSetupRow]:
    from unioncore_desktop.domain.services import book_setup as setup_services

    return _book_changed(setup_services.reinstate_book(hall.uow(), book_id=row.id, expected_version=row.version))
