"""A line edit that finds a member by name or card number as the user types and lets them pick one from a
popup; shared by every dialog that asks "which member" (sign-on, bids)."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import members
from unioncore_desktop.domain.queries.members import MemberListRow
from unioncore_desktop.gui.itemmodels.formatting import format_label
from unioncore_desktop.gui.tasks import TaskRunner

TYPE_AHEAD_DELAY_MS = 150
TYPE_AHEAD_LIMIT = 15
MEMBER_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class MemberLookup(QLineEdit):
    """Type-ahead over the members search (typo tolerant, on the server), fed by a worker query.

    `member_picked(member_id)` when a hit is chosen from the popup; `member_id` holds it until the text is
    edited again, which emits `member_cleared` (typing means looking for someone else).
    """

    member_picked = Signal(int)
    member_cleared = Signal()
    NOT_PICKED = "Pick the member from the list: type a name or card number, then choose."

    def __init__(self, runner: TaskRunner, hall: HallConnection, *, status: str | None = "active",
                 limit: int = TYPE_AHEAD_LIMIT, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.status = status
        self.limit = limit
        self.member_id: int | None = None
        self.setPlaceholderText(self.tr("Name or card number — misspellings are fine"))
        self.setClearButtonEnabled(True)
        self.hits = QStandardItemModel(self)
        completer = QCompleter(self.hits, self)
        # The server already matched (typo tolerant): show its hits as they are, not re-filtered by prefix.
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setMaxVisibleItems(limit)
        self.setCompleter(completer)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(TYPE_AHEAD_DELAY_MS)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)
        self.textEdited.connect(self._on_text_edited)
        # activated is overloaded (text or index); PySide6's stubs do not let a signal be picked by type
        completer.activated[QModelIndex].connect(self._on_completer_activated)  # type: ignore[index]

    def clear_member(self) -> None:
        """Empty the field for the next lookup (no signal: the caller knows)."""
        self.member_id = None
        self._search_timer.stop()
        self.hits.clear()
        self.clear()

    def _on_text_edited(self, _text: str) -> None:
        if self.member_id is not None:
            self.member_id = None
            self.member_cleared.emit()
        self._search_timer.start()

    def _on_search_timer_timeout(self) -> None:
        text = self.text().strip()
        if not text:
            self.hits.clear()
            return
        self.runner.query(partial(members.search, self.hall, text, status=self.status, limit=self.limit),
                          parent=self, key=("member-lookup", id(self)), success=self._show_hits,
                          name="member type-ahead")

    def _show_hits(self, rows: list[MemberListRow]) -> None:
        self.hits.clear()
        for row in rows:
            item = QStandardItem(f"{row.display_name} — {row.card_number}")
            item.setData(row.id, MEMBER_ID_ROLE)
            item.setToolTip(f"{format_label(row.classification)}, {row.city or ''}")
            self.hits.appendRow(item)
        if rows and self.member_id is None and self.hasFocus():
            self.completer().complete()

    def _on_completer_activated(self, index: QModelIndex) -> None:
        member_id = index.data(MEMBER_ID_ROLE)
        if member_id is not None:
            self.member_id = int(member_id)
            self.member_picked.emit(self.member_id)
