"""This workstation's own login, changed at another: deactivated, its password reset or its roles changed.

PostgreSQL lets a session that is already open go on after its role loses LOGIN or gets a new password, so the
person would find out only when the next connection is refused. The live board hears every `staff` change
(db/notify.py; roles and passwords through uc_audit_staff); for a change made by someone else this reads the
own staff record again and says plainly what happened: a deactivated login or a reset password goes back to the
log-in, changed roles ask to log in again to use them."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.db.notify import Change
from unioncore_desktop.domain.actions import staff
from unioncore_desktop.domain.queries.staff import OwnLogin
from unioncore_desktop.gui import messages
from unioncore_desktop.gui.tasks import TaskRunner


class OwnLoginWatch(QObject):
    """Connect `on_changes` to LiveUpdates.changes_received; `logged_out` says the login may no longer work."""

    logged_out = Signal(str)  # the sentence the person was told

    def __init__(self, runner: TaskRunner, hall: HallConnection, window: QWidget) -> None:
        super().__init__(window)
        self.runner, self.hall, self.window = runner, hall, window
        self.told = ""

    def on_changes(self, changes: list[Change]) -> None:
        others = [c for c in changes if c.table == "staff" and c.by != self.hall.facts.user]
        if others:
            self.runner.query(partial(staff.own_login, self.hall), parent=self.window, name="own login",
                              success=lambda own: self._check(own, others))

    def _check(self, own: OwnLogin | None, changes: list[Change]) -> None:
        ours = [c for c in changes if own is not None and c.key == str(own.id)]
        by = next((c.by for c in ours), None) or self.tr("an administrator")
        if own is None or not own.active:
            self._log_out(self.tr("Your login {login} was deactivated by {by}. Nothing more can be saved under it; "
                                  "log in as someone else or ask an administrator.").format(
                login=self.hall.facts.user, by=by))
        elif any(c.what == "password" for c in ours):
            self._log_out(self.tr("The password of your login {login} was reset by {by}. Log in again with the new "
                                  "password.").format(login=self.hall.facts.user, by=by))
        elif any(c.what == "roles" for c in ours):
            self.told = self.tr("The roles of your login {login} were changed by {by}. Log in again (File → Switch "
                                "user) to work with them.").format(login=self.hall.facts.user, by=by)
            messages.information(self.window, self.tr("Your roles changed"), self.told)

    def _log_out(self, text: str) -> None:
        self.told = text
        messages.warning(self.window, self.tr("Your login changed"), text)
        self.logged_out.emit(text)
