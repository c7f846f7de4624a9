"""Morning referral: the day's books in slot order with their requests; for the chosen request, the walk —
everyone skipped above the next eligible registrant and why, the next one with their phones — and the
answer recorded with one key (A / D / N). Plus the day's dispatches and their follow-up (check-in, end).

Every answer is one `offer_next` command with a fresh idempotency key made once per click (a retry after a
lost connection re-sends the same key and cannot write twice) and one run id for the whole walk of the
request. When another workstation changed the list first, the domain refuses and the walk is refreshed."""

from __future__ import annotations

import uuid
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import referral
from unioncore_desktop.domain.errors import DomainError
from unioncore_desktop.domain.queries.dispatch import DispatchRow
from unioncore_desktop.domain.queries.referral import ReferralDays
from unioncore_desktop.domain.queries.requests import MorningBook
from unioncore_desktop.domain.services.dispatch import OfferResult
from unioncore_desktop.domain.services.walk import ListChanged, WalkView
from unioncore_desktop.gui import events, icons, messages, reporting
from unioncore_desktop.gui.referral.board import MorningBoard
from unioncore_desktop.gui.referral.dialogs import (
    ByNameDialog,
    remove_mark_flow,
)
from unioncore_desktop.gui.referral.dispatched import DispatchedTab
from unioncore_desktop.gui.referral.offer_history import OfferHistoryDialog
from unioncore_desktop.gui.referral.walk_panel import WalkPanel, closed_reason
from unioncore_desktop.gui.requests.expiry import expire_then
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskHandle, TaskRunner
from unioncore_desktop.gui.widgets.when_shown import ReloadWhenShown

if TYPE_CHECKING:  # ReportLab is imported when a report is built
    from unioncore_desktop.reports import ReportContext

LIVE_KINDS = ("registration", "dispatch", "labor_request", "check_mark")


class DayEdit(QDateEdit):
    """The referral day: Tab leaves the field (the arrows and typing move between day, month and year)."""

    def focusNextPrevChild(self, forward: bool) -> bool:  # noqa: N802 - Qt override
        return QWidget.focusNextPrevChild(self, forward)


