"""The member's dispatch profile and whole record against PostgreSQL: profile writes with their rules, audit and
stale checks, expired certifications marked (and not counted by the walk), grants per role, and the record DTO
showing amounts only to a login that may see them."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import exc, text

from unioncore_desktop.db.connection import connect
from unioncore_desktop.db.profile import ConnectionProfile
from unioncore_desktop.domain.actions import members as actions
from unioncore_desktop.domain.errors import PermissionDenied, StaleRecord, ValidationError
from unioncore_desktop.domain.rules.member_profile import (
    ExclusionInput,
    QualifiedBookInput,
    SkillInput,
    exclusion_errors,
    held_skills,
    skill_state,
)
from unioncore_desktop.domain.rules.referral import CandidateFacts, RequestFacts, missing_skills
from unioncore_desktop.domain.services import member_profile as profile
from unioncore_desktop.seed.books import insert_books

TODAY = date(2026, 11, 21)


@pytest.fixture
def hall_rows(connection):
    """A member, the demo books and an employer, written on the test's connection."""
    insert_books(connection)
    member = connection.execute(text(
        "INSERT INTO members (card_number, first_name, last_name, classification) "
        "VALUES ('7000501', 'Lena', 'Ortiz', 'journeyman') RETURNING id")).scalar_one()
    employer = connection.execute(text(
        "INSERT INTO employers (name) VALUES ('Acme Electric') RETURNING id")).scalar_one()
    today = connection.execute(text("SELECT uc_hall_today()")).scalar_one()
    return member, employer, today


# --- rules ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("expires, state", [
    (None, "no_expiry"), (TODAY - timedelta(days=1), "expired"), (TODAY, "expires_soon"),
    (TODAY + timedelta(days=30), "expires_soon"), (TODAY + timedelta(days=31), "valid"),
])
def test_skill_state_marks_expired_through_the_expiry_day(expires, state):
    assert skill_state(expires, TODAY) == state


def test_a_renewed_certification_counts_by_its_later_expiry_in_the_walk():
    held = held_skills([("OSHA 30", TODAY - timedelta(days=400)), ("osha 30", TODAY + timedelta(days=300))])
    assert held == {"OSHA 30": TODAY + timedelta(days=300)}
    candidate = CandidateFacts(member_id=1, skills=held)
    request = RequestFacts(employer_id=1, required_skills=frozenset({"OSHA 30"}))
    assert missing_skills(candidate, request, TODAY) == frozenset()
    lapsed = CandidateFacts(member_id=1, skills={"OSHA 30": TODAY - timedelta(days=1)})
    assert missing_skills(lapsed, request, TODAY) == {"OSHA 30"}


def test_an_exclusion_ending_before_today_is_refused_unless_it_was_already_saved():
    past = ExclusionInput(3, "Discharged twice", TODAY - timedelta(days=1))
    assert "ends_on" in exclusion_errors(past, TODAY)
    assert exclusion_errors(past, TODAY, loaded_end=past.ends_on) == {}
    assert set(exclusion_errors(ExclusionInput(None, " "), TODAY)) == {"employer_id", "reason"}


# --- writes -----------------------------------------------------------------------------------------------------

def test_profile_entries_are_added_changed_removed_and_audited(uow, connection, hall_rows):
    member, employer, today = hall_rows
    saved = profile.add_qualified_book(uow, member, QualifiedBookInput("WIRE_SEATTLE", 2))
    assert [(b.book_code, b.tier) for b in saved.books] == [("WIRE_SEATTLE", 2)]
    saved = profile.change_qualified_book(uow, saved.books[0], QualifiedBookInput("WIRE_SEATTLE", 1))
    assert saved.books[0].tier == 1
    saved = profile.add_skill(uow, member, SkillInput("  OSHA   30 ", "C-123", today - timedelta(days=1)))
    skill = saved.skills[0]
    assert (skill.name, skill.number, skill.expired) == ("OSHA 30", "C-123", True)
    saved = profile.change_skill(uow, skill, SkillInput("OSHA 30", "C-999", today + timedelta(days=365)))
    assert saved.skills[0].state == "valid"
    saved = profile.add_exclusion(uow, member, ExclusionInput(employer, "Asked not to return", None))
    assert [(x.employer_name, x.in_force) for x in saved.exclusions] == [("Acme Electric", True)]
    saved = profile.remove_exclusion(uow, saved.exclusions[0])
    assert saved.exclusions == ()
    audited = connection.execute(text(
        "SELECT table_name, action FROM audit_log WHERE member_id = :m AND table_name LIKE 'member\\_%' "
        "ORDER BY id"), {"m": member}).all()
    assert [tuple(r) for r in audited] == [
        ("member_qualified_books", "INSERT"), ("member_qualified_books", "UPDATE"), ("member_skills", "INSERT"),
        ("member_skills", "UPDATE"), ("member_exclusions", "INSERT"), ("member_exclusions", "DELETE")]


