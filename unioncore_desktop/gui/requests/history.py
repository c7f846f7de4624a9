"""Request history: filled, cancelled and expired requests found by start date, book, status and employer (or
number), exported or printed as shown, and one past request opened with how it closed and its dispatches."""

from __future__ import annotations

from datetime import date, timedelta
from functools import partial
from typing import cast

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import requests
from unioncore_desktop.domain.queries.referral import RequestFormSetup
from unioncore_desktop.domain.queries.request_history import (
    CLOSED_REQUEST_STATUSES,
    HISTORY_LIMIT,
    HistoryFilter,
    PastRequest,
    PastRequestRow,
)
from unioncore_desktop.gui import events, messages, reporting
from unioncore_desktop.gui.forms.ui_past_request_dialog import Ui_PastRequestDialog
from unioncore_desktop.gui.itemmodels.dispatch import DispatchListModel
from unioncore_desktop.gui.itemmodels.formatting import format_label, hall_time
from unioncore_desktop.gui.itemmodels.requests import PastRequestListModel
from unioncore_desktop.gui.referral.offer_history import OfferHistoryDialog
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.simple_table import simple_table
from unioncore_desktop.gui.widgets.table_panel import TablePanel
from unioncore_desktop.gui.widgets.when_shown import ReloadWhenShown
from unioncore_desktop.domain.vocab import label

REFRESH_KINDS = ("labor_request", "dispatch")
DAYS_AROUND_TODAY = 31  # the history opens on the month before today and the month after


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(edit: QDateEdit) -> date:
    return cast(date, edit.date().toPython())  # a date for a QDate; the stubs say object


class PastRequestDialog(QDialog):
    """One request as it closed: its fields, its status and why, and every dispatch to it (the form is
    ui/past_request_dialog.ui)."""

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings, past: PastRequest,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner, self.hall, self.settings, self.past = runner, hall, settings, past
        self.form = Ui_PastRequestDialog()
        self.form.setupUi(self)
        d = past.detail
        self.setWindowTitle(self.tr("Request {}").format(d.number))
        self.title: QLabel = self.form.titleLabel
        self.title.setObjectName("recordTitle")
        self.title.setText(self.tr("<b>Request {}</b> — {} — {}").format(d.number, d.employer_name,
                                                                          format_label(d.status)))
        reason = d.cancel_reason if d.status == "cancelled" else past.expiry_reason
        if d.status == "expired" and past.expired_at is not None:
            reason = self.tr("{} (expired {:%a %d %b %Y %H:%M})").format(reason, hall_time(past.expired_at))
        values = {
            "bookValue": d.book_name,
            "employerValue": d.employer_name,
            "worksiteValue": ", ".join(p for p in (d.worksite_name, d.report_to) if p) or "—",
            "jobClassValue": d.job_class or "—",
            "workersValue": self.tr("{} dispatched of {} wanted").format(d.workers_dispatched, d.workers_requested),
            "startsValue": f"{d.start_on:%a %d %b %Y}" + (f" at {d.start_time}" if d.start_time else "")
                           + (self.tr(" — short call") if d.short_call else ""),
            "receivedValue": self.tr("{:%a %d %b %Y %H:%M}, worked at the referral of {:%a %d %b %Y}").format(
                hall_time(d.received_at), d.referral_date),
            "statusValue": format_label(d.status),
            "reasonValue": reason or "—",
            "takenByValue": d.created_by,
        }
        for name, text in values.items():
            cast(QLabel, getattr(self.form, name)).setText(text)
        self.model = DispatchListModel(parent=self)
        self.view: QTableView = simple_table(self.model, self.form.dispatchesView)
        self.model.set_rows(list(past.dispatches))
        self.view.resizeColumnsToContents()
        self.offer_history_button: QPushButton = self.form.offerHistoryButton
        self.export_button: QPushButton = self.form.exportButton
        self.offer_history_button.clicked.connect(self._on_offer_history_button_clicked)
        self.export_button.clicked.connect(self._on_export_button_clicked)
        self.export_button.setEnabled(bool(past.dispatches))
        self.offer_history: OfferHistoryDialog | None = None

    def _on_offer_history_button_clicked(self) -> None:
        d = self.past.detail
        self.offer_history = OfferHistoryDialog(self.runner, self.hall, self.settings, request_id=d.id,
                                                subject=self.tr("request {} — {}").format(d.number, d.employer_name),
                                                parent=self)
        self.offer_history.open()

    def _on_export_button_clicked(self) -> None:
        d = self.past.detail
        reporting.export_model(self.runner, self.hall, self, self.model, f"Dispatches to request {d.number}",
                               [("Request", d.number), ("Employer", d.employer_name), ("Status", label(d.status))])


