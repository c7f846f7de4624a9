"""Queue order on a book: tier ascending, then APN, then registered-at, then member id (APNs repeat).

Tier 1 is exhausted before tier 2 is touched, whatever the tier sizes: "inverted" books (STOCKMAN 5/6/43)
need nothing special. The same order ranks bidders (R8): list position, never bid time. SQL takes the same
columns in the same order from `QUEUE_COLUMNS` (`domain/queries/fragments.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple, Protocol, TypeVar


class QueueKey(NamedTuple):
    tier: int
    apn: Decimal
    registered_at: datetime
    member_id: int


# the registrations columns of the key, in order: every SQL statement sorts and compares places by these
QUEUE_COLUMNS: tuple[str, ...] = QueueKey._fields


class QueuePlace(Protocol):
    """Anything carrying a place on a book: the Registration model, query rows, offer candidates."""

    @property
    def tier(self) -> int: ...
    @property
    def apn(self) -> Decimal: ...
    @property
    def registered_at(self) -> datetime: ...
    @property
    def member_id(self) -> int: ...


T = TypeVar("T")


def queue_key(tier: int, apn: Decimal, registered_at: datetime, member_id: int) -> QueueKey:
    """The sort key; `registered_at` must be timezone-aware (rows mix sign-on sources and offices)."""
    if registered_at.tzinfo is None:
        raise ValueError("registered_at must be timezone-aware")
    return QueueKey(tier, apn, registered_at, member_id)


def queue_key_of(place: QueuePlace) -> QueueKey:
    return queue_key(place.tier, place.apn, place.registered_at, place.member_id)


def in_queue_order(places: Iterable[T], key: Callable[[T], QueueKey] = queue_key_of) -> list[T]:  # type: ignore[assignment]
    """`places` sorted into the order the book is worked."""
    return sorted(places, key=key)


def rank_bidders(bidders: Iterable[T], key: Callable[[T], QueueKey] = queue_key_of) -> list[T]:  # type: ignore[assignment]
    """R8: bidders in list position order; when a bid arrived plays no part (pass the bidder's registration key)."""
    return sorted(bidders, key=key)


def ranked(places: Iterable[T], key: Callable[[T], QueueKey] = queue_key_of) -> list[tuple[int, T]]:  # type: ignore[assignment]
    """(rank from 1, place) in queue order: the rank written on offer lines and printed lists."""
    return list(enumerate(in_queue_order(places, key), start=1))
