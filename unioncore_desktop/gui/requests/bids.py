"""Bids on a posted request (R8): record the bids taken by phone, e-mail or web import during the bid window,
see them in the order the dispatch walk will offer the job (list place, never bid time), withdraw one."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QItemSelectionModel, Signal
from PySide6.QtWidgets import QButtonGroup, QDialog, QLabel, QPushButton, QRadioButton, QTableView, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import requests
from unioncore_desktop.domain.queries.requests import BidRow, RequestRow
from unioncore_desktop.domain.rules.book_rules import RuleSet
from unioncore_desktop.domain.rules.requests import bid_errors
from unioncore_desktop.domain.services.requests import BidResult
from unioncore_desktop.domain.vocab import BID_SOURCES
from unioncore_desktop.gui import events, messages
from unioncore_desktop.gui.forms.ui_bids_dialog import Ui_BidsDialog
from unioncore_desktop.gui.itemmodels.formatting import format_datetime
from unioncore_desktop.gui.itemmodels.requests import SOURCE_LABELS, BidListModel
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets import copy_rows
from unioncore_desktop.gui.widgets.field_errors import FieldErrors, as_message
from unioncore_desktop.gui.widgets.form_rows import put_field
from unioncore_desktop.gui.widgets.member_lookup import MemberLookup

_SOURCE_BUTTON_TEXT = {"phone": "&Phone", "email": "&E-mail", "web": "&Web import"}
# A bid from another workstation arrives as "bid" with request ids; a bidder's place moves with "registration"
# and "dispatch" changes, which carry book ids.
_PLACE_KINDS = ("registration", "dispatch")


class BidsDialog(QDialog):
    """The bids on one bidding request. Recording and withdrawing announce a "bid" change named by the request,
    the key another workstation's bid arrives with, so one handler refreshes the list. The form is
    ui/bids_dialog.ui; the member lookup and the source buttons (one per bid source) are added to it here."""

    loaded = Signal()  # the bid list is on screen
    bid_recorded = Signal(object)  # BidResult
    bid_withdrawn = Signal(int)  # bid id

    def __init__(self, runner: TaskRunner, hall: HallConnection, request: RequestRow,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.request = request
        self._select_bid: int | None = None
        self.form = Ui_BidsDialog()
        self.form.setupUi(self)
        self.setWindowTitle(self.tr("Bids on request {}").format(request.number))
        self.form.heading.setText(
            self.tr("<b>Bids on {number}</b> — {book}, {employer}; worked at the referral of {day}").format(
                number=request.number, book=request.book_name, employer=request.employer_name,
                day=f"{request.referral_date:%a %d %b %Y}"))
        self.rules_note: QLabel = self.form.bidRules

        self.model = BidListModel(parent=self)
        self.view: QTableView = self.form.bidList  # walk order is the point of the list: no click-to-sort
        self.view.setModel(self.model)
        copy_rows.install(self.view)
        self.count_label: QLabel = self.form.rowCount

        self.message = as_message(self.form.formMessage)
        self.errors = FieldErrors(self.message)
        self.member_edit = MemberLookup(runner, hall, status="active")
        self.member_edit.setObjectName("bidMember")
        put_field(self.form.recordForm, self.form.memberCaption, self.member_edit)
        self.member_edit.member_picked.connect(self._on_member_edit_member_picked)
        self.member_edit.member_cleared.connect(self._on_member_edit_member_cleared)
        self.recorded_label: QLabel = self.form.bidRecorded
        self.recorded_label.setVisible(False)
        self.source_group = QButtonGroup(self)
        self.source_buttons: dict[str, QRadioButton] = {}
        for i, source in enumerate(BID_SOURCES):  # before the row's stretch
            button = QRadioButton(self.tr(_SOURCE_BUTTON_TEXT.get(source, source)))
            button.setObjectName(f"source_{source}")
            self.source_group.addButton(button)
            self.source_buttons[source] = button
            self.form.sources.insertWidget(i, button)
        self.errors.adopt("member_id", self.form.member_idError, self.member_edit)
        self.errors.adopt("source", self.form.sourceError, self.form.sourcesBox)
        self.record_button: QPushButton = self.form.recordButton
        self.record_button.clicked.connect(self._on_record_button_clicked)
        self.withdraw_button: QPushButton = self.form.withdrawButton
        self.withdraw_button.clicked.connect(self._on_withdraw_button_clicked)
        self.close_button: QPushButton = self.form.closeButton

        previous: QWidget = self.member_edit
        for button in self.source_buttons.values():
            self.setTabOrder(previous, button)
            previous = button
        for widget in (self.record_button, self.view, self.withdraw_button, self.close_button):
            self.setTabOrder(previous, widget)
            previous = widget
        self.view.selectionModel().selectionChanged.connect(self._update_withdraw_button)
        self.model.modelReset.connect(self._update_withdraw_button)
        events.hub().data_changed.connect(self._on_hub_data_changed)
        self.member_edit.setFocus()
        self._load_rules()
        self.reload()

    # --- loading ------------------------------------------------------------------------------------------

    def _load_rules(self) -> None:
        self.runner.query(partial(requests.bid_rules, self.hall, self.request.book_id), parent=self,
                          key=("bid-rules", id(self)), success=self._show_rules, name="bid window")

    def _show_rules(self, rules: RuleSet) -> None:
        self.rules_note.setText(self.tr("Bids are taken from {opens} to {closes}. The job goes to bidders in list "
                                        "order (tier, APN), not in the order they bid.").format(
            opens=f"{rules.bid_opens:%H:%M}", closes=f"{rules.bid_closes:%H:%M}"))

    def reload(self) -> None:
        self.runner.query(partial(requests.bids, self.hall, self.request.id), parent=self,
                          key=("request-bids", id(self)), success=self._show_rows, name="request bids")

    def _show_rows(self, rows: list[BidRow]) -> None:
        current = self.current_row()
        self.model.set_rows(rows)
        self.view.resizeColumnsToContents()
        wanted = self._select_bid if self._select_bid is not None else (current.id if current else None)
        self._select_bid = None
        if wanted is not None:
            self._select(wanted)
        live = sum(1 for r in rows if r.offer_order is not None)
        self.count_label.setText(self.tr("{live} in line · {total} bids").format(live=live, total=len(rows)))
        self.loaded.emit()

    def _on_hub_data_changed(self, kind: str, ids: list, _initiator: object) -> None:
        if not self.isVisible():  # closed: the next Bids… opens a fresh list
            return
        if kind == "bid":
            if not ids or self.request.id in ids:
                self.reload()
        elif kind in _PLACE_KINDS and (not ids or self.request.book_id in ids):
            self.reload()

    # --- selection ----------------------------------------------------------------------------------------

    def current_row(self) -> BidRow | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.rows[rows[0].row()]

    def _select(self, bid_id: int) -> bool:
        for position, row in enumerate(self.model.rows):
            if row.id == bid_id:
                index = self.model.index(position, 0)
                self.view.selectionModel().setCurrentIndex(
                    index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
                self.view.scrollTo(index)
                return True
        return False

    def _update_withdraw_button(self, *_args: object) -> None:
        row = self.current_row()
        self.withdraw_button.setEnabled(row is not None and not row.withdrawn)

    # --- recording ----------------------------------------------------------------------------------------

    def source(self) -> str | None:
        return next((s for s, b in self.source_buttons.items() if b.isChecked()), None)

    def _on_member_edit_member_picked(self, _member_id: int) -> None:
        self.errors.clear()
        self.recorded_label.setVisible(False)

    def _on_member_edit_member_cleared(self) -> None:
        self.recorded_label.setVisible(False)

    def _on_record_button_clicked(self) -> None:
        member_id, source = self.member_edit.member_id, self.source()
        errors = bid_errors(source)
        if member_id is None:
            errors["member_id"] = self.tr(MemberLookup.NOT_PICKED)
        if errors:
            self.errors.show(errors)
            return
        self.errors.clear()
        assert member_id is not None and source is not None
        self.record_button.setEnabled(False)
        self.runner.command(partial(requests.record_bid, self.hall, self.request.id, member_id, source),
                            parent=self, success=self._on_recorded, failure=self._on_record_failed,
                            name="record bid")

    def _on_recorded(self, result: BidResult) -> None:
        self.record_button.setEnabled(True)
        name = self.member_edit.text().split(" — ")[0]
        # The reload started by the change may already be in (inline runner) or still on its way.
        self._select_bid = None if self._select(result.bid_id) else result.bid_id
        self.recorded_label.setText(self.tr("Bid recorded for {name} ({source}) at {at}.").format(
            name=name, source=SOURCE_LABELS.get(self.source() or "", ""), at=format_datetime(result.received_at)))
        self.recorded_label.setVisible(True)
        self.member_edit.clear_member()
        self.member_edit.setFocus()
        messages.status(self, self.tr("Bid recorded on {}").format(self.request.number))
        self.bid_recorded.emit(result)

    def _on_record_failed(self, exc: BaseException) -> None:
        """The refusal beside the member field or above the form; what was entered stays."""
        self.record_button.setEnabled(True)
        self.errors.show_failure(exc, self)

    # --- withdrawing --------------------------------------------------------------------------------------

    def _on_withdraw_button_clicked(self) -> None:
        row = self.current_row()
        if row is None or row.withdrawn:
            return
        if not messages.question(self, self.tr("Withdraw bid"),
                                 self.tr("Withdraw the bid of {name} ({card}) on request {number}?\n\nThe bid stays "
                                         "on record as withdrawn and the walk passes over it.").format(
                                     name=row.member_name, card=row.card_number, number=self.request.number)):
            return
        bid_id = row.id
        self.withdraw_button.setEnabled(False)
        self.runner.command(partial(requests.withdraw_bid, self.hall, self.request.id, bid_id), parent=self,
                            success=lambda _none: self._on_withdrawn(bid_id), failure=self._on_withdraw_failed,
                            name="withdraw bid")

    def _on_withdrawn(self, bid_id: int) -> None:
        self._update_withdraw_button()
        messages.status(self, self.tr("Bid withdrawn"))
        self.bid_withdrawn.emit(bid_id)

    def _on_withdraw_failed(self, exc: BaseException) -> None:
        self._update_withdraw_button()
        self.errors.show_failure(exc, self)
