"""Members: search as you type, and the member's whole record, the one screen a dispatcher or clerk opens when a
member walks in or calls: details, registrations with today's rank, the dispatch profile, dispatches, offers,
employment, bans, dues standing and change history, with the day's actions in place; roster and export."""

from __future__ import annotations

from datetime import date
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import members
from unioncore_desktop.domain.errors import DomainError, NotFound, StaleRecord, ValidationError
from unioncore_desktop.domain.queries.member_record import MemberRecord
from unioncore_desktop.domain.queries.members import MemberDetail, MemberListRow
from unioncore_desktop.domain.rules.members import CONTACT_FIELDS, MemberInput
from unioncore_desktop.gui import events, icons, messages, reporting
from unioncore_desktop.gui.itemmodels.members import MemberListModel
from unioncore_desktop.gui.members.counter import CounterActions
from unioncore_desktop.gui.members.form import MemberForm
from unioncore_desktop.gui.members.profile import ProfilePanel
from unioncore_desktop.gui.members.record import RecordGrids, StandingLine
from unioncore_desktop.gui.roles import MANAGERS
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.search_screen import SearchScreen

DETAIL_KEY = "member-detail"
# changes that can touch the record shown: kinds naming members (reload when it is ours), and kinds naming books
# (reload when the member is on one of them; the record's own commands reload it whatever book they wrote)
MEMBER_KINDS = ("member", "member_profile", "dues")
BOOK_KINDS = ("registration", "dispatch", "check_mark")


def editable_fields(roles: frozenset[str]) -> frozenset[str]:
    """Mirrors the database grants: managers edit the record, dispatchers contact details only."""
    if roles & MANAGERS:
        return frozenset(MemberInput.field_names())
    if "dispatcher" in roles:
        return CONTACT_FIELDS
    return frozenset()


