"""File → Change password…: staff set a new password for their own login.

The form only catches two fields that differ; the domain decides what is long enough and sends the server a
SCRAM verifier, never the password itself. A refusal keeps what was typed; success also replaces the password this
workstation keeps in the keyring, when it keeps one."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from unioncore_desktop.db import credentials
from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import staff
from unioncore_desktop.domain.rules.staff import PASSWORDS_DIFFER
from unioncore_desktop.gui import messages
from unioncore_desktop.gui.forms.ui_change_password_dialog import Ui_ChangePasswordDialog
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.field_errors import FieldErrors, as_message
from unioncore_desktop.gui.widgets.typed_work import DiscardGuard


def change_and_remember(hall: HallConnection, new_password: str) -> bool:
    """Runs in a worker: change the password, let this session's new connections use it, and replace the keyring's
    copy if this workstation keeps one. Returns whether the keyring was updated."""
    staff.change_own_password(hall, new_password)
    hall.use_password(new_password)
    if credentials.load_password(hall.profile) is None:
        return False
    return credentials.save_password(hall.profile, new_password)


class ChangePasswordDialog(QDialog):
    """The form is ui/change_password_dialog.ui; the two fields' errors sit under them."""

    def reject(self) -> None:
        if self.discard_guard.allows_closing():
            super().reject()

    def __init__(self, runner: TaskRunner, hall: HallConnection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.discard_guard = DiscardGuard(self, self.tr("this dialog"))  # Esc asks before typing is lost
        self.form = Ui_ChangePasswordDialog()
        self.form.setupUi(self)
        self.setWindowTitle(self.tr("Change password"))
        self.runner = runner
        self.hall = hall
        self.changed = False
        self.keyring_updated = False

        self.new_edit = self.form.newPasswordEdit
        self.confirm_edit = self.form.confirmPasswordEdit
        self.message = as_message(self.form.formMessage)
        self.errors = FieldErrors(self.message)
        self.errors.adopt("new_password", self.form.newPasswordError, self.new_edit)
        self.errors.adopt("confirm", self.form.confirmPasswordError, self.confirm_edit)
        self.form.introLabel.setText(self.tr("A new password for <b>{name}</b> ({user}). Your windows stay open; use "
                                             "the new password the next time you log in.").format(
            name=hall.facts.full_name, user=hall.facts.user))

        self.buttons = self.form.buttonBox
        save_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert save_button is not None  # the form has an OK button
        self.save_button = save_button
        self.save_button.setText(self.tr("&Change password"))
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.save_button.setDefault(True)
        self.setTabOrder(self.confirm_edit, self.save_button)
        self.new_edit.setFocus()

    def _on_buttons_accepted(self) -> None:
        new_password, again = self.new_edit.text(), self.confirm_edit.text()
        if new_password != again:
            self.errors.show({"confirm": PASSWORDS_DIFFER})
            return
        self.errors.clear()
        self.save_button.setEnabled(False)
        hall = self.hall
        self.runner.command(lambda: change_and_remember(hall, new_password), parent=self, success=self._on_changed,
                            failure=self._on_failed, name="change own password")

    def _on_changed(self, keyring_updated: bool) -> None:
        self.changed = True
        self.keyring_updated = keyring_updated
        self.new_edit.clear()
        self.confirm_edit.clear()
        self.save_button.setEnabled(True)
        self.accept()
        text = self.tr("Password changed. Use the new password the next time you log in.")
        if keyring_updated:
            text += " " + self.tr("The password kept in this computer's keyring was replaced with the new one.")
        messages.information(self.parentWidget() or self, self.tr("Password changed"), text)

    def _on_failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.errors.show_failure(exc, self)
