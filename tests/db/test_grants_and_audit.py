"""The database is the authority: grants hold against plain SQL, and audit rows name the real person."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import exc, text


@pytest.fixture
def hall(databases):
    name = databases.create()
    return name, databases


def _seed_one_member_and_employer(engine):
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO members (card_number, first_name, last_name, classification) "
                          "VALUES ('7000001', 'Pat', 'Quinn', 'journeyman')"))
        conn.execute(text("INSERT INTO employers (name) VALUES ('Harbor Electric')"))


def test_dues_clerk_cannot_write_employers_or_staff_even_with_plain_sql(hall):
    name, dbs = hall
    _seed_one_member_and_employer(dbs.engine(name))
    clerk = dbs.make_staff(name, "dues_clerk")
    engine = dbs.engine(name, clerk)
    statements = [
        "INSERT INTO employers (name) VALUES ('Sneaky Electric')",
        "UPDATE employers SET name = 'Renamed', version = version + 1",
        "INSERT INTO staff (login, full_name) VALUES ('someone', 'Some One')",
        "UPDATE staff SET full_name = 'X', version = version + 1",
        "UPDATE members SET phone = '555-1234', version = version + 1",
        "DELETE FROM audit_log",
        "SELECT uc_create_staff('evil_admin', 'Evil', ARRAY['admin'], NULL)",
    ]
    for statement in statements:
        with engine.begin() as conn, pytest.raises(exc.ProgrammingError) as info:
            conn.execute(text(statement))
        assert isinstance(info.value.orig, psycopg.errors.InsufficientPrivilege), statement
    with engine.connect() as conn:  # reading is allowed
        assert conn.execute(text("SELECT count(*) FROM employers")).scalar_one() == 1


def test_dispatcher_edits_contact_details_but_not_the_card_number(hall):
    name, dbs = hall
    _seed_one_member_and_employer(dbs.engine(name))
    dispatcher = dbs.make_staff(name, "dispatcher")
    engine = dbs.engine(name, dispatcher)
    with engine.begin() as conn:
        conn.execute(text("UPDATE members SET phone = '(206) 555-0199', version = version + 1"))
        conn.execute(text("INSERT INTO employer_contacts (employer_id, name) SELECT id, 'Sam Lee' FROM employers"))
    with engine.begin() as conn, pytest.raises(exc.ProgrammingError):
        conn.execute(text("UPDATE members SET card_number = '9999999', version = version + 1"))


def test_audit_rows_name_the_database_user_and_cannot_be_changed(hall):
    name, dbs = hall
    _seed_one_member_and_employer(dbs.engine(name))
    dispatcher = dbs.make_staff(name, "dispatcher", "Dana Dispatch")
    with dbs.engine(name, dispatcher).begin() as conn:
        conn.execute(text("UPDATE members SET phone = '(206) 555-0142', version = version + 1"))
    with dbs.engine(name).connect() as conn:
        row = conn.execute(text(
            "SELECT db_user, action, changed_fields, old_values->>'phone', new_values->>'phone', member_id "
            "FROM audit_log WHERE table_name = 'members' AND action = 'UPDATE'")).one()
    assert row.db_user == dispatcher
    assert row.action == "UPDATE"
    assert row.changed_fields == ["phone"]
    assert (row[3], row[4]) == (None, "(206) 555-0142")
    for statement in ("UPDATE audit_log SET db_user = 'nobody'", "DELETE FROM audit_log"):
        # not even the owner: the trigger refuses
        with dbs.engine(name).begin() as conn, pytest.raises(exc.DBAPIError, match="audit log cannot be changed"):
            conn.execute(text(statement))


def test_unversioned_update_is_refused_by_the_database(hall):
    name, dbs = hall
    _seed_one_member_and_employer(dbs.engine(name))
    with dbs.engine(name).begin() as conn, pytest.raises(exc.DBAPIError, match="must advance its version"):
        conn.execute(text("UPDATE members SET phone = '555-0000'"))


def test_manager_group_may_create_members_admin_may_add_staff(hall):
    name, dbs = hall
    manager = dbs.make_staff(name, "manager")
    with dbs.engine(name, manager).begin() as conn:
        conn.execute(text("INSERT INTO members (card_number, first_name, last_name, classification) "
                          "VALUES ('7000002', 'Lee', 'Park', 'apprentice_2')"))
    admin = dbs.make_staff(name, "admin")
    login = f"{admin}_new"
    dbs.server.roles_created.append(login)
    with dbs.engine(name, admin).begin() as conn:
        conn.execute(text("SELECT uc_create_staff(:l, 'New Clerk', ARRAY['dues_clerk'], NULL)"), {"l": login})
    with dbs.engine(name).connect() as conn:
        assert conn.execute(text("SELECT pg_has_role(:l, 'uc_dues_clerk', 'MEMBER')"), {"l": login}).scalar_one()
        rows = conn.execute(text("SELECT db_user, action, changed_fields, new_values FROM audit_log "
                                 "WHERE table_name = 'staff' "
                                 "AND row_key = (SELECT id::text FROM staff WHERE login = :l) "
                                 "ORDER BY id"), {"l": login}).all()
    assert [(r.db_user, r.action) for r in rows] == [(admin, "INSERT"), (admin, "UPDATE")]
    assert rows[1].changed_fields == ["roles"] and rows[1].new_values == {"roles": ["dues_clerk"]}