class ReferralScreen(QWidget):
    """The Morning referral area (and the day's dispatches)."""

    loaded = Signal()  # the board is on screen
    record_shown = Signal()  # a request's walk is on screen
    walk_shown = Signal()
    answered = Signal(object)  # OfferResult
    slip_written = Signal(object)  # Path
    terminated = Signal(object)  # TerminationResult
    area = "referral"

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.settings = settings
        self.day: date | None = None
        self.today: date | None = None
        self.books: list[MorningBook] = []
        self.request_id: int | None = None
        self.view: WalkView | None = None
        self.run_ids: dict[int, uuid.UUID] = {}
        self.last_dispatch_id: int | None = None
        self.last_result: OfferResult | None = None
        self._walk_task: TaskHandle | None = None
        self.dialog: QWidget | None = None  # the follow-up dialog last opened (tests reach it here)
        self._answering = False

        # --- top bar
        self.day_edit = DayEdit()
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setDisplayFormat("ddd yyyy-MM-dd")
        self.day_edit.dateChanged.connect(self._on_day_edit_date_changed)
        self.refresh_button = QPushButton(icons.get("refresh"), self.tr("Refresh"))
        self.refresh_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.refresh_button.clicked.connect(lambda: expire_then(self.runner, self.hall, self, self.search))
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Referral of")))
        top.addWidget(self.day_edit)
        top.addWidget(self.refresh_button)
        top.addStretch(1)

        # --- morning tab: the board on the left, the walk on the right
        self.board = MorningBoard()
        self.board.request_chosen.connect(self._on_request_chosen)
        self.tree = self.board
        self.walk = WalkPanel()
        self.walk.answer_requested.connect(self.answer)
        self.walk.line_changed.connect(self._update_buttons)
        self.walk.slip_button.clicked.connect(self._on_slip_button_clicked)
        self.walk.by_name_button.clicked.connect(self._on_by_name_button_clicked)
        self.walk.history_button.clicked.connect(self._on_history_button_clicked)
        self.walk.walk_mark_button.clicked.connect(self._on_walk_mark_button_clicked)
        # the walk's widgets under the names the screen has always had
        w = self.walk
        self.request_label, self.walk_model, self.walk_view = w.request_label, w.walk_model, w.walk_view
        self.next_box, self.next_label, self.result_label = w.next_box, w.next_label, w.result_label
        self.accept_button, self.decline_button, self.no_answer_button = w.answer_buttons()
        self.slip_button, self.by_name_button = w.slip_button, w.by_name_button
        self.history_button, self.walk_mark_button = w.history_button, w.walk_mark_button
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.board)
        splitter.addWidget(self.walk)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 5)
        splitter.setSizes([440, 960])
        self.morning = QWidget()
        morning_layout = QVBoxLayout(self.morning)
        morning_layout.setContentsMargins(0, 0, 0, 0)
        morning_layout.addWidget(splitter)
        for key, outcome in (("A", "accepted"), ("D", "declined"), ("N", "no_answer")):
            shortcut = QShortcut(QKeySequence(key), self.morning)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda o=outcome: self.answer(o))

        # --- dispatched tab
        self.dispatched = DispatchedTab(runner, hall, settings)
        self.dispatched.dialog_opened.connect(self._set_dialog)
        self.dispatched.terminated.connect(self.terminated)
        self.panel, self.dispatch_model, self.open_only = (self.dispatched.panel, self.dispatched.dispatch_model,
                                                           self.dispatched.open_only)
        self.check_in_button, self.terminate_button = self.dispatched.check_in_button, self.dispatched.terminate_button
        self.dispatch_history_button = self.dispatched.dispatch_history_button
        self.reject_button, self.no_show_button = self.dispatched.reject_button, self.dispatched.no_show_button

        self.tabs = QTabWidget()
        self.tabs.addTab(self.morning, self.tr("Morning referral"))
        self.tabs.addTab(self.dispatched, self.tr("Dispatched"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

        # behind another area, a change only marks the screen stale (read again once shown); the day's dispatches
        # are read when their tab is shown
        self.when_shown = ReloadWhenShown(self, self.search)
        self.dispatched_when_shown = ReloadWhenShown(self.dispatched, self._read_dispatches)
        events.hub().data_changed.connect(self._on_hub_data_changed)
        self.panel.restore_state()
        self._update_buttons()
        self._load_today()

    @property
    def model(self):  # noqa: ANN201 - the board's model, for the --screenshot start-up
        return self.tree.model()

    # --- the day and the board ----------------------------------------------------------------------------

    def _load_today(self) -> None:
        """The hall's day, once the requests due have expired (so the board never offers one)."""
        expire_then(self.runner, self.hall, self, self._read_today)

    def _read_today(self) -> None:
        self.runner.query(partial(referral.days, self.hall), parent=self, key="referral-today",
                          success=self._set_today, name="hall today")

    def _set_today(self, days: ReferralDays) -> None:
        # the board opens on the morning being worked (Monday, on a weekend); dispatches are dated today
        self.today = days.today
        self.set_day(days.morning)

    def set_day(self, day: date) -> None:
        if self.day == day:
            self.search("")
            return
        self.day_edit.setDate(QDate(day.year, day.month, day.day))  # loads through dateChanged

    def _on_day_edit_date_changed(self, qdate: QDate) -> None:
        self.day = cast(date, qdate.toPython())  # a date for a QDate; the stubs say object
        # another day: nothing of the last day's walk stays on screen or answerable
        self.request_id = None
        self.view = None
        self.last_dispatch_id = None
        self.walk.clear()
        self._update_buttons()
        self.search("")

    def search(self, _text: str = "") -> None:
        """Reload everything shown (the main window calls this after an outage)."""
        if self.day is None:
            return
        self._load_board()
        self._load_dispatches()
        if self.request_id is not None:
            self.load_walk()

    def _load_board(self) -> None:
        if self.day is None:
            return
        self.runner.query(partial(referral.board, self.hall, self.day), parent=self, key="referral-board",
                          success=self._show_board, name="morning referral")

    def _show_board(self, books: list[MorningBook]) -> None:
        self.books = books
        self.board.show_books(books, self.request_id)
        first = self.request_id is None
        if first:
            # Opening the screen starts where the morning starts: the first request still needing workers.
            first_open = next((r.id for b in books for r in b.requests if r.open_places > 0), None)
            if first_open is not None:
                self.select_request(first_open)
        self.loaded.emit()
        if first and self.request_id is None:
            self.record_shown.emit()  # nothing to work today: the board is the whole screen

    def select_request(self, request_id: int) -> bool:
        """Select a request on the board (as a click would); False when it is not there."""
        return self.board.select_request(request_id)

    def _on_request_chosen(self, request_id: int) -> None:
        if request_id == self.request_id:
            return
        self.request_id = request_id
        self.view = None
        self.last_dispatch_id = None
        self.walk.clear()
        self.load_walk()

    # --- the walk -----------------------------------------------------------------------------------------

    def run_id(self, request_id: int) -> uuid.UUID:
        """One run per request for as long as this screen works it: the walk continues where it stopped."""
        return self.run_ids.setdefault(request_id, uuid.uuid4())

    def load_walk(self) -> None:
        request_id = self.request_id
        if request_id is None:
            return
        self._walk_task = self.runner.query(partial(referral.walk, self.hall, request_id, self.run_id(request_id)),
                                            parent=self, key="referral-walk", success=self._show_walk,
                                            name="referral walk")

    def _show_walk(self, view: WalkView) -> None:
        if view.request.id != self.request_id:
            return
        same = self.view is not None and self.view.request.id == view.request.id
        self.view = view
        self.walk.show_walk(view, same, self.today)  # a refresh of the same walk keeps the dispatcher's place
        self._update_buttons()
        self.walk_shown.emit()
        self.record_shown.emit()

    def _can_answer(self) -> bool:
        """Someone to call now: the request is open and due at the hall's today's referral (R3) or before."""
        v = self.view
        return (v is not None and not self._answering and v.preview.next is not None
                and closed_reason(v, self.today) is None)

    def answer(self, outcome: str) -> None:
        """Record the next registrant's answer: one command, a fresh key per click, the walk's run id."""
        if not self._can_answer():
            return
        assert self.view is not None and self.view.preview.next is not None
        request = self.view.request
        registration_id = self.view.preview.next.registration_id
        if outcome != "accepted" and self.view.preview.issues_marks and not self._confirm_mark(outcome):
            return
        self._answering = True
        self._update_buttons()
        self.runner.command(
            partial(referral.answer_and_walk, self.hall, request, registration_id, outcome, self.run_id(request.id),
                    uuid.uuid4()),
            parent=self, success=self._on_answered, failure=self._on_answer_failed, name=f"offer {outcome}")

    def _confirm_mark(self, outcome: str) -> bool:
        """A decline or no answer on a request that issues check marks is asked once more (Enter records it,
        Esc takes it back): a mark counts toward the roll-off and is removed only with a written reason."""
        assert self.view is not None and self.view.preview.next is not None
        name = self.view.preview.next.member_name
        what = self.tr("declined") if outcome == "declined" else self.tr("did not answer")
        return messages.question(
            self, self.tr("Record a check mark?"),
            self.tr("{} {}: this earns a check mark on {} ({} allowed before the roll-off, R10).\n\n"
                    "Record it?").format(name, what, self.view.request.book_name, self.view.rules_marks_allowed),
            default_yes=True)

    def _on_answered(self, answered: referral.Answered) -> None:
        result = answered.result
        self._answering = False
        self.last_result = result
        if result.outcome == "accepted":
            self.last_dispatch_id = result.dispatch_id
        self.walk.show_answer(result, self.view.rules_marks_allowed if self.view else 3)
        self._update_buttons()
        self.answered.emit(result)
        self._load_board()
        self._load_dispatches()
        if answered.walk is not None and answered.walk.request.id == self.request_id:
            if self._walk_task is not None:
                self._walk_task.cancel()  # a read started before the answer would bring the old walk back
            self._show_walk(answered.walk)  # read with the answer: the next registrant comes up with it
        else:
            self.load_walk()

    def _on_answer_failed(self, exc: BaseException) -> None:
        self._answering = False
        self._update_buttons()
        if isinstance(exc, DomainError):
            self.result_label.setText(f"<b>{exc.message}</b>")
            title = self.tr("The list changed") if isinstance(exc, ListChanged) else self.tr("Not recorded")
            messages.warning(self, title, exc.message)
        self.load_walk()

    # --- slip, by name, history, marks ----------------------------------------------------------------------

    def _on_slip_button_clicked(self) -> None:
        dispatch_id = self.last_dispatch_id
        if dispatch_id is None:
            return
        hall = self.hall
        from unioncore_desktop.reports.pdf.dispatch_slip import build_dispatch_slip  # here: never in a worker

        def build(path: Path, context: ReportContext) -> Path:
            return build_dispatch_slip(path, context, referral.dispatch_slip(hall, dispatch_id))

        reporting.print_report(self.runner, hall, self, f"Dispatch slip {dispatch_id}",
                               [("Dispatch", str(dispatch_id))], build, done=self.slip_written.emit)

    def _on_by_name_button_clicked(self) -> None:
        view = self.view
        if view is None or view.request.by_name_member_id is None:
            return
        request_id, hall = view.request.id, self.hall
        key = uuid.uuid4()  # one per dialog: a retried OK re-sends it

        def save(dialog: ByNameDialog) -> None:
            def done(row: DispatchRow) -> None:
                dialog.accept()
                self.last_dispatch_id = row.id
                self.result_label.setText(self.tr("<b>{} dispatched by name</b> — dispatch {}. "
                                                  "Print the dispatch slip.").format(row.member_name, row.id))
                self.search("")

            self.runner.command(partial(referral.dispatch_by_name, hall, request_id, key),
                                parent=dialog, success=done,
                                failure=lambda exc: dialog.show_error(getattr(exc, "message", str(exc))),
                                name="by-name dispatch")

        self.dialog = ByNameDialog(view.request.number, view.request.by_name_member or "", save, self)
        self.dialog.open()

    def _on_history_button_clicked(self) -> None:
        if self.view is None:
            return
        self.dialog = OfferHistoryDialog(self.runner, self.hall, self.settings, request_id=self.view.request.id,
                                         subject=self.tr("request {}").format(self.view.request.number), parent=self)
        self.dialog.open()

    def _on_walk_mark_button_clicked(self) -> None:
        line = self.walk_model.row_at(self.walk_view.currentIndex())
        if line is None or not line.mark_issued or self.view is None:
            return
        remove_mark_flow(self.runner, self.hall, self, registration_id=line.registration_id,
                         request_id=self.view.request.id, member_name=line.member_name, opened=self._set_dialog,
                         done=lambda _left: self.load_walk())

    def _set_dialog(self, dialog: QWidget) -> None:
        self.dialog = dialog

    # --- dispatched ----------------------------------------------------------------------------------------

    def _load_dispatches(self) -> None:
        if not self.dispatched_when_shown.defer():
            self._read_dispatches()

    def _read_dispatches(self) -> None:
        if self.day is not None:
            self.dispatched.load(self.day, self.today)

    # --- live board and state -----------------------------------------------------------------------------

    def _on_hub_data_changed(self, kind: str, ids: list, initiator: object) -> None:
        if kind not in LIVE_KINDS or self.day is None:
            return
        if initiator is self:
            return  # our own answers refresh in their success callback
        if self.when_shown.defer():
            return
        self._load_board()
        self._load_dispatches()
        if self.view is not None and (not ids or self.view.request.book_id in ids):
            self.load_walk()

    def _update_buttons(self) -> None:
        self.walk.update_buttons(self.view, can_answer=self._can_answer(),
                                 has_dispatch=self.last_dispatch_id is not None)
        self.dispatched.update_buttons()

    def focus_start(self) -> None:
        """Opening the area starts on the board (arrows choose a request; A/D/N answer), or the day's dispatches
        when that tab was left open."""
        target = self.board if self.tabs.currentWidget() is self.morning else self.panel.view
        target.setFocus(Qt.FocusReason.OtherFocusReason)

    def save_state(self) -> None:
        self.panel.save_state()

