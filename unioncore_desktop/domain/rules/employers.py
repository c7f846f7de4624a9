"""What makes an employer, a worksite, a contact and a contract period valid, and when two employers are likely the
same; the forms, the services and the database's constraints agree on these."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import TypeVar

from unioncore_desktop.domain.vocab import EMAIL_PATTERN

EMPLOYER_LENGTHS = {
    "name": 120, "address_line1": 120, "address_line2": 120, "city": 60, "state": 2, "postal_code": 10,
    "phone": 20, "email": 120, "notes": 4000,
}
WORKSITE_LENGTHS = {
    "name": 120, "address_line1": 120, "city": 60, "state": 2, "postal_code": 10, "region": 40, "report_to": 200,
}
CONTACT_LENGTHS = {"name": 120, "title": 80, "phone": 20, "email": 120}

T = TypeVar("T")


def _normalized(value: T, upper: tuple[str, ...] = ("state",), multiline: tuple[str, ...] = ()) -> T:
    """Text trimmed and inner runs of spaces made one (multi-line fields only trimmed), empty text as None."""
    changes: dict[str, object] = {}
    for f in fields(value):  # type: ignore[arg-type]
        text = getattr(value, f.name)
        if isinstance(text, str):
            text = text.strip() if f.name in multiline else " ".join(text.split())
            if text and f.name in upper:
                text = text.upper()
            changes[f.name] = text or None
    return replace(value, **changes)  # type: ignore[type-var]


@dataclass(frozen=True)
class EmployerInput:
    """What a person types into the employer form; None for an empty field."""

    name: str | None
    address_line1: str | None = None
    address_line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    phone: str | None = None
    email: str | None = None
    notes: str | None = None

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def normalized(self) -> EmployerInput:
        return _normalized(self, multiline=("notes",))


@dataclass(frozen=True)
class WorksiteInput:
    """A place the employer sends members to, with what to tell them on arrival (report to)."""

    name: str | None
    address_line1: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    region: str | None = None
    report_to: str | None = None
    active: bool = True

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def normalized(self) -> WorksiteInput:
        return _normalized(self)


@dataclass(frozen=True)
class ContactInput:
    """A person at the employer; `title` is their role there (superintendent, payroll...)."""

    name: str | None
    title: str | None = None
    phone: str | None = None
    email: str | None = None
    is_primary: bool = False

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def normalized(self) -> ContactInput:
        return _normalized(self)


@dataclass(frozen=True)
class ContractInput:
    """One period of one contract code; no end date means open-ended."""

    contract_code: str | None
    effective_on: date | None
    expires_on: date | None = None

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


@dataclass(frozen=True)
class Period:
    """An existing period of the employer's, as the overlap rule compares it."""

    contract_code: str
    effective_on: date
    expires_on: date | None


# --- validators ---------------------------------------------------------------------------------------------------

def _lengths(value: object, limits: dict[str, int], errors: dict[str, str]) -> None:
    for name, limit in limits.items():
        text = getattr(value, name)
        if text and len(text) > limit:
            errors.setdefault(name, f"At most {limit} characters (this has {len(text)}).")


def _contact_formats(value: object, errors: dict[str, str]) -> None:
    email = getattr(value, "email", None)
    if email and not re.fullmatch(EMAIL_PATTERN, email):
        errors.setdefault("email", "That e-mail address is not valid.")
    phone = getattr(value, "phone", None)
    if phone and len(phone_digits(phone)) < 7:
        errors.setdefault("phone", "A phone number needs at least 7 digits.")
    state = getattr(value, "state", None)
    if state and not re.fullmatch(r"[A-Z]{2}", state):
        errors.setdefault("state", "Use the two-letter state code.")


def validate_employer(data: EmployerInput) -> dict[str, str]:
    """Field -> message for everything wrong with `data` (empty when it may be saved)."""
    errors: dict[str, str] = {}
    if not data.name:
        errors["name"] = "Employer name is required."
    _lengths(data, EMPLOYER_LENGTHS, errors)
    _contact_formats(data, errors)
    return errors


