"""The member record's read-only parts: where the member stands on dues (amounts only for a login that may see
them), and the grids of registrations, dispatches, offers, employment, bans and changes, each exportable to
Excel. `show` takes one MemberRecord DTO; nothing here queries (an offer opens the referral screen's offer history
of its request, which reads its own lines)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.queries.dispatch import OfferLineRow
from unioncore_desktop.domain.queries.dues import PostingLookupRow
from unioncore_desktop.domain.queries.member_record import MemberRecord
from unioncore_desktop.gui import reporting
from unioncore_desktop.gui.itemmodels.base import RowTableModel
from unioncore_desktop.gui.itemmodels.dispatch import DispatchListModel, OfferHistoryModel
from unioncore_desktop.gui.itemmodels.dues import STANDING_COLOURS, format_month, format_standing
from unioncore_desktop.gui.itemmodels.formatting import format_money
from unioncore_desktop.gui.itemmodels.member_record import BanModel, RecordRegistrationModel
from unioncore_desktop.gui.itemmodels.members import ChangeHistoryModel, EmploymentModel
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.table_panel import TablePanel

if TYPE_CHECKING:  # the referral's actions and services load when an offer's history first opens
    from unioncore_desktop.gui.referral.offer_history import OfferHistoryDialog


def record_grid(runner: TaskRunner, hall: HallConnection, name: str, title: str, model: RowTableModel[Any],
                subject: Callable[[], str], settings: UiSettings | None = None) -> TablePanel:
    """A record's list: no search box or print, an Export to Excel button titled after the member shown."""
    panel = TablePanel(f"member-{name}", model, settings=settings)
    panel.search_edit.setVisible(False)
    panel.print_button.setVisible(False)
    panel.export_requested.connect(
        lambda: reporting.export_model(runner, hall, panel, model, title, [("Member", subject())]))
    return panel


class StandingLine(QWidget):
    """Dues standing, months behind and paid-through; the balance only when the login may see amounts."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.standing_label = QLabel()
        self.standing_label.setObjectName("standing")
        self.paid_through_label = QLabel()
        self.balance_label = QLabel()
        self.balance_label.setObjectName("balance")
        for label in (self.paid_through_label, self.balance_label):
            label.setTextFormat(Qt.TextFormat.RichText)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.standing_label)
        layout.addWidget(self.paid_through_label)
        layout.addWidget(self.balance_label)
        layout.addStretch(1)

    def show_standing(self, row: PostingLookupRow | None) -> None:
        self.setVisible(row is not None)
        if row is None:
            return
        colour = STANDING_COLOURS.get(row.standing, "#444")
        self.standing_label.setText(format_standing(row.standing))
        self.standing_label.setProperty("standing", row.standing)
        self.standing_label.setStyleSheet(f"QLabel {{ background: {colour}; color: white; padding: 2px 10px; "
                                          "border-radius: 3px; font-weight: bold; }")
        self.paid_through_label.setText(self.tr("Paid through <b>{month}</b> · <b>{behind}</b> month(s) behind").format(
            month=format_month(row.paid_through) or self.tr("never"), behind=row.months_behind))
        self.balance_label.setVisible(row.balance is not None)  # None: this login sees standing, never amounts
        if row.balance is not None:
            word = self.tr("Credit") if row.balance < 0 else self.tr("Balance")
            self.balance_label.setText(f"· {word} <b>{format_money(abs(row.balance))}</b>")


class RecordGrids:
    """The record's lists, each a TablePanel over its model."""

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings | None,
                 parent: QWidget) -> None:
        self.runner, self.hall, self.settings, self.parent = runner, hall, settings, parent
        self.record: MemberRecord | None = None
        self.offer_history: OfferHistoryDialog | None = None
        self.registrations = RecordRegistrationModel(parent=parent)
        self.dispatches = DispatchListModel(parent=parent)
        self.offers = OfferHistoryModel(parent=parent)
        self.employment = EmploymentModel(parent=parent)
        self.bans = BanModel(parent=parent)
        self.history = ChangeHistoryModel(parent=parent)

        def grid(name: str, title: str, model: RowTableModel[Any]) -> TablePanel:
            return record_grid(runner, hall, name, title, model, self.subject, settings)

        self.registrations_panel = grid("registrations", "Member registrations", self.registrations)
        self.dispatches_panel = grid("dispatches", "Member dispatch history", self.dispatches)
        self.offers_panel = grid("offers", "Member offer history", self.offers)
        self.employment_panel = grid("employment", "Member employment history", self.employment)
        self.bans_panel = grid("bans", "Member referral bans", self.bans)
        self.history_panel = grid("history", "Member change history", self.history)
        self.offers_panel.row_activated.connect(self.open_offer_history)

    def open_offer_history(self, line: OfferLineRow) -> OfferHistoryDialog:
        """Enter or a double-click on an offer: the list as it stood for its request, every run of it."""
        from unioncore_desktop.gui.referral.offer_history import OfferHistoryDialog

        dialog = OfferHistoryDialog(self.runner, self.hall, self.settings, request_id=line.request_id,
                                    subject=f"request {line.request_number} — {self.subject()}", parent=self.parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda: setattr(self, "offer_history", None))
        self.offer_history = dialog
        dialog.open()
        return dialog

    def subject(self) -> str:
        if self.record is None:
            return ""
        d = self.record.detail
        return f"{d.last_name}, {d.first_name} ({d.card_number})"

    def show(self, record: MemberRecord | None, *, same: bool) -> None:
        """`same`: the member already shown, refreshed (keep selections and scroll)."""
        self.record = record
        for panel, rows in ((self.registrations_panel, record.registrations if record else []),
                            (self.dispatches_panel, record.dispatches if record else []),
                            (self.offers_panel, record.offers if record else []),
                            (self.employment_panel, record.employment if record else []),
                            (self.bans_panel, record.bans if record else []),
                            (self.history_panel, record.history if record else [])):
            model = panel.model()
            assert model is not None  # each panel is made with its model
            if same:
                panel.reload(rows)
            else:
                model.set_rows(rows)
