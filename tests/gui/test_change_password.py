"""File → Change password… against a real staff login and a threaded task runner: two different passwords are
caught at the form, a short one is refused with the domain's sentence and the input kept, and a good one is stored
by the server as a SCRAM-SHA-256 verifier of exactly that password, replacing the keyring's copy when there is one.

The embedded test server trusts its unix socket, so no new login can prove the password; the verifier in
pg_authid is checked against the password instead (RFC 5802: StoredKey = H(HMAC(SaltedPassword, "Client Key")))."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging

import pytest
from psycopg.conninfo import conninfo_to_dict
from PySide6.QtCore import Qt
from sqlalchemy import text

from unioncore_desktop.db import credentials
from unioncore_desktop.domain.errors import ValidationError
from unioncore_desktop.domain.services.staff import check_password
from unioncore_desktop.gui.change_password import ChangePasswordDialog
from unioncore_desktop.gui.main_window import MainWindow

WAIT = 10_000
NEW_PASSWORD = "Lineman-Tuesday-42"


@pytest.fixture
def window(qtbot, runner, staff_login, databases, ui_settings):
    hall = staff_login(databases.create(), "dispatcher", "Dee Dispatcher")
    main = MainWindow(runner, hall, ui_settings)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT)  # the area's first load, so `busy` below is ours
    yield main
    runner.shutdown(wait=True)


def open_dialog(qtbot, window: MainWindow) -> ChangePasswordDialog:
    file_menu = window.menuBar().actions()[0].menu()
    action = next(a for a in file_menu.actions() if a.text() == "Change &password…")
    action.trigger()
    dialog = window.findChild(ChangePasswordDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.isActiveWindow(), timeout=WAIT)
    return dialog


def type_passwords(qtbot, dialog: ChangePasswordDialog, new: str, again: str) -> None:
    assert dialog.new_edit.echoMode() is dialog.new_edit.EchoMode.Password
    assert dialog.confirm_edit.echoMode() is dialog.confirm_edit.EchoMode.Password
    for edit, value in ((dialog.new_edit, new), (dialog.confirm_edit, again)):
        edit.clear()
        qtbot.keyClicks(edit, value)
    qtbot.keyClick(dialog.confirm_edit, Qt.Key.Key_Return)


def stored_verifier(databases, login: str) -> str | None:
    engine = databases.server.admin_engine()
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT rolpassword FROM pg_authid WHERE rolname = :r"), {"r": login}).scalar()
    finally:
        engine.dispose()


def verifier_matches(verifier: str, password: str) -> bool:
    """`SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, checked the way the server checks a login."""
    method, iterations_salt, keys = verifier.split("$")
    iterations, salt = iterations_salt.split(":")
    stored_key, _server_key = keys.split(":")
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt), int(iterations))
    client_key = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    return method == "SCRAM-SHA-256" and hashlib.sha256(client_key).digest() == base64.b64decode(stored_key)


def test_two_different_passwords_are_caught_at_the_form(qtbot, window, runner, databases):
    dialog = open_dialog(qtbot, window)
    type_passwords(qtbot, dialog, NEW_PASSWORD, NEW_PASSWORD + "!")
    error = dialog.errors.labels["confirm"]
    assert error.isVisible() and "not the same" in error.text()
    assert dialog.confirm_edit.property("error") is True
    assert dialog.isVisible() and not runner.busy  # nothing was sent
    assert dialog.new_edit.text() == NEW_PASSWORD and dialog.confirm_edit.text() == NEW_PASSWORD + "!"
    assert stored_verifier(databases, window.hall.facts.user) is None


def test_a_short_password_is_refused_with_the_domains_sentence(qtbot, window, databases, message_recorder):
    with pytest.raises(ValidationError) as rule:
        check_password("short")
    dialog = open_dialog(qtbot, window)
    type_passwords(qtbot, dialog, "short", "short")
    error = dialog.errors.labels["new_password"]
    qtbot.waitUntil(error.isVisible, timeout=WAIT)
    assert error.text() == rule.value.errors["new_password"] == "A password has at least 8 characters."
    assert dialog.isVisible() and dialog.save_button.isEnabled() and not dialog.changed
    assert dialog.new_edit.text() == "short" and dialog.confirm_edit.text() == "short"  # what was typed stays
    assert not dialog.errors.labels["confirm"].isVisible()
    assert message_recorder.messages == []
    assert stored_verifier(databases, window.hall.facts.user) is None


def test_a_new_password_is_stored_as_a_scram_verifier_and_replaces_the_keyrings(
        qtbot, window, databases, message_recorder, memory_keyring, caplog):
    hall = window.hall
    login = hall.facts.user
    assert credentials.save_password(hall.profile, "the-old-one")  # this workstation remembers the login
    caplog.set_level(logging.DEBUG)
    dialog = open_dialog(qtbot, window)
    type_passwords(qtbot, dialog, NEW_PASSWORD, NEW_PASSWORD)
    qtbot.waitUntil(lambda: dialog.changed, timeout=WAIT)

    assert not dialog.isVisible() and dialog.keyring_updated
    assert dialog.new_edit.text() == "" and dialog.confirm_edit.text() == ""
    [message] = message_recorder.messages
    assert (message.kind, message.title, message.parent) == ("information", "Password changed", window)
    assert message.text.startswith("Password changed.") and "keyring was replaced" in message.text
    assert credentials.load_password(hall.profile) == NEW_PASSWORD

    verifier = stored_verifier(databases, login)
    assert verifier is not None and verifier.startswith("SCRAM-SHA-256$")
    assert verifier_matches(verifier, NEW_PASSWORD) and not verifier_matches(verifier, "the-old-one")
    assert NEW_PASSWORD not in caplog.text

    # this session's next connections (the pool recycles them, the live board reconnects) log in with it
    hall.engine.dispose()
    with hall.engine.connect() as conn:
        assert conn.connection.dbapi_connection.info.password == NEW_PASSWORD
    assert conninfo_to_dict(hall.listener(lambda _changes: None).conninfo)["password"] == NEW_PASSWORD


def test_without_a_stored_password_the_keyring_is_left_alone(qtbot, window, databases, message_recorder,
                                                              memory_keyring):
    dialog = open_dialog(qtbot, window)
    type_passwords(qtbot, dialog, NEW_PASSWORD, NEW_PASSWORD)
    qtbot.waitUntil(lambda: dialog.changed, timeout=WAIT)
    assert not dialog.keyring_updated and memory_keyring.store == {}
    [message] = message_recorder.messages
    assert "keyring" not in message.text
    assert verifier_matches(stored_verifier(databases, window.hall.facts.user), NEW_PASSWORD)
