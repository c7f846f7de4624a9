"""The login dialog's encryption settings and the status bar's word on the connection.

The embedded server has no TLS and is reached over its unix socket ("Local connection"); a TLS front end
(tests/tls_front_end.py) stands where a TLS-enabled server would, so verify-full is exercised by libpq itself."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tests.tls_front_end import Certificates, TlsFrontEnd, embedded_socket, make_certificates
from unioncore_desktop.db.profile import ConnectionProfile
from unioncore_desktop.gui.login import LoginDialog
from unioncore_desktop.gui.main_window import MainWindow, connection_security
from unioncore_desktop.gui.settings import load_connection_profile

WAIT = 10_000


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def front_end(pg_server, certificates: Certificates) -> Iterator[TlsFrontEnd]:
    path = embedded_socket(pg_server.admin_url)
    if path is None:
        pytest.skip("the TLS front end needs the embedded server's unix socket")
    proxy = TlsFrontEnd(path, certificates.server_context)
    yield proxy
    proxy.close()


def open_window(qtbot, runner, hall, ui_settings) -> MainWindow:
    window = MainWindow(runner, hall, ui_settings)
    qtbot.addWidget(window)
    window.show()
    return window


def log_in(qtbot, dialog: LoginDialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)


def test_the_embedded_server_shows_a_local_connection(qtbot, runner, staff_login, databases, ui_settings):
    hall = staff_login(databases.create(), "dispatcher")
    window = open_window(qtbot, runner, hall, ui_settings)
    assert window.encryption_label.text() == "Local connection"
    assert "nothing crosses the network" in window.encryption_label.toolTip()
    assert window.encryption_label in window.statusBar().findChildren(type(window.encryption_label))
    runner.shutdown(wait=True)


def test_verify_full_from_the_login_dialog_to_the_status_bar(qtbot, runner, databases, ui_settings, memory_keyring,
                                                              front_end, certificates, tmp_path: Path):
    name = databases.create()
    login = databases.make_staff(name, "dispatcher", "Dee Dispatcher")
    dialog = LoginDialog(runner)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.sslmode_combo.currentData() == "prefer" and not dialog.ca_row.isEnabled()
    dialog.host_edit.setText("localhost")
    dialog.port_spin.setValue(front_end.port)
    dialog.database_edit.setText(name)
    dialog.user_edit.setText(login)
    dialog.sslmode_combo.setCurrentIndex(dialog.sslmode_combo.findData("verify-full"))
    assert dialog.ca_row.isEnabled()

    log_in(qtbot, dialog)  # no CA file: refused at the form, nothing sent
    assert "needs the CA certificate file" in dialog.error_label.text() and dialog.buttons.isEnabled()
    assert front_end.tls_versions == []

    missing = tmp_path / "hall-ca.crt"
    dialog.ca_edit.setText(str(missing))
    log_in(qtbot, dialog)
    qtbot.waitUntil(lambda: "does not exist" in dialog.error_label.text(), timeout=WAIT)
    assert dialog.buttons.isEnabled() and dialog.connection is None

    dialog.ca_edit.setText(str(certificates.other_ca))
    log_in(qtbot, dialog)
    qtbot.waitUntil(lambda: "not signed by the CA in this profile" in dialog.error_label.text(), timeout=WAIT)
    assert dialog.ca_edit.text() == str(certificates.other_ca)  # what was typed stays

    dialog.ca_edit.setText(str(certificates.hall_ca))
    log_in(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.connection is not None, timeout=WAIT)
    hall = dialog.connection
    try:
        assert front_end.tls_versions[-1] == "TLSv1.3"
        saved = load_connection_profile()
        assert saved is not None and (saved.sslmode, saved.sslrootcert) == ("verify-full", str(certificates.hall_ca))
        again = LoginDialog(runner)  # the next login offers the same settings
        qtbot.addWidget(again)
        assert again.sslmode_combo.currentData() == "verify-full"
        assert again.ca_edit.text() == str(certificates.hall_ca)

        window = open_window(qtbot, runner, hall, ui_settings)
        assert window.encryption_label.text() == "Encrypted"
        assert "checked against the CA certificate in the profile" in window.encryption_label.toolTip()
        window.close()
    finally:
        runner.shutdown(wait=True)
        hall.close()


def test_the_label_names_the_tls_version_and_warns_when_not_encrypted(qtbot, staff_login, databases):
    facts = staff_login(databases.create(), "dispatcher").facts
    network = replace(facts, local_socket=False)
    checked = ConnectionProfile(name="hall", host="db.hall.local", sslmode="verify-full", sslrootcert="/ca.crt")
    text, tip = connection_security(replace(network, encrypted=True, tls_version="TLSv1.3",
                                            tls_cipher="TLS_AES_256_GCM_SHA384"), checked, "db.hall.local:5432")
    assert text == "Encrypted (TLSv1.3)"
    assert tip.startswith("The connection to db.hall.local:5432 is encrypted (TLSv1.3, TLS_AES_256_GCM_SHA384).")
    _text, tip = connection_security(replace(network, encrypted=True, tls_version="TLSv1.2"),
                                     replace(checked, sslmode="require", sslrootcert=""), "db.hall.local:5432")
    assert "certificate was not checked" in tip
    text, tip = connection_security(network, replace(checked, sslmode="prefer"), "db.hall.local:5432")
    assert text == "Not encrypted" and "cross the network to db.hall.local:5432 unencrypted" in tip


def test_the_login_dialog_takes_a_primary_and_standby_and_a_reports_standby(qtbot, runner, ui_settings):
    dialog = LoginDialog(runner)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.host_edit.setText("hall-a:5432,hall-b:5432")
    dialog.database_edit.setText("unioncore")
    dialog.user_edit.setText("dana")
    dialog.reports_edit.setText("hall-b:5432")
    profile, _password = dialog.profile()
    assert profile.session_attrs == "read-write" and profile.reports_host == "hall-b:5432"
    dialog.host_edit.setText("hall-a,,hall-b")  # refused at the form, with what was typed kept
    log_in(qtbot, dialog)
    assert "has no name" in dialog.error_label.text() and dialog.buttons.isEnabled()
    assert dialog.host_edit.text() == "hall-a,,hall-b"