def validate_worksite(data: WorksiteInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.name:
        errors["name"] = "Name the worksite (e.g. the project or the shop)."
    _lengths(data, WORKSITE_LENGTHS, errors)
    _contact_formats(data, errors)
    return errors


def validate_contact(data: ContactInput, primary_now: str | None = None) -> dict[str, str]:
    """`primary_now`: the name of the employer's other contact who is primary, if any (an employer has at most one
    primary contact)."""
    errors: dict[str, str] = {}
    if not data.name:
        errors["name"] = "The contact's name is required."
    _lengths(data, CONTACT_LENGTHS, errors)
    _contact_formats(data, errors)
    if data.is_primary and primary_now:
        errors["is_primary"] = (f"{primary_now} is the primary contact; an employer has one. "
                                "Untick Primary on their record first.")
    return errors


def overlapping(data: ContractInput, others: list[Period] | tuple[Period, ...]) -> Period | None:
    """The first of `others` (the employer's other periods) holding the same code on a day `data` also covers."""
    if data.effective_on is None:
        return None
    end = data.expires_on or date.max
    for other in others:
        if other.contract_code != data.contract_code:
            continue
        if other.effective_on <= end and data.effective_on <= (other.expires_on or date.max):
            return other
    return None


def validate_contract(data: ContractInput, codes: frozenset[str] | set[str],
                      others: list[Period] | tuple[Period, ...] = ()) -> dict[str, str]:
    """`codes`: the hall's contract codes; `others`: the employer's other periods (any code)."""
    errors: dict[str, str] = {}
    if not data.contract_code:
        errors["contract_code"] = "Choose the contract."
    elif data.contract_code not in codes:
        errors["contract_code"] = f"There is no contract code {data.contract_code}."
    if data.effective_on is None:
        errors["effective_on"] = "Give the date the contract takes effect."
    elif data.expires_on is not None and data.expires_on < data.effective_on:
        errors["expires_on"] = "A contract cannot expire before it takes effect."
    if not errors:
        clash = overlapping(data, others)
        if clash is not None:
            until = f"to {clash.expires_on:%d %b %Y}" if clash.expires_on else "with no end"
            errors["effective_on"] = (f"The employer already holds {clash.contract_code} from "
                                      f"{clash.effective_on:%d %b %Y} {until}; periods of one contract cannot "
                                      "overlap.")
    return errors


# --- likely duplicates ----------------------------------------------------------------------------------------------

_NAME_NOISE = frozenset({"inc", "incorporated", "llc", "co", "corp", "corporation", "company", "ltd",
                         "the", "and", "of", "dba"})
_ADDRESS_WORDS = {"street": "st", "avenue": "ave", "av": "ave", "road": "rd", "boulevard": "blvd", "drive": "dr",
                  "lane": "ln", "place": "pl", "court": "ct", "highway": "hwy", "suite": "ste", "north": "n",
                  "south": "s", "east": "e", "west": "w", "northeast": "ne", "northwest": "nw", "southeast": "se",
                  "southwest": "sw"}


def _words(text: str | None) -> list[str]:
    return re.sub(r"[^a-z0-9]+", " ", (text or "").lower().replace("&", " and ")).split()


def normalized_name(name: str | None) -> str:
    """'Puget Sound Electric, Inc.' and 'puget sound electric' are the same name: lower case, no punctuation,
    without legal forms (Inc, LLC, Co...)."""
    return " ".join(w for w in _words(name) if w not in _NAME_NOISE)


def phone_digits(phone: str | None) -> str:
    """The number's digits, without a leading country code 1: '(206) 555-0100' -> '2065550100'."""
    digits = re.sub(r"\D", "", phone or "")
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def normalized_address(line1: str | None, city: str | None) -> str:
    """'123 Main Street' in Seattle and '123 main st.' in seattle are the same address; empty without a street."""
    street = " ".join(_ADDRESS_WORDS.get(w, w) for w in _words(line1))
    return f"{street}|{' '.join(_words(city))}" if street else ""


@dataclass(frozen=True)
class EmployerKeys:
    """What two employers are compared by."""

    name: str
    phone: str
    address: str

    @classmethod
    def of(cls, name: str | None, phone: str | None, line1: str | None, city: str | None) -> EmployerKeys:
        return cls(normalized_name(name), phone_digits(phone), normalized_address(line1, city))


def duplicate_reasons(typed: EmployerKeys, other: EmployerKeys) -> tuple[str, ...]:
    """Why `other` is likely the employer being typed ("same name", "same phone", "same address"); empty if not."""
    reasons = []
    if typed.name and typed.name == other.name:
        reasons.append("same name")
    if len(typed.phone) >= 7 and typed.phone == other.phone:
        reasons.append("same phone")
    if typed.address and typed.address == other.address:
        reasons.append("same address")
    return tuple(reasons)
