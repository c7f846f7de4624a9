"""A database older than this build: the app offers the upgrade only to the login that may run it. A staff admin
(staff logins never own the schema) is told to ask for it and is never asked "Upgrade now?"."""

from __future__ import annotations

from sqlalchemy import create_engine

from unioncore_desktop.db import migrate
from unioncore_desktop.db.connection import connect
from unioncore_desktop.db.preflight import SchemaState
from unioncore_desktop.db.profile import ConnectionProfile
from unioncore_desktop.gui.app import Application, parse_args


def test_a_staff_admin_is_told_to_ask_for_the_upgrade_not_offered_it(qtbot, databases, tmp_path, message_recorder):
    name = databases.create_empty()
    owner = create_engine(databases.server.url(name))
    try:
        migrate.upgrade(owner, "0016")
    finally:
        owner.dispose()
    admin = databases.make_staff(name, "admin", "Avery Admin")
    hall = connect(ConnectionProfile.from_url(databases.server.url(name, admin)))
    assert hall.facts.schema is SchemaState.NEEDS_UPGRADE and not hall.facts.can_migrate

    app = Application(parse_args([]), tmp_path / "log.txt")
    try:
        app._open_main_window(hall)
        assert [(m.kind, m.title) for m in message_recorder.messages] == [("error", "Database needs an upgrade")]
        assert "unioncore db upgrade" in message_recorder.messages[0].text
        assert app.window is None and app.exit_code == 1
        owner = databases.engine(name)  # disposed with the test's databases
        with owner.connect() as conn:
            assert migrate.current_revision(conn) == "0016"  # nothing was upgraded
    finally:
        app.runner.shutdown(wait=True)
        app.splash.deleteLater()
