"""File → Staff logins… against a real PostgreSQL with a threaded task runner, as an admin login: add a login
through the form (a mismatch and a short password caught at the form), change its roles, reset its password,
deactivate and reactivate it, and open its recent activity. Other groups are not offered the screen."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import text

from unioncore_desktop.domain.actions import staff as staff_actions
from unioncore_desktop.domain.rules.staff import LOGIN_TAKEN, PASSWORDS_DIFFER
from unioncore_desktop.gui.main_window import MainWindow
from unioncore_desktop.gui.staff.dialogs import ResetPasswordDialog, StaffActivityDialog, StaffLoginDialog
from unioncore_desktop.gui.staff.screen import StaffDialog

WAIT = 10_000


@pytest.fixture
def hall_db(databases):
    return databases.create()


def open_window(qtbot, runner, hall, ui_settings) -> MainWindow:
    main = MainWindow(runner, hall, ui_settings)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT)
    return main


def menu_texts(window: MainWindow) -> list[str]:
    return [a.text() for a in window.menuBar().actions()[0].menu().actions()]


@pytest.fixture
def staff_dialog(qtbot, runner, staff_login, hall_db, ui_settings) -> StaffDialog:
    window = open_window(qtbot, runner, staff_login(hall_db, "admin", "Avery Admin"), ui_settings)
    action = next(a for a in window.menuBar().actions()[0].menu().actions() if a.text() == "&Staff logins…")
    action.trigger()
    dialog = window.findChild(StaffDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0, timeout=WAIT)
    return dialog


def select_login(qtbot, dialog: StaffDialog, login: str) -> None:
    qtbot.waitUntil(lambda: any(r.login == login for r in dialog.model.rows), timeout=WAIT)
    row = next(r for r in dialog.model.rows if r.login == login)
    dialog.table.setCurrentIndex(dialog.model.index_for_id(row.id))


def catalog(databases, database: str, login: str) -> tuple[bool, list[str], str | None]:
    with databases.engine(database).connect() as conn:
        can_login, password = conn.execute(text("SELECT rolcanlogin, rolpassword FROM pg_authid WHERE rolname = :l"),
                                           {"l": login}).one()
        roles = conn.execute(text("SELECT uc_staff_roles_of(:l)"), {"l": login}).scalar_one()
    return can_login, list(roles), password


def test_only_an_admin_is_offered_staff_logins(qtbot, runner, staff_login, hall_db, ui_settings):
    manager = open_window(qtbot, runner, staff_login(hall_db, "manager+dues_clerk"), ui_settings)
    assert "&Staff logins…" not in menu_texts(manager)
    admin = open_window(qtbot, runner, staff_login(hall_db, "admin"), ui_settings)
    assert "&Staff logins…" in menu_texts(admin)


def test_an_admin_adds_a_login_changes_its_roles_resets_and_deactivates_it(qtbot, staff_dialog, databases, hall_db,
                                                                           pg_server, message_recorder):
    dialog = staff_dialog
    login = f"t_gui_{uuid.uuid4().hex[:8]}"
    pg_server.roles_created.append(login)

    qtbot.keyClick(dialog.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    add = dialog.child
    assert isinstance(add, StaffLoginDialog) and add.isVisible()
    qtbot.keyClicks(add.full_name_edit, "Dana Walsh")
    qtbot.keyClicks(add.login_edit, login)
    add.role_boxes["dispatcher"].setChecked(True)
    qtbot.keyClicks(add.password_edit, "Lineman-Tuesday-42")
    qtbot.keyClicks(add.confirm_edit, "Lineman-Tuesday-43")
    qtbot.keyClick(add.confirm_edit, Qt.Key.Key_Return)
    assert add.errors.labels["confirm"].text() == PASSWORDS_DIFFER and add.isVisible()
    add.password_edit.clear()
    add.confirm_edit.clear()
    qtbot.keyClicks(add.password_edit, "short")
    qtbot.keyClicks(add.confirm_edit, "short")
    qtbot.keyClick(add.confirm_edit, Qt.Key.Key_Return)
    assert add.errors.labels["password"].text() == "A password has at least 8 characters."
    assert add.login_edit.text() == login  # what was typed stays
    add.password_edit.clear()
    add.confirm_edit.clear()
    qtbot.keyClicks(add.password_edit, "Lineman-Tuesday-42")
    qtbot.keyClicks(add.confirm_edit, "Lineman-Tuesday-42")
    with qtbot.waitSignal(add.accepted, timeout=WAIT):
        qtbot.keyClick(add.confirm_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.selected() is not None and dialog.selected().login == login, timeout=WAIT)
    assert dialog.selected().roles == ("dispatcher",) and dialog.notice.text() == f"{login} added"
    can_login, roles, password = catalog(databases, hall_db, login)
    assert can_login and roles == ["dispatcher"] and password.startswith("SCRAM-SHA-256$")

    # the same name again is refused by the server, beside the field, and the form stays open
    again = dialog.add_login()
    assert isinstance(again, StaffLoginDialog)
    again.full_name_edit.setText("Someone Else")
    again.login_edit.setText(login)
    again.role_boxes["manager"].setChecked(True)
    again.password_edit.setText("another good one")
    again.confirm_edit.setText("another good one")
    again.save_button.click()
    qtbot.waitUntil(lambda: again.errors.labels["login"].isVisible(), timeout=WAIT)
    assert again.errors.labels["login"].text() == LOGIN_TAKEN and again.isVisible()
    assert again.full_name_edit.text() == "Someone Else"
    again.reject()

    select_login(qtbot, dialog, login)
    roles_dialog = dialog.change_roles()
    assert isinstance(roles_dialog, StaffLoginDialog) and roles_dialog.login_edit.isReadOnly()
    assert not roles_dialog.password_edit.isVisible()
    roles_dialog.role_boxes["dispatcher"].setChecked(False)
    roles_dialog.save_button.click()
    assert roles_dialog.errors.labels["roles"].text() == "Give the staff member at least one role."
    roles_dialog.role_boxes["manager"].setChecked(True)
    roles_dialog.role_boxes["dues_clerk"].setChecked(True)
    with qtbot.waitSignal(roles_dialog.accepted, timeout=WAIT):
        roles_dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.selected().roles == ("dues_clerk", "manager"), timeout=WAIT)
    assert catalog(databases, hall_db, login)[1] == ["dues_clerk", "manager"]

    before = catalog(databases, hall_db, login)[2]
    reset = dialog.reset_password()
    assert isinstance(reset, ResetPasswordDialog)
    qtbot.keyClicks(reset.new_edit, "Brand-new-secret-7")
    qtbot.keyClicks(reset.confirm_edit, "Brand-new-secret-7")
    with qtbot.waitSignal(reset.accepted, timeout=WAIT):
        qtbot.keyClick(reset.confirm_edit, Qt.Key.Key_Return)
    after = catalog(databases, hall_db, login)[2]
    assert after != before and after.startswith("SCRAM-SHA-256$")

    dialog.form.deactivateButton.click()
    qtbot.waitUntil(lambda: dialog.selected().state == "deactivated", timeout=WAIT)
    assert message_recorder.kinds()[-1] == "question"
    assert catalog(databases, hall_db, login)[0] is False
    assert not dialog.form.rolesButton.isEnabled() and dialog.form.reactivateButton.isEnabled()
    dialog.form.reactivateButton.click()
    qtbot.waitUntil(lambda: dialog.selected().state == "active", timeout=WAIT)
    assert catalog(databases, hall_db, login)[0] is True

    activity = dialog.show_activity()
    assert isinstance(activity, StaffActivityDialog)
    qtbot.waitUntil(lambda: activity.activity is not None, timeout=WAIT)
    assert activity.activity.rows == []  # the new login has changed nothing yet
    assert "has changed nothing you can see" in activity.form.introLabel.text()


def test_a_persons_activity_lists_what_they_changed(qtbot, staff_dialog, pg_server):
    dialog = staff_dialog
    login = f"t_act_{uuid.uuid4().hex[:8]}"
    pg_server.roles_created.append(login)
    staff_actions.add_staff(dialog.hall, login=login, full_name="Audited Person", roles=["dispatcher"],
                            password="a good password")
    me = dialog.hall.facts.user
    select_login(qtbot, dialog, me)
    activity = dialog.show_activity()
    assert isinstance(activity, StaffActivityDialog)
    qtbot.waitUntil(lambda: activity.activity is not None, timeout=WAIT)
    assert [(r.table_name, r.action) for r in activity.activity.rows] == [("staff", "UPDATE"), ("staff", "INSERT")]
    assert activity.model.index(0, 1).data() == "Staff" and "Roles" in activity.model.index(0, 4).data()
    assert activity.windowTitle() == f"Recent activity of {me}"