def test_duplicates_and_unknown_books_are_field_errors(uow, hall_rows):
    member, _employer, _today = hall_rows
    profile.add_qualified_book(uow, member, QualifiedBookInput("TRADESHOW", 1))
    with pytest.raises(ValidationError) as info:
        profile.add_qualified_book(uow, member, QualifiedBookInput("TRADESHOW", 2))
    assert "book_code" in info.value.errors
    with pytest.raises(ValidationError) as info:
        profile.add_qualified_book(uow, member, QualifiedBookInput("NO_SUCH_BOOK", 5))
    assert set(info.value.errors) == {"book_code", "tier"}
    profile.add_skill(uow, member, SkillInput("Cable splicing"))
    with pytest.raises(ValidationError) as info:
        profile.add_skill(uow, member, SkillInput("cable  SPLICING"))
    assert "name" in info.value.errors


def test_changing_an_entry_someone_else_changed_is_refused(uow, connection, hall_rows):
    member, _employer, _today = hall_rows
    skill = profile.add_skill(uow, member, SkillInput("Welding", "W-1")).skills[0]
    connection.execute(text("UPDATE member_skills SET number = 'W-2' WHERE id = :id"), {"id": skill.id})
    with pytest.raises(StaleRecord):
        profile.change_skill(uow, skill, SkillInput("Welding", "W-3"))
    with pytest.raises(StaleRecord):
        profile.remove_skill(uow, skill)
    assert connection.execute(text("SELECT number FROM member_skills WHERE id = :id"),
                              {"id": skill.id}).scalar_one() == "W-2"


def test_the_database_refuses_a_nameless_skill(connection, hall_rows):
    member, _employer, _today = hall_rows
    with pytest.raises(exc.IntegrityError, match="ck_member_skills_name_present"), connection.begin_nested():
        connection.execute(text("INSERT INTO member_skills (member_id, name) VALUES (:m, '  ')"), {"m": member})


# --- roles and the record ---------------------------------------------------------------------------------------

@pytest.fixture
def role_hall(databases):
    """A database with one member who owes a month, and a login per role (closed at the end)."""
    name = databases.create()
    with databases.engine(name).begin() as conn:
        insert_books(conn)
        member = conn.execute(text(
            "INSERT INTO members (card_number, first_name, last_name, classification) "
            "VALUES ('7000601', 'Ravi', 'Shah', 'journeyman') RETURNING id")).scalar_one()
        conn.execute(text("INSERT INTO member_qualified_books (member_id, book_code, tier) "
                          "VALUES (:m, 'WIRE_SEATTLE', 1)"), {"m": member})
    halls = []

    def login(role: str):
        user = databases.make_staff(name, role)
        hall = connect(ConnectionProfile.from_url(databases.server.url(name, user)))
        halls.append(hall)
        return hall, user

    yield member, login, databases.engine(name)
    for hall in halls:
        hall.close()


def test_the_record_shows_amounts_to_a_clerk_and_standing_only_to_a_dispatcher(role_hall):
    member, login, _admin = role_hall
    dispatcher, _ = login("dispatcher")
    clerk, _ = login("dues_clerk")
    seen = actions.open_member(dispatcher, member)
    assert seen.detail.card_number == "7000601" and seen.standing.balance is None
    assert seen.standing.standing in ("good_standing", "in_arrears", "suspended")
    assert [b.book_code for b in seen.profile.books] == ["WIRE_SEATTLE"]
    by_clerk = actions.open_member(clerk, member)
    assert isinstance(by_clerk.standing.balance, Decimal)
    assert dataclasses.replace(by_clerk.standing, balance=None) == seen.standing
    admin, _ = login("admin")  # runs staff and the server: no dues standing at all, the rest of the record
    by_admin = actions.open_member(admin, member)
    assert by_admin.standing is None and by_admin.detail == seen.detail


def test_only_a_manager_keeps_the_profile(role_hall):
    """Domain §6: dispatchers edit contact details only; under their own login the database refuses the rest."""
    member, login, _admin = role_hall
    dispatcher, _user = login("dispatcher")
    with pytest.raises(PermissionDenied, match="not allowed"):
        actions.save_profile_entry(dispatcher, member, SkillInput("OSHA 10"), None)
    manager, _ = login("manager")
    done = actions.save_profile_entry(manager, member, SkillInput("OSHA 10"), None)
    assert [s.name for s in done.value.skills] == ["OSHA 10"]
    assert [(c.kind, c.ids) for c in done.changes] == [("member_profile", (member,))]
