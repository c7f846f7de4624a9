"""What makes a member record valid; the form, the service and the database's CHECKs agree on these."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date

from unioncore_desktop.domain.error_texts import (
    BIRTH_IMPLAUSIBLE,
    CARD_TYPE_MISSING,
    CLASSIFICATION_MISSING,
    EMAIL_INVALID,
    FIRST_NAME_MISSING,
    INITIATION_BEFORE_BIRTH,
    LAST_NAME_MISSING,
    SSN_NOT_LAST4,
    STATUS_MISSING,
)
from unioncore_desktop.domain.vocab import (
    CARD_NUMBER_PATTERN,
    CARD_TYPES,
    CLASSIFICATIONS,
    EMAIL_PATTERN,
    MEMBER_STATUSES,
)

MAX_LENGTHS = {
    "card_number": 12, "first_name": 60, "middle_name": 60, "last_name": 60, "suffix": 10,
    "address_line1": 120, "address_line2": 120, "city": 60, "state": 2, "postal_code": 10,
    "phone": 20, "mobile_phone": 20, "email": 120, "home_local": 10, "ssn_last4": 4, "notes": 4000,
}
# what a dispatcher may change on a member (domain §6: contact details; the grants say the same)
CONTACT_FIELDS = frozenset({
    "address_line1", "address_line2", "city", "state", "postal_code", "phone", "mobile_phone", "email",
})
OLDEST_BIRTH = date(1900, 1, 1)


@dataclass(frozen=True)
class MemberInput:
    """What a person can type into the member form, already stripped; None for an empty field."""

    card_number: str
    first_name: str
    last_name: str
    classification: str
    status: str = "active"
    card_type: str = "A"
    middle_name: str | None = None
    suffix: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    phone: str | None = None
    mobile_phone: str | None = None
    email: str | None = None
    date_of_birth: date | None = None
    initiation_date: date | None = None
    home_local: str | None = None
    ssn_last4: str | None = None
    notes: str | None = None

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def normalized(self) -> MemberInput:
        """Trimmed text, empty text as None, card number and state upper-case."""
        values = {}
        for name in self.field_names():
            value = getattr(self, name)
            if isinstance(value, str):
                value = value.strip() if name == "notes" else " ".join(value.split())
                value = value or None
                if value and name in ("card_number", "state", "card_type"):
                    value = value.upper()
            values[name] = value
        return MemberInput(**values)


def validate_member(data: MemberInput, today: date) -> dict[str, str]:
    """Field -> message for everything wrong with `data` (empty when it may be saved)."""
    errors: dict[str, str] = {}
    _check_required(data, errors)
    _check_formats(data, errors)
    _check_dates(data, today, errors)
    return errors


def _check_required(data: MemberInput, errors: dict[str, str]) -> None:
    if not data.card_number:
        errors["card_number"] = "Card number is required."
    elif not re.fullmatch(CARD_NUMBER_PATTERN, data.card_number):
        errors["card_number"] = "Card numbers are 4 to 12 letters or digits (e.g. 7464416 or A22555555)."
    if not data.first_name:
        errors["first_name"] = FIRST_NAME_MISSING
    if not data.last_name:
        errors["last_name"] = LAST_NAME_MISSING
    if data.classification not in CLASSIFICATIONS:
        errors["classification"] = CLASSIFICATION_MISSING
    if data.status not in MEMBER_STATUSES:
        errors["status"] = STATUS_MISSING
    if data.card_type not in CARD_TYPES:
        errors["card_type"] = CARD_TYPE_MISSING


def _check_formats(data: MemberInput, errors: dict[str, str]) -> None:
    for name, limit in MAX_LENGTHS.items():
        value = getattr(data, name)
        if value and len(value) > limit:
            errors.setdefault(name, f"At most {limit} characters (this has {len(value)}).")
    if data.email and not re.fullmatch(EMAIL_PATTERN, data.email):
        errors.setdefault("email", EMAIL_INVALID)
    if data.ssn_last4 and not re.fullmatch(r"[0-9]{4}", data.ssn_last4):
        errors.setdefault("ssn_last4", SSN_NOT_LAST4)
    if data.state and not re.fullmatch(r"[A-Z]{2}", data.state):
        errors.setdefault("state", "Use the two-letter state code.")
    for name in ("phone", "mobile_phone"):
        value = getattr(data, name)
        if value and len(re.sub(r"\D", "", value)) < 7:
            errors.setdefault(name, "A phone number needs at least 7 digits.")


def _check_dates(data: MemberInput, today: date, errors: dict[str, str]) -> None:
    if data.date_of_birth:
        if data.date_of_birth < OLDEST_BIRTH or data.date_of_birth > today:
            errors["date_of_birth"] = BIRTH_IMPLAUSIBLE
        elif _years_between(data.date_of_birth, today) < 16:
            errors["date_of_birth"] = "A member must be at least 16 years old."
    if data.initiation_date:
        if data.initiation_date > today:
            errors["initiation_date"] = "Initiation cannot be in the future."
        elif data.date_of_birth and data.initiation_date < data.date_of_birth:
            errors["initiation_date"] = INITIATION_BEFORE_BIRTH


def _years_between(earlier: date, later: date) -> int:
    return later.year - earlier.year - ((later.month, later.day) < (earlier.month, earlier.day))
