"""File → Staff logins… (admins): every staff login with its roles and state, and what an administrator does to
them — add, change roles, deactivate and reactivate, reset a password — with the person's recent activity one
click away. Every change goes through the guarded functions the `unioncore staff` command uses."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import staff
from unioncore_desktop.domain.queries.staff import StaffRow
from unioncore_desktop.gui import events, messages, reporting
from unioncore_desktop.gui.forms.ui_staff_dialog import Ui_StaffDialog
from unioncore_desktop.gui.itemmodels.staff import StaffModel
from unioncore_desktop.gui.staff.dialogs import ResetPasswordDialog, StaffActivityDialog, StaffLoginDialog
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets import view_state
from unioncore_desktop.gui.widgets.simple_table import simple_table

CHANGE_KIND = "staff"


class StaffDialog(QDialog):
    """The form is ui/staff_dialog.ui. Sub-dialogs open window-modal and the list reloads after each change."""

    loaded = Signal()  # the list is on screen

    def __init__(self, runner: TaskRunner, hall: HallConnection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = Ui_StaffDialog()
        self.form.setupUi(self)
        self.setObjectName("staffDialog")
        self.runner = runner
        self.hall = hall
        self.child: QDialog | None = None
        self._select_login: str | None = None
        self.model = StaffModel(parent=self)
        self.table = simple_table(self.model, self.form.staffTable)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # by login, as `unioncore staff list`
        self.notice = self.form.notice
        f = self.form
        self.buttons = {"add": f.addButton, "roles": f.rolesButton, "reset": f.resetButton,
                        "activity": f.activityButton, "deactivate": f.deactivateButton,
                        "reactivate": f.reactivateButton}
        f.addButton.clicked.connect(self.add_login)
        f.rolesButton.clicked.connect(self.change_roles)
        f.resetButton.clicked.connect(self.reset_password)
        f.activityButton.clicked.connect(self.show_activity)
        f.deactivateButton.clicked.connect(self.deactivate)
        f.reactivateButton.clicked.connect(self.reactivate)
        f.exportButton.clicked.connect(self._on_export_button_clicked)
        add = QAction(self)
        add.setShortcut(QKeySequence("Ctrl+N"))
        add.triggered.connect(lambda _checked=False: self.add_login())
        self.addAction(add)
        for button in self.buttons.values():
            button.setAutoDefault(False)
        self.table.doubleClicked.connect(lambda _index: self.show_activity())
        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)
        events.hub().data_changed.connect(self._on_hub_data_changed)
        self.resize(960, 540)
        self._update_actions()
        self.reload()

    def reload(self) -> None:
        self.runner.query(partial(staff.list_staff, self.hall), parent=self, key=("staff-list", id(self)),
                          success=self._show, name="list staff")

    def _show(self, rows: list[StaffRow]) -> None:
        first = not self.model.rows
        with view_state.kept(self.table, self.model):
            self.model.set_rows(rows)
        if first:
            self.table.resizeColumnsToContents()
        if self._select_login is not None:
            row = next((r for r in rows if r.login == self._select_login), None)
            if row is not None:
                self.table.setCurrentIndex(self.model.index_for_id(row.id))
            self._select_login = None
        elif not self.table.currentIndex().isValid() and rows:
            self.table.setCurrentIndex(self.model.index(0, 0))
        self._update_actions()
        self.loaded.emit()

    def _on_hub_data_changed(self, kind: str, _ids: list, _initiator: object) -> None:
        if kind == CHANGE_KIND:
            self.reload()

    def selected(self) -> StaffRow | None:
        return self.model.row_at(self.table.currentIndex())

    def _on_table_current_row_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_actions()

    def _update_actions(self) -> None:
        row = self.selected()
        usable = row is not None and not row.login_missing
        self.buttons["roles"].setEnabled(usable and bool(row and row.active))
        self.buttons["reset"].setEnabled(usable and bool(row and row.active))
        self.buttons["activity"].setEnabled(row is not None)
        self.buttons["deactivate"].setEnabled(usable and bool(row and row.active))
        self.buttons["reactivate"].setEnabled(usable and bool(row and not row.active))

    # --- actions -------------------------------------------------------------------------------------------

    def _open(self, dialog: QDialog, on_accepted) -> QDialog:
        self.child = dialog
        dialog.accepted.connect(on_accepted)
        dialog.open()
        return dialog

    def add_login(self) -> QDialog:
        dialog = StaffLoginDialog(self.runner, self.hall, parent=self)
        return self._open(dialog, lambda: self._after(dialog.saved, self.tr("{login} added")))

    def change_roles(self) -> QDialog | None:
        row = self.selected()
        if row is None:
            return None
        dialog = StaffLoginDialog(self.runner, self.hall, editing=row, parent=self)
        return self._open(dialog, lambda: self._after(dialog.saved, self.tr("Roles of {login} saved")))

    def reset_password(self) -> QDialog | None:
        row = self.selected()
        if row is None:
            return None
        dialog = ResetPasswordDialog(self.runner, self.hall, row, parent=self)
        return self._open(dialog, lambda: self._after(row, self.tr("Password of {login} reset")))

    def show_activity(self) -> QDialog | None:
        row = self.selected()
        if row is None:
            return None
        dialog = StaffActivityDialog(self.runner, self.hall, row, parent=self)
        self.child = dialog
        dialog.open()
        return dialog

    def deactivate(self) -> None:
        row = self.selected()
        if row is None or not messages.question(
                self, self.tr("Deactivate login"),
                self.tr("Deactivate {name} ({login})? The login can no longer connect; everything they did keeps "
                        "their name. You can reactivate it later.").format(name=row.full_name, login=row.login)):
            return
        self.runner.command(partial(staff.deactivate, self.hall, row), parent=self, name="deactivate staff",
                            success=lambda saved: self._after(saved, self.tr("{login} deactivated")))

    def reactivate(self) -> None:
        row = self.selected()
        if row is None:
            return
        self.runner.command(partial(staff.reactivate, self.hall, row), parent=self, name="reactivate staff",
                            success=lambda saved: self._after(saved, self.tr("{login} reactivated")))

    def _after(self, row: StaffRow | None, text: str) -> None:
        if row is None:
            return
        self._select_login = row.login
        if not self.model.replace_row(row):
            self.reload()
        else:
            self._select_login = None
            self.table.setCurrentIndex(self.model.index_for_id(row.id))
            self._update_actions()
        self.notice.setText(text.format(login=row.login))

    def _on_export_button_clicked(self) -> None:
        reporting.export_model(self.runner, self.hall, self, self.model, "Staff logins", [])
