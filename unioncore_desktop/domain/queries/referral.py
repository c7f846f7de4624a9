"""Referral read models that take the book rules in force: the request form's books, the days the morning
referral works on, and one request's walk as the dispatcher sees it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.queries.books import BookSummary, list_books
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.queries.requests import RequestDetail, referral_day, request_detail
from unioncore_desktop.domain.rules.book_rules import RuleSet
from unioncore_desktop.domain.services.referral_context import rules_for
from unioncore_desktop.domain.services.walk import WalkPreview, preview_in_context

WALK_LOOKAHEAD = 3  # eligible registrants shown after the next one


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


@dataclass(frozen=True, slots=True)
class WalkView:
    """One request's walk: the request, everyone skipped above the next eligible registrant and why, the next
    one with their phones, and the book's check-mark limit in force today."""

    request: RequestDetail
    preview: WalkPreview
    phones: tuple[str, ...]
    rules_marks_allowed: int


def request_form_setup(session: Session) -> RequestFormSetup:
    today = hall_clock(session).today
    books = list_books(session)
    return RequestFormSetup(books, {b.id: rules_for(session, b.id, today) for b in books}, today)


def rules_today(session: Session, book_id: int) -> RuleSet:
    """The book's rules in force on the hall's today."""
    return rules_for(session, book_id, hall_clock(session).today)


def referral_days(session: Session) -> ReferralDays:
    return ReferralDays(hall_clock(session).today, referral_day(session))


def walk_view(session: Session, request_id: int, run_id: uuid.UUID | None, *,
              lookahead: int = WALK_LOOKAHEAD) -> WalkView:
    """The request, its walk (which reads the hall's day and the book's rules with it) and the next
    registrant's phones."""
    request = request_detail(session, request_id)
    preview, ctx = preview_in_context(session, request_id, run_id, lookahead=lookahead)
    phones: tuple[str, ...] = ()
    if preview.next is not None:
        row = session.execute(text("SELECT phone, mobile_phone FROM members WHERE id = :m"),
                              {"m": preview.next.member_id}).first()
        phones = tuple(p for p in (row or ()) if p)
    return WalkView(request, preview, phones, ctx.rules.check_marks_allowed)
