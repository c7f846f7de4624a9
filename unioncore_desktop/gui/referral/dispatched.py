"""The Dispatched tab: the day's dispatches (or everyone still on the job) and their follow-up — check-in, the
end of the job, the employer's rejection of the member, a no-show, and the offer history of a dispatch."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QDialog, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import referral
from unioncore_desktop.domain.queries.dispatch import DispatchRow
from unioncore_desktop.domain.rules.referral import dispatch_exception_errors
from unioncore_desktop.domain.services.terminations import EndFacts, TerminationResult
from unioncore_desktop.domain.vocab import ACTIVE_DISPATCH_STATUSES
from unioncore_desktop.gui import messages, reporting
from unioncore_desktop.gui.itemmodels.dispatch import DispatchListModel
from unioncore_desktop.gui.itemmodels.formatting import format_label
from unioncore_desktop.gui.referral.dialogs import ReasonDialog, TerminateDialog
from unioncore_desktop.gui.referral.offer_history import OfferHistoryDialog
from unioncore_desktop.gui.roles import REFERRAL_WRITERS
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.table_panel import TablePanel


UNDOABLE_STATUSES = ("dispatched", "checked_in")  # before the job is under way: rejection and no-show give it back


class DispatchedTab(QWidget):
    """Dispatches from the day shown to the hall's today (the day's, or everyone still working)."""

    dialog_opened = Signal(object)  # the follow-up dialog just opened
    terminated = Signal(object)  # TerminationResult
    undone = Signal(object)  # DispatchRow: the employer rejected the member, or a no-show was recorded

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.settings = settings
        self.day: date | None = None
        self.today: date | None = None
        self.may_write = bool(hall.facts.roles & REFERRAL_WRITERS)
        self.dispatch_model = DispatchListModel(parent=self)
        self.panel = TablePanel("referral-dispatches", self.dispatch_model, settings=settings,
                                search_placeholder=self.tr("Filter: member, card, employer, request…"))
        self.panel.search_changed.connect(lambda _text: self.reload())
        self.panel.export_requested.connect(self._on_panel_export_requested)
        self.panel.view.selectionModel().currentRowChanged.connect(lambda *_: self.update_buttons())
        self.open_only = QCheckBox(self.tr("Everyone still on the job (not only this day's dispatches)"))
        self.open_only.toggled.connect(lambda _on: self.reload())
        self.check_in_button = QPushButton(self.tr("&Check in"))
        self.terminate_button = QPushButton(self.tr("E&nd the job…"))
        self.reject_button = QPushButton(self.tr("Employer re&jected…"))
        self.reject_button.setToolTip(self.tr("The employer turned the member away: the member keeps their place on "
                                              "the book, with no check mark"))
        self.no_show_button = QPushButton(self.tr("No-&show…"))
        self.no_show_button.setToolTip(self.tr("The member never reported to the employer"))
        self.dispatch_history_button = QPushButton(self.tr("Offer history…"))
        self.check_in_button.clicked.connect(self._on_check_in_button_clicked)
        self.terminate_button.clicked.connect(self._on_terminate_button_clicked)
        self.reject_button.clicked.connect(self._on_reject_button_clicked)
        self.no_show_button.clicked.connect(self._on_no_show_button_clicked)
        self.dispatch_history_button.clicked.connect(self._on_dispatch_history_button_clicked)
        follow = QHBoxLayout()
        follow.addWidget(self.open_only)
        follow.addStretch(1)
        for button in (self.check_in_button, self.terminate_button, self.reject_button, self.no_show_button,
                       self.dispatch_history_button):
            follow.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(follow)
        layout.addWidget(self.panel, 1)

    def load(self, day: date, today: date | None) -> None:
        self.day, self.today = day, today
        self.reload()

    def reload(self) -> None:
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
        self.update_buttons()

    def update_buttons(self) -> None:
        row = self.panel.current_row()
        self.check_in_button.setEnabled(self.may_write and row is not None and row.status == "dispatched")
        self.terminate_button.setEnabled(self.may_write and row is not None
                                         and row.status in ACTIVE_DISPATCH_STATUSES)
        undoable = self.may_write and row is not None and row.status in UNDOABLE_STATUSES
        self.reject_button.setEnabled(undoable)
        self.no_show_button.setEnabled(undoable)
        self.dispatch_history_button.setEnabled(row is not None)

    # --- follow-up ----------------------------------------------------------------------------------------

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
        self.reload()

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
                self.reload()

            self.runner.command(partial(referral.end_job, hall, row, reason=reason, ended_on=ended_on, hours=hours,
                                        note=note),
                                parent=dialog, success=done,
                                failure=lambda exc: dialog.show_error(getattr(exc, "message", str(exc))),
                                name="end the job")

        self._open(TerminateDialog(row, facts, save, self))

    def _on_reject_button_clicked(self) -> None:
        row = self.panel.current_row()
        if row is not None:
            self._ask_reason(row, "rejected", self.tr("Employer rejected — {}").format(row.member_name),
                             self._what_happened(row, self.tr("was turned away by")) + self.tr(
                                 "The member keeps their place on {}: <b>no check mark</b>, no restoration "
                                 "used.").format(row.book_name),
                             self.tr("Record the rejection"))

    def _on_no_show_button_clicked(self) -> None:
        row = self.panel.current_row()
        if row is not None:
            after = (self.tr("This job was <b>won by bid</b>: not reporting counts as a quit (R8/R12) — the member "
                             "is rolled off <b>ALL books</b> and barred from by-name requests from {}.").format(
                                 row.employer_name) if row.via_bid
                     else self.tr("The member returns to their place on {}.").format(row.book_name))
            self._ask_reason(row, "no_show", self.tr("No-show — {}").format(row.member_name),
                             self._what_happened(row, self.tr("never reported to")) + after,
                             self.tr("Record the no-show"))

    def _what_happened(self, row: DispatchRow, verb: str) -> str:
        return self.tr("{} ({}) {} {} — request {}, dispatched {:%a %d %b %Y}.<br>The place goes back to the "
                       "request. ").format(row.member_name, row.card_number, verb, row.employer_name,
                                           row.request_number, row.dispatch_date)

    def _ask_reason(self, row: DispatchRow, status: str, title: str, intro: str, ok_text: str) -> None:
        """The reason dialog for a rejection or a no-show; closes only once the command is saved."""
        action = referral.reject if status == "rejected" else referral.no_show

        def save(dialog: ReasonDialog, reason: str) -> None:
            def saved(result: DispatchRow) -> None:
                dialog.accept()
                messages.status(self, self.tr("{}: {} recorded").format(
                    result.member_name, self.tr("employer rejection") if status == "rejected" else self.tr("no-show")),
                    8000)
                self.undone.emit(result)
                self.reload()

            self.runner.command(partial(action, self.hall, row, reason), parent=dialog, success=saved,
                                failure=lambda exc: dialog.show_error(getattr(exc, "message", str(exc))),
                                name="employer rejected" if status == "rejected" else "no-show")

        self._open(ReasonDialog(title, intro, save, self, ok_text,
                                lambda text: dispatch_exception_errors(status, text)))

    def _on_dispatch_history_button_clicked(self) -> None:
        row = self.panel.current_row()
        if row is None:
            return
        self._open(OfferHistoryDialog(self.runner, self.hall, self.settings, dispatch_id=row.id,
                                      subject=self.tr("dispatch {} — {} to {}").format(
                                          row.id, row.member_name, row.employer_name), parent=self))

    def _open(self, dialog: QDialog) -> None:
        self.dialog_opened.emit(dialog)
        dialog.open()

    def _on_panel_export_requested(self) -> None:
        reporting.export_model(self.runner, self.hall, self, self.dispatch_model, "Dispatched",
                               [("Day", f"{self.day}"), ("Still on the job", str(self.open_only.isChecked()))])
