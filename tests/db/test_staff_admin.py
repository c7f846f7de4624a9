"""Staff administration reads: the one staff listing the app and `unioncore staff list` share, which survives a
login dropped on the server behind the app's back; a person's activity as an admin may see it (audit_trail, never
the raw log); and who is offered a schema upgrade."""

from __future__ import annotations

import io
import json

import psycopg
import pytest
from sqlalchemy import create_engine, exc, text
from sqlalchemy.orm import sessionmaker

from unioncore_desktop import cli
from unioncore_desktop.db import preflight
from unioncore_desktop.db.connection import connect
from unioncore_desktop.db.profile import ConnectionProfile
from unioncore_desktop.domain.queries.staff import list_staff, staff_activity
from unioncore_desktop.domain.services import staff
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.seed.books import insert_books


@pytest.fixture
def hall(databases):
    name = databases.create()
    with databases.engine(name).begin() as conn:
        books = insert_books(conn)
    admin = databases.make_staff(name, "admin", "Avery Admin")
    return {"name": name, "dbs": databases, "books": books, "admin": admin,
            "admin_engine": databases.engine(name, admin), "owner": databases.engine(name)}


def test_the_listing_shows_roles_state_and_last_change_and_survives_a_dropped_login(hall, pg_server, monkeypatch,
                                                                                   capsys):
    dbs, name = hall["dbs"], hall["name"]
    clerk = dbs.make_staff(name, "dues_clerk+manager", "Casey Both")
    gone = dbs.make_staff(name, "dispatcher", "Gone Person")
    uow = UnitOfWork(sessionmaker(hall["admin_engine"]))
    staff.deactivate(uow, login=clerk)
    with hall["owner"].begin() as conn:  # someone with psql drops a login outside the app
        conn.execute(text(f'DROP ROLE "{gone}"'))
    pg_server.roles_created.remove(gone)

    with hall["admin_engine"].connect() as conn:
        rows = {row.login: row for row in list_staff(conn)}
    assert rows[clerk].roles == ("dues_clerk", "manager") and rows[clerk].state == "deactivated"
    assert rows[clerk].last_change is not None
    assert rows[gone].login_missing and rows[gone].roles == () and rows[gone].state == "login missing"
    assert rows[hall["admin"]].roles == ("admin",) and rows[hall["admin"]].state == "active"

    url = dbs.server.url(name, hall["admin"]).replace("postgresql+psycopg://", "postgresql://", 1)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert cli.main(["--url", url, "staff", "list"]) == 0
    out = capsys.readouterr().out
    assert f"{gone}" in out and "(login missing)" in out and "dues_clerk, manager" in out


def test_an_admin_sees_a_persons_activity_only_where_their_own_grants_reach(hall):
    dbs, name = hall["dbs"], hall["name"]
    manager = dbs.make_staff(name, "manager")
    with dbs.engine(name, manager).begin() as conn:
        conn.execute(text("UPDATE books SET sort_order = 7, version = version + 1 WHERE id = :b"),
                     {"b": hall["books"]["TRADESHOW"]})
    with hall["owner"].begin() as conn:  # a dues row the manager wrote: amounts an admin may not read
        conn.execute(text("""
            INSERT INTO audit_log (table_name, row_key, action, new_values, changed_fields, db_user, transaction_id)
            VALUES ('payments', '1', 'INSERT', CAST(:v AS jsonb), '{amount}', :u, txid_current())
        """), {"v": json.dumps({"amount": "123.45"}), "u": manager})
    with hall["admin_engine"].connect() as conn:
        activity = staff_activity(conn, manager)
        assert [(r.table_name, r.action, r.row_key) for r in activity.rows] == [
            ("books", "UPDATE", str(hall["books"]["TRADESHOW"]))]
        assert "sort_order" in activity.rows[0].changed_fields
    with hall["admin_engine"].connect() as conn, pytest.raises(exc.ProgrammingError) as info:
        conn.execute(text("SELECT count(*) FROM audit_log WHERE db_user = :u"), {"u": manager})
    assert isinstance(info.value.orig, psycopg.errors.InsufficientPrivilege)
    with hall["owner"].connect() as conn:  # the schema's owner reads the raw log: both rows
        assert len(staff_activity(conn, manager).rows) == 2


def test_only_the_schemas_owner_is_offered_an_upgrade(hall):
    dbs, name = hall["dbs"], hall["name"]
    for login, can in ((hall["admin"], False), (None, True)):
        connection = connect(ConnectionProfile.from_url(dbs.server.url(name, login)))
        try:
            assert connection.facts.can_migrate is can
        finally:
            connection.close()
    empty = dbs.create_empty()
    engine = create_engine(dbs.server.url(empty))
    try:
        facts = preflight.run(engine)
        assert facts.schema is preflight.SchemaState.NEEDS_UPGRADE and facts.can_migrate
    finally:
        engine.dispose()
