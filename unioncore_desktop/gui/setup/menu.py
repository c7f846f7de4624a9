"""The Hall menu and the first-run check, without the set-up area: the main window builds that area only when
it is first shown, and neither needs it until then."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from unioncore_desktop.domain.actions import hall_setup
from unioncore_desktop.gui.roles import MANAGERS
from unioncore_desktop.gui.tasks import TaskRunner

if TYPE_CHECKING:
    from unioncore_desktop.db.connection import HallConnection
    from unioncore_desktop.domain.queries.hall_setup import SetupChecklist
    from unioncore_desktop.gui.setup.screen import SetupScreen

SETUP_ROLES = frozenset({"admin", *MANAGERS})  # the logins the checklist opens for on a hall not yet set up
# (menu text, the area's method it runs); translated in the area's own context
ENTRIES = (("Set-up &checklist", "show_checklist"), ("Hall &settings…", "edit_hall_settings"),
           ("&Offices", "show_offices"), ("&Holiday calendar", "show_holidays"),
           ("Con&tract codes", "show_contract_codes"))


def hall_menu_actions(owner: QObject, roles: frozenset[str], open_setup: Callable[[], SetupScreen]) -> list[QAction]:
    """The Hall menu's entries; each brings the area forward (building it the first time), then opens its part."""
    actions = []
    for text, method in ENTRIES:
        action = QAction(QCoreApplication.translate("SetupScreen", text), owner)
        action.triggered.connect(lambda _checked=False, method=method: getattr(open_setup(), method)())
        actions.append(action)
    actions[1].setEnabled(bool(MANAGERS & roles))
    return actions


def first_run(runner: TaskRunner, hall: HallConnection, parent: QWidget,
              open_checklist: Callable[[], object]) -> None:
    """On a hall not yet set up, bring the checklist forward for an administrator or a manager."""
    if not SETUP_ROLES & frozenset(hall.facts.roles):
        return

    def opened(checklist: SetupChecklist) -> None:
        if not checklist.complete:
            open_checklist()

    runner.query(partial(hall_setup.checklist, hall), parent=parent, success=opened, name="first run")
