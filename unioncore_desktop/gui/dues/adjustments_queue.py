"""The adjustments queue: pending adjustment requests, oldest first, approved or denied by a manager who did not
request them."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import dues
from unioncore_desktop.domain.errors import DomainError
from unioncore_desktop.domain.queries import dues as dq
from unioncore_desktop.domain.rules.dues import month_label
from unioncore_desktop.gui import events, messages
from unioncore_desktop.gui.dues.manager_parts import failure_text, message_label, say, sorted_table
from unioncore_desktop.gui.itemmodels.dues import AdjustmentQueueModel
from unioncore_desktop.gui.itemmodels.formatting import format_label, format_money
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.when_shown import hidden


class AdjustmentsQueue(QWidget):
    """Pending adjustment requests, oldest first; approve or deny with a note."""

    loaded = Signal()
    decided = Signal(object)  # AdjustmentRow

    def __init__(self, runner: TaskRunner, hall: HallConnection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.model = AdjustmentQueueModel(parent=self)
        self.view = sorted_table(self.model)
        self.note_edit = QLineEdit()
        self.note_edit.setObjectName("decisionNote")
        self.note_edit.setPlaceholderText(self.tr("Note for the record (optional)"))
        self.approve_button = QPushButton(self.tr("&Approve"))
        self.deny_button = QPushButton(self.tr("Den&y"))  # Alt+D is the Member dues tab
        self.message = message_label("queueMessage")
        actions = QHBoxLayout()
        note_caption = QLabel(self.tr("&Note"))
        note_caption.setBuddy(self.note_edit)
        actions.addWidget(note_caption)
        actions.addWidget(self.note_edit, 1)
        actions.addWidget(self.deny_button)
        actions.addWidget(self.approve_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("Adjustments waiting for a decision. Whoever requested one cannot "
                                        "decide it.")))
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)
        layout.addLayout(actions)
        self.approve_button.clicked.connect(lambda: self.decide(True))
        self.deny_button.clicked.connect(lambda: self.decide(False))
        self.view.selectionModel().currentRowChanged.connect(self._update_buttons)
        events.hub().data_changed.connect(self._on_hub_data_changed)
        self._update_buttons()

    def _on_hub_data_changed(self, kind: str, _ids: list, initiator: object) -> None:
        # a request from the posting or member screen, here or at another workstation; a hidden tab catches up
        # when shown, so payments do not reload it behind the scenes
        if kind == "dues" and initiator is not self and not hidden(self):
            self.refresh()

    def showEvent(self, event: QShowEvent) -> None:
        # requests keyed at other workstations arrive without a signal: look again whenever the tab is shown
        super().showEvent(event)
        self.refresh()

    def refresh(self) -> None:
        self.runner.query(partial(dues.pending_adjustments, self.hall), parent=self, key="pending-adjustments",
                          success=self._on_rows, name="pending adjustments")

    def _on_rows(self, rows: list[dq.AdjustmentRow]) -> None:
        keep = self.current()
        self.model.set_rows(rows)
        if keep is not None and self.model.index_for_id(keep.id).isValid():
            self.view.selectRow(self.model.index_for_id(keep.id).row())
        elif rows:
            self.view.selectRow(0)
        self._update_buttons()
        self.loaded.emit()

    def current(self) -> dq.AdjustmentRow | None:
        return self.model.row_at(self.view.currentIndex())

    def _update_buttons(self, *_args: object) -> None:
        has = self.current() is not None
        self.approve_button.setEnabled(has)
        self.deny_button.setEnabled(has)

    def decide(self, approve: bool) -> None:
        row = self.current()
        if row is None:
            return
        say(self.message, "")
        note = self.note_edit.text().strip() or None
        self.runner.command(partial(dues.decide_adjustment, self.hall, row, approve=approve, note=note),
                            parent=self, success=self._on_decided, failure=self._on_failed,
                            name="decide adjustment")

    def _on_decided(self, row: dq.AdjustmentRow) -> None:
        self.note_edit.clear()
        say(self.message, self.tr("{status}: {type} of {amount} for {name}, {month}.").format(
            status=format_label(row.status), type=format_label(row.type), amount=format_money(row.amount),
            name=row.member_name, month=month_label(row.period)))
        self.decided.emit(row)
        self.refresh()

    def _on_failed(self, exc: BaseException) -> None:
        say(self.message, failure_text(exc), error=True)
        if isinstance(exc, DomainError):
            messages.warning(self, self.tr("Not decided"), failure_text(exc))
        self.refresh()
