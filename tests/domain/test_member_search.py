"""Member search: which statement a query runs, and the order results come in (against PostgreSQL)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import text

from unioncore_desktop.domain.queries.members import build_search, search_members, search_shape
from unioncore_desktop.domain.rules.members import MemberInput
from unioncore_desktop.domain.services.members import create_member

PEOPLE = [("7464416", "John", "Smith", "(360) 555-6416"), ("7000200", "Jon", "Smithers", "(360) 555-0200"),
          ("7000201", "Joan", "Smythe", "(206) 555-0201"), ("7000202", "Maria", "Garcia", "(206) 555-0202"),
          ("A22555555", "Johnny", "Walker", "(425) 555-5555"), ("7000204", "Pat", "Jones", "(425) 555-0204"),
          ("70002001", "Ann", "Johnson", "(253) 555-2001"), ("7000205", "Johnathan", "Lee", "(253) 555-0205")]


@pytest.fixture
def hall(uow):
    for card, first, last, phone in PEOPLE:
        create_member(uow, MemberInput(card_number=card, first_name=first, last_name=last, phone=phone,
                                       classification="journeyman", date_of_birth=date(1985, 4, 2)))


def names(rows) -> list[str]:
    return [f"{r.first_name} {r.last_name}" for r in rows]


@pytest.mark.parametrize("query, shape", [
    ("smith", "name"), ("o'brien", "name"), ("e", "name"),
    ("7000", "number"), ("a2200", "number"), ("(206) 555", "number"), ("555-0101", "number"),
    ("john smith", "words"), ("smith 7000", "words"), ("mary ann smith", "words"),
    ("%%%", "nothing"), ("- .", "nothing"),
])
def test_the_statement_follows_the_shape_of_the_query(query, shape):
    assert search_shape(query) == shape


def test_a_surname_prefix_ranks_above_a_first_name(session_factory, hall):
    with session_factory() as session:
        rows = search_members(session, "John")
    # surname prefix, then the exact first name, then first names that start with it, then one-letter slips
    assert names(rows) == ["Ann Johnson", "John Smith", "Johnathan Lee", "Johnny Walker", "Joan Smythe",
                           "Jon Smithers"]


def test_an_exact_surname_comes_before_longer_surnames(session_factory, hall):
    with session_factory() as session:
        assert names(search_members(session, "smith")) == ["John Smith", "Jon Smithers"]


def test_typing_slips_come_after_every_prefix_match(session_factory, hall):
    with session_factory() as session:
        rows = search_members(session, "jone")
        assert names(rows)[0] == "Pat Jones"
        # "jon" is one letter from "jone": found, but after the prefix match
        assert names(rows) == ["Pat Jones", "Jon Smithers"]
        assert names(search_members(session, "gracia")) == ["Maria Garcia"]
        assert names(search_members(session, "smiht")) == ["John Smith"]


def test_a_full_page_of_better_matches_is_not_followed_by_worse_ones(session_factory, hall):
    with session_factory() as session:
        assert names(search_members(session, "jone", limit=1)) == ["Pat Jones"]
        assert names(search_members(session, "john", limit=2)) == ["Ann Johnson", "John Smith"]
        assert [r.card_number for r in search_members(session, "7000200", limit=1)] == ["7000200"]


def test_the_exact_card_comes_first_then_longer_cards(session_factory, hall):
    with session_factory() as session:
        rows = search_members(session, "7000200")
    assert [r.card_number for r in rows] == ["7000200", "70002001"]


@pytest.mark.parametrize("query, expected", [
    ("(425) 555", ["A22555555", "7000204"]),  # from the area code
    ("555-0204", ["7000204"]),  # the local number
    ("0204", ["7000204"]),  # digits inside the number, when nothing starts with them
])
def test_phone_digits(session_factory, hall, query, expected):
    with session_factory() as session:
        assert sorted(r.card_number for r in search_members(session, query)) == sorted(expected)


def test_two_words_are_a_first_name_and_a_surname_in_either_order(session_factory, hall):
    with session_factory() as session:
        assert names(search_members(session, "smith john"))[0] == "John Smith"
        assert set(names(search_members(session, "j s"))) == {"John Smith", "Jon Smithers", "Joan Smythe"}
        # a third word must match the first name or the surname too
        assert names(search_members(session, "smith jo john"))[0] == "John Smith"
        assert search_members(session, "john smith pat") == []


def test_status_narrows_every_statement(session_factory, hall):
    with session_factory() as session:
        for query in ("john", "7000", "john smith", "jone"):
            assert search_members(session, query, status="inactive") == []
            assert search_members(session, query, status="active")


NAMES = ("ix_members_last_first_key", "ix_members_first_last_key")


@pytest.mark.parametrize("query, indexes", [
    ("jo", [NAMES[:1], NAMES[1:]]),
    ("7000", [("ix_members_card_number_prefix",), ("ix_members_phone_prefix",), ("ix_members_phone_local_prefix",)]),
    ("j s", []),  # a pair is found through name_terms; on a few rows the planner may then read members by key
])
def test_each_statement_reads_members_through_its_indexes(session_factory, hall, query, indexes):
    """With scans of the whole table priced out, a statement whose operators no index serves still scans it: the
    plan shows whether the indexes and the statements agree (at a million members nothing else is fast)."""
    sql, params = build_search(query)
    with session_factory() as session:
        session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(session.execute(text(f"EXPLAIN {sql}"), params).scalars())
    assert "Seq Scan on members" not in plan
    assert all(any(name in plan for name in choice) for choice in indexes), plan
    # a prefix of a member's name, card or phone is where the index scan starts and stops, not a filter after it
    starts = [line for line in plan.splitlines() if f"~>=~ '{query}'" in line and "term" not in line]
    assert all("Index Cond" in line for line in starts), plan
    assert starts or search_shape(query) == "words"


@pytest.mark.parametrize("query", ["jo", "7000", "john smith", "smith 7000"])
def test_the_page_reads_its_members_by_key_whatever_the_planner_expects(session_factory, hall, query):
    """Joined to the candidates, members was hashed whole once the planner expected a few hundred of them (a page of
    200 at 31,000 members); the page's members are read one key at a time even with nested loops priced out."""
    sql, params = build_search(query)
    with session_factory() as session:
        session.execute(text("SET LOCAL enable_nestloop = off"))
        session.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join(session.execute(text(f"EXPLAIN {sql}"), params).scalars())
    assert not [line for line in plan.splitlines() if ("Hash Cond" in line or "Merge Cond" in line) and "m.id" in line
                ], plan
    assert re.search(r"Index Cond: \(id = \w+\.id\)", plan), plan
