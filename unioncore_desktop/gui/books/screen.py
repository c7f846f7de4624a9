"""The books screen: pick a book, see its live out-of-work list in queue order with tier subtotals (and, apart
from the queue, who awaits re-registration on it), and sign members on, re-register, re-sign, resign and
exempt them. Other workstations' changes reload the list in place."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop.domain.actions import books
from unioncore_desktop.domain.errors import DomainError, StaleRecord
from unioncore_desktop.domain.queries.books import BookListRow, BookPage, BooksOpening, BookSummary
from unioncore_desktop.gui import events, icons, messages
from unioncore_desktop.gui.books.awaiting import AwaitingLine
from unioncore_desktop.gui.books.queue_view import TIERS, QueueView
from unioncore_desktop.gui.itemmodels.formatting import format_date
from unioncore_desktop.gui.roles import MANAGERS, REFERRAL_WRITERS
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.when_shown import ReloadWhenShown

# The dialogs (and the actions of other areas they use: member search, reports) load when first opened, not
# before the book's list has painted.
if TYPE_CHECKING:
    from unioncore_desktop.db.connection import HallConnection
    from unioncore_desktop.gui.books.dialogs import ExemptionDialog, SignOnDialog
    from unioncore_desktop.gui.books.drop_run import DropRunDialog
    from unioncore_desktop.gui.books.reregister import ReregisterDialog
    from unioncore_desktop.gui.books.rules import BookRulesDialog
    from unioncore_desktop.gui.books.setup import ManageBooksDialog
    from unioncore_desktop.gui.books.visit import MemberVisitDialog

# Kinds whose ids are book ids: reload when this book is named (or nothing is, meaning "anything").
BOOK_KINDS = ("registration", "check_mark", "book_rules")
# A dispatch from any book puts the member "out on dispatch" on every other book they are on.
ANY_BOOK_KINDS = ("dispatch", "member")
VisitDialogT = TypeVar("VisitDialogT", bound="MemberVisitDialog")


def can_write(roles: frozenset[str]) -> bool:
    """Mirrors the grants on registrations: dues clerks (and anyone else) only read the books."""
    return bool(roles & REFERRAL_WRITERS)


class BooksScreen(QWidget):
    """The out-of-work books area of the main window: the book picker and its actions over two parts, the queue
    view (queue_view) and the awaiting re-registration line (awaiting)."""

    loaded = Signal()  # the book's list is on screen (used by --screenshot and tests)
    record_shown = Signal()  # a registrant is selected
    area = "books"

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.settings = settings
        self.roles = frozenset(hall.facts.roles)
        self.books: list[BookSummary] = []
        self.book_id: int | None = None
        self.today: date | None = None
        self._dialog: QWidget | None = None

        self.book_combo = QComboBox()
        self.book_combo.setObjectName("bookCombo")
        self.book_combo.setMinimumWidth(320)
        self.book_combo.setToolTip(self.tr("Books in the order the morning referral works them"))
        book_label = QLabel(self.tr("&Book"))
        book_label.setBuddy(self.book_combo)
        self.tier_strip = QLabel()
        self.tier_strip.setObjectName("tierStrip")
        self.tier_strip.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.awaiting_info = AwaitingLine()
        self.queue = QueueView(runner, hall, settings, self.area, self.current_book)
        self.model, self.panel, self.selection_info = self.queue.model, self.queue.panel, self.queue.selection_info

        self.sign_on_action = self._action("add", self.tr("&Sign on…"), "Ctrl+N", self.sign_on)
        self.reregister_action = self._action("add", self.tr("Re-re&gister…"), "Ctrl+Shift+R", self.reregister)
        self.re_sign_action = self._action("refresh", self.tr("&Re-sign"), "Ctrl+R", self.re_sign)
        self.resign_action = self._action("deactivate", self.tr("Res&ign…"), "Ctrl+Shift+D", self.resign)
        self.exempt_action = self._action("warning", self.tr("E&xempt…"), "Ctrl+E", self.exempt)
        self.end_exemption_action = self._action(None, self.tr("E&nd exemption"), "Ctrl+Shift+E",
                                                 self.end_exemption)
        self.drop_run_action = self._action("audit", self.tr("&Drop run…"), None, self.open_drop_run)
        self.write_actions = (self.sign_on_action, self.reregister_action, self.re_sign_action, self.resign_action,
                              self.exempt_action, self.end_exemption_action, self.drop_run_action)
        # managers only (the grants on book_rules): the book's effective-dated rule settings
        self.rules_action = self._action("books", self.tr("R&ules…"), "Ctrl+Shift+B", self.open_rules)
        # managers only (the grants on books): add books, change their slot and agreement, retire them
        self.manage_action = self._action("books", self.tr("&Manage books…"), "Ctrl+Shift+M", self.open_manage_books)

        top = QHBoxLayout()
        top.addWidget(book_label)
        top.addWidget(self.book_combo)
        top.addSpacing(16)
        top.addWidget(self.tier_strip, 1)
        actions = QHBoxLayout()
        self.action_buttons: dict[str, QToolButton] = {}
        for action in self.write_actions:
            if action is self.drop_run_action:
                actions.addStretch(1)
            button = QToolButton()
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            actions.addWidget(button)
            self.action_buttons[action.objectName()] = button
        if self.roles & MANAGERS:
            for action in (self.rules_action, self.manage_action):
                button = QToolButton()
                button.setDefaultAction(action)
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
                actions.addWidget(button)
                self.action_buttons[action.objectName()] = button
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.awaiting_info)
        layout.addLayout(actions)
        layout.addWidget(self.queue, 1)

        self.setTabOrder(self.book_combo, self.panel.search_edit)
        self.setTabOrder(self.panel.search_edit, self.panel.view)
        # Ctrl+F is the main window's, for every area: it lands in self.panel.search_edit here

        self.book_combo.currentIndexChanged.connect(self._on_book_combo_current_index_changed)
        self.awaiting_info.member_chosen.connect(self.reregister)
        self.panel.search_changed.connect(self._on_panel_search_changed)
        self.panel.view.selectionModel().currentRowChanged.connect(self._on_view_current_row_changed)
        # behind another area, a change only marks the book stale: it is read again once shown
        self.when_shown = ReloadWhenShown(self, self.search)
        events.hub().data_changed.connect(self._on_hub_data_changed)
        self._update_actions()
        self.start()

    def _action(self, icon: str | None, text: str, shortcut: str | None, slot) -> QAction:
        action = QAction(icons.get(icon) if icon else icons.get("books"), text, self)
        action.setObjectName(text.replace("&", "").replace("…", "").strip().lower().replace(" ", "_"))
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.setToolTip(f"{text.replace('&', '')} ({shortcut})")
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    # --- loading ----------------------------------------------------------------------------------------------

    def start(self) -> None:
        """The picker's books and the first book's list in one read (a refresh meanwhile supersedes it)."""
        self.queue.restore_state()
        self.runner.query(partial(books.open_books, self.hall), parent=self, key=("books-summary", id(self)),
                          success=self._show_opening, name="open books")

    def _show_opening(self, opening: BooksOpening) -> None:
        if opening.page is None:
            self._show_books(opening.books)
            return
        self.book_id = opening.page.book_id  # the picker comes up on it, with its list already read
        self._show_books(opening.books)
        self._show_book(opening.page)

    def search(self, _text: str = "") -> None:
        """Reload everything (the main window calls this after a lost connection comes back)."""
        self.refresh_books()
        self.reload()

    def refresh_books(self) -> None:
        """The book picker's list and counts; the newest request wins."""
        self.runner.query(partial(books.list_books, self.hall), parent=self, key=("books-summary", id(self)),
                          success=self._show_books, name="list books")

    def _show_books(self, books: list[BookSummary]) -> None:
        self.books = list(books)
        self.book_combo.blockSignals(True)
        self.book_combo.clear()
        for book in books:
            counts = " · ".join(f"T{tier} {count}" for tier, count in zip(TIERS, book.tier_counts, strict=True))
            self.book_combo.addItem(f"{book.name}  ({book.total:,})", book.id)
            self.book_combo.setItemData(self.book_combo.count() - 1,
                                        f"{book.morning_slot:%H:%M} · {counts}", Qt.ItemDataRole.ToolTipRole)
        index = self.book_combo.findData(self.book_id) if self.book_id is not None else -1
        self.book_combo.setCurrentIndex(index if index >= 0 else (0 if books else -1))
        self.book_combo.blockSignals(False)
        chosen = self.book_combo.currentData()
        if chosen != self.book_id:
            self.open_book(chosen)
        elif not books:
            self.tier_strip.setText(self.tr("No out-of-work books are set up yet; a manager adds them with "
                                            "Manage books…"))
            self._update_actions()
            self.loaded.emit()

    def current_book(self) -> BookSummary | None:
        return next((b for b in self.books if b.id == self.book_id), None)

    def open_book(self, book_id: int | None) -> None:
        self.book_id = book_id
        index = self.book_combo.findData(book_id)
        if index >= 0 and index != self.book_combo.currentIndex():
            self.book_combo.setCurrentIndex(index)
        self.reload()

    def reload(self) -> None:
        """Load the current book's list; the same book reloads in place, keeping the user's place."""
        if self.book_id is None:
            return
        self.panel.set_busy(True)
        self.runner.query(partial(books.open_book, self.hall, self.book_id), parent=self, key=("book-list", id(self)),
                          success=self._show_book, failure=lambda _exc: self.panel.set_busy(False), name="open book")

    def _show_book(self, loaded: BookPage) -> None:
        self.panel.set_busy(False)
        if loaded.book_id != self.book_id:
            return  # the user picked another book meanwhile; its own load is on the way
        self.today = loaded.today
        self.awaiting_info.show_rows(loaded.awaiting)
        self.queue.show_rows(loaded.book_id, loaded.rows)
        self._update_strip()
        self._update_actions()
        self.loaded.emit()

    def _update_strip(self) -> None:
        self.tier_strip.setText(self.queue.strip_text())

    # --- events -----------------------------------------------------------------------------------------------

    def _on_book_combo_current_index_changed(self, _index: int) -> None:
        book_id = self.book_combo.currentData()
        if book_id is not None and book_id != self.book_id:
            self.open_book(book_id)

    def _on_panel_search_changed(self, _text: str) -> None:
        self.queue.refilter()
        self._update_strip()
        self._update_actions()

    def _on_hub_data_changed(self, kind: str, ids: list, _initiator: object) -> None:
        if kind != "book" and kind not in BOOK_KINDS and kind not in ANY_BOOK_KINDS:
            return
        if self.when_shown.defer():
            return
        if kind == "book":  # added, changed or retired: the picker's list and order
            self.refresh_books()
            return
        if kind == "registration":
            self.refresh_books()  # the picker's counts
        if kind in ANY_BOOK_KINDS or not ids or self.book_id in ids:
            self.reload()

    def _on_view_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.row_at(current)
        self._update_actions()
        if row is not None:
            self.record_shown.emit()

    # --- actions ----------------------------------------------------------------------------------------------

    def selected(self) -> BookListRow | None:
        return self.panel.current_row()

    def _update_actions(self) -> None:
        writer = can_write(self.roles)
        row = self.selected()
        book = self.book_id is not None
        self.sign_on_action.setEnabled(writer and book)
        self.reregister_action.setEnabled(writer)
        self.re_sign_action.setEnabled(writer and row is not None and not row.exempt)
        self.resign_action.setEnabled(writer and row is not None)
        self.exempt_action.setEnabled(writer and row is not None and not row.exempt)
        self.end_exemption_action.setEnabled(writer and row is not None and row.exemption_reason is not None)
        self.drop_run_action.setEnabled(writer)
        self.rules_action.setEnabled(bool(self.roles & MANAGERS) and book)
        self.rules_action.setVisible(bool(self.roles & MANAGERS))
        self.manage_action.setEnabled(bool(self.roles & MANAGERS))
        self.manage_action.setVisible(bool(self.roles & MANAGERS))
        if not writer:
            for action in self.write_actions:
                action.setToolTip(self.tr("Your role can read the books but not change them."))
        self.queue.show_selected(row)

    def _on_command_failed(self, exc: BaseException) -> None:
        """The domain refused (someone else changed the row, a rule): say so and show the list as it is now."""
        if isinstance(exc, DomainError):
            title = self.tr("Changed elsewhere") if isinstance(exc, StaleRecord) else self.tr("Not saved")
            messages.warning(self, title, exc.message)
        self.reload()

    def sign_on(self) -> SignOnDialog | None:
        if not self.sign_on_action.isEnabled():
            return None
        from unioncore_desktop.gui.books.dialogs import SignOnDialog

        return self._open_visit(SignOnDialog(self.runner, self.hall, self.books, self.book_id, self,
                                             settings=self.settings), self.tr("Signed on {card} to {books}, APN {apn}"))

    def reregister(self, member_id: int | None = None) -> ReregisterDialog | None:
        """R6: re-register a member awaiting it; `member_id` picks the member (a name in the awaiting line)."""
        if not self.reregister_action.isEnabled():
            return None
        from unioncore_desktop.gui.books.reregister import ReregisterDialog

        return self._open_visit(ReregisterDialog(self.runner, self.hall, self, settings=self.settings,
                                                 member_id=member_id),
                                self.tr("Re-registered {card} on {books}, new APN {apn}"))

    def _open_visit(self, dialog: VisitDialogT, done: str) -> VisitDialogT:
        dialog.accepted.connect(lambda: self._on_visit_saved(dialog, done))
        self._dialog = dialog
        dialog.open()
        dialog.member_edit.setFocus()
        return dialog

    def _on_visit_saved(self, dialog: MemberVisitDialog, done: str) -> None:
        rows = dialog.saved
        if not rows:
            return
        messages.status(self, done.format(card=dialog.member.card_number if dialog.member else "",
                                          books=", ".join(r.book_name for r in rows), apn=f"{rows[0].apn:.2f}"))
        here = next((r for r in rows if r.book_id == self.book_id), None)
        if here is not None and not self.panel.select_id(here.id):
            # select the new line once the reload (already started by the command's data_changed) lands
            registration_id = here.id

            def select() -> None:
                self.loaded.disconnect(select)
                self.panel.select_id(registration_id)

            self.loaded.connect(select)

    def re_sign(self) -> None:
        row = self.selected()
        if row is None or not self.re_sign_action.isEnabled():
            return
        self.runner.command(
            partial(books.re_sign, self.hall, row), parent=self, failure=self._on_command_failed, name="re-sign",
            success=lambda saved: messages.status(self, self.tr("{name} re-signed; next re-sign due {due}").format(
                name=row.display_name, due=format_date(saved.resign_due_on))))

    def resign(self) -> None:
        row, book = self.selected(), self.current_book()
        if row is None or book is None or not self.resign_action.isEnabled():
            return
        if not messages.question(self, self.tr("Resign from the book"),
                                 self.tr("Take {name} ({card}) off {book}? Signing on again later gives a new "
                                         "APN at the bottom of the tier.").format(
                                     name=row.display_name, card=row.card_number, book=book.name)):
            return
        self.runner.command(
            partial(books.resign, self.hall, row), parent=self, failure=self._on_command_failed, name="resign",
            success=lambda _saved: messages.status(self, self.tr("{name} resigned from {book}").format(
                name=row.display_name, book=book.name)))

    def exempt(self) -> ExemptionDialog | None:
        row, book = self.selected(), self.current_book()
        if row is None or book is None or self.today is None or not self.exempt_action.isEnabled():
            return None
        from unioncore_desktop.gui.books.dialogs import ExemptionDialog

        dialog = ExemptionDialog(self.runner, self.hall, row, book, self.today, self)
        dialog.accepted.connect(lambda: messages.status(self, self.tr("{name} is exempt on {book}").format(
            name=row.display_name, book=book.name)))
        self._dialog = dialog
        dialog.open()
        return dialog

    def end_exemption(self) -> None:
        row = self.selected()
        if row is None or not self.end_exemption_action.isEnabled():
            return
        if not messages.question(self, self.tr("End exemption"),
                                 self.tr("End the exemption of {name} today? Re-sign is due again from today, "
                                         "and the member is offered work again.").format(name=row.display_name)):
            return
        self.runner.command(
            partial(books.end_exemption, self.hall, row), parent=self, failure=self._on_command_failed,
            name="end exemption",
            success=lambda saved: messages.status(self, self.tr("Exemption ended; re-sign due {}").format(
                format_date(saved.resign_due_on))))

    def open_drop_run(self) -> DropRunDialog | None:
        if not self.drop_run_action.isEnabled() or self.today is None:
            return None
        from unioncore_desktop.gui.books.drop_run import DropRunDialog

        dialog = DropRunDialog(self.runner, self.hall, self.today, can_apply=bool(self.roles & MANAGERS),
                               parent=self)
        self._dialog = dialog
        dialog.open()
        return dialog

    def open_rules(self) -> BookRulesDialog | None:
        """The current book's rule settings: history, those in force, and new ones from a date."""
        book = self.current_book()
        if book is None or not self.rules_action.isEnabled():
            return None
        from unioncore_desktop.gui.books.rules import BookRulesDialog

        dialog = BookRulesDialog(self.runner, self.hall, book.id, book.name, self)
        self._dialog = dialog
        dialog.open()
        return dialog

    def open_manage_books(self) -> ManageBooksDialog | None:
        """Every book, retired ones too: add a book with its first rules, change one, retire one."""
        if not self.manage_action.isEnabled():
            return None
        from unioncore_desktop.gui.books.setup import ManageBooksDialog

        dialog = ManageBooksDialog(self.runner, self.hall, self)
        self._dialog = dialog
        dialog.open()
        return dialog

    def save_state(self) -> None:
        self.queue.save_state()
