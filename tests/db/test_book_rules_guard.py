"""Book rule settings in force never change, whatever the client: the database refuses staff logins an update
or delete of a row whose day has come and a back-dated insert; dispatchers cannot write settings at all."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import exc, text
from sqlalchemy.orm import sessionmaker

from unioncore_desktop.domain.errors import PermissionDenied, ValidationError
from unioncore_desktop.domain.queries.book_rules import book_rules_history
from unioncore_desktop.domain.services.book_rules import schedule_book_rules
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.seed.books import RULES_EFFECTIVE_FROM, insert_books


@pytest.fixture
def hall(databases):
    """The demo books (their settings from 2024, written by the owner as the seed does) plus settings scheduled
    a week out on WIRE SEATTLE."""
    name = databases.create()
    with databases.engine(name).begin() as conn:
        books = insert_books(conn)
        today = conn.execute(text("SELECT uc_hall_today()")).scalar_one()
        book = books["WIRE_SEATTLE"]
        in_force = conn.execute(text("SELECT id FROM book_rules WHERE book_id = :b"), {"b": book}).scalar_one()
        scheduled = conn.execute(text("INSERT INTO book_rules (book_id, effective_from, resign_days) "
                                      "VALUES (:b, :d, 45) RETURNING id"),
                                 {"b": book, "d": today + timedelta(days=7)}).scalar_one()
    return {"name": name, "dbs": databases, "book": book, "other": books["TRADESHOW"], "today": today,
            "in_force": in_force, "scheduled": scheduled}


def refused(engine, statement: str, params: dict) -> psycopg.Error:
    with engine.begin() as conn, pytest.raises(exc.DBAPIError) as info:
        conn.execute(text(statement), params)
    return info.value.orig


@pytest.mark.parametrize("role", ["manager"])
def test_plain_sql_cannot_change_remove_or_back_date_settings(hall, role):
    dbs, name = hall["dbs"], hall["name"]
    staff = dbs.engine(name, dbs.make_staff(name, role))
    today = hall["today"]
    for statement, params, constraint in (
        ("UPDATE book_rules SET resign_days = 31, version = version + 1 WHERE id = :i",
         {"i": hall["in_force"]}, "ck_book_rules_in_force_unchanged"),
        ("DELETE FROM book_rules WHERE id = :i", {"i": hall["in_force"]}, "ck_book_rules_in_force_unchanged"),
        ("INSERT INTO book_rules (book_id, effective_from) VALUES (:b, :d)",
         {"b": hall["book"], "d": today - timedelta(days=1)}, "ck_book_rules_effective_from_not_past"),
        ("UPDATE book_rules SET effective_from = :d, version = version + 1 WHERE id = :i",
         {"i": hall["scheduled"], "d": today - timedelta(days=1)}, "ck_book_rules_effective_from_not_past"),
        ("UPDATE book_rules SET book_id = :b, version = version + 1 WHERE id = :i",
         {"i": hall["scheduled"], "b": hall["other"]}, "ck_book_rules_book_unchanged"),
    ):
        error = refused(staff, statement, params)
        assert isinstance(error, psycopg.errors.CheckViolation), statement
        assert error.diag.constraint_name == constraint, statement
    with dbs.engine(name).connect() as conn:
        assert conn.execute(text("SELECT effective_from, resign_days, version FROM book_rules WHERE id = :i"),
                            {"i": hall["in_force"]}).one() == (RULES_EFFECTIVE_FROM, 30, 1)


def test_a_scheduled_row_can_be_edited_and_cancelled_and_settings_can_start_today(hall):
    dbs, name = hall["dbs"], hall["name"]
    manager = dbs.engine(name, dbs.make_staff(name, "manager"))
    with manager.begin() as conn:
        conn.execute(text("UPDATE book_rules SET resign_days = 50, effective_from = :d, version = version + 1 "
                          "WHERE id = :i"), {"i": hall["scheduled"], "d": hall["today"]})
    # now in force: it can no longer change
    error = refused(manager, "DELETE FROM book_rules WHERE id = :i", {"i": hall["scheduled"]})
    assert error.diag.constraint_name == "ck_book_rules_in_force_unchanged"
    with manager.begin() as conn:
        later = conn.execute(text("INSERT INTO book_rules (book_id, effective_from) VALUES (:b, :d) RETURNING id"),
                             {"b": hall["book"], "d": hall["today"] + timedelta(days=30)}).scalar_one()
        conn.execute(text("DELETE FROM book_rules WHERE id = :i"), {"i": later})
    with dbs.engine(name).connect() as conn:
        actions = conn.execute(text("SELECT action FROM audit_log WHERE table_name = 'book_rules' "
                                    "AND row_key = :k ORDER BY id"), {"k": str(later)}).scalars().all()
    assert actions == ["INSERT", "DELETE"]


def test_the_owner_still_writes_history_as_the_seed_does(hall):
    with hall["dbs"].engine(hall["name"]).begin() as conn:
        conn.execute(text("INSERT INTO book_rules (book_id, effective_from) VALUES (:b, DATE '2020-01-01')"),
                     {"b": hall["other"]})
        conn.execute(text("UPDATE book_rules SET resign_days = 29, version = version + 1 WHERE id = :i"),
                     {"i": hall["in_force"]})


def test_the_trigger_refusal_reaches_the_form_as_a_field_error(hall):
    dbs, name = hall["dbs"], hall["name"]
    uow = UnitOfWork(sessionmaker(dbs.engine(name, dbs.make_staff(name, "manager"))))
    with pytest.raises(ValidationError) as info, uow:
        uow.session.execute(text("UPDATE book_rules SET resign_days = 31, version = version + 1 WHERE id = :i"),
                            {"i": hall["in_force"]})
    assert list(info.value.errors) == ["effective_from"]
    assert "can never be changed" in info.value.errors["effective_from"]


def test_a_manager_schedules_through_the_service_and_is_named_as_its_author(hall):
    dbs, name = hall["dbs"], hall["name"]
    manager = dbs.engine(name, dbs.make_staff(name, "manager", "Mona Manager"))
    row = schedule_book_rules(UnitOfWork(sessionmaker(manager)), book_id=hall["other"],
                              effective_from=hall["today"] + timedelta(days=1), resign_days=40)
    assert (row.state, row.created_by, row.rules.resign_days) == ("scheduled", "Mona Manager", 40)
    with manager.connect() as conn, sessionmaker(bind=conn)() as session:
        assert book_rules_history(session, hall["other"])[0].id == row.id


@pytest.mark.parametrize("role", ["dispatcher", "admin"])
def test_a_dispatcher_or_admin_cannot_write_settings_at_all(hall, role):
    dbs, name = hall["dbs"], hall["name"]
    dispatcher = dbs.engine(name, dbs.make_staff(name, role))
    with pytest.raises(PermissionDenied, match="book rule settings"):
        schedule_book_rules(UnitOfWork(sessionmaker(dispatcher)), book_id=hall["book"],
                            effective_from=hall["today"] + timedelta(days=14), resign_days=40)
    for statement in ("INSERT INTO book_rules (book_id, effective_from) VALUES (:b, :d)",
                      "UPDATE book_rules SET resign_days = 40, version = version + 1 WHERE effective_from = :d",
                      "DELETE FROM book_rules WHERE book_id = :b AND effective_from > :d"):
        error = refused(dispatcher, statement, {"b": hall["book"], "d": hall["today"] + timedelta(days=14)})
        assert isinstance(error, psycopg.errors.InsufficientPrivilege), statement
