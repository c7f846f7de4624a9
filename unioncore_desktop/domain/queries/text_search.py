"""What every search box does to its text before SQL sees it."""

from __future__ import annotations

MAX_QUERY_LENGTH = 100


def normalize_query(query: str) -> str:
    """Lower-cased, single-spaced and bounded, so equal searches are equal strings."""
    return " ".join(query.lower().split())[:MAX_QUERY_LENGTH]


def like_escape(value: str) -> str:
    """Make LIKE wildcards typed by the user literal (used with ESCAPE '\\')."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
