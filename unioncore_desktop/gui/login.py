"""Log in: a connection profile and password (kept in the system keyring when there is one), or a demo staff
member on the demo server. The dialog closes only once preflight has passed."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFileDialog, QWidget

from unioncore_desktop.db import credentials
from unioncore_desktop.db.connection import HallConnection, connect
from unioncore_desktop.db.preflight import PreflightError
from unioncore_desktop.db.profile import SSL_MODES, ConnectionProfile
from unioncore_desktop.domain.errors import ConnectionProblem
from unioncore_desktop.gui.forms.ui_login_dialog import Ui_LoginDialog
from unioncore_desktop.gui.settings import load_connection_profile, save_connection_profile
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.field_errors import as_message
from unioncore_desktop.seed.demo import DEMO_STAFF

# What each encryption choice means to the person filling in the profile.
SSL_MODE_LABELS = {
    "prefer": "Encrypt when the server offers it",
    "require": "Always encrypt",
    "verify-full": "Always encrypt and check the server's certificate",
}


def load_profile(name: str = "default") -> ConnectionProfile | None:
    """Profiles live in QSettings (no password); the last used one is offered first."""
    return load_connection_profile(name)


def save_profile(profile: ConnectionProfile) -> None:
    save_connection_profile(profile)


class LoginDialog(QDialog):
    """`demo_profile` set: pick a demo staff member; otherwise host/port/database/user/password and encryption.
    The form is ui/login_dialog.ui, showing only the rows the chosen kind of login needs."""

    def __init__(self, runner: TaskRunner, *, demo_profile: ConnectionProfile | None = None,
                 parent: QWidget | None = None, connector: Callable[..., HallConnection] = connect) -> None:
        super().__init__(parent)
        self.form = Ui_LoginDialog()
        self.form.setupUi(self)
        self.runner = runner
        self.demo_profile = demo_profile
        self.connector = connector
        self.connection: HallConnection | None = None

        f = self.form
        self.staff_combo, self.host_edit, self.port_spin = f.staffCombo, f.hostEdit, f.portSpin
        self.database_edit, self.user_edit, self.password_edit = f.databaseEdit, f.userEdit, f.passwordEdit
        self.sslmode_combo, self.ca_edit, self.ca_browse, self.ca_row = f.sslmodeCombo, f.caEdit, f.caBrowse, f.caRow
        self.reports_edit = f.reportsEdit
        self.remember_check, self.keyring_note = f.rememberCheck, f.keyringNote
        for mode in SSL_MODES:
            self.sslmode_combo.addItem(self.tr(SSL_MODE_LABELS[mode]), mode)
        self.ca_browse.clicked.connect(self._on_ca_browse_clicked)
        # one form for both: the demo server's staff row, or the connection profile's rows
        demo_row = f.form.getWidgetPosition(self.staff_combo)[0]
        for row in range(f.form.rowCount()):
            f.form.setRowVisible(row, (row == demo_row) == (demo_profile is not None))
        if demo_profile is not None:
            for staff in DEMO_STAFF:
                roles = ", ".join(role.replace("_", " ") for role in staff.roles)
                self.staff_combo.addItem(f"{staff.full_name} — {roles}", staff.login)
        else:
            if not credentials.keyring_available():
                self.remember_check.setChecked(False)
                self.remember_check.setEnabled(False)
                self.keyring_note.setText(self.tr("This computer has no password keyring, so the password is "
                                                  "asked for each time and never saved."))
            else:
                self.remember_check.setChecked(True)
            saved = load_profile()
            if saved is not None:
                self.host_edit.setText(saved.host)
                self.port_spin.setValue(saved.port)
                self.database_edit.setText(saved.database)
                self.user_edit.setText(saved.user)
                self.password_edit.setText(credentials.load_password(saved) or "")
                self._set_sslmode(saved.sslmode)
                self.ca_edit.setText(saved.sslrootcert)
                self.reports_edit.setText(saved.reports_host)
            self.sslmode_combo.currentIndexChanged.connect(self._update_ca_row)
            self._update_ca_row()

        self.error_label = as_message(f.formMessage)
        self.buttons = f.buttonBox
        ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok_button is not None  # the form has OK
        ok_button.setText(self.tr("Log in"))
        self.buttons.accepted.connect(self.accept)
        self.keyring_note.setVisible(bool(self.keyring_note.text()))

    def profile(self) -> tuple[ConnectionProfile, str | None]:
        if self.demo_profile is not None:
            return self.demo_profile.with_user(self.staff_combo.currentData()), None
        profile = ConnectionProfile(name="default", host=self.host_edit.text().strip(), port=self.port_spin.value(),
                                    database=self.database_edit.text().strip(), user=self.user_edit.text().strip(),
                                    sslmode=self.sslmode_combo.currentData(), sslrootcert=self.ca_edit.text().strip(),
                                    reports_host=self.reports_edit.text().strip())
        return profile, self.password_edit.text() or None

    def _set_sslmode(self, mode: str) -> None:
        index = self.sslmode_combo.findData(mode)
        if index < 0:  # a mode set outside the editor (a URL): keep it, so saving does not quietly weaken it
            self.sslmode_combo.addItem(mode, mode)
            index = self.sslmode_combo.count() - 1
        self.sslmode_combo.setCurrentIndex(index)

    def _update_ca_row(self, *_args: object) -> None:
        # "prefer" never checks a certificate; with "require" a CA file upgrades it to checking the signer
        self.ca_row.setEnabled(self.sslmode_combo.currentData() != "prefer")

    def _on_ca_browse_clicked(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, self.tr("CA certificate file"), self.ca_edit.text(),
                                                    self.tr("Certificates (*.crt *.pem *.cer);;All files (*)"))
        if path:
            self.ca_edit.setText(path)

    def accept(self) -> None:
        """Connect in a worker; close only when preflight passes, keeping everything typed otherwise."""
        try:
            profile, password = self.profile()
        except ValueError as exc:  # a server list with an empty entry, "a,,b"
            self._show_error(str(exc))
            return
        if self.demo_profile is None and not (profile.host and profile.user and profile.database):
            self._show_error(self.tr("Fill in the server, database and user."))
            return
        if self.demo_profile is None and profile.sslmode == "verify-full" and not profile.sslrootcert \
                and not profile.is_local_socket:
            self._show_error(self.tr("Checking the server's certificate needs the CA certificate file that signed "
                                     "it: choose it under CA certificate, or ask the administrator for it."))
            self.ca_edit.setFocus()
            return
        self.buttons.setEnabled(False)
        self._show_error("")
        self.runner.query(lambda: self.connector(profile, password), parent=self,
                          success=lambda hall: self._on_connected(hall, profile, password),
                          failure=self._on_failed, name="log in")

    def _on_connected(self, hall: HallConnection, profile: ConnectionProfile, password: str | None) -> None:
        self.connection = hall
        if self.demo_profile is None:
            save_profile(profile)
            if password and self.remember_check.isChecked():
                credentials.save_password(profile, password)
        super().accept()

    def _on_failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(exc, (PreflightError, ConnectionProblem)):
            self._show_error(exc.message)
        else:
            self._show_error(str(exc))

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))
