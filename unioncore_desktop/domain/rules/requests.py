"""What makes a labor request valid before the database is asked: the request form checks each field with these
as it is saved, the service again with the employer, worksite, book and foreperson looked up (and the database's
CHECKs last). Pure functions."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, time
from decimal import Decimal
from typing import Protocol

from unioncore_desktop.domain.error_texts import (
    BY_NAME_NOT_ATTESTED,
    CANCEL_REASON_MISSING,
    START_BEFORE_TODAY,
    WAGE_NOT_POSITIVE,
)
from unioncore_desktop.domain.rules.calendar import parse_hhmm
from unioncore_desktop.domain.vocab import BID_SOURCES, NO_MARK_REASONS

DERIVED_NO_MARK = ("short_call", "early_start")  # follow the duration and start time, never typed in
MAX_WORKERS = 500
REQUIREMENT_LENGTH = 80
START_TIME_FORMAT = "Give the start time as HH:MM (24-hour)."
EMPLOYER_MISSING = "Choose the employer."
BOOK_MISSING = "Choose the book the request is worked from."


class SavedRequest(Protocol):
    """A request as read back (queries' RequestDetail): every RequestInput field, by the same name."""

    @property
    def no_mark_reasons(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class RequestInput:
    """The request form. `no_mark_reasons` holds the explicit R11 reasons; short_call and early_start are
    derived from `duration_days` and `start_time` whatever the form sends."""

    employer_id: int | None
    book_id: int | None
    start_on: date | None
    workers_requested: int = 1
    worksite_id: int | None = None
    job_class: str | None = None
    wage: Decimal | None = None
    start_time: str | None = None
    duration_days: int | None = None
    no_mark_reasons: tuple[str, ...] = ()
    requirements: tuple[str, ...] = ()
    by_name_member_id: int | None = None
    by_name_attested: bool = False
    bidding: bool = False
    report_to: str | None = None
    comments: str | None = None

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_detail(cls, detail: SavedRequest) -> RequestInput:
        """The form prefilled from a saved request (derived no-mark reasons dropped again)."""
        values = {name: getattr(detail, name) for name in cls.field_names()}
        values["no_mark_reasons"] = tuple(r for r in detail.no_mark_reasons if r not in DERIVED_NO_MARK)
        return cls(**values)


def normalize_start_time(text: str | None) -> tuple[str | None, time | None]:
    """A start time as typed ('7:00', '0700', '700', '07:00') -> ('07:00', 07:00); blank -> (None, None).
    Raises ValueError (START_TIME_FORMAT) for anything else."""
    try:
        parsed = parse_hhmm(text)
    except ValueError:
        raise ValueError(START_TIME_FORMAT) from None
    return (None, None) if parsed is None else (f"{parsed:%H:%M}", parsed)


def clean_requirements(values: tuple[str, ...] | list[str]) -> list[str]:
    """Requirement names with spaces collapsed, blanks and repeats (in any case) dropped, first spelling kept."""
    seen: dict[str, str] = {}
    for value in values:
        cleaned = " ".join((value or "").split())
        if cleaned and cleaned.casefold() not in seen:
            seen[cleaned.casefold()] = cleaned
    return list(seen.values())


def request_errors(data: RequestInput) -> dict[str, str]:
    """Field -> message for everything wrong with the request that needs no lookup (the service then checks
    that the employer, worksite, book and foreperson exist and will do)."""
    errors: dict[str, str] = {}
    if data.employer_id is None:
        errors["employer_id"] = EMPLOYER_MISSING
    if data.book_id is None:
        errors["book_id"] = BOOK_MISSING
    if data.start_on is None:
        errors["start_on"] = "Give the start date."
    if not isinstance(data.workers_requested, int) or not 1 <= data.workers_requested <= MAX_WORKERS:
        errors["workers_requested"] = f"Ask for between 1 and {MAX_WORKERS} workers."
    if data.wage is not None and data.wage <= 0:
        errors["wage"] = WAGE_NOT_POSITIVE
    if data.duration_days is not None and data.duration_days <= 0:
        errors["duration_days"] = "The expected duration must be at least one business day."
    try:
        normalize_start_time(data.start_time)
    except ValueError as exc:
        errors["start_time"] = str(exc)
    unknown = sorted(set(data.no_mark_reasons) - set(NO_MARK_REASONS))
    if unknown:
        errors["no_mark_reasons"] = f"Unknown no-mark reason: {', '.join(unknown)}."
    if any(len(r) > REQUIREMENT_LENGTH for r in clean_requirements(data.requirements)):
        errors["requirements"] = f"Requirement names are at most {REQUIREMENT_LENGTH} characters."
    if data.by_name_member_id is not None and not data.by_name_attested:
        errors["by_name_attested"] = BY_NAME_NOT_ATTESTED
    return errors


def start_date_errors(start_on: date | None, today: date, saved: date | None = None) -> dict[str, str]:
    """A request starts on the hall's today or later. `saved` is the start date of the request being edited: a
    request that already started keeps its date while its other fields change (the database holds the same)."""
    if start_on is None or start_on >= today or start_on == saved:
        return {}
    return {"start_on": START_BEFORE_TODAY}


def bid_errors(source: str | None) -> dict[str, str]:
    """A bid says how it came (R8); the member and their place on the book are the service's to check."""
    return {} if source in BID_SOURCES else {"source": "Say whether the bid came by phone, e-mail or web import."}


def cancel_errors(reason: str | None) -> dict[str, str]:
    return {} if (reason or "").strip() else {"cancel_reason": CANCEL_REASON_MISSING}
