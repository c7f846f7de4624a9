"""Morning referral: the day's books in slot order with their requests; for the chosen request, the walk —
everyone skipped above the next eligible registrant and why, the next one with their phones — and the
answer recorded with one key (A / D / N). Plus the day's dispatches and their follow-up (check-in, end).

Every answer is one `offer_next` command with a fresh idempotency key made once per click (a retry after a
lost connection re-sends the same key and cannot write twice) and one run id for the whole walk of the
request. When another workstation changed the list first, the domain refuses and the walk is refreshed."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import cast

from PySide6.QtCore import QDate, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
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
from unioncore_desktop.domain.services.terminations import EndFacts, TerminationResult
from unioncore_desktop.domain.services.walk import WalkView
from unioncore_desktop.domain.vocab import ACTIVE_DISPATCH_STATUSES
from unioncore_desktop.gui import events, icons, messages, reporting
from unioncore_desktop.gui.itemmodels.dispatch import (
    DispatchListModel,
    WalkModel,
    walk_lines,
)
from unioncore_desktop.gui.itemmodels.formatting import format_label
from unioncore_desktop.gui.itemmodels.requests import no_mark_text, request_flags
from unioncore_desktop.gui.referral.dialogs import (
    ByNameDialog,
    TerminateDialog,
    remove_mark_flow,
)
from unioncore_desktop.gui.referral.offer_history import OfferHistoryDialog
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets import view_state
from unioncore_desktop.gui.widgets.simple_table import simple_table
from unioncore_desktop.gui.widgets.table_panel import TablePanel
from unioncore_desktop.reports import ReportContext
from unioncore_desktop.reports.pdf.dispatch_slip import build_dispatch_slip

LIVE_KINDS = ("registration", "dispatch", "labor_request", "check_mark")
OUTCOME_WORDS = {"accepted": "accepted", "declined": "declined", "no_answer": "did not answer"}


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
        self.dialog: QWidget | None = None  # the follow-up dialog last opened (tests reach it here)
        self._answering = False

        # --- top bar
        self.day_edit = QDateEdit()
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setDisplayFormat("ddd yyyy-MM-dd")
        self.day_edit.dateChanged.connect(self._on_day_edit_date_changed)
        self.refresh_button = QPushButton(icons.get("refresh"), self.tr("Refresh"))
        self.refresh_button.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.refresh_button.clicked.connect(lambda: self.search(""))
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Referral of")))
        top.addWidget(self.day_edit)
        top.addWidget(self.refresh_button)
        top.addStretch(1)

        # --- morning tab: the board on the left, the walk on the right
        self.tree = QTreeWidget()
        self.tree.setObjectName("morningBoard")
        self.tree.setHeaderLabels([self.tr("Book / request"), self.tr("Sent")])
        self.tree.setColumnWidth(0, 360)
        self.tree.currentItemChanged.connect(self._on_tree_current_item_changed)

        self.request_label = QLabel(self.tr("Choose a request on the left."))
        self.request_label.setObjectName("recordTitle")
        self.request_label.setWordWrap(True)
        self.walk_model = WalkModel(parent=self)
        self.walk_view = simple_table(self.walk_model)
        # The walk is shown in list order, always: no sorting by clicking a header.
        self.walk_view.setSortingEnabled(False)
        self.walk_model.sort(-1)
        self.walk_view.setWordWrap(False)
        walk_header = self.walk_view.horizontalHeader()
        for column, width in enumerate((50, 40, 80, 80, 190, 130)):
            walk_header.resizeSection(column, width)
        self.walk_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.walk_view.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())

        self.next_box = QFrame()
        self.next_box.setObjectName("nextEligible")
        self.next_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.next_label = QLabel()
        self.next_label.setObjectName("nextLabel")
        self.next_label.setWordWrap(True)
        self.next_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.accept_button = QPushButton(self.tr("&Accepted (A)"))
        self.decline_button = QPushButton(self.tr("&Declined (D)"))
        self.no_answer_button = QPushButton(self.tr("&No answer (N)"))
        self.accept_button.clicked.connect(lambda: self.answer("accepted"))
        self.decline_button.clicked.connect(lambda: self.answer("declined"))
        self.no_answer_button.clicked.connect(lambda: self.answer("no_answer"))
        answers = QHBoxLayout()
        for button in (self.accept_button, self.decline_button, self.no_answer_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            answers.addWidget(button)
        next_layout = QVBoxLayout(self.next_box)
        next_layout.addWidget(self.next_label)
        next_layout.addLayout(answers)

        self.result_label = QLabel()
        self.result_label.setObjectName("answerResult")
        self.result_label.setWordWrap(True)
        self.slip_button = QPushButton(icons.get("print"), self.tr("&Print dispatch slip"))
        self.slip_button.clicked.connect(self._on_slip_button_clicked)
        self.by_name_button = QPushButton(self.tr("Dispatch &by name…"))
        self.by_name_button.clicked.connect(self._on_by_name_button_clicked)
        self.history_button = QPushButton(self.tr("Offer &history…"))
        self.history_button.clicked.connect(self._on_history_button_clicked)
        self.walk_mark_button = QPushButton(self.tr("Remove check &mark…"))
        self.walk_mark_button.clicked.connect(self._on_walk_mark_button_clicked)
        extra = QHBoxLayout()
        for button in (self.slip_button, self.by_name_button, self.history_button, self.walk_mark_button):
            extra.addWidget(button)
        extra.addStretch(1)

        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.request_label)
        right_layout.addWidget(self.walk_view, 1)
        right_layout.addWidget(self.next_box)
        right_layout.addWidget(self.result_label)
        right_layout.addLayout(extra)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.tree)
        splitter.addWidget(right)
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
        self.dispatch_model = DispatchListModel(parent=self)
        self.panel = TablePanel("referral-dispatches", self.dispatch_model, settings=settings,
                                search_placeholder=self.tr("Filter: member, card, employer, request…"))
        self.panel.search_changed.connect(lambda _text: self._load_dispatches())
        self.panel.export_requested.connect(self._on_panel_export_requested)
        self.panel.view.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self.open_only = QCheckBox(self.tr("Everyone still on the job (not only this day's dispatches)"))
        self.open_only.toggled.connect(lambda _on: self._load_dispatches())
        self.check_in_button = QPushButton(self.tr("&Check in"))
        self.terminate_button = QPushButton(self.tr("&End the job…"))
        self.dispatch_history_button = QPushButton(self.tr("Offer history…"))
        self.check_in_button.clicked.connect(self._on_check_in_button_clicked)
        self.terminate_button.clicked.connect(self._on_terminate_button_clicked)
        self.dispatch_history_button.clicked.connect(self._on_dispatch_history_button_clicked)
        follow = QHBoxLayout()
        follow.addWidget(self.open_only)
        follow.addStretch(1)
        for button in (self.check_in_button, self.terminate_button, self.dispatch_history_button):
            follow.addWidget(button)
        self.dispatched = QWidget()
        dispatched_layout = QVBoxLayout(self.dispatched)
        dispatched_layout.setContentsMargins(0, 0, 0, 0)
        dispatched_layout.addLayout(follow)
        dispatched_layout.addWidget(self.panel, 1)

        self.tabs = QTabWidget()
        self.tabs.addTab(self.morning, self.tr("Morning referral"))
        self.tabs.addTab(self.dispatched, self.tr("Dispatched"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

        events.hub().data_changed.connect(self._on_hub_data_changed)
        self.panel.restore_state()
        self._update_buttons()
        self._load_today()

    @property
    def model(self):  # noqa: ANN201 - the board's model, for the --screenshot start-up
        return self.tree.model()

    # --- the day and the board ----------------------------------------------------------------------------

    def _load_today(self) -> None:
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
        self.tree.blockSignals(True)
        self.tree.clear()
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
                child.setToolTip(0, f"{request.job_class or ''} — received {request.received_at:%a %d %b %H:%M}")
                item.addChild(child)
                if request.id == self.request_id:
                    current = child
            self.tree.addTopLevelItem(item)
            item.setExpanded(True)
        if current is not None:
            self.tree.setCurrentItem(current)
        self.tree.blockSignals(False)
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
        for i in range(self.tree.topLevelItemCount()):
            book = self.tree.topLevelItem(i)
            assert book is not None  # i is in range
            for j in range(book.childCount()):
                child = book.child(j)
                if child is not None and child.data(0, Qt.ItemDataRole.UserRole) == ("request", request_id):
                    self.tree.setCurrentItem(child)
                    return True
        return False

    def _on_tree_current_item_changed(self, current: QTreeWidgetItem | None, _previous: object) -> None:
        data = current.data(0, Qt.ItemDataRole.UserRole) if current is not None else None
        if not data or data[0] != "request" or data[1] == self.request_id:
            return
        self.request_id = data[1]
        self.view = None
        self.last_dispatch_id = None
        self.result_label.clear()
        self.walk_model.set_rows([])
        self.load_walk()

    # --- the walk -----------------------------------------------------------------------------------------

    def run_id(self, request_id: int) -> uuid.UUID:
        """One run per request for as long as this screen works it: the walk continues where it stopped."""
        return self.run_ids.setdefault(request_id, uuid.uuid4())

    def load_walk(self) -> None:
        request_id = self.request_id
        if request_id is None:
            return
        self.runner.query(partial(referral.walk, self.hall, request_id, self.run_id(request_id)), parent=self,
                          key="referral-walk", success=self._show_walk, name="referral walk")

    def _show_walk(self, view: WalkView) -> None:
        if view.request.id != self.request_id:
            return
        same = self.view is not None and self.view.request.id == view.request.id
        self.view = view
        lines = walk_lines(view.preview)
        if same:  # a refresh of the same walk keeps the dispatcher's place
            with view_state.kept(self.walk_view, self.walk_model):
                self.walk_model.set_rows(lines)
        else:
            self.walk_model.set_rows(lines)
        next_line = next((i for i, line in enumerate(lines) if line.state == "next"), None)
        if next_line is not None and not self.walk_view.selectionModel().hasSelection():
            self.walk_view.scrollTo(self.walk_model.index(next_line, 0))
        r, p = view.request, view.preview
        marks = (self.tr("Declining or not answering earns a check mark.") if p.issues_marks else
                 self.tr("No check marks on this request: {}.").format(
                     no_mark_text(p.no_mark_reasons) or self.tr("{} agreement, manual rules").format(
                         r.agreement_type.upper())))
        self.request_label.setText(self.tr(
            "<b>{number}</b> — {employer}{worksite} · book <b>{book}</b> · {job}<br>"
            "Starts {start:%a %d %b}{time} · <b>{sent} of {wanted}</b> sent · {status}{by_name}<br>{marks}").format(
                number=r.number, employer=r.employer_name, worksite=f", {r.worksite_name}" if r.worksite_name else "",
                book=r.book_name, job=r.job_class or self.tr("no job class"), start=r.start_on,
                time=f" {r.start_time}" if r.start_time else "", sent=r.workers_dispatched,
                wanted=r.workers_requested, status=format_label(r.status),
                by_name=self.tr(" · by name: {}").format(r.by_name_member) if r.by_name_member else "",
                marks=marks))
        if p.next is not None and p.open_places > 0 and r.status in ("open", "partially_filled"):
            n = p.next
            phones = " · ".join(view.phones) or self.tr("no phone on file")
            self.next_label.setText(self.tr(
                "<span style='font-size:14pt'><b>Next: {name}</b></span> &nbsp; card {card} · rank {rank} · "
                "tier {tier} · APN {apn:.2f}<br><span style='font-size:13pt'>☎ {phones}</span>").format(
                    name=n.member_name, card=n.card_number, rank=n.rank, tier=n.tier, apn=n.apn, phones=phones))
        elif p.open_places <= 0 or r.status not in ("open", "partially_filled"):
            self.next_label.setText(self.tr("<b>Request {} is {}.</b>").format(r.number, format_label(r.status)))
        else:
            self.next_label.setText(self.tr("<b>No one on the list can take this request.</b>"))
        self._update_buttons()
        self.walk_shown.emit()
        self.record_shown.emit()

    def _can_answer(self) -> bool:
        v = self.view
        return (v is not None and not self._answering and v.preview.next is not None and v.preview.open_places > 0
                and v.request.status in ("open", "partially_filled"))

    def answer(self, outcome: str) -> None:
        """Record the next registrant's answer: one command, a fresh key per click, the walk's run id."""
        if not self._can_answer():
            return
        assert self.view is not None and self.view.preview.next is not None
        request = self.view.request
        registration_id = self.view.preview.next.registration_id
        self._answering = True
        self._update_buttons()
        self.runner.command(
            partial(referral.answer, self.hall, request, registration_id, outcome, self.run_id(request.id),
                    uuid.uuid4()),
            parent=self, success=self._on_answered, failure=self._on_answer_failed, name=f"offer {outcome}")

    def _on_answered(self, result: OfferResult) -> None:
        self._answering = False
        self.last_result = result
        name = result.member_name
        if result.outcome == "accepted":
            self.last_dispatch_id = result.dispatch_id
            text = self.tr("<b>{} accepted</b> — dispatch {} recorded ({} of {} sent). "
                           "Print the dispatch slip.").format(name, result.dispatch_id, result.workers_dispatched,
                                                               result.workers_requested)
        else:
            text = self.tr("<b>{} {}</b> — ").format(name, OUTCOME_WORDS[result.outcome])
            if result.rolled_off == "quit":
                text += self.tr("a refused bid win counts as a quit: rolled off all books (R8/R12).")
            elif result.mark_issued:
                allowed = self.view.rules_marks_allowed if self.view else 3
                text += self.tr("<span style='color:#B42318'><b>check mark issued</b></span> "
                                "({} of {} on this book)").format(result.live_marks, allowed)
                if result.rolled_off == "check_marks":
                    text += self.tr(" — rolled off this book.")
            else:
                text += self.tr("no check mark (this request issues none, or one was already given today).")
        if result.skipped:
            text += self.tr(" {} skipped above, recorded with their reasons.").format(len(result.skipped))
        self.result_label.setText(text)
        self._update_buttons()
        self.answered.emit(result)
        self._load_board()
        self._load_dispatches()
        self.load_walk()

    def _on_answer_failed(self, exc: BaseException) -> None:
        self._answering = False
        self._update_buttons()
        if isinstance(exc, DomainError):
            self.result_label.setText(f"<b>{exc.message}</b>")
            messages.warning(self, self.tr("The list changed"), exc.message)
        self.load_walk()

    # --- slip, by name, history, marks ----------------------------------------------------------------------

    def _on_slip_button_clicked(self) -> None:
        dispatch_id = self.last_dispatch_id
        if dispatch_id is None:
            return
        hall = self.hall

        def build(path: Path, context: ReportContext) -> Path:
            return build_dispatch_slip(path, context, referral.dispatch_slip(hall, dispatch_id))

        reporting.print_report(self.runner, hall, self, f"Dispatch slip {dispatch_id}",
                               [("Dispatch", str(dispatch_id))], build, done=self._on_slip_written)

    def _on_slip_written(self, path: Path) -> None:
        messages.status(self, self.tr("Dispatch slip saved to {}").format(path), 8000)
        if reporting.save_folder_override is None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
        self.slip_written.emit(path)

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

    # --- dispatched: check-in and end ---------------------------------------------------------------------

    def _load_dispatches(self) -> None:
        if self.day is None:
            return
        day = self.day
        first, last = min(day, self.today or day), max(day, self.today or day)
        self.runner.query(partial(referral.dispatches, self.hall, first=first, last=last,
                                  open_only=self.open_only.isChecked(), text=self.panel.search_text()),
                          parent=self, key="referral-dispatches", success=self._show_dispatches,
                          name="dispatched list")

    def _show_dispatches(self, rows: list[DispatchRow]) -> None:
        self.panel.reload(rows)
        self._update_buttons()

    def _on_check_in_button_clicked(self) -> None:
        row = self.panel.current_row()
        if row is None or not messages.question(self, self.tr("Check in"), self.tr(
                "{} reported to {} (request {})?").format(row.member_name, row.employer_name, row.request_number),
                default_yes=True):
            return
        self.runner.command(partial(referral.check_in, self.hall, row.id), parent=self,
                            success=self._on_checked_in, name="check in")

    def _on_checked_in(self, row: DispatchRow) -> None:
        messages.status(self, self.tr("{} checked in").format(row.member_name))
        self._load_dispatches()

    def _on_terminate_button_clicked(self) -> None:
        row = self.panel.current_row()
        if row is None:
            return
        self.runner.query(partial(referral.end_facts, self.hall, row.id), parent=self,
                          success=lambda facts: self._open_terminate(row, facts),
                          name="end-of-job facts")

    def _open_terminate(self, row: DispatchRow, facts: EndFacts) -> None:
        hall = self.hall

        def save(dialog: TerminateDialog, reason: str, ended_on: date, hours: Decimal | None) -> None:
            note = dialog.note.text().strip() or None

            def done(result: TerminationResult) -> None:
                dialog.accept()
                messages.status(self, self.tr("{}: job ended — {}").format(row.member_name,
                                                                           format_label(result.outcome)), 8000)
                self.terminated.emit(result)
                self._load_dispatches()

            self.runner.command(partial(referral.end_job, hall, row, reason=reason, ended_on=ended_on, hours=hours,
                                        note=note),
                                parent=dialog, success=done,
                                failure=lambda exc: dialog.show_error(getattr(exc, "message", str(exc))),
                                name="end the job")

        self.dialog = TerminateDialog(row, facts, save, self)
        self.dialog.open()

    def _on_dispatch_history_button_clicked(self) -> None:
        row = self.panel.current_row()
        if row is None:
            return
        self.dialog = OfferHistoryDialog(self.runner, self.hall, self.settings, dispatch_id=row.id,
                                         subject=self.tr("dispatch {} — {} to {}").format(
                                             row.id, row.member_name, row.employer_name), parent=self)
        self.dialog.open()

    def _on_panel_export_requested(self) -> None:
        reporting.export_model(self.runner, self.hall, self, self.dispatch_model, "Dispatched",
                               [("Day", f"{self.day}"), ("Still on the job", str(self.open_only.isChecked()))])

    # --- live board and state -----------------------------------------------------------------------------

    def _on_hub_data_changed(self, kind: str, ids: list, initiator: object) -> None:
        if kind not in LIVE_KINDS or self.day is None:
            return
        if initiator is self:
            return  # our own answers refresh in their success callback
        self._load_board()
        self._load_dispatches()
        if self.view is not None and (not ids or self.view.request.book_id in ids):
            self.load_walk()

    def _update_buttons(self) -> None:
        can = self._can_answer()
        for button in (self.accept_button, self.decline_button, self.no_answer_button):
            button.setEnabled(can)
        self.slip_button.setEnabled(self.last_dispatch_id is not None)
        view = self.view
        self.by_name_button.setEnabled(view is not None and view.request.by_name_member_id is not None
                                       and view.request.status in ("open", "partially_filled"))
        self.history_button.setEnabled(view is not None)
        line = self.walk_model.row_at(self.walk_view.currentIndex())
        self.walk_mark_button.setEnabled(line is not None and line.mark_issued)
        row = self.panel.current_row()
        self.check_in_button.setEnabled(row is not None and row.status == "dispatched")
        self.terminate_button.setEnabled(row is not None and row.status in ACTIVE_DISPATCH_STATUSES)
        self.dispatch_history_button.setEnabled(row is not None)

    def save_state(self) -> None:
        self.panel.save_state()