class MembersScreen(SearchScreen):
    """The members area of the main window."""

    area = "members"
    kind = "member"
    post_payment_requested = Signal(object)  # PostingLookupRow: a clerk posts for the member shown

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(runner, hall, settings, MemberListModel(),
                         self.tr("Card number, name or phone — misspellings are fine"), parent)
        self.model.setParent(self)
        self.roles = hall.facts.roles
        self.current: MemberDetail | None = None
        self._creating = False
        self._pending_id: int | None = None

        self.panel.export_requested.connect(self._on_panel_export_requested)
        self.panel.print_requested.connect(self._on_panel_print_requested)
        self.panel.view.selectionModel().currentRowChanged.connect(self._on_view_current_row_changed)

        self.form = MemberForm()
        self.form.set_editable(editable_fields(self.roles))
        self.form.dirty_changed.connect(self._update_buttons)
        self.title = QLabel()
        self.title.setObjectName("recordTitle")
        self.new_button = QPushButton(icons.get("add"), self.tr("&New member"))
        self.save_button = QPushButton(icons.get("save"), self.tr("&Save"))
        self.save_button.setDefault(True)
        self.revert_button = QPushButton(self.tr("&Revert"))
        self.deactivate_button = QPushButton(icons.get("deactivate"), self.tr("&Deactivate"))
        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.revert_button.clicked.connect(self._on_revert_button_clicked)
        self.deactivate_button.clicked.connect(self._on_deactivate_button_clicked)
        self.new_button.setEnabled(bool(self.roles & MANAGERS))

        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.deactivate_button)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        record_page = QWidget()
        details_layout = QVBoxLayout(record_page)
        details_layout.setContentsMargins(0, 0, 0, 0)
        details_layout.addWidget(self.form)
        details_layout.addStretch(1)
        details_layout.addLayout(buttons)
        # nothing chosen: a sentence, never a blank form that looks like "New member"
        self.placeholder = QLabel(self.tr("Choose a member from the list: type a card number, name or phone "
                                          "in the search, then Down and Enter.")
                                  + (self.tr("<br>To add a member, press New member.") if self.roles & MANAGERS
                                     else ""))
        self.placeholder.setObjectName("nothingChosen")
        self.placeholder.setWordWrap(True)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.details_stack = QStackedWidget()
        self.details_stack.addWidget(self.placeholder)
        self.details_stack.addWidget(record_page)
        details = QWidget()
        outer = QVBoxLayout(details)
        outer.addWidget(self.details_stack, 1)
        none_chosen = QHBoxLayout()
        if self.roles & MANAGERS:
            self.new_placeholder_button = QPushButton(icons.get("add"), self.tr("New member"))
            self.new_placeholder_button.clicked.connect(self._on_new_button_clicked)
            none_chosen.addWidget(self.new_placeholder_button)
        none_chosen.addStretch(1)
        self.placeholder_buttons = QWidget()
        self.placeholder_buttons.setLayout(none_chosen)
        outer.addWidget(self.placeholder_buttons)

        self.record: MemberRecord | None = None
        self.grids = RecordGrids(runner, hall, settings, self)
        self.employment_model, self.history_model = self.grids.employment, self.grids.history
        self.registrations_panel = self.grids.registrations_panel
        self.profile = ProfilePanel(runner, hall, settings, self.grids.subject)
        self.profile.changed.connect(lambda _profile: self._reload_record())
        self.standing = StandingLine()
        self.counter = CounterActions(runner, hall, settings, self.registrations_panel.current_row)
        self.counter.post_payment_requested.connect(self.post_payment_requested)
        self.counter.done.connect(self._reload_record)
        self.registrations_panel.view.selectionModel().currentRowChanged.connect(self.counter.update_buttons)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("recordTabs")
        self.tabs.addTab(details, self.tr("Details"))
        self.tabs.addTab(self.grids.registrations_panel, self.tr("&Books"))
        self.tabs.addTab(self.profile, self.tr("Dispatch &profile"))
        self.tabs.addTab(self.grids.dispatches_panel, self.tr("Dispatches"))
        self.tabs.addTab(self.grids.offers_panel, self.tr("Offers"))
        self.tabs.addTab(self.grids.employment_panel, self.tr("Employment history"))
        self.tabs.addTab(self.grids.bans_panel, self.tr("Bans"))
        self.tabs.addTab(self.grids.history_panel, self.tr("Change history"))

        header = QWidget()
        header_layout = QVBoxLayout(header)
        header_layout.setContentsMargins(0, 0, 0, 0)
        title_row = QHBoxLayout()
        title_row.addWidget(self.title)
        title_row.addWidget(self.standing, 1)
        header_layout.addLayout(title_row)
        header_layout.addWidget(self.counter)
        events.hub().data_changed.connect(self._on_hub_data_changed)

        self.lay_out(header, self.tabs)
        # the name column is fitted to the rows on screen only: Qt's default looks at up to 1,000 rows, asking
        # each cell's size, which took tens of milliseconds of the GUI thread on every search as you type
        self.panel.view.horizontalHeader().setResizeContentsPrecision(0)
        self.loaded.connect(self._widen_names)

        self._update_buttons()
        self.start()

    # --- list ---------------------------------------------------------------------------------------------

    def find_rows(self, text: str) -> list[MemberListRow]:
        return members.search(self.hall, text)

    def _widen_names(self) -> None:
        """The name column as wide as the longest name on screen (never narrower than the user made it): two
        "Armstrong, A…" must not look the same."""
        view = self.panel.view
        column = next(i for i, c in enumerate(self.model.columns) if c.key == "display_name")
        wanted = view.sizeHintForColumn(column)
        if view.horizontalHeader().sectionSize(column) < wanted:
            view.horizontalHeader().resizeSection(column, wanted)

    def kept_selection(self) -> object | None:
        return self.current.id if self.current else self._pending_id

    # --- record -------------------------------------------------------------------------------------------

    def _on_view_current_row_changed(self, current, _previous) -> None:
        row = self.model.row_at(current)
        if row is None or (self.current is not None and row.id == self.current.id and not self._creating):
            return
        if not self.confirm_discard():
            self.panel.select_id(self.current.id if self.current else None)
            return
        self.open_member(row.id)

    def open_member(self, member_id: int) -> None:
        self._pending_id = member_id
        self.runner.query(partial(members.open_member, self.hall, member_id), parent=self, key=DETAIL_KEY,
                          success=self._show_member, name="open member")

    def _reload_record(self) -> None:
        if self.current is not None and not self._creating:
            self.open_member(self.current.id)

    def _show_member(self, record: MemberRecord) -> None:
        detail = record.detail
        same = self.record is not None and self.record.detail.id == detail.id and not self._creating
        if self._pending_id is not None and detail.id != self._pending_id:
            return  # another member was asked for meanwhile; its own read is on the way
        self._creating = False
        self.record = record
        if not (same and self.form.is_dirty()):  # a refresh never throws away what is being typed
            self.current = detail
            self.form.load(detail)
        self.grids.show(record, same=same)
        self.profile.show_profile(detail, record.profile, same=same)
        self.standing.show_standing(record.standing)
        self.counter.show_record(record)
        self.title.setText(f"<b>{detail.last_name}, {detail.first_name}</b> &nbsp; card {detail.card_number}"
                           f" &nbsp; v{detail.version}")
        self._update_buttons()
        self.record_shown.emit()

    def _on_hub_data_changed(self, kind: str, ids: list, initiator: object) -> None:
        super()._on_hub_data_changed(kind, ids, initiator)  # the list: a member added or renamed shows at once
        if self.current is None or self._creating:
            return
        if kind in MEMBER_KINDS:
            ours = not ids or self.current.id in ids
        elif kind in BOOK_KINDS:
            ours = not ids or self.record is None or not self.record.book_ids.isdisjoint(ids)
        else:
            return
        if ours and not self.when_shown.defer():
            self._reload_record()

    def refresh(self) -> None:
        super().refresh()
        if self.current is not None and not self._creating:
            self._reload_record()

    def show_profile_tab(self) -> None:
        """Bring the record's dispatch profile to the front (the members screenshot shows it)."""
        self.tabs.setCurrentWidget(self.profile)

    def post_for_member(self) -> None:
        """The clerk's "Post a payment" for the member shown (the main window opens the posting screen)."""
        self.counter.post_payment()

    def _on_new_button_clicked(self) -> None:
        if not self.confirm_discard():
            return
        self._creating = True
        self.current = None
        self.form.load(None)
        self.record = None
        self.grids.show(None, same=False)
        self.profile.show_profile(None, None, same=False)
        self.standing.show_standing(None)
        self.counter.show_record(None)
        self.title.setText(self.tr("<b>New member</b>"))
        self.tabs.setCurrentIndex(0)
        self.form.editors["card_number"].setFocus()
        self._update_buttons()

    def _on_revert_button_clicked(self) -> None:
        if self._creating:
            self.form.load(None)
        elif self.current is not None:
            self.form.load(self.current)

    def _on_save_button_clicked(self) -> None:
        data, errors = self.form.value(date.today())
        if data is None:
            self.form.errors.show(errors)
            return
        self.form.errors.clear()
        base = None if self._creating else self.current
        self.save_button.setEnabled(False)
        self.runner.command(partial(members.save_member, self.hall, data, base), parent=self,
                            success=self._on_saved, failure=self._on_save_failed, name="save member")

    def _on_deactivate_button_clicked(self) -> None:
        base = self.current
        if base is None or not messages.question(
                self, self.tr("Deactivate member"),
                self.tr("Deactivate {} ({})? The record and its history are kept.").format(
                    f"{base.first_name} {base.last_name}", base.card_number)):
            return
        self.runner.command(partial(members.deactivate_member, self.hall, base), parent=self,
                            success=self._on_saved, failure=self._on_save_failed, name="deactivate member")

    def _on_saved(self, detail: MemberDetail) -> None:
        self._pending_id = detail.id
        self.current = detail
        self.form.load(detail)  # what was typed is saved: the form is clean before the record reloads
        messages.status(self, self.tr("Saved {} {}").format(detail.first_name, detail.last_name))
        self.open_member(detail.id)

    def _on_save_failed(self, exc: BaseException) -> None:
        """The form keeps what the user typed whatever went wrong."""
        self._update_buttons()
        if isinstance(exc, ValidationError):
            self.form.errors.show(exc.errors)
        elif isinstance(exc, StaleRecord):
            if isinstance(exc.current, MemberDetail):
                self.current = exc.current
                self.form.rebase(exc.current)
            lines = [f"{c.field.replace('_', ' ')}: now “{c.theirs or ''}”" for c in exc.changes]
            self.form.errors.show_message(exc.message + ("\n" + "\n".join(lines) if lines else ""))
            self._update_buttons()
        elif isinstance(exc, NotFound):
            self.form.errors.show_message(exc.message)
        elif isinstance(exc, DomainError):
            self.form.errors.show({exc.field: exc.message} if exc.field else {}, exc.message)
        else:
            self.form.errors.show_message(self.tr("Not saved: {}. Your changes are still here; try again.").format(exc))

    # --- guards and actions -------------------------------------------------------------------------------

    def confirm_discard(self) -> bool:
        """The unsaved-changes guard; True when it is fine to leave the current record (what was typed is then
        dropped, so leaving and coming back does not ask again)."""
        if not self.form.is_dirty():
            return True
        if not messages.question(self, self.tr("Unsaved changes"),
                                 self.tr("You have unsaved changes to this member. Discard them?")):
            return False
        self._on_revert_button_clicked()
        return True

    def _update_buttons(self, *_args: object) -> None:
        has_record = self.current is not None or self._creating
        self.details_stack.setCurrentIndex(1 if has_record else 0)
        self.placeholder_buttons.setVisible(not has_record)
        dirty = self.form.is_dirty()
        self.save_button.setEnabled(has_record and (dirty or self._creating) and bool(editable_fields(self.roles)))
        self.revert_button.setEnabled(dirty)
        self.deactivate_button.setEnabled(
            self.current is not None and self.current.status != "inactive" and bool(self.roles & MANAGERS))

    def _parameters(self) -> list[tuple[str, str]]:
        text = self.panel.search_text().strip()
        return [("Search", text or "all members"), ("Members", str(self.model.rowCount()))]

    def _on_panel_export_requested(self, owner: QWidget | None = None) -> None:
        reporting.export_model(self.runner, self.hall, owner or self, self.model, "Member roster",
                               self._parameters(), controls=self.panel.report_buttons())

    def _on_panel_print_requested(self) -> None:
        from unioncore_desktop.reports.pdf.member_roster import build_member_roster  # ReportLab: when printing

        rows = list(self.model.rows)
        reporting.print_report(self.runner, self.hall, self, "Member roster", self._parameters(),
                               lambda path, context: build_member_roster(path, rows, context, landscape=True),
                               excel=self._on_panel_export_requested, controls=self.panel.report_buttons())

