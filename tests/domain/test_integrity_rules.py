"""Which members and employers are likely the same: the keys and the groups they form."""

from __future__ import annotations

from datetime import date

import pytest

from unioncore_desktop.domain.rules.employers import EmployerKeys
from unioncore_desktop.domain.rules.integrity import (
    employer_duplicate_pairs,
    groups,
    member_name_key,
    member_phone_keys,
)

BORN = date(1980, 3, 14)


@pytest.mark.parametrize("a, b, same", [
    (("Mary-Ann", "O'Brien", BORN), ("mary ann", "OBRIEN ", BORN), True),
    (("John", "Smith", BORN), ("John", "Smith", date(1980, 3, 15)), False),
    (("John", "Smith", BORN), ("Smith", "John", BORN), False),
])
def test_member_names_compare_without_case_punctuation_or_spacing(a, b, same):
    assert (member_name_key(*a) == member_name_key(*b)) is same


def test_a_name_without_a_birth_date_is_no_key():
    assert member_name_key("John", "Smith", None) is None


def test_phone_keys_are_digits_of_each_number_long_enough_to_be_a_line():
    assert member_phone_keys("(206) 555-0100", "+1 206 555 0101", "555-12", None) == {"2065550100", "2065550101"}


def test_groups_keep_only_shared_keys_with_each_record_once():
    assert sorted(groups([(3, ["a", "b"]), (1, ["a"]), (2, ["c"]), (4, ["b", "b"])])) == [("a", (1, 3)),
                                                                                          ("b", (3, 4))]


def test_employer_pairs_are_what_the_employer_form_would_warn_about():
    keys = [(1, EmployerKeys.of("Puget Sound Electric", "206 555 0100", "123 Main Street", "Seattle")),
            (2, EmployerKeys.of("Puget Sound Electric, Inc.", None, None, None)),
            (3, EmployerKeys.of("Other Co", "(206) 555-0100", "123 main st.", "seattle")),
            (4, EmployerKeys.of("Lonely", None, None, None)),
            (5, EmployerKeys.of("", "", None, None))]
    assert employer_duplicate_pairs(keys) == [(1, 2, ("same name",)), (1, 3, ("same phone", "same address"))]
