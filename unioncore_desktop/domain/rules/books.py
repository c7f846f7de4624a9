"""A book's set-up as a manager enters it: code, name, classification, where and under which agreement it dispatches,
and its place in the morning referral. The manage-books form and the book services check with `book_errors`; the
database holds the same (the code's format, the agreement types, unique codes and names, known contract codes)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from unioncore_desktop.domain.vocab import AGREEMENT_TYPES, BOOK_CODE_PATTERN

SORT_ORDER_MAX = 999  # far below the smallint column; a bigger number is a typo


@dataclass(frozen=True, slots=True)
class BookDraft:
    """What the form says about a book. Code, name and classification are fixed once the book exists (members'
    qualified books and the reports name it); the rest can change."""

    code: str
    name: str
    classification: str
    region: str | None
    contract_code: str | None
    agreement_type: str
    morning_slot: time | None
    sort_order: int


def normalized(draft: BookDraft) -> BookDraft:
    """Trimmed text, the code in capitals, blanks as None."""
    return BookDraft(code=draft.code.strip().upper(), name=draft.name.strip(),
                     classification=draft.classification.strip(), region=(draft.region or "").strip() or None,
                     contract_code=(draft.contract_code or "").strip() or None,
                     agreement_type=draft.agreement_type, morning_slot=draft.morning_slot,
                     sort_order=draft.sort_order)


def book_errors(draft: BookDraft) -> dict[str, str]:
    """Field -> message for everything wrong with the (normalized) draft."""
    errors: dict[str, str] = {}
    if not draft.code:
        errors["code"] = "Give the book a short code, e.g. INSIDE_WIREPERSON."
    elif not re.fullmatch(BOOK_CODE_PATTERN, draft.code):
        errors["code"] = "A book code is 2 to 30 capital letters, digits or underscores."
    if not draft.name:
        errors["name"] = "Give the book's name as the hall says it."
    elif len(draft.name) > 60:
        errors["name"] = "A book name has at most 60 characters."
    if not draft.classification:
        errors["classification"] = "Give the classification the book dispatches (e.g. Inside Wireperson)."
    elif len(draft.classification) > 40:
        errors["classification"] = "A classification has at most 40 characters."
    if draft.region is not None and len(draft.region) > 40:
        errors["region"] = "A region has at most 40 characters; leave it blank for the whole jurisdiction."
    if draft.agreement_type not in AGREEMENT_TYPES:
        errors["agreement_type"] = f"Choose one of {', '.join(AGREEMENT_TYPES)}."
    if draft.morning_slot is None:
        errors["morning_slot"] = "Give the time the morning referral works this book, as HH:MM."
    if not 0 <= draft.sort_order <= SORT_ORDER_MAX:
        errors["sort_order"] = f"The sort order is 0 to {SORT_ORDER_MAX}; books in one slot go lowest first."
    return errors


def retire_refusal(*, live_registrations: int, open_requests: int) -> str | None:
    """Why a book cannot be retired yet, or None. Its members would be stranded on a list nobody works, and its
    open requests would never be filled."""
    parts = []
    if live_registrations:
        parts.append(f"{live_registrations} member{'s are' if live_registrations != 1 else ' is'} still on it")
    if open_requests:
        plural = open_requests != 1
        parts.append(f"{open_requests} open request{'s' if plural else ''} still name{'' if plural else 's'} it")
    if not parts:
        return None
    return ("The book cannot be retired while " + " and ".join(parts)
            + ": dispatch, roll off or resign them and fill or cancel the requests first.")
