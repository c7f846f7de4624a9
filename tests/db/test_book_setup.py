"""A manager sets the books up: a new book with its first rule settings, changes to its slot and agreement, and
retiring it. A retired book takes no sign-ons and no requests whoever writes them, and no book is ever deleted."""

from __future__ import annotations

from datetime import time, timedelta

import psycopg
import pytest
from sqlalchemy import exc, text
from sqlalchemy.orm import sessionmaker

from unioncore_desktop.domain.errors import DomainError, StaleRecord, ValidationError
from unioncore_desktop.domain.queries.book_rules import rules_in_force
from unioncore_desktop.domain.queries.book_setup import book_setup_view
from unioncore_desktop.domain.rules.books import BookDraft
from unioncore_desktop.domain.services import book_setup
from unioncore_desktop.domain.services.registrations import sign_on
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.seed.books import insert_books
from unioncore_desktop.seed.referral_world import make_employer, make_request, register


def draft(**changes) -> BookDraft:
    values = dict(code="solar_install", name="Solar Installer", classification="Installer", region=" North ",
                  contract_code=None, agreement_type="standard", morning_slot=time(8, 45), sort_order=5)
    values.update(changes)
    return BookDraft(**values)  # type: ignore[arg-type]


@pytest.fixture
def hall(databases):
    name = databases.create()
    with databases.engine(name).begin() as conn:
        books = insert_books(conn)
        member = conn.execute(text(
            "INSERT INTO members (card_number, first_name, last_name, classification) "
            "VALUES ('7000001', 'Pat', 'Quinn', 'journeyman') RETURNING id")).scalar_one()
        conn.execute(text("INSERT INTO member_qualified_books (member_id, book_code, tier) "
                          "VALUES (:m, 'TRADESHOW', 1)"), {"m": member})
        today = conn.execute(text("SELECT uc_hall_today()")).scalar_one()
    manager_login = databases.make_staff(name, "manager", "Morgan Manager")
    manager = databases.engine(name, manager_login)
    dispatcher = databases.engine(name, databases.make_staff(name, "dispatcher"))
    return {"name": name, "dbs": databases, "books": books, "member": member, "today": today,
            "manager": manager, "manager_login": manager_login, "dispatcher": dispatcher,
            "owner": databases.engine(name)}


def test_a_new_book_gets_its_first_rules_from_a_date_copied_from_another_book(hall):
    uow = UnitOfWork(sessionmaker(hall["manager"]))
    start = hall["today"] + timedelta(days=3)
    row = book_setup.create_book(uow, draft=draft(), rules_from=start, rules_like_book=hall["books"]["WIRE_SEATTLE"])
    assert (row.code, row.region, row.active, row.has_history) == ("SOLAR_INSTALL", "North", True, False)
    with sessionmaker(hall["manager"])() as s:
        in_force = rules_in_force(s, row.id, start)
        wire = rules_in_force(s, hall["books"]["WIRE_SEATTLE"], hall["today"])
        assert in_force.rules_id is not None and in_force.rules.effective_from == start
        assert in_force.rules.bidding_enabled == wire.rules.bidding_enabled is True
        assert rules_in_force(s, row.id, hall["today"]).rules_id is None  # before the date: the defaults
        audited = s.execute(text("SELECT db_user FROM audit_trail WHERE table_name = 'books' AND row_key = :k"),
                            {"k": str(row.id)}).scalars().all()
    assert audited == [hall["manager_login"]]


def test_the_form_and_the_service_refuse_the_same_fields_and_the_database_the_duplicates(hall):
    uow = UnitOfWork(sessionmaker(hall["manager"]))
    with pytest.raises(ValidationError) as info:
        book_setup.create_book(uow, draft=draft(code="x", name=" ", morning_slot=None, sort_order=-1),
                               rules_from=hall["today"])
    assert set(info.value.errors) == {"code", "name", "morning_slot", "sort_order"}
    with pytest.raises(DomainError) as taken:
        book_setup.create_book(uow, draft=draft(code="WIRE_SEATTLE"), rules_from=hall["today"])
    assert taken.value.field == "code"
    with pytest.raises(ValidationError) as past:
        book_setup.create_book(uow, draft=draft(), rules_from=hall["today"] - timedelta(days=1))
    assert "effective_from" in past.value.errors
    with hall["manager"].connect() as conn:  # nothing of the refused books was kept
        assert conn.execute(text("SELECT count(*) FROM books WHERE code = 'SOLAR_INSTALL'")).scalar_one() == 0


