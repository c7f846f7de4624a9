"""The nightly drop run from the desktop: preview who leaves the books as of a day and why, then (a manager)
apply exactly that list. The domain refuses the apply if the list changed since the preview."""

from __future__ import annotations

from collections import Counter
from datetime import date
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QWidget,
)

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import books
from unioncore_desktop.domain.errors import DomainError, ValidationError
from unioncore_desktop.domain.services.drop_run import DropCandidate, DropRunResult
from unioncore_desktop.gui import messages
from unioncore_desktop.gui.books.dialogs import from_qdate, to_qdate
from unioncore_desktop.gui.forms.ui_drop_run_dialog import Ui_DropRunDialog
from unioncore_desktop.gui.itemmodels.drop_run import DropCandidateModel, drop_reason_label
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.field_errors import as_message
from unioncore_desktop.gui.widgets.simple_table import simple_table


def summarize(candidates: list[DropCandidate]) -> str:
    if not candidates:
        return "Nobody drops: every registration is in time."
    counts = Counter(c.reason for c in candidates)
    drops = sum(c.drops for c in candidates)
    parts = [f"{n} {drop_reason_label(reason).lower()}" for reason, n in counts.items()]
    members = len({c.member_id for c in candidates if c.drops})
    return (f"{drops} registration(s) of {members} member(s) roll off; "
            f"{len(candidates) - drops} exemption(s) end. ({'; '.join(parts)})")


class DropRunDialog(QDialog):
    """Preview as of a day; Apply (managers) sends back the previewed keys, so it does what was shown. The form is
    ui/drop_run_dialog.ui."""

    applied = Signal(object)  # DropRunResult

    def __init__(self, runner: TaskRunner, hall: HallConnection, today: date, *, can_apply: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.today = today
        self.can_apply = can_apply
        self.previewed_as_of: date | None = None
        self.candidates: list[DropCandidate] = []
        self.outcome: DropRunResult | None = None  # of the run applied (QDialog.result() is Qt's own)
        self._busy = False

        self.form = Ui_DropRunDialog()
        self.form.setupUi(self)
        self.setWindowTitle(self.tr("Drop run"))
        self.as_of_edit: QDateEdit = self.form.asOfEdit
        self.as_of_edit.setDate(to_qdate(today))
        self.preview_button: QPushButton = self.form.previewButton
        self.summary: QLabel = self.form.dropSummary
        self.message = as_message(self.form.formMessage)
        self.model = DropCandidateModel(parent=self)
        self.view = simple_table(self.model, self.form.candidates)
        # Start in the domain's order (books in morning order, then queue order); a header click sorts.
        header = self.view.horizontalHeader()
        header.setSortIndicatorClearable(True)
        self.view.sortByColumn(-1, Qt.SortOrder.AscendingOrder)

        self.apply_button = QPushButton(self.tr("&Apply drop run"))
        self.apply_button.setObjectName("applyButton")
        self.apply_button.setAutoDefault(False)
        if not can_apply:
            self.apply_button.setToolTip(self.tr("Only a manager can apply the drop run; anyone may preview it."))
        self.form.buttonBox.addButton(self.apply_button, QDialogButtonBox.ButtonRole.ActionRole)

        self.preview_button.clicked.connect(self.preview)
        self.apply_button.clicked.connect(self._on_apply_button_clicked)
        self.as_of_edit.dateChanged.connect(self._update_buttons)
        self._update_buttons()
        self.preview()

    def as_of(self) -> date:
        return from_qdate(self.as_of_edit.date())

    def preview(self) -> None:
        as_of = self.as_of()
        self._busy = True
        self._update_buttons()
        self.summary.setText(self.tr("Working out who would drop as of {}…").format(as_of.isoformat()))
        self.runner.query(partial(books.preview_drops, self.hall, as_of), parent=self,
                          key=("drop-preview", id(self)), success=lambda rows: self._show_preview(as_of, rows),
                          failure=lambda _exc: self._set_idle(), name="preview drop run")

    def _show_preview(self, as_of: date, candidates: list[DropCandidate]) -> None:
        self.previewed_as_of = as_of
        self.candidates = list(candidates)
        self.model.set_rows(candidates)
        self.view.resizeColumnsToContents()
        self.summary.setText(self.tr("As of {}: {}").format(as_of.isoformat(), summarize(self.candidates)))
        self._set_idle()

    def _set_idle(self) -> None:
        self._busy = False
        self._update_buttons()

    def _update_buttons(self, *_args: object) -> None:
        self.preview_button.setEnabled(not self._busy)
        ready = (self.previewed_as_of is not None and self.previewed_as_of == self.as_of() and bool(self.candidates)
                 and self.previewed_as_of <= self.today)
        self.apply_button.setEnabled(self.can_apply and ready and not self._busy)
        if self.can_apply and self.as_of() > self.today:
            self.apply_button.setToolTip(self.tr("A future day can be previewed, not applied."))
        elif self.can_apply:
            self.apply_button.setToolTip(self.tr("Apply exactly the list shown"))

    def _on_apply_button_clicked(self) -> None:
        as_of, candidates = self.previewed_as_of, list(self.candidates)
        if as_of is None or not candidates:
            return
        drops = sum(c.drops for c in candidates)
        if not messages.question(self, self.tr("Apply the drop run"),
                                 self.tr("Roll {drops} registration(s) off their books and end {ended} expired "
                                         "exemption(s), as of {day}? The members must sign on again to return."
                                         ).format(drops=drops, ended=len(candidates) - drops, day=as_of.isoformat())):
            return
        self._busy = True
        self._update_buttons()
        self.message.setVisible(False)
        self.runner.command(partial(books.apply_drops, self.hall, as_of, [c.key for c in candidates]), parent=self,
                            success=self._on_applied, failure=self._on_apply_failed, name="apply drop run")

    def _on_applied(self, result: DropRunResult) -> None:
        self.outcome = result
        self._busy = False
        text = self.tr("Applied as of {day}: {rolled} registration(s) rolled off, {ended} exemption(s) ended.").format(
            day=result.as_of.isoformat(), rolled=result.rolled_off, ended=result.exemptions_ended)
        self.message.setText(text)
        self.message.setVisible(True)
        messages.status(self, text)
        self.applied.emit(result)
        self.preview()

    def _on_apply_failed(self, exc: BaseException) -> None:
        self._busy = False
        if isinstance(exc, ValidationError):
            text = " ".join(exc.errors.values())
        elif isinstance(exc, DomainError):
            text = exc.message
        else:
            text = self.tr("The drop run was not applied. Preview again and retry.")
        self.message.setText(text)
        self.message.setVisible(True)
        self._update_buttons()
