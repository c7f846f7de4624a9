"""Referral read models that take the book rules in force: the request form's books and rules, and the days the
morning referral works on. (One request's walk as the dispatcher sees it is services/walk.py's walk_view, beside
the walk it reads.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from unioncore_desktop.domain.queries.book_rules import rules_in_force
from unioncore_desktop.domain.queries.books import BookSummary, list_books
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.queries.requests import referral_day
from unioncore_desktop.domain.rules.book_rules import RuleSet


@dataclass(frozen=True, slots=True)
class RequestFormSetup:
    """What the request form offers: the books in morning order with the rules in force today (short-call
    limit, bidding), and the hall's today (a start date typed as MM/DD is the next such day)."""

    books: list[BookSummary]
    rules: dict[int, RuleSet]
    today: date


@dataclass(frozen=True, slots=True)
class ReferralDays:
    today: date      # the hall's day: dispatches are dated it
    morning: date    # the morning being worked (the next business morning on a weekend or holiday)


def request_form_setup(session: Session) -> RequestFormSetup:
    today = hall_clock(session).today
    books = list_books(session)
    return RequestFormSetup(books, {b.id: rules_in_force(session, b.id, today).rules for b in books}, today)


def rules_today(session: Session, book_id: int) -> RuleSet:
    """The book's rules in force on the hall's today."""
    return rules_in_force(session, book_id, hall_clock(session).today).rules


def referral_days(session: Session) -> ReferralDays:
    return ReferralDays(hall_clock(session).today, referral_day(session))
