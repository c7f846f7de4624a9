"""Member services and queries against PostgreSQL: validation, duplicates, stale saves, search, history."""

from __future__ import annotations

import dataclasses
import threading
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.errors import StaleRecord, ValidationError
from unioncore_desktop.domain.queries.members import change_history, member_detail, search_members
from unioncore_desktop.domain.rules.members import MemberInput, validate_member
from unioncore_desktop.domain.services.members import create_member, deactivate_member, update_member
from unioncore_desktop.domain.uow import UnitOfWork


def member_input(**overrides) -> MemberInput:
    values = dict(card_number="7000123", first_name="Casey", last_name="Morgan", classification="journeyman",
                  phone="(206) 555-0101", date_of_birth=date(1985, 4, 2), initiation_date=date(2008, 9, 1))
    values.update(overrides)
    return MemberInput(**values)


def as_input(detail) -> MemberInput:
    return MemberInput(**{name: getattr(detail, name) for name in MemberInput.field_names()})


TODAY = date(2026, 11, 21)


@pytest.mark.parametrize("overrides, field", [
    ({"card_number": "74-64"}, "card_number"),
    ({"card_number": "123"}, "card_number"),
    ({"card_number": "A2255555555555"}, "card_number"),
    ({"first_name": "  "}, "first_name"),
    ({"last_name": "x" * 61}, "last_name"),
    ({"email": "casey@"}, "email"),
    ({"date_of_birth": date(1899, 12, 31)}, "date_of_birth"),
    ({"date_of_birth": date(2027, 1, 1)}, "date_of_birth"),
    ({"date_of_birth": date(2015, 1, 1), "initiation_date": None}, "date_of_birth"),
    ({"initiation_date": date(1980, 1, 1)}, "initiation_date"),
    ({"initiation_date": date(2026, 11, 22)}, "initiation_date"),
    ({"ssn_last4": "12a4"}, "ssn_last4"),
    ({"phone": "555-12"}, "phone"),
    ({"classification": "wizard"}, "classification"),
    ({"notes": "n" * 4001}, "notes"),
])
def test_validation_names_the_field(overrides, field):
    assert field in validate_member(member_input(**overrides).normalized(), TODAY)


def test_valid_input_passes_and_is_normalized():
    data = member_input(card_number=" a22555555 ", first_name="  Casey   Ann ", state="wa").normalized()
    assert validate_member(data, TODAY) == {}
    assert (data.card_number, data.first_name, data.state) == ("A22555555", "Casey Ann", "WA")


def test_create_and_read_back(uow):
    detail = create_member(uow, member_input())
    assert detail.card_number == "7000123" and detail.version == 1


def test_duplicate_card_number_is_a_field_error(uow):
    create_member(uow, member_input())
    with pytest.raises(ValidationError) as info:
        create_member(uow, member_input(first_name="Other"))
    assert "card_number" in info.value.errors


def test_database_refuses_what_the_domain_would(connection):
    """A client that skips validation still cannot store a bad card number."""
    from sqlalchemy import exc
    with pytest.raises(exc.IntegrityError, match="ck_members_card_number_format"), connection.begin_nested():
        connection.execute(text("INSERT INTO members (card_number, first_name, last_name, classification) "
                                "VALUES ('bad card', 'A', 'B', 'journeyman')"))


def test_update_writes_only_changed_fields_and_bumps_version(uow):
    base = create_member(uow, member_input())
    saved = update_member(uow, base.id, dataclasses.replace(as_input(base), phone="(206) 555-0199"), base=base)
    assert saved.phone == "(206) 555-0199" and saved.version == 2


def test_stale_save_is_refused_with_what_changed(uow):
    base = create_member(uow, member_input())
    update_member(uow, base.id, dataclasses.replace(as_input(base), city="Tacoma"), base=base)
    mine = dataclasses.replace(as_input(base), phone="(206) 555-0177")
    with pytest.raises(StaleRecord) as info:
        update_member(uow, base.id, mine, base=base)
    assert [c.field for c in info.value.changes] == ["city"]
    assert info.value.changes[0].theirs == "Tacoma"
    assert info.value.current.version == 2
    # rebasing on the current record keeps the user's edit and saves
    saved = update_member(uow, base.id, dataclasses.replace(mine, city="Tacoma"), base=info.value.current)
    assert (saved.city, saved.phone) == ("Tacoma", "(206) 555-0177")


def test_deactivate_keeps_the_member(uow):
    base = create_member(uow, member_input())
    assert deactivate_member(uow, base.id, base=base).status == "inactive"


def test_two_workstations_save_the_same_member_one_wins(databases):
    name = databases.create()
    engine = databases.engine(name, pool_size=4)
    factory = lambda: Session(engine, expire_on_commit=False)  # noqa: E731
    base = create_member(UnitOfWork(factory), member_input())
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(city: str) -> None:
        barrier.wait()
        try:
            update_member(UnitOfWork(factory), base.id, dataclasses.replace(as_input(base), city=city), base=base)
            outcomes.append("saved")
        except StaleRecord:
            outcomes.append("stale")

    threads = [threading.Thread(target=save, args=(c,)) for c in ("Tacoma", "Everett")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["saved", "stale"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version FROM members WHERE id = :id"), {"id": base.id}).scalar_one() == 2


@pytest.fixture
def some_members(uow):
    people = [("7464416", "John", "Smith"), ("7000200", "Jon", "Smithers"), ("7000201", "Joan", "Smythe"),
              ("7000202", "Maria", "Garcia"), ("A22555555", "Johnny", "Walker"), ("7000204", "Pat", "Jones")]
    for card, first, last in people:
        create_member(uow, member_input(card_number=card, first_name=first, last_name=last,
                                        phone=f"(360) 555-{card[-4:]}"))
    return people


def test_search_tolerates_typos(session_factory, some_members):
    with session_factory() as session:
        rows = search_members(session, "Jonh Smth")
    assert rows[0].card_number == "7464416"


@pytest.mark.parametrize("query, card", [
    ("7464416", "7464416"), ("a2255", "A22555555"), ("garcia", "7000202"), ("gracia", "7000202"),
    ("555-0204", "7000204"), ("smith john", "7464416"),
])
def test_search_by_card_name_and_phone(session_factory, some_members, query, card):
    with session_factory() as session:
        rows = search_members(session, query)
    assert rows and rows[0].card_number == card


def test_empty_search_lists_in_name_order(session_factory, some_members):
    with session_factory() as session:
        rows = search_members(session, "")
    names = [(r.last_name, r.first_name) for r in rows]
    assert names == sorted(names)


def test_like_wildcards_are_literal(session_factory, some_members):
    with session_factory() as session:
        assert search_members(session, "%%%") == []


def test_change_history_shows_old_new_and_who(uow, session_factory):
    base = create_member(uow, member_input())
    update_member(uow, base.id, dataclasses.replace(as_input(base), phone="(206) 555-0199"), base=base)
    with session_factory() as session:
        history = change_history(session, base.id)
        assert member_detail(session, base.id).phone == "(206) 555-0199"
    update = [h for h in history if h.action == "update"]
    assert [(h.field, h.old, h.new) for h in update] == [("phone", "(206) 555-0101", "(206) 555-0199")]
    assert update[0].changed_by  # the database user (a superuser in this test)
