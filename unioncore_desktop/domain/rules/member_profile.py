"""What makes a member's dispatch profile valid: qualified books (R5), skills and certifications, and employer
exclusions. The profile dialogs and the profile service call the same functions; the database's CHECKs, unique
keys and foreign keys hold what a client skipping them would write."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

TIERS = (1, 2, 3, 4)  # a qualified book's tier, as its CHECK holds it
SKILL_NAME_MAX = 80
SKILL_NUMBER_MAX = 40
EXCLUSION_REASON_MAX = 200
EXPIRES_SOON_DAYS = 30  # a certification this close to its expiry is flagged on the record


@dataclass(frozen=True)
class QualifiedBookInput:
    """A book (by code) and the best tier the member may sign on it."""

    book_code: str
    tier: int


@dataclass(frozen=True)
class SkillInput:
    """A skill or certification as typed: name required, number and expiry optional."""

    name: str
    number: str | None = None
    expires_on: date | None = None

    def normalized(self) -> SkillInput:
        number = " ".join((self.number or "").split()) or None
        return SkillInput(" ".join(self.name.split()), number, self.expires_on)


@dataclass(frozen=True)
class ExclusionInput:
    """An employer the member may not be referred to, why, and until when (None: until removed)."""

    employer_id: int | None
    reason: str
    ends_on: date | None = None

    def normalized(self) -> ExclusionInput:
        return ExclusionInput(self.employer_id, " ".join(self.reason.split()), self.ends_on)


def qualified_book_errors(data: QualifiedBookInput, *, book_codes: Iterable[str],
                          held: Iterable[str]) -> dict[str, str]:
    """`book_codes`: the books that may be chosen; `held`: the codes the member already holds (minus the one
    being edited)."""
    errors: dict[str, str] = {}
    if not data.book_code:
        errors["book_code"] = "Choose a book."
    elif data.book_code not in set(book_codes):
        errors["book_code"] = "That book is not an active out-of-work book."
    elif data.book_code in set(held):
        errors["book_code"] = "The member is already qualified for that book; change its tier instead."
    if data.tier not in TIERS:
        errors["tier"] = f"Tiers run from {TIERS[0]} to {TIERS[-1]}."
    return errors


def skill_errors(data: SkillInput, *, held: Iterable[str]) -> dict[str, str]:
    """`held`: the names the member already holds (minus the one being edited), compared case-insensitively."""
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = "Name the skill or certification."
    elif len(data.name) > SKILL_NAME_MAX:
        errors["name"] = f"At most {SKILL_NAME_MAX} characters (this has {len(data.name)})."
    elif data.name.casefold() in {name.casefold() for name in held}:
        errors["name"] = "The member already holds that one; edit it to renew it."
    if data.number and len(data.number) > SKILL_NUMBER_MAX:
        errors["number"] = f"At most {SKILL_NUMBER_MAX} characters (this has {len(data.number)})."
    return errors


def exclusion_errors(data: ExclusionInput, today: date, *, loaded_end: date | None = None) -> dict[str, str]:
    """An end date before today excludes nothing, so it is refused unless it is the one already saved
    (`loaded_end`, when editing an exclusion that has run out)."""
    errors: dict[str, str] = {}
    if data.employer_id is None:
        errors["employer_id"] = "Choose the employer."
    if not data.reason.strip():
        errors["reason"] = "Say why the member may not be sent there."
    elif len(data.reason) > EXCLUSION_REASON_MAX:
        errors["reason"] = f"At most {EXCLUSION_REASON_MAX} characters (this has {len(data.reason)})."
    if data.ends_on is not None and data.ends_on < today and data.ends_on != loaded_end:
        errors["ends_on"] = "An exclusion that ended before today excludes nothing; leave it empty or pick a later day."
    return errors


def skill_state(expires_on: date | None, today: date) -> str:
    """'expired' (valid through its expiry day, as the walk reads it), 'expires_soon', 'valid' or 'no_expiry'."""
    if expires_on is None:
        return "no_expiry"
    if expires_on < today:
        return "expired"
    if (expires_on - today).days <= EXPIRES_SOON_DAYS:
        return "expires_soon"
    return "valid"


def exclusion_in_force(ends_on: date | None, today: date) -> bool:
    """Open-ended, or through its last day (the walk's `is_excluded` reads it the same way)."""
    return ends_on is None or today <= ends_on


def held_skills(pairs: Iterable[tuple[str, date | None]]) -> dict[str, date | None]:
    """Skill name -> the expiry that counts: a member holding one certification twice (a lapsed card and its
    renewal) holds it until the later expiry, and for good when either never expires."""
    held: dict[str, date | None] = {}
    names: dict[str, str] = {}
    for name, expiry in pairs:
        key = name.strip().casefold()
        if key not in names:
            names[key] = name
            held[name] = expiry
            continue
        first = names[key]
        current = held[first]
        held[first] = None if current is None or expiry is None else max(current, expiry)
    return held