def test_a_change_keeps_code_and_name_and_a_stale_one_is_refused(hall):
    uow = UnitOfWork(sessionmaker(hall["manager"]))
    row = book_setup.create_book(uow, draft=draft(), rules_from=hall["today"])
    changed = book_setup.update_book(uow, book_id=row.id, expected_version=row.version,
                                     draft=draft(code="OTHER", name="Other", region="", agreement_type="pla",
                                                 morning_slot=time(9, 15), sort_order=2))
    assert (changed.code, changed.name, changed.region, changed.agreement_type, changed.morning_slot,
            changed.sort_order) == ("SOLAR_INSTALL", "Solar Installer", None, "pla", time(9, 15), 2)
    with pytest.raises(StaleRecord):
        book_setup.update_book(uow, book_id=row.id, expected_version=row.version, draft=draft())


def test_retiring_waits_for_the_members_and_requests_and_then_closes_the_book(hall):
    book = hall["books"]["TRADESHOW"]
    with hall["owner"].begin() as conn:
        registration = register(conn, hall["member"], book, apn="45880.01")
        employer, _ = make_employer(conn)
        request = make_request(conn, book, employer, referral_date=hall["today"])
    uow = UnitOfWork(sessionmaker(hall["manager"]))
    with sessionmaker(hall["manager"])() as session:
        row = next(r for r in book_setup_view(session).rows if r.id == book)
    assert (row.live_registrations, row.open_requests, row.has_history) == (1, 1, True)
    with pytest.raises(DomainError, match="1 member is still on it and 1 open request still names it"):
        book_setup.retire_book(uow, book_id=book, expected_version=row.version)
    with hall["owner"].begin() as conn:
        conn.execute(text("UPDATE registrations SET status = 'resigned', version = version + 1 WHERE id = :r"),
                     {"r": registration})
        conn.execute(text("UPDATE labor_requests SET status = 'cancelled', version = version + 1 WHERE id = :r"),
                     {"r": request})
    retired = book_setup.retire_book(uow, book_id=book, expected_version=row.version)
    assert not retired.active

    # the service refuses the sign-on, and so does the database under the dispatcher's own login
    with pytest.raises(DomainError):
        sign_on(UnitOfWork(sessionmaker(hall["dispatcher"])), member_id=hall["member"], book_ids=[book], method="email")
    with hall["dispatcher"].begin() as conn, pytest.raises(exc.IntegrityError) as info:
        conn.execute(text("INSERT INTO registrations (member_id, book_id, tier, apn) VALUES (:m, :b, 1, 45890.01)"),
                     {"m": hall["member"], "b": book})
    assert info.value.orig.diag.constraint_name == "ck_registrations_book_open"
    with hall["dispatcher"].begin() as conn, pytest.raises(exc.IntegrityError) as info:
        make_request(conn, book, employer, referral_date=hall["today"])
    assert info.value.orig.diag.constraint_name == "ck_labor_requests_book_open"

    back = book_setup.reinstate_book(uow, book_id=book, expected_version=retired.version)
    assert back.active
    sign_on(UnitOfWork(sessionmaker(hall["dispatcher"])), member_id=hall["member"], book_ids=[book], method="email")


def test_no_book_is_ever_deleted(hall):
    book = hall["books"]["TRADESHOW"]
    with hall["manager"].begin() as conn, pytest.raises(exc.ProgrammingError) as info:
        conn.execute(text("DELETE FROM books WHERE id = :b"), {"b": book})
    assert isinstance(info.value.orig, psycopg.errors.InsufficientPrivilege)
    with hall["owner"].begin() as conn:
        register(conn, hall["member"], book, apn="45880.01")
    with hall["owner"].begin() as conn, pytest.raises(exc.IntegrityError) as fk:
        conn.execute(text("DELETE FROM books WHERE id = :b"), {"b": book})
    assert isinstance(fk.value.orig, psycopg.errors.ForeignKeyViolation)
