"""The staff administrator's forms: add a login or change its roles (one form), reset a password, and a person's
recent activity. Each form checks with domain/rules/staff.py before asking the server, keeps what was typed when
the server refuses, and closes only when the command succeeded."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import staff
from unioncore_desktop.domain.queries.staff import StaffActivity, StaffRow
from unioncore_desktop.domain.rules.staff import new_password_errors, roles_errors, staff_errors
from unioncore_desktop.domain.vocab import STAFF_ROLES
from unioncore_desktop.gui import reporting
from unioncore_desktop.gui.forms.ui_reset_password_dialog import Ui_ResetPasswordDialog
from unioncore_desktop.gui.forms.ui_staff_activity_dialog import Ui_StaffActivityDialog
from unioncore_desktop.gui.forms.ui_staff_login_dialog import Ui_StaffLoginDialog
from unioncore_desktop.gui.itemmodels.staff import ActivityModel
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.field_errors import FieldErrors, as_message
from unioncore_desktop.gui.widgets.simple_table import simple_table
from unioncore_desktop.gui.widgets.typed_work import DiscardGuard


def _ok_button(buttons: QDialogButtonBox, text: str) -> QWidget:
    button = buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert button is not None  # the form has an OK button
    button.setText(text)
    button.setDefault(True)
    return button


class StaffLoginDialog(QDialog):
    """A new staff login (name, login, roles, a password typed twice), or, given `editing`, that login's roles
    only. The form is ui/staff_login_dialog.ui; `saved` is the row as the server has it afterwards."""

    def reject(self) -> None:
        if self.discard_guard.allows_closing():
            super().reject()

    def __init__(self, runner: TaskRunner, hall: HallConnection, editing: StaffRow | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.discard_guard = DiscardGuard(self, self.tr("this dialog"))  # Esc asks before typing is lost
        self.form = Ui_StaffLoginDialog()
        self.form.setupUi(self)
        self.runner = runner
        self.hall = hall
        self.editing = editing
        self.saved: StaffRow | None = None
        f = self.form
        self.full_name_edit, self.login_edit = f.full_name, f.login
        self.password_edit, self.confirm_edit = f.password, f.confirm
        self.role_boxes: dict[str, QCheckBox] = {role: getattr(f, f"role_{role}") for role in STAFF_ROLES}
        self.message = as_message(f.formMessage)
        self.errors = FieldErrors(self.message)
        for name in ("full_name", "login", "roles", "password", "confirm"):
            self.errors.adopt(name, getattr(f, f"{name}Error"), getattr(f, name))
        if editing is None:
            self.setWindowTitle(self.tr("Add a staff login"))
            f.introLabel.setText(self.tr("The person logs in with this login and password; give them the "
                                         "password in person. They can change it from File → Change password."))
            self.save_button = _ok_button(f.buttonBox, self.tr("&Add login"))
            self.full_name_edit.setFocus()
        else:
            self.setWindowTitle(self.tr("Roles of {login}").format(login=editing.login))
            f.introLabel.setText(self.tr("The roles of <b>{name}</b> ({login}). Roles not ticked are taken away; "
                                         "the server applies the change at once, their screens at their next "
                                         "log-in.").format(
                name=editing.full_name, login=editing.login))
            self.full_name_edit.setText(editing.full_name)
            self.login_edit.setText(editing.login)
            for widget in (self.full_name_edit, self.login_edit):
                widget.setReadOnly(True)
                widget.setEnabled(False)
            for name in ("password", "confirm"):
                getattr(f, name).setVisible(False)
                getattr(f, f"{name}Caption").setVisible(False)
            for role in editing.roles:
                self.role_boxes[role].setChecked(True)
            self.save_button = _ok_button(f.buttonBox, self.tr("&Save roles"))
            next(iter(self.role_boxes.values())).setFocus()
            self.resize(self.width(), self.minimumSizeHint().height())
        f.buttonBox.accepted.connect(self._on_buttons_accepted)

    def roles(self) -> list[str]:
        return [role for role, box in self.role_boxes.items() if box.isChecked()]

    def _on_buttons_accepted(self) -> None:
        roles = self.roles()
        if self.editing is None:
            login, full_name = self.login_edit.text().strip(), self.full_name_edit.text().strip()
            errors = staff_errors(login=login, full_name=full_name, roles=roles)
            errors.update(new_password_errors(self.password_edit.text(), self.confirm_edit.text(),
                                              field="password"))
        else:
            errors = roles_errors(roles)
        if errors:
            self.errors.show(errors)
            return
        self.errors.clear()
        self.save_button.setEnabled(False)
        if self.editing is None:
            command = partial(staff.add_staff, self.hall, login=login, full_name=full_name, roles=roles,
                              password=self.password_edit.text())
        else:
            command = partial(staff.set_roles, self.hall, self.editing, roles)
        self.runner.command(command, parent=self, success=self._on_saved, failure=self._on_failed,
                            name="add staff" if self.editing is None else "set staff roles")

    def _on_saved(self, row: StaffRow) -> None:
        self.saved = row
        self.password_edit.clear()
        self.confirm_edit.clear()
        self.save_button.setEnabled(True)
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.errors.show_failure(exc, self)


class ResetPasswordDialog(QDialog):
    """A new password for someone else's login (ui/reset_password_dialog.ui); sent as a SCRAM verifier."""

    def reject(self) -> None:
        if self.discard_guard.allows_closing():
            super().reject()

    def __init__(self, runner: TaskRunner, hall: HallConnection, row: StaffRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.discard_guard = DiscardGuard(self, self.tr("this dialog"))  # Esc asks before typing is lost
        self.form = Ui_ResetPasswordDialog()
        self.form.setupUi(self)
        self.setWindowTitle(self.tr("Reset the password of {login}").format(login=row.login))
        self.runner = runner
        self.hall = hall
        self.row = row
        self.new_edit, self.confirm_edit = self.form.new_password, self.form.confirm
        self.message = as_message(self.form.formMessage)
        self.errors = FieldErrors(self.message)
        self.errors.adopt("new_password", self.form.new_passwordError, self.new_edit)
        self.errors.adopt("confirm", self.form.confirmError, self.confirm_edit)
        self.form.introLabel.setText(self.tr("A new password for <b>{name}</b> ({login}). Give it to them in person; "
                                             "they can change it from File → Change password.").format(
            name=row.full_name, login=row.login))
        self.save_button = _ok_button(self.form.buttonBox, self.tr("&Reset password"))
        self.form.buttonBox.accepted.connect(self._on_buttons_accepted)
        self.new_edit.setFocus()

    def _on_buttons_accepted(self) -> None:
        password = self.new_edit.text()
        errors = new_password_errors(password, self.confirm_edit.text())
        if errors:
            self.errors.show(errors)
            return
        self.errors.clear()
        self.save_button.setEnabled(False)
        self.runner.command(partial(staff.reset_password, self.hall, self.row, password), parent=self,
                            success=self._on_done, failure=self._on_failed, name="reset staff password")

    def _on_done(self, _row: StaffRow) -> None:
        self.new_edit.clear()
        self.confirm_edit.clear()
        self.save_button.setEnabled(True)
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.errors.show_failure(exc, self)


class StaffActivityDialog(QDialog):
    """A person's newest changes as the audit trail shows them to the reader (ui/staff_activity_dialog.ui)."""

    def __init__(self, runner: TaskRunner, hall: HallConnection, row: StaffRow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = Ui_StaffActivityDialog()
        self.form.setupUi(self)
        self.setWindowTitle(self.tr("Recent activity of {login}").format(login=row.login))
        self.runner = runner
        self.hall = hall
        self.row = row
        self.activity: StaffActivity | None = None
        self.model = ActivityModel(parent=self)
        self.table = simple_table(self.model, self.form.activityTable)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # newest first
        self.form.exportButton.clicked.connect(self._on_export_button_clicked)
        self.form.introLabel.setText(self.tr("Loading the changes made by {name} ({login})…").format(
            name=row.full_name, login=row.login))
        runner.query(partial(staff.staff_activity, hall, row.login), parent=self, key=("staff-activity", id(self)),
                     success=self._show, name="staff activity")

    def _show(self, activity: StaffActivity) -> None:
        self.activity = activity
        self.model.set_rows(activity.rows)
        self.table.resizeColumnsToContents()
        count = len(activity.rows)
        if not count:
            text = self.tr("{name} ({login}) has changed nothing you can see.")
        elif count >= activity.limit:
            text = self.tr("The newest {count} changes made by {name} ({login}), newest first.")
        else:
            text = self.tr("{count} changes made by {name} ({login}), newest first.")
        self.form.introLabel.setText(text.format(count=count, name=self.row.full_name, login=self.row.login))

    def _on_export_button_clicked(self) -> None:
        reporting.export_model(self.runner, self.hall, self, self.model, "Staff activity",
                               [("Login", self.row.login)])
