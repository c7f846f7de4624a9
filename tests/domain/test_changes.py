"""What a command changed is named once: each change kind says what its ids are, and a report that names them
otherwise is refused."""

from __future__ import annotations

import pytest

from unioncore_desktop.domain.changes import KINDS, Changed, Done, done, table_kinds


def test_a_change_names_its_ids_by_the_kinds_key():
    assert Changed.of("labor_request", book_ids=[7, 7, 3]) == Changed("labor_request", (7, 3))
    assert Changed.of("bid", request_ids=[12]).ids == (12,)
    assert Changed.of("dues", member_ids=(5,)) == Changed("dues", (5,))
    assert Changed.of("dues_rate") == Changed("dues_rate", ())  # anything of the kind


@pytest.mark.parametrize("kind, ids, named", [
    ("labor_request", {"request_ids": [7]}, "book_ids"),  # a request change is named by its book
    ("bid", {"book_ids": [7]}, "request_ids"),
    ("dues_period", {"member_ids": [1]}, "no ids"),
    ("dispatch", {"book_ids": [1], "member_ids": [2]}, "book_ids"),
])
def test_ids_named_otherwise_are_refused(kind, ids, named):
    with pytest.raises(ValueError, match=named):
        Changed.of(kind, **ids)


def test_an_empty_list_of_ids_is_not_taken_for_anything():
    with pytest.raises(ValueError, match="anything"):
        Changed.of("registration", book_ids=[])
    with pytest.raises(ValueError, match="unknown change kind"):
        Changed("registrations")


def test_a_result_carries_its_changes():
    result = done(41, Changed.of("member", member_ids=[41]))
    assert result == Done(41, (Changed("member", (41,)),))


def test_every_notified_table_is_announced_as_one_kind():
    kinds = table_kinds()
    assert kinds["labor_requests"] == "labor_request" and kinds["bids"] == "bid" and kinds["payments"] == "dues"
    assert set(kinds.values()) == set(KINDS)
