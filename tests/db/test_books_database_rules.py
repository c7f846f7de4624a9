"""Book rules the database keeps whatever the client: staff grants on registrations, append-only activity,
one live registration per member per book."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import exc, text
from sqlalchemy.orm import sessionmaker

from unioncore_desktop.domain.errors import PermissionDenied
from unioncore_desktop.domain.services.registrations import sign_on
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.seed.books import insert_books


@pytest.fixture
def hall(databases):
    name = databases.create()
    with databases.engine(name).begin() as conn:
        books = insert_books(conn)
        member = conn.execute(text(
            "INSERT INTO members (card_number, first_name, last_name, classification) "
            "VALUES ('7000001', 'Pat', 'Quinn', 'journeyman') RETURNING id")).scalar_one()
        conn.execute(text("INSERT INTO member_qualified_books (member_id, book_code, tier) "
                          "VALUES (:m, 'WIRE_SEATTLE', 1), (:m, 'TRADESHOW', 1)"), {"m": member})
    return name, databases, books, member


def test_dues_clerk_cannot_sign_members_on_through_the_service_or_plain_sql(hall):
    name, dbs, books, member = hall
    clerk = dbs.engine(name, dbs.make_staff(name, "dues_clerk"))
    with pytest.raises(PermissionDenied, match="registrations"):
        sign_on(UnitOfWork(sessionmaker(clerk)), member_id=member, book_ids=[books["WIRE_SEATTLE"]], method="email")
    for statement in (
        "INSERT INTO registrations (member_id, book_id, tier, apn) VALUES (:m, :b, 1, 45880.01)",
        "UPDATE registrations SET tier = 2, version = version + 1",
        "INSERT INTO registration_activity (registration_id, member_id, book_id, action) VALUES (1, :m, :b, 'sign_on')",
    ):
        with clerk.begin() as conn, pytest.raises(exc.ProgrammingError) as info:
            conn.execute(text(statement), {"m": member, "b": books["WIRE_SEATTLE"]})
        assert isinstance(info.value.orig, psycopg.errors.InsufficientPrivilege), statement


def test_dispatcher_signs_on_and_the_activity_names_them_but_nobody_rewrites_activity(hall):
    name, dbs, books, member = hall
    login = dbs.make_staff(name, "dispatcher", "Dana Dispatch")
    dispatcher = dbs.engine(name, login)
    rows = sign_on(UnitOfWork(sessionmaker(dispatcher)), member_id=member,
                   book_ids=[books["WIRE_SEATTLE"], books["TRADESHOW"]], method="email")
    assert len({r.apn for r in rows}) == 1
    with dispatcher.connect() as conn:
        assert set(conn.execute(text("SELECT staff_login FROM registration_activity")).scalars()) == {login}
    for engine in (dispatcher, dbs.engine(name, dbs.make_staff(name, "manager")), dbs.engine(name)):
        for statement in ("UPDATE registration_activity SET note = 'changed'", "DELETE FROM registration_activity",
                          "TRUNCATE registration_activity"):
            with engine.begin() as conn, pytest.raises(exc.DBAPIError) as info:
                conn.execute(text(statement))
            assert isinstance(info.value.orig, psycopg.errors.InsufficientPrivilege), statement
    with dbs.engine(name).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM registration_activity")).scalar_one() == 2


def test_one_live_registration_per_member_per_book_even_in_plain_sql(hall):
    name, dbs, books, member = hall
    dispatcher = dbs.engine(name, dbs.make_staff(name, "dispatcher"))
    insert = text("INSERT INTO registrations (member_id, book_id, tier, apn, status, roll_off_reason, method) "
                  "VALUES (:m, :b, 1, 45880.01, :s, :r, 'email')")
    with dispatcher.begin() as conn:
        conn.execute(insert, {"m": member, "b": books["WIRE_SEATTLE"], "s": "rolled_off", "r": "check_marks"})
        conn.execute(insert, {"m": member, "b": books["WIRE_SEATTLE"], "s": "registered", "r": None})
    with dispatcher.begin() as conn, pytest.raises(exc.IntegrityError, match="ux_registrations_member_id_book_id_live"):
        conn.execute(insert, {"m": member, "b": books["WIRE_SEATTLE"], "s": "dispatched", "r": None})


def test_an_offer_line_names_its_registrations_member_and_book(hall):
    """A grievance reads who was passed over on which book: a line whose member or book is not its
    registration's is refused, whoever writes it."""
    name, dbs, books, member = hall
    rows = sign_on(UnitOfWork(sessionmaker(dbs.engine(name))), member_id=member, book_ids=[books["WIRE_SEATTLE"]],
                   method="email")
    with dbs.engine(name).begin() as conn:
        conn.execute(text("INSERT INTO employers (name) VALUES ('Sparks Electric')"))
        conn.execute(text("INSERT INTO labor_requests (number, employer_id, book_id, workers_requested, start_on, "
                          "referral_date) SELECT 'T1', e.id, :b, 1, current_date, current_date FROM employers e"),
                     {"b": books["WIRE_SEATTLE"]})
    line = text("INSERT INTO offer_lines (run_id, request_id, book_id, registration_id, member_id, rank, tier, apn, "
                "skip_reason) SELECT gen_random_uuid(), r.id, :b, :g, :m, 1, 1, 45880.01, 'exempt' "
                "FROM labor_requests r")
    registration = rows[0].id
    dispatcher = dbs.engine(name, dbs.make_staff(name, "dispatcher"))
    for book, member_id in ((books["TRADESHOW"], member), (books["WIRE_SEATTLE"], member + 1)):
        with dispatcher.begin() as conn, pytest.raises(exc.IntegrityError,
                                                       match="fk_offer_lines_registration_id_registrations"):
            conn.execute(line, {"b": book, "g": registration, "m": member_id})
    with dispatcher.begin() as conn:
        conn.execute(line, {"b": books["WIRE_SEATTLE"], "g": registration, "m": member})


def test_an_in_person_sign_on_without_its_office_is_refused_for_a_staff_login_in_plain_sql(hall):
    """R1 holds for psql too: with two offices an in-person row names one; e-mail names none; old rows keep theirs."""
    name, dbs, books, member = hall
    dispatcher = dbs.engine(name, dbs.make_staff(name, "dispatcher"))
    insert = text("INSERT INTO registrations (member_id, book_id, tier, apn, method, office_id) "
                  "VALUES (:m, :b, 1, 45880.01, :method, :o) RETURNING id")
    with dispatcher.begin() as conn, pytest.raises(exc.IntegrityError, match="Choose the office") as info:
        conn.execute(insert, {"m": member, "b": books["WIRE_SEATTLE"], "method": "in_person", "o": None})
    assert info.value.orig.diag.constraint_name == "ck_registrations_office_named"
    with dispatcher.begin() as conn:
        office = conn.execute(text("SELECT min(id) FROM offices")).scalar_one()
        by_mail = conn.execute(insert, {"m": member, "b": books["WIRE_SEATTLE"], "method": "email", "o": None}).scalar()
        with pytest.raises(exc.IntegrityError, match="Choose the office"), conn.begin_nested():
            conn.execute(text("UPDATE registrations SET method = 'in_person', version = version + 1 WHERE id = :g"),
                         {"g": by_mail})
        conn.execute(text("UPDATE registrations SET method = 'in_person', office_id = :o, version = version + 1 "
                          "WHERE id = :g"), {"g": by_mail, "o": office})
        conn.execute(text("UPDATE registrations SET last_resign_on = uc_hall_today(), version = version + 1 "
                          "WHERE id = :g"), {"g": by_mail})
