"""What a command changed, said once for every client: the change kinds, what each kind's ids are, and the value a
command hands back with its result.

The kinds are the ones the live board hears from the database (`uc_change` notifications, sent by the notify
triggers in migrations/sql/triggers/) and the ones this workstation announces after its own commands, so a
screen refreshes the same way whoever made the change. Each kind names the rows it refreshes by one key, the
column its notifications send: a labor request change names its *book*, a bid change its *request*.
`Changed.of` takes the ids by that name (`Changed.of("labor_request", book_ids=[7])`), so a report cannot call
book ids request ids; `tests/db/test_notify.py` holds this catalog to the triggers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Kind:
    """A change kind: what its ids name ("" for a kind that carries none) and, per notified table, the column
    its notifications send (None: sent once per statement, without a key)."""

    ids: str
    tables: Mapping[str, str | None]


KINDS: dict[str, Kind] = {
    "registration": Kind("book", {"registrations": "book_id"}),
    "labor_request": Kind("book", {"labor_requests": "book_id"}),
    "dispatch": Kind("book", {"dispatches": "book_id"}),
    "check_mark": Kind("book", {"check_marks": "book_id"}),
    "bid": Kind("request", {"bids": "request_id"}),
    "member": Kind("member", {"members": "id"}),  # no trigger yet: a resync still refreshes member lists
    "employer": Kind("employer", {"employers": "id"}),
    # an employer's worksites, contacts and contracts, named by their employer
    "employer_detail": Kind("employer", {"worksites": "employer_id", "employer_contacts": "employer_id",
                                         "employer_contracts": "employer_id"}),
    # a member's dispatch profile: the books and tier they may sign, their skills, the employers they may not go to
    "member_profile": Kind("member", {"member_qualified_books": "member_id", "member_skills": "member_id",
                                      "member_exclusions": "member_id"}),
    # a posted remittance's payments arrive as "dues" too; charges notify once per statement
    "dues": Kind("member", {"payments": "member_id", "dues_adjustments": "member_id", "dues_charges": None}),
    "dues_batch": Kind("batch", {"payment_batches": "id"}),
    "remittance": Kind("remittance", {"remittances": "id"}),
    "dues_period": Kind("", {"dues_periods": None}),
    "dues_rate": Kind("", {"dues_rates": None}),
    "book_rules": Kind("book", {"book_rules": "book_id"}),
    # the hall's set-up: offices by id; the calendar, settings and contract codes once per statement (adding a
    # year's federal holidays is one change)
    "office": Kind("office", {"offices": "id"}),
    "holiday": Kind("", {"holidays": None}),
    "hall_settings": Kind("", {"app_settings": None}),
    "contract_code": Kind("", {"contract_codes": None}),
    "book": Kind("book", {"books": "id"}),  # a book added, changed, retired or brought back
    # a staff login added, renamed, deactivated or brought back (its row), or its roles or password changed (those
    # live in the catalog: uc_audit_staff announces them as the staff row, with `what` changed)
    "staff": Kind("staff", {"staff": "id"}),
    # a login's saved report parameters (every workstation hears it; each reads back only its own presets)
    "report_preset": Kind("preset", {"report_presets": "id"}),
    # a report printed or exported anywhere: the run log reloads
    "report_run": Kind("", {"report_runs": None}),
}


def table_kinds() -> dict[str, str]:
    """Notified table -> the kind its notifications are announced as."""
    return {table: name for name, kind in KINDS.items() for table in kind.tables}


@dataclass(frozen=True, slots=True)
class Changed:
    """Rows of one kind a command wrote; no ids means anything of the kind may have changed."""

    kind: str
    ids: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown change kind {self.kind!r}")

    @classmethod
    def of(cls, kind: str, **ids: Iterable[int]) -> Changed:
        """`Changed.of("dispatch", book_ids=[3])`: the keyword says what the ids are and must be the kind's key;
        `Changed.of("dues_rate")` says anything of the kind may have changed. An empty list of ids is refused:
        it would say "anything" where nothing was meant."""
        if not ids:
            return cls(kind)
        spec = KINDS.get(kind)
        expected = f"{spec.ids}_ids" if spec is not None and spec.ids else None
        if len(ids) != 1 or expected not in ids:
            given = ", ".join(ids)
            raise ValueError(f"{kind} changes are named by {expected or 'no ids'}, not {given}")
        named = tuple(dict.fromkeys(ids[expected]))
        if not named:
            raise ValueError(f"no {expected} given: Changed.of({kind!r}) says anything of the kind changed")
        return cls(kind, named)


@dataclass(frozen=True, slots=True)
class Done(Generic[T]):
    """A command's result with what it changed: the task runner announces the changes to every open screen
    (before the caller sees the result) and hands the caller `value`."""

    value: T
    changes: tuple[Changed, ...] = field(default=())


def done(value: T, *changes: Changed) -> Done[T]:
    return Done(value, changes)
