"""The morning board: the day's books in slot order, each with its requests and how many are sent of how many
wanted. Choosing a request says so through `request_chosen`; the referral screen loads its walk."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from unioncore_desktop.domain.queries.requests import MorningBook
from unioncore_desktop.gui import events
from unioncore_desktop.gui.itemmodels.formatting import hall_time
from unioncore_desktop.gui.itemmodels.requests import request_flags
from unioncore_desktop.gui.widgets import copy_rows


class MorningBoard(QTreeWidget):
    """The tree of books and requests; marked stale the moment the server stops answering, so nobody dispatches
    from a board other workstations have moved on from."""

    request_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("morningBoard")
        self.setAccessibleName(self.tr("Morning board"))
        self.stale = False
        self._set_headers()
        self.setColumnWidth(0, max(360, 48 * self.fontMetrics().averageCharWidth()))  # wider for a large font
        copy_rows.install(self)
        self.currentItemChanged.connect(self._on_current_item_changed)
        events.hub().connection_state_changed.connect(self._on_hub_connection_state_changed)

    def set_stale(self, stale: bool) -> None:
        """Say in the header (and to a screen reader) that the board may be out of date; greyed until the
        server answers again and the board reloads."""
        self.stale = stale
        self._set_headers()
        self.setProperty("stale", stale)
        self.setToolTip(self.tr("Not up to date: the server does not answer. The board reloads when it is back.")
                        if stale else "")
        self.style().unpolish(self)
        self.style().polish(self)
        self.viewport().update()

    def _set_headers(self) -> None:
        first = self.tr("Book / request — NOT UP TO DATE") if self.stale \
            else self.tr("Book / request")
        self.setHeaderLabels([first, self.tr("Sent")])
        self.setAccessibleDescription(first)

    def _on_hub_connection_state_changed(self, connected: bool) -> None:
        self.set_stale(not connected)

    def show_books(self, books: list[MorningBook], request_id: int | None) -> None:
        """The books and their requests, `request_id` kept chosen without saying so again."""
        self.blockSignals(True)
        self.clear()
        current: QTreeWidgetItem | None = None
        for book in books:
            wanted = sum(r.open_places for r in book.requests)
            item = QTreeWidgetItem([f"{book.morning_slot:%H:%M}  {book.name}",
                                    self.tr("{} open").format(wanted) if book.requests else ""])
            item.setData(0, Qt.ItemDataRole.UserRole, ("book", book.book_id))
            font = item.font(0)
            font.setBold(True)
            item.setFont(0, font)
            if not book.requests:
                item.setForeground(0, self.palette().placeholderText())
            for request in book.requests:
                flags = request_flags(request)
                title = f"{request.number} · {request.employer_name}" + (f" · {flags}" if flags else "")
                child = QTreeWidgetItem([title,
                                         f"{request.workers_dispatched} of {request.workers_requested}"])
                child.setData(0, Qt.ItemDataRole.UserRole, ("request", request.id))
                received = hall_time(request.received_at)
                child.setToolTip(0, f"{request.job_class or ''} — received {received:%a %d %b %H:%M}")
                item.addChild(child)
                if request.id == request_id:
                    current = child
            self.addTopLevelItem(item)
            item.setExpanded(True)
        if current is not None:
            self.setCurrentItem(current)
        self.blockSignals(False)

    def select_request(self, request_id: int) -> bool:
        """Select a request (as a click would); False when it is not on the board."""
        for i in range(self.topLevelItemCount()):
            book = self.topLevelItem(i)
            assert book is not None  # i is in range
            for j in range(book.childCount()):
                child = book.child(j)
                if child is not None and child.data(0, Qt.ItemDataRole.UserRole) == ("request", request_id):
                    self.setCurrentItem(child)
                    return True
        return False

    def _on_current_item_changed(self, current: QTreeWidgetItem | None, _previous: object) -> None:
        data = current.data(0, Qt.ItemDataRole.UserRole) if current is not None else None
        if data and data[0] == "request":
            self.request_chosen.emit(data[1])
