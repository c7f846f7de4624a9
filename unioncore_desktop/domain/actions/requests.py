"""Labor requests and their bids: the form's books, the open requests, save and cancel, record and withdraw bids,
expire what is due, and the history of past requests.

A request change is announced by its book (the key the labor_requests notifications carry), a bid change by its
request."""

from __future__ import annotations

from unioncore_desktop.domain.actions import Hall
from unioncore_desktop.domain.changes import Changed, Done, done
from unioncore_desktop.domain.queries import referral
from unioncore_desktop.domain.queries import request_history as history_q
from unioncore_desktop.domain.queries import requests as q
from unioncore_desktop.domain.rules.book_rules import RuleSet
from unioncore_desktop.domain.rules.requests import RequestInput
from unioncore_desktop.domain.services import requests as services


def form_setup(hall: Hall) -> referral.RequestFormSetup:
    return hall.read(referral.request_form_setup)


def open_requests(hall: Hall) -> list[q.RequestRow]:
    return hall.read(q.open_requests)


def open_request(hall: Hall, request_id: int) -> q.RequestDetail:
    return hall.read(q.request_detail, request_id)


def _request_changed(detail: q.RequestDetail) -> Done[q.RequestDetail]:
    return done(detail, Changed.of("labor_request", book_ids=[detail.book_id]))


def save_request(hall: Hall, data: RequestInput, editing: q.RequestDetail | None) -> Done[q.RequestDetail]:
    """A new request, or the form over the request as it was opened (`editing`)."""
    if editing is None:
        return _request_changed(services.create_request(hall.uow(), data))
    return _request_changed(services.edit_request(hall.uow(), request_id=editing.id, data=data,
                                                  version=editing.version))


def cancel_request(hall: Hall, request_id: int, reason: str) -> Done[q.RequestDetail]:
    return _request_changed(services.cancel_request(hall.uow(), request_id=request_id, reason=reason))


def bid_rules(hall: Hall, book_id: int) -> RuleSet:
    """The book's rules today: its bid window."""
    return hall.read(referral.rules_today, book_id)


def bids(hall: Hall, request_id: int) -> list[q.BidRow]:
    return hall.read(q.request_bids, request_id)


def record_bid(hall: Hall, request_id: int, member_id: int, source: str) -> Done[services.BidResult]:
    result = services.record_bid(hall.uow(), request_id=request_id, member_id=member_id, source=source)
    return done(result, Changed.of("bid", request_ids=[result.request_id]))


def withdraw_bid(hall: Hall, request_id: int, bid_id: int) -> Done[None]:
    """Withdraw a bid on `request_id` (whose bids list then refreshes)."""
    services.withdraw_bid(hall.uow(), bid_id=bid_id)
    return done(None, Changed.of("bid", request_ids=[request_id]))


def expire_due(hall: Hall) -> Done[list[services.ExpiredRequest]]:
    """Expire the requests due on books that expire them (uc_expire_requests); nothing when none are due."""
    expired = services.expire_requests(hall.uow())
    if not expired:
        return done(expired)
    return done(expired, Changed.of("labor_request", book_ids=[r.book_id for r in expired]))


def history(hall: Hall, search: history_q.HistoryFilter) -> list[history_q.PastRequestRow]:
    return hall.read(history_q.request_history, search)


def past_request(hall: Hall, request_id: int) -> history_q.PastRequest:
    return hall.read(history_q.past_request, request_id)
