"""Log in: a connection profile and password (kept in the system keyring when there is one), or a demo staff
member on the demo server. The dialog closes only once preflight has passed."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop.db import credentials
from unioncore_desktop.db.connection import HallConnection, connect
from unioncore_desktop.db.preflight import PreflightError
from unioncore_desktop.db.profile import SSL_MODES, ConnectionProfile
from unioncore_desktop.domain.errors import ConnectionProblem
from unioncore_desktop.gui.settings import load_connection_profile, save_connection_profile
from unioncore_desktop.gui.tasks import TaskRunner
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
    """`demo_profile` set: pick a demo staff member; otherwise host/port/database/user/password and encryption."""

    def __init__(self, runner: TaskRunner, *, demo_profile: ConnectionProfile | None = None,
                 parent: QWidget | None = None, connector: Callable[..., HallConnection] = connect) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Log in to UnionCore"))
        self.runner = runner
        self.demo_profile = demo_profile
        self.connector = connector
        self.connection: HallConnection | None = None

        form = QFormLayout()
        self.staff_combo = QComboBox()
        self.host_edit = QLineEdit()
        self.port_spin = QSpinBox()
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(5432)
        self.database_edit = QLineEdit("unioncore")
        self.user_edit = QLineEdit()
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.sslmode_combo = QComboBox()
        self.sslmode_combo.setObjectName("sslmodeCombo")
        for mode in SSL_MODES:
            self.sslmode_combo.addItem(self.tr(SSL_MODE_LABELS[mode]), mode)
        self.sslmode_combo.setToolTip(self.tr("Encryption keeps passwords and member records unreadable on the "
                                              "network. Checking the certificate also proves it is the hall's "
                                              "server and not an impostor."))
        self.ca_edit = QLineEdit()
        self.ca_edit.setObjectName("caEdit")
        self.ca_edit.setPlaceholderText(self.tr("File from the administrator (.crt, .pem)"))
        self.ca_browse = QPushButton(self.tr("Browse…"))
        self.ca_browse.clicked.connect(self._on_ca_browse_clicked)
        self.ca_row = QWidget()
        ca_layout = QHBoxLayout(self.ca_row)
        ca_layout.setContentsMargins(0, 0, 0, 0)
        ca_layout.addWidget(self.ca_edit, 1)
        ca_layout.addWidget(self.ca_browse)
        self.remember_check = QCheckBox(self.tr("Remember the password in the system keyring"))
        self.keyring_note = QLabel()
        self.keyring_note.setWordWrap(True)
        if demo_profile is not None:
            for staff in DEMO_STAFF:
                roles = ", ".join(role.replace("_", " ") for role in staff.roles)
                self.staff_combo.addItem(f"{staff.full_name} — {roles}", staff.login)
            form.addRow(self.tr("Demo staff"), self.staff_combo)
        else:
            form.addRow(self.tr("Server"), self.host_edit)
            form.addRow(self.tr("Port"), self.port_spin)
            form.addRow(self.tr("Database"), self.database_edit)
            form.addRow(self.tr("User"), self.user_edit)
            form.addRow(self.tr("Password"), self.password_edit)
            form.addRow("", self.remember_check)
            form.addRow(self.tr("Encryption"), self.sslmode_combo)
            form.addRow(self.tr("CA certificate"), self.ca_row)
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
            self.sslmode_combo.currentIndexChanged.connect(self._update_ca_row)
            self._update_ca_row()

        self.error_label = QLabel()
        self.error_label.setObjectName("formMessage")
        self.error_label.setWordWrap(True)
        self.error_label.setVisible(False)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Log in"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.keyring_note)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self.keyring_note.setVisible(bool(self.keyring_note.text()))

    def profile(self) -> tuple[ConnectionProfile, str | None]:
        if self.demo_profile is not None:
            return self.demo_profile.with_user(self.staff_combo.currentData()), None
        profile = ConnectionProfile(name="default", host=self.host_edit.text().strip(), port=self.port_spin.value(),
                                    database=self.database_edit.text().strip(), user=self.user_edit.text().strip(),
                                    sslmode=self.sslmode_combo.currentData(), sslrootcert=self.ca_edit.text().strip())
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
        profile, password = self.profile()
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