class RequestHistoryScreen(QWidget):
    """The Request history area: closed requests by start date, book, status and employer, and their detail."""

    loaded = Signal()  # the rows searched for are on screen
    record_shown = Signal()  # the first search is on screen (for --screenshot)
    opened = Signal(object)  # the PastRequestDialog just opened
    area = "request_history"

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.settings = settings
        self._ready = False  # the books and dates are in: searching makes sense
        self._shown_once = False
        self.dialog: PastRequestDialog | None = None

        self.first_edit = QDateEdit()
        self.last_edit = QDateEdit()
        for edit in (self.first_edit, self.last_edit):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("ddd yyyy-MM-dd")
            edit.dateChanged.connect(lambda _d: self.search())
        self.book = QComboBox()
        self.book.addItem(self.tr("All books"), None)
        self.book.currentIndexChanged.connect(lambda _i: self.search())
        self.status = QComboBox()
        self.status.addItem(self.tr("Filled, cancelled or expired"), None)
        for status in CLOSED_REQUEST_STATUSES:
            self.status.addItem(self.tr(format_label(status)), status)
        self.status.currentIndexChanged.connect(lambda _i: self.search())
        self.open_button = QPushButton(self.tr("&Open…"))
        self.open_button.setToolTip(self.tr("The selected request with how it closed and its dispatches (Enter)"))
        self.open_button.clicked.connect(self.open_selected)
        self.open_button.setEnabled(False)

        bar = QHBoxLayout()
        for caption, widget in ((self.tr("&Starting from"), self.first_edit), (self.tr("&to"), self.last_edit),
                                (self.tr("&Book"), self.book), (self.tr("St&atus"), self.status)):
            text = QLabel(caption)
            text.setBuddy(widget)
            bar.addWidget(text)
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.open_button)

        self.model = PastRequestListModel(parent=self)
        self.panel = TablePanel("request-history", self.model, settings=settings,
                                search_placeholder=self.tr("Employer or request number…"))
        self.panel.search_changed.connect(lambda _text: self.search())
        self.panel.export_requested.connect(self._on_panel_export_requested)
        self.panel.print_requested.connect(self._on_panel_print_requested)
        self.panel.row_activated.connect(lambda _row: self.open_selected())
        self.panel.view.selectionModel().currentRowChanged.connect(
            lambda *_: self.open_button.setEnabled(self.panel.current_row() is not None))
        self.model.modelReset.connect(lambda: self.open_button.setEnabled(self.panel.current_row() is not None))
        self.limit_label = QLabel()
        self.limit_label.setObjectName("fieldError")
        self.limit_label.setVisible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(self.tr("<b>Request history</b> — filled, cancelled and expired requests")))
        layout.addLayout(bar)
        layout.addWidget(self.panel, 1)
        layout.addWidget(self.limit_label)

        # behind another area, a change only marks the list stale: it is searched again once shown
        self.when_shown = ReloadWhenShown(self, self.search)
        events.hub().data_changed.connect(self._on_hub_data_changed)
        self.panel.restore_state()
        # columns sized to the rows once per workstation; after that the user's widths are kept
        self._columns_sized = settings.header_state(self.panel.name) is not None
        self.runner.query(partial(requests.form_setup, self.hall), parent=self, key="history-setup",
                          success=self._on_setup_loaded, name="request history setup")

    # --- searching ----------------------------------------------------------------------------------------

    def _on_setup_loaded(self, setup: RequestFormSetup) -> None:
        for book in setup.books:
            self.book.addItem(book.name, book.id)
        self.first_edit.setDate(_qdate(setup.today - timedelta(days=DAYS_AROUND_TODAY)))
        self.last_edit.setDate(_qdate(setup.today + timedelta(days=DAYS_AROUND_TODAY)))
        self._ready = True
        self.search()

    def current_filter(self) -> HistoryFilter:
        return HistoryFilter(first=_day(self.first_edit), last=_day(self.last_edit), book_id=self.book.currentData(),
                             status=self.status.currentData(), text=self.panel.search_text())

    def search(self, _text: str = "") -> None:
        """Run the search the filter bar and the search field describe (the main window calls this after an
        outage); the newest search wins."""
        if not self._ready:
            return
        self.runner.query(partial(requests.history, self.hall, self.current_filter()), parent=self,
                          key="request-history", success=self._show_rows, name="request history")

    def _show_rows(self, rows: list[PastRequestRow]) -> None:
        self.panel.reload(rows)
        if rows and not self._columns_sized:
            self.panel.view.resizeColumnsToContents()
            self._columns_sized = True
        full = len(rows) >= HISTORY_LIMIT
        self.limit_label.setText(self.tr("Only the newest {:,} are shown: narrow the dates or pick a book.").format(
            HISTORY_LIMIT) if full else "")
        self.limit_label.setVisible(full)
        self.loaded.emit()
        if not self._shown_once:
            self._shown_once = True
            self.record_shown.emit()

    def _on_hub_data_changed(self, kind: str, _ids: list, _initiator: object) -> None:
        if kind in REFRESH_KINDS and not self.when_shown.defer():
            self.search()

    # --- one request ----------------------------------------------------------------------------------------

    def open_selected(self) -> None:
        row = self.panel.current_row()
        if row is None:
            return
        self.runner.query(partial(requests.past_request, self.hall, row.id), parent=self, key="past-request",
                          success=self._open, name="past request")

    def _open(self, past: PastRequest) -> None:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        self.dialog = PastRequestDialog(self.runner, self.hall, self.settings, past, self)
        self.dialog.open()
        self.opened.emit(self.dialog)

    # --- reports --------------------------------------------------------------------------------------------

    def _parameters(self) -> list[tuple[str, str]]:
        f = self.current_filter()
        return [("Starting", f"{f.first:%Y-%m-%d} to {f.last:%Y-%m-%d}"), ("Book", self.book.currentText()),
                ("Status", self.status.currentText()), ("Employer or number", f.text or "any"),
                ("Requests", str(self.model.rowCount()))]

    def _on_panel_export_requested(self, owner: QWidget | None = None) -> None:
        reporting.export_model(self.runner, self.hall, owner or self, self.model, "Request history",
                               self._parameters(), controls=self.panel.report_buttons())

    def _on_panel_print_requested(self) -> None:
        if not self.model.rowCount():
            messages.information(self, self.tr("Print"), self.tr("No requests to print: widen the search."))
            return
        columns = (("Starts", 0.8), ("Request", 0.9), ("Book", 1.1), ("Employer", 1.6), ("Disp./wanted", 0.7),
                   ("Status", 0.7), ("Why it closed", 2.4))
        cells = [(r.start_on, r.number, r.book_name, r.employer_name,
                  f"{r.workers_dispatched} of {r.workers_requested}", label(r.status), r.reason or "")
                 for r in self.model.rows]
        reporting.print_table(self.runner, self.hall, self, "Request history", self._parameters(), columns, cells,
                              excel=self._on_panel_export_requested, controls=self.panel.report_buttons())

    def save_state(self) -> None:
        self.panel.save_state()
