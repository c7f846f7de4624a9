"""Bids on a posted request (R8): record the bids taken by phone, e-mail or web import during the bid window,
see them in the order the dispatch walk will offer the job (list place, never bid time), withdraw one."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import requests
from unioncore_desktop.domain.queries.requests import BidRow, RequestRow
from unioncore_desktop.domain.rules.apn import format_apn
from unioncore_desktop.domain.rules.book_rules import RuleSet
from unioncore_desktop.domain.rules.requests import bid_errors
from unioncore_desktop.domain.services.requests import BidResult
from unioncore_desktop.domain.vocab import BID_SOURCES
from unioncore_desktop.gui import events, messages
from unioncore_desktop.gui.itemmodels.base import Column, RowTableModel
from unioncore_desktop.gui.itemmodels.formatting import format_datetime
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.field_errors import FieldErrors, message_label
from unioncore_desktop.gui.widgets.member_lookup import MemberLookup

SOURCE_LABELS = {"phone": "Phone", "email": "E-mail", "web": "Web import"}
_SOURCE_BUTTON_TEXT = {"phone": "&Phone", "email": "&E-mail", "web": "&Web import"}
_PASSED_OVER = QColor("#6B7280")
# A bid from another workstation arrives as "bid" with request ids; a bidder's place moves with "registration"
# and "dispatch" changes, which carry book ids.
_PLACE_KINDS = ("registration", "dispatch")


def bid_state(row: BidRow) -> str:
    if row.withdrawn:
        return "Withdrawn"
    if not row.registered:
        return "No registered place — passed over"
    return "In line"


def _passed_over(row: BidRow) -> QColor | None:
    return _PASSED_OVER if row.offer_order is None else None


def _state_tooltip(row: BidRow) -> str | None:
    if row.withdrawn:
        return "The member took the bid back; the walk passes over it."
    if not row.registered:
        return ("The member holds no registered place on this book now (dispatched, rolled off...), "
                "so the walk cannot offer them this job.")
    return None


class BidListModel(RowTableModel[BidRow]):
    """Bids in walk order; withdrawn bids and bidders without a place are greyed."""

    columns = (
        Column("offer_order", "Turn", kind="int", foreground=_passed_over,
               tooltip=lambda r: "Offered in this turn when the request is worked" if r.offer_order else None),
        Column("rank", "Rank", kind="int", foreground=_passed_over),
        Column("tier", "Tier", kind="int", foreground=_passed_over),
        Column("apn", "APN", formatter=lambda v: "" if v is None else format_apn(v),
               alignment=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, foreground=_passed_over),
        Column("card_number", "Card", foreground=_passed_over),
        Column("member_name", "Member", foreground=_passed_over),
        Column("source", "Bid by", formatter=lambda v: SOURCE_LABELS.get(v, v), foreground=_passed_over),
        Column("received_at", "Received", kind="datetime", foreground=_passed_over),
        Column("state", "Status", value=bid_state, foreground=_passed_over, tooltip=_state_tooltip),
    )


class BidsDialog(QDialog):
    """The bids on one bidding request. Recording and withdrawing announce a "bid" change named by the request,
    the key another workstation's bid arrives with, so one handler refreshes the list."""

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
        self.setWindowTitle(self.tr("Bids on request {}").format(request.number))

        heading = QLabel(self.tr("<b>Bids on {number}</b> — {book}, {employer}; worked at the referral of {day}")
                         .format(number=request.number, book=request.book_name, employer=request.employer_name,
                                 day=f"{request.referral_date:%a %d %b %Y}"))
        heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.rules_note = QLabel(self.tr("The job goes to bidders in list order (tier, APN), not in the order "
                                         "they bid."))
        self.rules_note.setObjectName("bidRules")
        self.rules_note.setWordWrap(True)

        self.model = BidListModel(parent=self)
        self.view = QTableView()
        self.view.setObjectName("bidList")
        self.view.setModel(self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        # Walk order is the point of the list: no click-to-sort.
        self.view.setSortingEnabled(False)
        self.count_label = QLabel()
        self.count_label.setObjectName("rowCount")

        self.message = message_label()
        self.errors = FieldErrors(self.message)
        self.member_edit = MemberLookup(runner, hall, status="active")
        self.member_edit.setObjectName("bidMember")
        self.member_edit.member_picked.connect(self._on_member_edit_member_picked)
        self.member_edit.member_cleared.connect(self._on_member_edit_member_cleared)
        self.recorded_label = QLabel()
        self.recorded_label.setObjectName("bidRecorded")
        self.recorded_label.setVisible(False)
        self.source_group = QButtonGroup(self)
        self.source_buttons: dict[str, QRadioButton] = {}
        sources = QHBoxLayout()
        sources.setContentsMargins(0, 0, 0, 0)
        for source in BID_SOURCES:
            button = QRadioButton(self.tr(_SOURCE_BUTTON_TEXT.get(source, source)))
            button.setObjectName(f"source_{source}")
            self.source_group.addButton(button)
            self.source_buttons[source] = button
            sources.addWidget(button)
        sources.addStretch(1)
        sources_box = QWidget()
        sources_box.setLayout(sources)
        self.record_button = QPushButton(self.tr("&Record bid"))
        self.record_button.clicked.connect(self._on_record_button_clicked)

        record_box = QGroupBox(self.tr("Record a bid taken by phone, e-mail or web import"))
        form = QFormLayout(record_box)
        form.addRow(self.tr("&Member"), self.member_edit)
        form.addRow("", self.errors.add("member_id", self.member_edit))
        form.addRow("", self.recorded_label)
        form.addRow(self.tr("Bid came by"), sources_box)
        form.addRow("", self.errors.add("source", sources_box))
        record_row = QHBoxLayout()
        record_row.addStretch(1)
        record_row.addWidget(self.record_button)
        form.addRow(record_row)

        self.withdraw_button = QPushButton(self.tr("Wit&hdraw selected bid…"))
        self.withdraw_button.setAutoDefault(False)
        self.withdraw_button.setEnabled(False)
        self.withdraw_button.clicked.connect(self._on_withdraw_button_clicked)
        self.close_button = QPushButton(self.tr("&Close"))
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.accept)
        list_buttons = QHBoxLayout()
        list_buttons.addWidget(self.count_label)
        list_buttons.addStretch(1)
        list_buttons.addWidget(self.withdraw_button)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.rules_note)
        layout.addWidget(self.view, 1)
        layout.addLayout(list_buttons)
        layout.addWidget(self.message)
        layout.addWidget(record_box)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        layout.addLayout(bottom)
        # set once the button is inside the dialog, so Enter comes back to it after focus was on another button
        self.record_button.setDefault(True)

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
        self.resize(900, 560)
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
