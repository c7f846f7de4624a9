"""A book's rule settings over time: every effective-dated row with who made it, and the settings in force today.

The history is what makes an earlier decision explainable ("why was I dropped after 30 days?"): each row says
from when to when it applied, and whether it is past, in force, or still only scheduled (the only kind that
can be edited or cancelled)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.errors import NotFound
from unioncore_desktop.domain.queries.books import BOOK_GONE
from unioncore_desktop.domain.queries.fragments import book_rules_in_force
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.rules.book_rules import DEFAULT_RULES, RuleSet

RuleState = Literal["past", "in_force", "scheduled"]
RULE_FIELDS: tuple[str, ...] = tuple(RuleSet.__dataclass_fields__)
SETTING_FIELDS: tuple[str, ...] = tuple(f for f in RULE_FIELDS if f != "effective_from")
STATE_LABELS: dict[str, str] = {"past": "Past", "in_force": "In force", "scheduled": "Scheduled"}
DEFAULTS_LABEL = "The hall's defaults"
_RULES_IN_FORCE_SQL = text(book_rules_in_force(":b", ":d"))


def rule_set(row: Mapping[Any, Any], prefix: str = "") -> RuleSet:
    """The RuleSet in a result row holding book_rules' columns (named `prefix` + column)."""
    return RuleSet(**{name: row[prefix + name] for name in RULE_FIELDS})


@dataclass(frozen=True, slots=True)
class BookRulesRow:
    """One effective-dated rule set of a book. `created_by` is the staff member's name (or login) from the audit
    log; None for rows written by the set-up (seed or import), which leaves no audit row."""

    id: int
    book_id: int
    rules: RuleSet
    version: int
    state: RuleState
    effective_until: date | None  # the last day it applies (the day before the next row); None: open-ended
    created_by: str | None
    created_at: datetime | None
    changed_by: str | None  # the last edit of a scheduled row, if any
    changed_at: datetime | None

    @property
    def effective_from(self) -> date:
        return self.rules.effective_from

    @property
    def editable(self) -> bool:
        """Only settings not yet in force can change: the others already decided something."""
        return self.state == "scheduled"

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass(frozen=True, slots=True)
class RulesInForce:
    """The settings a referral decision on `on_date` uses; `rules_id` None means no row applies yet, so the
    hall's defaults (domain.md §3) decide."""

    book_id: int
    on_date: date
    rules: RuleSet
    rules_id: int | None

    @property
    def is_default(self) -> bool:
        return self.rules_id is None

    @property
    def source(self) -> str:
        if self.rules_id is None:
            return DEFAULTS_LABEL
        return f"Settings from {self.rules.effective_from:%Y-%m-%d}"


@dataclass(frozen=True, slots=True)
class BookRulesView:
    """Everything the rules editor shows for one book, read in one transaction."""

    book_id: int
    book_name: str
    today: date
    in_force: RulesInForce
    history: list[BookRulesRow]  # newest first

    @property
    def scheduled(self) -> list[BookRulesRow]:
        return [row for row in self.history if row.state == "scheduled"]


def _state(effective_from: date, in_force_from: date | None, today: date) -> RuleState:
    if effective_from > today:
        return "scheduled"
    return "in_force" if effective_from == in_force_from else "past"


def book_rules_history(session: Session, book_id: int, *, today: date | None = None) -> list[BookRulesRow]:
    """The book's rule sets, newest first, each labelled against the hall's today (server clock)."""
    today = today or hall_clock(session).today
    rows = session.execute(text("""
        SELECT r.*,
               lead(r.effective_from) OVER (ORDER BY r.effective_from DESC) AS older_from,
               lag(r.effective_from) OVER (ORDER BY r.effective_from DESC) AS newer_from,
               made.who AS created_by, made.changed_at AS created_at,
               edit.who AS changed_by, edit.changed_at AS changed_at
        FROM book_rules AS r
        LEFT JOIN LATERAL (
            SELECT coalesce(s.full_name, a.db_user) AS who, a.changed_at
            FROM audit_trail AS a LEFT JOIN staff AS s ON s.login = a.db_user
            WHERE a.table_name = 'book_rules' AND a.row_key = r.id::text AND a.action = 'INSERT'
            ORDER BY a.id LIMIT 1
        ) AS made ON true
        LEFT JOIN LATERAL (
            SELECT coalesce(s.full_name, a.db_user) AS who, a.changed_at
            FROM audit_trail AS a LEFT JOIN staff AS s ON s.login = a.db_user
            WHERE a.table_name = 'book_rules' AND a.row_key = r.id::text AND a.action = 'UPDATE'
            ORDER BY a.id DESC LIMIT 1
        ) AS edit ON true
        WHERE r.book_id = :book
        ORDER BY r.effective_from DESC
    """), {"book": book_id}).mappings().all()
    in_force_from = next((row["effective_from"] for row in rows if row["effective_from"] <= today), None)
    return [BookRulesRow(
        id=row["id"], book_id=row["book_id"], rules=rule_set(row),
        version=row["version"], state=_state(row["effective_from"], in_force_from, today),
        effective_until=None if row["newer_from"] is None else row["newer_from"] - timedelta(days=1),
        created_by=row["created_by"], created_at=row["created_at"],
        changed_by=row["changed_by"], changed_at=row["changed_at"],
    ) for row in rows]


def rules_in_force(session: Session, book_id: int, on_date: date | None = None) -> RulesInForce:
    """The settings in force on `on_date` (the hall's today by default), or the hall's defaults."""
    on_date = on_date or hall_clock(session).today
    row = session.execute(_RULES_IN_FORCE_SQL, {"b": book_id, "d": on_date}).mappings().first()
    if row is None:
        return RulesInForce(book_id, on_date, DEFAULT_RULES, None)
    return RulesInForce(book_id, on_date, rule_set(row), row["id"])


def book_rules_view(session: Session, book_id: int) -> BookRulesView:
    name = session.execute(text("SELECT name FROM books WHERE id = :b"), {"b": book_id}).scalar()
    if name is None:
        raise NotFound(BOOK_GONE)
    today = hall_clock(session).today
    history = book_rules_history(session, book_id, today=today)
    current = next((row for row in history if row.state == "in_force"), None)
    in_force = (RulesInForce(book_id, today, current.rules, current.id) if current is not None
                else RulesInForce(book_id, today, DEFAULT_RULES, None))
    return BookRulesView(book_id, name, today, in_force, history)
