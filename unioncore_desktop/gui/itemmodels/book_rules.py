"""The book rules history as a table, and each rule set in the words of its summary line (rules dialog)."""

from __future__ import annotations

from PySide6.QtGui import QColor

from unioncore_desktop.domain.queries.book_rules import BookRulesRow
from unioncore_desktop.domain.rules.book_rules import RuleSet
from unioncore_desktop.gui.itemmodels.base import Column, RowTableModel
from unioncore_desktop.gui.itemmodels.formatting import format_datetime

SCHEDULED_COLOR = QColor("#1d4ed8")
PAST_COLOR = QColor("#64748b")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def resign_text(r: RuleSet) -> str:
    text = f"every {_plural(r.resign_days, 'day')}"
    if r.resign_grace_days:
        text += f", grace {r.resign_grace_days}"
    return text + (", monthly window" if r.resign_monthly_window else "")


def short_call_text(r: RuleSet) -> str:
    return (f"≤ {r.short_call_max_days} days, ≤ {r.short_call_free_days} free, "
            f"{_plural(r.short_call_restorations, 'restoration')}")


def bidding_text(r: RuleSet) -> str:
    if not r.bidding_enabled:
        return "off"
    return f"{r.bid_opens:%H:%M}–{r.bid_closes:%H:%M}, check in by {r.bid_checkin_by:%H:%M}"


def options_text(r: RuleSet) -> str:
    parts = []
    if r.max_days_on_book is not None:
        parts.append(f"max {r.max_days_on_book} days on book")
    if r.arrears_hold:
        parts.append("arrears hold")
    if r.discharge_suspension:
        parts.append("discharge suspension")
    if r.expire_unfilled:
        parts.append("unfilled requests expire")
    return ", ".join(parts)


def summary_lines(r: RuleSet) -> list[tuple[str, str]]:
    """(rule, setting) pairs in R-number order, as the in-force summary shows them."""
    return [
        ("R3 request cut-off", f"{r.request_cutoff:%H:%M}"),
        ("R6 re-register within", _plural(r.reregister_business_days, "business day")),
        ("R7 re-sign", resign_text(r)),
        ("R8 bidding", bidding_text(r)),
        ("R9 short calls", short_call_text(r)),
        ("R10 check marks", f"roll off at mark {r.check_marks_allowed}"),
        ("R12 by-name ban", _plural(r.by_name_ban_days, "day")),
        ("R14 exemption cap", _plural(r.exemption_cap_months, "month")),
        ("Options", options_text(r) or "none"),
    ]


def _state_color(row: BookRulesRow) -> QColor | None:
    return {"scheduled": SCHEDULED_COLOR, "past": PAST_COLOR}.get(row.state)


def _made_tooltip(row: BookRulesRow) -> str | None:
    parts = []
    if row.created_at is not None:
        parts.append(f"Entered {format_datetime(row.created_at)} by {row.created_by}")
    else:
        parts.append("Entered when the hall was set up")
    if row.changed_at is not None:
        parts.append(f"last changed {format_datetime(row.changed_at)} by {row.changed_by}")
    return "; ".join(parts)


class BookRulesModel(RowTableModel[BookRulesRow]):
    """The history, newest first; scheduled rows in blue, past rows greyed."""

    columns = (
        Column("effective_from", "From", value=lambda r: r.effective_from, kind="date", foreground=_state_color),
        Column("effective_until", "Until", kind="date", foreground=_state_color),
        Column("state", "Status", value=lambda r: r.state_label, foreground=_state_color),
        Column("created_by", "Entered by", value=lambda r: r.created_by or "Hall set-up", tooltip=_made_tooltip),
        Column("resign", "R7 Re-sign", value=lambda r: resign_text(r.rules)),
        Column("short_calls", "R9 Short calls", value=lambda r: short_call_text(r.rules)),
        Column("marks", "R10 Marks", value=lambda r: r.rules.check_marks_allowed, kind="int"),
        Column("reregister", "R6 Re-reg. days", value=lambda r: r.rules.reregister_business_days, kind="int"),
        Column("exemption", "R14 Cap (months)", value=lambda r: r.rules.exemption_cap_months, kind="int"),
        Column("bidding", "R8 Bidding", value=lambda r: bidding_text(r.rules)),
        Column("cutoff", "R3 Cut-off", value=lambda r: f"{r.rules.request_cutoff:%H:%M}"),
        Column("ban", "R12 Ban days", value=lambda r: r.rules.by_name_ban_days, kind="int"),
        Column("options", "Options", value=lambda r: options_text(r.rules)),
    )
