"""SQL fragments that several statements share, each written once: the hall's zone and day, queue order, the
settings and rates in force on a day, books in morning order.

Each is plain SQL text to put into a statement (table aliases are arguments), so a rule changes here and every
query, service and seed that uses it follows.
"""

from __future__ import annotations

from unioncore_desktop.domain.rules.queue import QUEUE_COLUMNS, QueueKey

# --- the hall's clock ---------------------------------------------------------------------------------------

# the zone when app_settings names none, as in migrations/sql/functions/uc_hall_today.sql
DEFAULT_HALL_ZONE = "America/Los_Angeles"
HALL_ZONE = f"coalesce((SELECT value FROM app_settings WHERE key = 'time_zone'), '{DEFAULT_HALL_ZONE}')"
HALL_TODAY = "uc_hall_today()"  # the hall's date from the server's clock


def hall_date(instant: str) -> str:
    """The hall's calendar date of a timestamptz expression (`HALL_TODAY` is the one of now())."""
    return f"({instant} AT TIME ZONE {HALL_ZONE})::date"


# --- queue order (domain/rules/queue.py holds the same order for Python) --------------------------------------

def queue_order(alias: str) -> str:
    """`g.tier, g.apn, g.registered_at, g.member_id`: a book's list in the order it is worked, for ORDER BY."""
    return ", ".join(f"{alias}.{column}" for column in QUEUE_COLUMNS)


def queue_place(alias: str) -> str:
    """The row value a place compares by: `(g.tier, …) < (o.tier, …)` is "above it on the list"."""
    return f"({queue_order(alias)})"


def queue_binds(prefix: str) -> str:
    """`(:prefix_tier, …)`, the row value of a QueueKey passed with `queue_params(prefix, key)`."""
    return "(" + ", ".join(f":{prefix}_{column}" for column in QUEUE_COLUMNS) + ")"


def queue_params(prefix: str, key: QueueKey) -> dict[str, object]:
    """The bind parameters of `queue_binds(prefix)` for a QueueKey."""
    return {f"{prefix}_{column}": value for column, value in zip(QUEUE_COLUMNS, key, strict=True)}


# --- what is in force on a day --------------------------------------------------------------------------------

def book_rules_in_force(book: str, day: str) -> str:
    """The book_rules row of `book` in force on `day` (SQL expressions): the newest that took effect on or
    before it. None when the book has no settings yet, and the hall's defaults apply."""
    return (f"SELECT * FROM book_rules WHERE book_id = {book} AND effective_from <= {day} "
            "ORDER BY effective_from DESC LIMIT 1")


def _dues_rate_in_force(columns: str, classification: str, month: str) -> str:
    return (f"SELECT {columns} FROM dues_rates AS uc_rate WHERE uc_rate.classification = {classification} "
            f"AND uc_rate.effective_from <= {month} ORDER BY uc_rate.effective_from DESC LIMIT 1")


def dues_rate_in_force(classification: str, month: str) -> str:
    """The monthly dues of `classification` for `month` (SQL expressions), as a scalar subquery: the rate that
    took effect last on or before it; NULL when none has."""
    return f"({_dues_rate_in_force('uc_rate.amount', classification, month)})"


def dues_rate_row_in_force(classification: str, month: str) -> str:
    """The dues_rates row behind `dues_rate_in_force`, as a SELECT (for a LATERAL join or EXISTS)."""
    return _dues_rate_in_force("uc_rate.*", classification, month)


def dues_rates_in_force(month: str) -> str:
    """Every classification's dues_rates row in force for `month`, as a SELECT: the same rule as
    `dues_rate_in_force`, for all classifications at once."""
    return ("SELECT DISTINCT ON (uc_rate.classification) uc_rate.* FROM dues_rates AS uc_rate "
            f"WHERE uc_rate.effective_from <= {month} ORDER BY uc_rate.classification, uc_rate.effective_from DESC")


# --- books --------------------------------------------------------------------------------------------------

def morning_order(alias: str) -> str:
    """Books in the order the morning referral works them (R2)."""
    return f"{alias}.morning_slot, {alias}.sort_order, {alias}.name"
