"""The member field of the dues screens: a card number resolves on an exact match, a name offers a list.

The server does the matching (card, names, misspellings) through `find_members_for_posting`; the completer
only shows its answer, so nothing is filtered twice.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QCompleter, QLineEdit, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import dues
from unioncore_desktop.domain.queries.dues import PostingLookupRow
from unioncore_desktop.gui.itemmodels.dues import format_month, format_standing
from unioncore_desktop.gui.itemmodels.formatting import format_money
from unioncore_desktop.gui.tasks import TaskRunner

LOOKUP_DELAY_MS = 150
ROW_ROLE = Qt.ItemDataRole.UserRole + 1

Resolved = Callable[[PostingLookupRow | None], None]


def _looks_like_card(text: str) -> bool:
    return bool(text) and " " not in text and "," not in text and any(c.isdigit() for c in text)


def pick(text: str, rows: list[PostingLookupRow]) -> PostingLookupRow | None:
    """The member `text` names: an exact card number, or the only match."""
    exact = next((r for r in rows if r.card_number.casefold() == text.casefold()), None)
    return exact or (rows[0] if len(rows) == 1 else None)


def problem_text(text: str, count: int) -> str:
    """Why `text` names no single member, given how many members it matched."""
    def tr(source: str) -> str:
        return QCoreApplication.translate("MemberLookup", source)

    if not text:
        return tr("Enter a card number or a name.")
    if _looks_like_card(text) and not count:
        return tr("No member has card {}.").format(text)
    if not count:
        return tr("No member matches “{}”.").format(text)
    return tr("Several members match “{}”: pick one from the list (Down, then Enter).").format(text)


class MemberLookup(QLineEdit):
    """Type a card number or a name. `member` is the resolved member or None; `resolve(then)` asks now."""

    resolved = Signal(object)  # PostingLookupRow
    cleared = Signal()
    failed = Signal(str)       # why the text names no member (shown beside the field)

    def __init__(self, runner: TaskRunner, hall: HallConnection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.member: PostingLookupRow | None = None
        self._waiting: list[Resolved] = []
        self._in_flight: str | None = None
        self._setting = False
        self.setPlaceholderText(self.tr("Card number or name"))
        self.setClearButtonEnabled(True)

        self.matches = QStandardItemModel(self)
        self.completer_ = QCompleter(self.matches, self)
        self.completer_.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer_.setWidget(self)
        # activated is overloaded (text or index); PySide6's stubs do not let a signal be picked by type
        self.completer_.activated[QModelIndex].connect(self._on_completer_activated)  # type: ignore[index]

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(LOOKUP_DELAY_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.textEdited.connect(self._on_text_edited)
        self.installEventFilter(self)
        # installed after the completer's own filter, so it sees Tab first: the completer would only close
        self._popup().installEventFilter(self)

    # --- API ----------------------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._in_flight is not None or self._timer.isActive()

    def _popup(self) -> QAbstractItemView:
        popup = self.completer_.popup()
        assert popup is not None  # a completer makes its list when first asked
        return popup

    def popup_visible(self) -> bool:
        return self._popup().isVisible()

    def reset(self) -> None:
        self._timer.stop()
        self._waiting.clear()
        self._setting = True
        self.clear()
        self._setting = False
        self._popup().hide()
        self.matches.clear()
        if self.member is not None:
            self.member = None
            self.cleared.emit()

    def set_member(self, row: PostingLookupRow) -> None:
        self._timer.stop()
        self._setting = True
        self.setText(row.card_number)
        self._setting = False
        self._popup().hide()
        self.member = row
        self.resolved.emit(row)

    def resolve(self, then: Resolved) -> None:
        """Call `then` with the member the text names (exact card, or the only match), or None."""
        if self.member is not None:
            then(self.member)
            return
        text = self.text().strip()
        if not text:
            then(None)
            return
        self._waiting.append(then)
        self._timer.stop()
        if self._in_flight != text:
            self._look_up(text)

    # --- internals ----------------------------------------------------------------------------------------

    def _on_text_edited(self, _text: str) -> None:
        if self._setting:
            return
        if self.member is not None:
            self.member = None
            self.cleared.emit()
        self._timer.start()

    def _on_timer_timeout(self) -> None:
        text = self.text().strip()
        if text:
            self._look_up(text)
        else:
            self.matches.clear()
            self._popup().hide()

    def _look_up(self, text: str) -> None:
        self._in_flight = text
        self.runner.query(partial(dues.find_members, self.hall, text), parent=self,
                          key=f"member-lookup-{id(self)}", success=lambda rows: self._on_matches(text, rows),
                          failure=lambda _exc: self._on_lookup_failed(), name="posting look-up")

    def _on_lookup_failed(self) -> None:
        self._in_flight = None
        waiting, self._waiting = self._waiting, []
        for then in waiting:
            then(None)

    def _on_matches(self, text: str, rows: list[PostingLookupRow]) -> None:
        self._in_flight = None
        if text != self.text().strip() or self.member is not None:
            if self._waiting and self.member is None and self.text().strip():
                self._look_up(self.text().strip())  # typed on while it was out: ask again for what is there now
            return
        exact = next((r for r in rows if r.card_number.casefold() == text.casefold()), None)
        choice = exact or (pick(text, rows) if self._waiting else None)
        if choice is not None:
            self.set_member(choice)
        else:
            self._fill(rows)
            if rows and self.hasFocus():
                self.completer_.complete()
        waiting, self._waiting = self._waiting, []
        for then in waiting:
            then(choice)
        if choice is None and waiting:
            self.failed.emit(self.problem())

    def problem(self) -> str:
        return problem_text(self.text().strip(), self.matches.rowCount())

    def look_up_once(self, text: str, then: Callable[[PostingLookupRow | None, str], None]) -> None:
        """Resolve `text` for a line already handed on (the field may hold the next line by now)."""
        def done(rows: list[PostingLookupRow]) -> None:
            then(pick(text, rows), problem_text(text, len(rows)))

        self.runner.query(partial(dues.find_members, self.hall, text), parent=self, success=done,
                          failure=lambda _exc: then(None, self.tr("The member could not be looked up; try again.")),
                          name="posting look-up")

    def _fill(self, rows: list[PostingLookupRow]) -> None:
        self.matches.clear()
        for row in rows:
            paid = format_month(row.paid_through) or self.tr("never")
            item = QStandardItem(f"{row.card_number}  {row.name}  ·  {self.tr('balance')} "
                                 f"{format_money(row.balance)}  ·  {self.tr('paid through')} {paid}  ·  "
                                 f"{format_standing(row.standing)}")
            item.setData(row, ROW_ROLE)
            self.matches.appendRow(item)

    def _tab_out_of_popup(self, *, forward: bool) -> None:
        """Tab with the list open takes the highlighted member (else what the text names, as on leaving the
        field) and moves on, instead of leaving the member unresolved behind a closed list."""
        row = self._popup().currentIndex().data(ROW_ROLE)
        self._popup().hide()
        if isinstance(row, PostingLookupRow):
            self.set_member(row)
        elif self.member is None and self.text().strip():
            self.resolve(lambda _row: None)
        self.focusNextPrevChild(forward)

    def _on_completer_activated(self, index: QModelIndex) -> None:
        row = index.data(ROW_ROLE)
        if isinstance(row, PostingLookupRow):
            # after Qt has put the completion text in the field
            QTimer.singleShot(0, lambda: self.set_member(row))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (watched is self._popup() and event.type() == QEvent.Type.KeyPress
                and event.key() in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab)):  # type: ignore[attr-defined]
            self._tab_out_of_popup(forward=event.key() == Qt.Key.Key_Tab)  # type: ignore[attr-defined]
            return True
        # a wrong card is reported as soon as the clerk tabs on
        if (watched is self and event.type() == QEvent.Type.FocusOut and not self.popup_visible()
                and self.member is None and self.text().strip()):
            self.resolve(lambda _row: None)
        return super().eventFilter(watched, event)
