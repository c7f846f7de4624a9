"""Requests: take an employer's labor request from the keyboard, see its R3 referral date at once, and keep
the open requests in view (edit, cancel with a reason)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import employers, members, requests
from unioncore_desktop.domain.errors import DomainError, StaleRecord, ValidationError
from unioncore_desktop.domain.queries.referral import RequestFormSetup
from unioncore_desktop.domain.queries.requests import RequestDetail, RequestRow
from unioncore_desktop.domain.rules.requests import cancel_errors
from unioncore_desktop.gui import events, icons, messages, reporting
from unioncore_desktop.gui.forms.ui_cancel_request_dialog import Ui_CancelRequestDialog
from unioncore_desktop.gui.itemmodels.requests import RequestListModel, request_flags
from unioncore_desktop.gui.requests.bids import BidsDialog
from unioncore_desktop.gui.requests.expiry import expire_then
from unioncore_desktop.gui.requests.form import Choice, RequestForm
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.table_panel import TablePanel
from unioncore_desktop.gui.widgets.typed_work import DiscardGuard
from unioncore_desktop.gui.widgets.when_shown import ReloadWhenShown
from unioncore_desktop.domain.vocab import label

REFRESH_KINDS = ("labor_request", "dispatch")


def referral_text(detail: RequestDetail) -> str:
    return f"Worked at the referral of {detail.referral_date:%a %d %b %Y}"


def matches(row: RequestRow, text: str) -> bool:
    if not text:
        return True
    haystack = " ".join(str(v or "") for v in (row.number, row.book_name, row.employer_name, row.worksite_name,
                                                 row.job_class, row.status, request_flags(row))).casefold()
    return all(word in haystack for word in text.casefold().split())


class CancelRequestDialog(QDialog):
    """Asks why the request is cancelled; closes only when the cancel is saved. The form is
    ui/cancel_request_dialog.ui."""

    def __init__(self, row: RequestRow, save: Callable[[CancelRequestDialog, str], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = Ui_CancelRequestDialog()
        self.form.setupUi(self)
        self.discard_guard = DiscardGuard(self, self.tr("this dialog"))  # Esc asks before the reason is lost
        self.setWindowTitle(self.tr("Cancel request {}").format(row.number))
        self._save = save
        self.reason = self.form.reasonEdit
        self.error = self.form.errorLabel
        self.error.setObjectName("fieldError")
        self.error.setVisible(False)
        buttons = self.form.buttonBox
        ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok_button is not None  # the form has OK
        self.ok_button = ok_button
        self.ok_button.setText(self.tr("Cancel the request"))
        buttons.accepted.connect(self._on_accepted)
        self.form.requestLabel.setText(self.tr("{} — {} on {}, {} of {} dispatched.").format(
            row.number, row.employer_name, row.book_name, row.workers_dispatched, row.workers_requested))

    def _on_accepted(self) -> None:
        errors = cancel_errors(self.reason.text())
        if errors:
            self.show_error(errors["cancel_reason"])
            return
        self._save(self, self.reason.text().strip())

    def reject(self) -> None:
        if self.discard_guard.allows_closing():
            super().reject()

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(True)
        self.reason.setFocus()


class RequestsScreen(QWidget):
    """The Requests area: the entry form above, the open requests below."""

    loaded = Signal()  # the open requests are on screen
    record_shown = Signal()  # a request was saved (or opened for editing)
    saved = Signal(object)  # RequestDetail
    area = "requests"

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.settings = settings
        self.editing: RequestDetail | None = None
        self.last_saved: RequestDetail | None = None
        self._rows: list[RequestRow] = []
        self._loaded_once = False

        self.form = RequestForm(self._search_employers, self._search_members)
        self.form.submitted.connect(self._on_form_submitted)
        self.form.cleared.connect(self._on_form_cleared)
        self.form.employer_chosen.connect(self._on_form_employer_chosen)
        self.title = QLabel(self.tr("<b>New labor request</b>"))
        self.title.setObjectName("recordTitle")
        self.result = QLabel()
        self.result.setObjectName("requestResult")
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.save_button = QPushButton(icons.get("save"), self.tr("Save (Enter)"))
        self.save_button.setDefault(True)
        self.clear_button = QPushButton(self.tr("Clear (Esc)"))
        self.save_button.clicked.connect(self._on_form_submitted)
        self.clear_button.clicked.connect(self.form._on_escape)
        self.save_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.clear_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.result)
        top_layout.addLayout(header)
        top_layout.addWidget(self.form)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.clear_button)
        buttons.addWidget(self.save_button)
        top_layout.addLayout(buttons)

        self.model = RequestListModel(parent=self)
        self.panel = TablePanel("requests", self.model, settings=settings,
                                search_placeholder=self.tr("Filter: book, employer, worksite, request number…"))
        self.panel.search_changed.connect(self._on_panel_search_changed)
        self.panel.export_requested.connect(self._on_panel_export_requested)
        self.panel.print_requested.connect(self._on_panel_print_requested)
        self.panel.row_activated.connect(lambda _row: self._on_edit_button_clicked())
        self.edit_button = QPushButton(self.tr("E&dit selected"))
        self.cancel_button = QPushButton(self.tr("Ca&ncel selected…"))
        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.bids_button = QPushButton(self.tr("B&ids…"))
        self.bids_button.setToolTip(self.tr("Bids taken by phone, e-mail or web import on the selected request"))
        self.bids_button.setEnabled(False)
        self.bids_button.clicked.connect(self._on_bids_button_clicked)
        self.panel.view.selectionModel().currentChanged.connect(self._update_bids_button)
        self.model.modelReset.connect(self._update_bids_button)
        self.bids_dialog: BidsDialog | None = None
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        list_header = QHBoxLayout()
        list_header.addWidget(QLabel(self.tr("<b>Open requests</b>")))
        list_header.addStretch(1)
        list_header.addWidget(self.edit_button)
        list_header.addWidget(self.cancel_button)
        list_header.addWidget(self.bids_button)
        bottom_layout.addLayout(list_header)
        bottom_layout.addWidget(self.panel)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

        # behind another area, a change only marks the list stale: it is read again once shown
        self.when_shown = ReloadWhenShown(self, self._reload_all)
        events.hub().data_changed.connect(self._on_hub_data_changed)
        self.panel.restore_state()
        self._load_setup()
        expire_then(runner, hall, self, lambda: self.search(self.panel.search_text()))

    # --- loading ------------------------------------------------------------------------------------------

    def _load_setup(self) -> None:
        self.runner.query(partial(requests.form_setup, self.hall), parent=self, key="requests-setup",
                          success=self._on_setup_loaded, name="request form setup")

    def _on_setup_loaded(self, setup: RequestFormSetup) -> None:
        self.form.set_books(setup.books, setup.rules, setup.today)

    def search(self, text: str) -> None:
        """Reload the open requests (the filter is applied here, on the loaded list)."""
        self.runner.query(partial(requests.open_requests, self.hall), parent=self, key="requests-open",
                          success=self._show_rows, name="open requests")

    def _show_rows(self, rows: list[RequestRow]) -> None:
        self._rows = rows
        shown = [r for r in rows if matches(r, self.panel.search_text())]
        if self._loaded_once:
            self.panel.reload(shown)
        else:
            self.model.set_rows(shown)
            self._loaded_once = True
        if self.last_saved is not None and self.panel.current_row() is None:
            self.panel.select_id(self.last_saved.id)
        self.loaded.emit()

    def _on_panel_search_changed(self, text: str) -> None:
        self.model.set_rows([r for r in self._rows if matches(r, text)])

    def _on_hub_data_changed(self, kind: str, _ids: list, _initiator: object) -> None:
        if kind not in REFRESH_KINDS and kind != "book_rules":
            return
        if self.when_shown.defer():
            return
        if kind in REFRESH_KINDS:
            self.search(self.panel.search_text())
        else:  # the form's short-call limit and bidding follow the rules (book kept)
            self._load_setup()

    def _reload_all(self) -> None:
        self._load_setup()
        self.search(self.panel.search_text())

    # --- type-ahead ---------------------------------------------------------------------------------------

    def _search_employers(self, text: str, deliver: Callable[[list[Choice]], None]) -> None:
        def find() -> list[Choice]:
            rows = employers.search(self.hall, text, limit=20)
            return [Choice(r.id, f"{r.name} ({r.city})" if r.city else r.name) for r in rows if r.active]

        self.runner.query(find, parent=self, key="requests-employer", success=deliver, name="employer type-ahead")

    def _search_members(self, text: str, deliver: Callable[[list[Choice]], None]) -> None:
        def find() -> list[Choice]:
            rows = members.search(self.hall, text, limit=20)
            return [Choice(r.id, f"{r.display_name} ({r.card_number})") for r in rows]

        self.runner.query(find, parent=self, key="requests-member", success=deliver, name="member type-ahead")

    def _on_form_employer_chosen(self, employer_id: int | None, selected: int | None = None) -> None:
        if employer_id is None:
            return

        def find() -> list[Choice]:
            detail = employers.open_employer(self.hall, employer_id)
            return [Choice(w.id, ", ".join(p for p in (w.name, w.address_line1, w.city) if p))
                    for w in detail.worksites if w.active or w.id == selected]

        self.runner.query(find, parent=self, key="requests-worksites",
                          success=lambda sites: self.form.set_worksites(sites, selected), name="worksites")

    # --- saving -------------------------------------------------------------------------------------------

    def _on_form_submitted(self) -> None:
        data, errors = self.form.value()
        if data is None:
            self.form.errors.show(errors)
            return
        self.form.errors.clear()
        self.save_button.setEnabled(False)
        self.runner.command(partial(requests.save_request, self.hall, data, self.editing), parent=self,
                            success=self._on_saved, failure=self._on_save_failed, name="save request")

    def _on_saved(self, detail: RequestDetail) -> None:
        self.save_button.setEnabled(True)
        self.last_saved = detail
        verb = self.tr("saved") if self.editing is None else self.tr("updated")
        flags = []
        if detail.short_call:
            flags.append(self.tr("short call"))
        if detail.by_name_member_id:
            flags.append(self.tr("by name"))
        self.result.setText(self.tr("<b>Request {number}</b> {verb} — <b>{referral}</b>{flags}").format(
            number=detail.number, verb=verb, referral=referral_text(detail),
            flags=f" ({', '.join(flags)})" if flags else ""))
        messages.status(self, self.tr("Request {} {}").format(detail.number, verb))
        self.editing = None
        self.title.setText(self.tr("<b>New labor request</b>"))
        self.form.load(None)
        self.form.employer.setFocus()
        self.panel.select_id(detail.id)
        self.saved.emit(detail)
        self.record_shown.emit()

    def _on_save_failed(self, exc: BaseException) -> None:
        """Whatever went wrong, the form keeps what was typed."""
        self.save_button.setEnabled(True)
        if isinstance(exc, ValidationError):
            self.form.errors.show(exc.errors)
        elif isinstance(exc, StaleRecord):
            if isinstance(exc.current, RequestDetail):
                self.editing = exc.current
            self.form.errors.show_message(exc.message + self.tr(" Your input is still here: save again to apply it."))
        elif isinstance(exc, DomainError):
            self.form.errors.show({exc.field: exc.message} if exc.field else {}, exc.message)
        else:
            self.form.errors.show_message(self.tr("Not saved: {}. Your input is still here; try again.").format(exc))

    def _on_form_cleared(self) -> None:
        self.editing = None
        self.title.setText(self.tr("<b>New labor request</b>"))

    # --- edit and cancel ----------------------------------------------------------------------------------

    def focus_start(self) -> None:
        """Opening the area starts where a request is typed; Ctrl+F filters the open requests."""
        self.form.employer.setFocus(Qt.FocusReason.OtherFocusReason)

    def confirm_discard(self) -> bool:
        """The request being typed: kept, or (when the user agrees) dropped so the question is not asked again."""
        if not self.form.is_dirty():
            return True
        if not self.form.confirm_discard():
            return False
        self.form.load(None)
        self._on_form_cleared()
        return True

    def _on_edit_button_clicked(self) -> None:
        row = self.panel.current_row()
        if row is None or not self.confirm_discard():
            return
        self.runner.query(partial(requests.open_request, self.hall, row.id), parent=self, key="requests-detail",
                          success=self._show_for_edit, name="open request")

    def _show_for_edit(self, detail: RequestDetail) -> None:
        self.editing = detail
        self.title.setText(self.tr("<b>Editing request {}</b> — {}").format(detail.number, referral_text(detail)))
        self.form.load(detail)
        self._on_form_employer_chosen(detail.employer_id, detail.worksite_id)
        self.form.employer.setFocus()
        self.record_shown.emit()

    def _update_bids_button(self, *_args: object) -> None:
        row = self.panel.current_row()
        self.bids_button.setEnabled(row is not None and row.bidding)

    def _on_bids_button_clicked(self) -> BidsDialog | None:
        """R8: the bids on the selected request (only a request posted for bids takes them)."""
        row = self.panel.current_row()
        if row is None or not row.bidding:
            return None
        if self.bids_dialog is not None:
            self.bids_dialog.close()
            self.bids_dialog.deleteLater()
        self.bids_dialog = BidsDialog(self.runner, self.hall, row, self)
        self.bids_dialog.open()
        return self.bids_dialog

    def _on_cancel_button_clicked(self) -> CancelRequestDialog | None:
        row = self.panel.current_row()
        if row is None:
            return None
        dialog = CancelRequestDialog(row, self._cancel, self)
        dialog.open()
        return dialog

    def _cancel(self, dialog: CancelRequestDialog, reason: str) -> None:
        current = self.panel.current_row()
        row_id = current.id if current else None
        if row_id is None:
            dialog.reject()
            return

        def cancelled(detail: RequestDetail) -> None:
            dialog.accept()
            messages.status(self, self.tr("Request {} cancelled").format(detail.number))

        def failed(exc: BaseException) -> None:
            if isinstance(exc, DomainError):
                dialog.show_error(exc.message)

        self.runner.command(partial(requests.cancel_request, self.hall, row_id, reason), parent=dialog,
                            success=cancelled, failure=failed, name="cancel request")

    # --- reports ------------------------------------------------------------------------------------------

    def _parameters(self) -> list[tuple[str, str]]:
        return [("Filter", self.panel.search_text() or "all open requests"), ("Requests", str(self.model.rowCount()))]

    def _on_panel_export_requested(self, owner: QWidget | None = None) -> None:
        reporting.export_model(self.runner, self.hall, owner or self, self.model, "Open requests",
                               self._parameters(), controls=self.panel.report_buttons())

    def _on_panel_print_requested(self) -> None:
        rows = list(self.model.rows)
        columns = (("Referral", 0.8), ("Request", 0.9), ("Book", 1.2), ("Employer", 1.8), ("Worksite", 1.4),
                   ("Disp./wanted", 0.7), ("Status", 0.8), ("Starts", 0.8), ("Flags", 1.4))
        cells = [(r.referral_date, r.number, r.book_name, r.employer_name, r.worksite_name,
                  f"{r.workers_dispatched} of {r.workers_requested}", label(r.status), r.start_on, request_flags(r))
                 for r in rows]
        reporting.print_table(self.runner, self.hall, self, "Open requests", self._parameters(), columns, cells,
                              excel=self._on_panel_export_requested, controls=self.panel.report_buttons())

    def save_state(self) -> None:
        self.panel.save_state()
