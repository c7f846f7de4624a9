"""Schedule, edit and cancel a book's effective-dated rule settings.

A rule set takes effect from the hall's today or later, never earlier, and once it is in force it never
changes: the referral decisions made under it stay explainable. Only a scheduled rule set (effective later)
can be edited or cancelled. The database refuses the same for every staff login (migration 0013)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, replace
from datetime import date, timedelta

from sqlalchemy import text
from sqlalchemy.orm.exc import StaleDataError

from unioncore_desktop.domain.errors import DomainError, NotFound, StaleRecord, ValidationError
from unioncore_desktop.domain.models import BookRules
from unioncore_desktop.domain.queries.books import BOOK_GONE
from unioncore_desktop.domain.queries.book_rules import (
    SETTING_FIELDS,
    BookRulesRow,
    book_rules_history,
    rules_in_force,
)
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.rules.book_rules import RuleSet, rule_set_errors
from unioncore_desktop.domain.uow import UnitOfWork

def _merged(base: RuleSet, effective_from: date | None, rules: RuleSet | Mapping[str, object] | None,
            settings: Mapping[str, object]) -> RuleSet:
    """`base` with the given settings over it; an unknown setting name is a programming error (TypeError)."""
    given = dict(asdict(rules) if isinstance(rules, RuleSet) else (rules or {}))
    given.update(settings)
    given.pop("effective_from", None)
    unknown = set(given) - set(SETTING_FIELDS)
    if unknown:
        raise TypeError(f"unknown book rule settings: {', '.join(sorted(unknown))}")
    if effective_from is not None:
        given["effective_from"] = effective_from
    return replace(base, **given)


def _validated(rules: RuleSet, today: date) -> RuleSet:
    errors = rule_set_errors(rules, today=today)
    if errors:
        raise ValidationError(errors)
    return rules


def _taken(uow: UnitOfWork, book_id: int, effective_from: date, rules_id: int | None) -> None:
    if uow.session.execute(text(
            "SELECT EXISTS (SELECT 1 FROM book_rules WHERE book_id = :b AND effective_from = :d "
            "AND id IS DISTINCT FROM :id)"), {"b": book_id, "d": effective_from, "id": rules_id}).scalar_one():
        raise ValidationError({"effective_from": f"The book already has settings from {effective_from:%Y-%m-%d}; "
                                                 "edit those instead."})


def _row(uow: UnitOfWork, book_id: int, rules_id: int, today: date) -> BookRulesRow:
    return next(row for row in book_rules_history(uow.session, book_id, today=today) if row.id == rules_id)


def add_rule_set(uow: UnitOfWork, *, book_id: int, effective_from: date, today: date,
                 rules: RuleSet | Mapping[str, object] | None = None, **settings: object) -> BookRules:
    """The new row inside the caller's unit of work (flushed, not committed): `schedule_book_rules`, and a new
    book's first settings (services/book_setup.py) in the same transaction as the book."""
    s = uow.session
    base = (rules_in_force(s, book_id, effective_from - timedelta(days=1)).rules
            if isinstance(effective_from, date) else RuleSet())
    new = _validated(_merged(base, effective_from, rules, settings), today)
    _taken(uow, book_id, new.effective_from, None)
    row = BookRules(book_id=book_id, **asdict(new))
    s.add(row)
    uow.flush()
    return row


def schedule_book_rules(uow: UnitOfWork, *, book_id: int, effective_from: date,
                        rules: RuleSet | Mapping[str, object] | None = None, **settings: object) -> BookRulesRow:
    """New settings for the book from `effective_from` (today or later). Settings not given keep the values in
    force just before that date (the hall's defaults when the book has none), so a change names only what
    changes: `schedule_book_rules(uow, book_id=3, effective_from=d, resign_days=45)`."""
    with uow:
        s = uow.session
        if not s.execute(text("SELECT EXISTS (SELECT 1 FROM books WHERE id = :b)"), {"b": book_id}).scalar_one():
            raise NotFound(BOOK_GONE)
        today = hall_clock(s).today
        row = add_rule_set(uow, book_id=book_id, effective_from=effective_from, today=today, rules=rules,
                           **settings)
        saved = _row(uow, book_id, row.id, today)
        uow.commit()
        return saved


def _scheduled(uow: UnitOfWork, rules_id: int, expected_version: int, today: date) -> BookRules:
    """The scheduled row, locked; refused when it is gone, changed since it was read, or already in force."""
    row = uow.session.get(BookRules, rules_id, with_for_update=True)
    if row is None:
        raise NotFound("Those settings were cancelled by someone else.")
    if row.version != expected_version:
        current = _row(uow, row.book_id, rules_id, today)
        who = current.changed_by or "Someone"
        raise StaleRecord(f"{who} changed the settings from {row.effective_from:%Y-%m-%d} after you opened them. "
                          "Your entries are still in the form; review them and save again.",
                          changed_by=current.changed_by, current=current)
    if row.effective_from <= today:
        raise DomainError(f"The settings from {row.effective_from:%Y-%m-%d} are already in force and can no "
                          "longer be changed or cancelled; schedule new settings from today or later instead.",
                          field="effective_from")
    return row


def edit_scheduled_book_rules(uow: UnitOfWork, *, rules_id: int, expected_version: int,
                              effective_from: date | None = None,
                              rules: RuleSet | Mapping[str, object] | None = None,
                              **settings: object) -> BookRulesRow:
    """Change settings not yet in force (their date too, to today or later); settings not given stay."""
    with uow:
        today = hall_clock(uow.session).today
        row = _scheduled(uow, rules_id, expected_version, today)
        current = RuleSet(**{name: getattr(row, name) for name in RuleSet.__dataclass_fields__})
        new = _validated(_merged(current, effective_from, rules, settings), today)
        _taken(uow, row.book_id, new.effective_from, rules_id)
        for name, value in asdict(new).items():
            if getattr(row, name) != value:
                setattr(row, name, value)
        try:
            uow.flush()
        except StaleDataError:
            raise StaleRecord("Someone changed these settings while you saved; reopen them and try again.") from None
        saved = _row(uow, row.book_id, rules_id, today)
        uow.commit()
        return saved


def cancel_scheduled_book_rules(uow: UnitOfWork, *, rules_id: int, expected_version: int) -> BookRulesRow:
    """Remove settings not yet in force; returns them as they were (the book's id, the date)."""
    with uow:
        today = hall_clock(uow.session).today
        row = _scheduled(uow, rules_id, expected_version, today)
        before = _row(uow, row.book_id, rules_id, today)
        uow.session.delete(row)
        try:
            uow.flush()
        except StaleDataError:
            raise StaleRecord("Someone changed these settings while you cancelled them; review them again.") from None
        uow.commit()
        return before
