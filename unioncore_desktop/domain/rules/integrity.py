"""Which records are likely the same person or employer: the keys they are compared by and the groups they form.

Employers are compared by `rules.employers` (the keys and reasons the employer form's duplicate warning uses);
members by their normalized name with their birth date, and by each phone number's digits."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Hashable, Iterable
from datetime import date

from unioncore_desktop.domain.rules.employers import EmployerKeys, duplicate_reasons, phone_digits

MIN_PHONE_DIGITS = 7  # fewer digits than a local number compare nothing (an extension, a typo)


def person_name(first: str | None, last: str | None) -> str:
    """'O'Brien, Mary-Ann' and 'obrien, mary ann' are the same name: lower case, letters and digits only."""
    def words(value: str | None) -> str:
        return " ".join(re.sub(r"[^a-z0-9]+", " ", (value or "").lower().replace("'", "")).split())
    return f"{words(last)}|{words(first)}"


def member_name_key(first: str | None, last: str | None, born: date | None) -> tuple[str, date] | None:
    """Same name and same birth date; None without a birth date (a name alone is common)."""
    return (person_name(first, last), born) if born is not None else None


def member_phone_keys(*phones: str | None) -> set[str]:
    """Each of a member's numbers as digits, without a leading country code 1, when long enough to mean a line."""
    return {digits for digits in (phone_digits(p) for p in phones) if len(digits) >= MIN_PHONE_DIGITS}


def groups(keyed: Iterable[tuple[int, Iterable[Hashable]]]) -> list[tuple[Hashable, tuple[int, ...]]]:
    """The keys shared by more than one record, each with the records' ids in ascending order (a record listed
    once per key it has)."""
    by_key: dict[Hashable, set[int]] = defaultdict(set)
    for record_id, keys in keyed:
        for key in keys:
            by_key[key].add(record_id)
    return [(key, tuple(sorted(ids))) for key, ids in by_key.items() if len(ids) > 1]


def employer_duplicate_pairs(employers: Iterable[tuple[int, EmployerKeys]]) -> list[tuple[int, int, tuple[str, ...]]]:
    """Pairs of employers the employer form would warn about, with its reasons: candidates share one of the keys,
    `rules.employers.duplicate_reasons` decides."""
    keys = dict(employers)
    candidates = groups((employer_id, [key for key in (("name", k.name), ("phone", k.phone), ("address", k.address))
                                       if key[1]]) for employer_id, k in keys.items())
    pairs: set[tuple[int, int]] = set()
    for _, ids in candidates:
        pairs.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1:])
    found = []
    for a, b in sorted(pairs):
        reasons = duplicate_reasons(keys[a], keys[b])
        if reasons:
            found.append((a, b, reasons))
    return found
