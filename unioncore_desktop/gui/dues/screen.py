"""The Dues area of the main window: tabs chosen by the login's roles, as the database grants them.

Dues clerks post and request adjustments; managers also decide adjustments, generate charges, close months and
set rates; a dispatcher sees a member's standing only.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.queries.dues import PostingLookupRow
from unioncore_desktop.gui.dues.manager import ManagerTabs
from unioncore_desktop.gui.dues.member_dues import MemberDuesView
from unioncore_desktop.gui.dues.posting import PostingScreen
from unioncore_desktop.gui.itemmodels.dues import PostedLinesModel
from unioncore_desktop.gui.roles import DUES_READERS, DUES_STAFF, MANAGERS
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.table_panel import TablePanel


class DuesScreen(QWidget):
    """Posting, member dues and (for managers) adjustments, charges, month close and rates."""

    loaded = Signal()
    record_shown = Signal()

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        roles = hall.facts.roles
        self.tabs = QTabWidget()
        self.tabs.setObjectName("duesTabs")
        self.posting: PostingScreen | None = None
        self.manager: ManagerTabs | None = None
        if roles & DUES_STAFF:
            self.posting = PostingScreen(runner, hall, settings)
            self.tabs.addTab(self.posting, self.tr("&Posting"))
            self.posting.loaded.connect(self.loaded)
            self.posting.record_shown.connect(self.record_shown)
        self.member_dues = MemberDuesView(runner, hall)
        self.tabs.addTab(self.member_dues, self.tr("Member &dues") if roles & DUES_READERS
                         else self.tr("Member &standing"))
        if roles & MANAGERS:
            self.manager = ManagerTabs(runner, hall)
            self.tabs.addTab(self.manager.adjustments, self.tr("Ad&justments"))
            # no Alt letter is left for these two: every one of theirs is taken on a page, or by the menu bar
            self.tabs.addTab(self.manager.charges, self.tr("Charges"))
            self.tabs.addTab(self.manager.close, self.tr("Close month"))
            self.tabs.addTab(self.manager.rates, self.tr("&Rates"))
        # The main window refreshes every area's list after an outage and saves its layout on quit.
        self.panel: TablePanel
        if self.posting is not None:
            self.panel, self.model = self.posting.panel, self.posting.model
        else:
            self.model = PostedLinesModel(parent=self)
            self.panel = TablePanel("dues-none", self.model)
            self.panel.setVisible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.start()

    def start(self) -> None:
        if self.posting is not None:
            self.posting.start()
        else:  # nothing to load; say so once the event loop runs, after whoever made us has connected
            QTimer.singleShot(0, self.loaded.emit)
        if self.manager is not None:
            self.manager.start()

    def post_for(self, member: PostingLookupRow) -> None:
        """The posting screen with `member` on the line (a clerk's "Post a payment" on the member record)."""
        if self.posting is not None:
            self.tabs.setCurrentWidget(self.posting)
            self.posting.post_for(member)

    def search(self, _text: str = "") -> None:
        """Reload whatever is on screen (after the connection comes back)."""
        if self.posting is not None:
            self.posting.refresh()
        self.member_dues.reload()
        if self.manager is not None:
            self.manager.refresh()

    def save_state(self) -> None:
        if self.posting is not None:
            self.posting.save_state()
