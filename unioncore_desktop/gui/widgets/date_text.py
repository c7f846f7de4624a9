"""Dates as staff type them: YYYY-MM-DD, MM/DD/YYYY, or MM/DD meaning the next such day."""

from __future__ import annotations

import re
from datetime import date


def parse_date(text: str, today: date | None) -> tuple[date | None, str | None]:
    """YYYY-MM-DD, MM/DD/YYYY, or MM/DD (the next such date from the hall's today)."""
    text = text.strip()
    if not text:
        return None, None
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
            return date(int(m[1]), int(m[2]), int(m[3])), None
        if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text):
            return date(int(m[3]), int(m[1]), int(m[2])), None
        if (m := re.fullmatch(r"(\d{1,2})/(\d{1,2})", text)) and today is not None:
            candidate = date(today.year, int(m[1]), int(m[2]))
            return (candidate if candidate >= today else date(today.year + 1, int(m[1]), int(m[2]))), None
    except ValueError:
        return None, f"{text} is not a date on the calendar."
    return None, "Use YYYY-MM-DD (or MM/DD)."

