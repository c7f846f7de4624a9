"""Preflight at connect: each failure is one clear sentence, never a traceback."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, text

from unioncore_desktop.db import preflight
from unioncore_desktop.db.connection import connect
from unioncore_desktop.db.profile import ConnectionProfile
from unioncore_desktop.domain.errors import ConnectionProblem


def test_staff_login_sees_roles_hall_and_current_schema(databases):
    name = databases.create()
    login = databases.make_staff(name, "dues_clerk", "Chris Clerk")
    hall = connect(ConnectionProfile.from_url(databases.server.url(name, login)))
    try:
        facts = hall.facts
        assert facts.roles == frozenset({"dues_clerk"}) and facts.full_name == "Chris Clerk"
        assert facts.schema is preflight.SchemaState.CURRENT and facts.user == login
        with databases.engine(name).connect() as conn:  # the zone the screens show times in
            zone = conn.execute(text("SELECT value FROM app_settings WHERE key = 'time_zone'")).scalar()
        assert facts.time_zone == (zone or "")
    finally:
        hall.close()


def test_logging_in_asks_the_server_three_statements(databases):
    """Who and over what, the schema's revision, the hall's settings with the staff name: each round trip is a
    start-up's wait, so the checks share them."""
    name = databases.create()
    login = databases.make_staff(name, "manager+dispatcher", "Morgan Both")
    engine = create_engine(databases.server.url(name, login))
    sent: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, statement, *_rest: sent.append(statement))
    try:
        facts = preflight.run(engine)
    finally:
        engine.dispose()
    assert len(sent) == 3, sent
    assert facts.roles == frozenset({"manager", "dispatcher"}) and facts.full_name == "Morgan Both"
    assert facts.schema is preflight.SchemaState.CURRENT and not facts.can_migrate


def test_the_embedded_server_is_a_local_unencrypted_socket(databases):
    name = databases.create()
    login = databases.make_staff(name, "dispatcher")
    hall = connect(ConnectionProfile.from_url(databases.server.url(name, login)))
    try:
        facts = hall.facts
        assert facts.local_socket and not facts.encrypted
        assert facts.tls_version is None and facts.tls_cipher is None
    finally:
        hall.close()


def test_login_without_a_staff_role_is_refused(databases, pg_server):
    name = databases.create()
    stranger = f"stranger_{name[-6:]}"
    with databases.engine(name).begin() as conn:
        conn.execute(text(f'CREATE ROLE "{stranger}" LOGIN'))
    pg_server.roles_created.append(stranger)
    with pytest.raises(preflight.PreflightError, match="has no UnionCore role"):
        connect(ConnectionProfile.from_url(databases.server.url(name, stranger))).close()


def test_newer_schema_asks_for_the_new_version(databases):
    name = databases.create()
    with databases.engine(name).begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine = create_engine(databases.server.url(name))
    try:
        with pytest.raises(preflight.PreflightError, match="needs the new version"):
            preflight.run(engine)
    finally:
        engine.dispose()


def test_empty_database_needs_upgrade_and_admin_can_upgrade(databases):
    name = databases.create_empty()
    hall = connect(ConnectionProfile.from_url(databases.server.url(name)))
    try:
        assert hall.facts.schema is preflight.SchemaState.NEEDS_UPGRADE
        assert hall.upgrade_schema().schema is preflight.SchemaState.CURRENT
    finally:
        hall.close()


def test_unreachable_server_is_one_sentence():
    profile = ConnectionProfile(name="nowhere", host="127.0.0.1", port=1, database="unioncore", user="nobody")
    with pytest.raises(ConnectionProblem, match=r"Cannot reach the database server at 127\.0\.0\.1"):
        connect(profile)


def test_keyring_round_trip_and_headless_fallback(memory_keyring):
    from unioncore_desktop.db import credentials

    profile = ConnectionProfile(name="hall", host="db.hall.local", database="unioncore", user="dana")
    assert credentials.keyring_available()
    assert credentials.save_password(profile, "s3cret")
    assert credentials.load_password(profile) == "s3cret"
    assert memory_keyring.store == {("unioncore-desktop", "dana@db.hall.local/unioncore"): "s3cret"}


def test_no_keyring_backend_means_ask_every_time():
    import keyring
    from keyring.backends.fail import Keyring as FailKeyring

    from unioncore_desktop.db import credentials

    previous = keyring.get_keyring()
    keyring.set_keyring(FailKeyring())
    try:
        profile = ConnectionProfile(name="hall", host="db", user="dana")
        assert not credentials.keyring_available()
        assert credentials.save_password(profile, "x") is False
        assert credentials.load_password(profile) is None
    finally:
        keyring.set_keyring(previous)
