"""Dispatch follow-up dialogs: check-in, terminate (showing what the end does to the member's place), remove a
check mark, and the by-name attestation. Each closes only when its command succeeded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from decimal import Decimal, InvalidOperation
from typing import Protocol, cast

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import referral
from unioncore_desktop.domain.queries.dispatch import CheckMarkRow, DispatchRow
from unioncore_desktop.domain.rules.referral import mark_removal_errors
from unioncore_desktop.domain.rules.registration import EndOutcome, termination_errors
from unioncore_desktop.domain.services.terminations import EndFacts
from unioncore_desktop.domain.vocab import TERMINATION_REASONS
from unioncore_desktop.gui import messages
from unioncore_desktop.gui.forms.ui_by_name_dialog import Ui_ByNameDialog
from unioncore_desktop.gui.forms.ui_end_job_dialog import Ui_TerminateDialog
from unioncore_desktop.gui.forms.ui_reason_dialog import Ui_ReasonDialog
from unioncore_desktop.gui.itemmodels.formatting import format_label
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.field_errors import as_error
from unioncore_desktop.gui.widgets.typed_work import DiscardGuard

class _Form(Protocol):
    """What every command dialog's compiled form gives it (Ui_TerminateDialog, Ui_ReasonDialog, Ui_ByNameDialog);
    a protocol, so the dialogs type-check before pyside6-uic has compiled the forms."""

    introLabel: QLabel  # noqa: N815 - named by the Designer form
    errorLabel: QLabel  # noqa: N815
    buttonBox: QDialogButtonBox  # noqa: N815

    def setupUi(self, dialog: QDialog) -> None: ...  # noqa: N802

TERMINATION_LABELS = {
    "rif": "Reduction in force (RIF)", "quit": "Quit", "discharged": "Discharged for cause",
    "laid_off": "Laid off", "short_call_end": "Short call ended", "contract_end": "Contract ended",
    "under_scale": "Under-scale work ended", "turnaround": "Turnaround",
}


def outcome_text(facts: EndFacts, reason: str, ended_on: date, employer_name: str) -> str:
    """The consequence in the dispatcher's words, from the same rules the terminate command applies."""
    errors = termination_errors(reason=reason, ended_on=ended_on, started_on=facts.started_on, today=facts.today)
    if "ended_on" in errors:
        return errors["ended_on"]
    decision = facts.decide(reason, ended_on)
    days = f"{decision.business_days} business day{'s' if decision.business_days != 1 else ''}"
    if decision.outcome is EndOutcome.ROLL_OFF_ALL_BOOKS:
        ban = (f" and barred from by-name requests from {employer_name} through "
               f"{decision.ban_ends_on:%a %d %b %Y}" if decision.ban_ends_on else "")
        return f"After {days}: rolled off ALL books ({format_label(reason)}){ban} (R12)."
    if not facts.on_book:
        return f"After {days}: the job ends; the member holds no place on this book to restore."
    if decision.outcome is EndOutcome.RESTORE_OLD_PLACE:
        used = (f" — restoration {decision.restorations_used} of {facts.rules.short_call_restorations} used"
                if decision.uses_restoration else " — too short to count toward restorations")
        return f"After {days}: back at the OLD PLACE on the book (same APN and tier){used} (R9)."
    if decision.outcome is EndOutcome.MUST_REREGISTER:
        assert decision.reregister_by is not None  # set with this outcome
        return (f"After {days}: the old place is lost. The member MUST RE-REGISTER by "
                f"{decision.reregister_by.astimezone(facts.zone):%a %d %b %Y %H:%M}, or is rolled off all books "
                "(R6).")
    return f"After {days}: a long call ended — the member signs on again with a new APN."


class _CommandDialog(QDialog):
    """A dialog whose OK runs `save(dialog, values)`; the owner calls `show_error` or `accept`.

    Its Designer form (ui/<name>_dialog.ui) has an intro, a form layout of the dialog's fields, an error line and
    OK / Cancel; `form` is the compiled form, set up on this dialog."""

    def reject(self) -> None:
        if self.discard_guard.allows_closing():
            super().reject()

    def __init__(self, title: str, parent: QWidget | None, form: _Form) -> None:
        super().__init__(parent)
        self.discard_guard = DiscardGuard(self, self.tr("this dialog"))  # Esc asks before typing is lost
        form.setupUi(self)
        self.setWindowTitle(title)
        self.intro: QLabel = form.introLabel
        self.error: QLabel = as_error(form.errorLabel)
        self.buttons: QDialogButtonBox = form.buttonBox
        ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok_button is not None  # every command dialog has OK
        self.ok_button = ok_button
        self.buttons.accepted.connect(self._on_ok)

    def _on_ok(self) -> None:
        raise NotImplementedError

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
        self.ok_button.setEnabled(True)


class TerminateDialog(_CommandDialog):
    """Reason, end date and hours; the consequence is spelled out before anything is saved."""

    def __init__(self, row: DispatchRow, facts: EndFacts,
                 save: Callable[[TerminateDialog, str, date, Decimal | None], None], parent: QWidget | None) -> None:
        self.form = Ui_TerminateDialog()
        super().__init__(self.tr("End the job — {}").format(row.member_name), parent, self.form)
        self.row, self.facts, self._save = row, facts, save
        self.intro.setText(self.tr("{} ({}) at {} — request {}, dispatched {:%a %d %b %Y}.").format(
            row.member_name, row.card_number, row.employer_name, row.request_number, row.dispatch_date))
        self.reason = self.form.reasonCombo
        self.reason.addItem(self.tr("(choose why the job ended)"), None)
        for reason in TERMINATION_REASONS:
            self.reason.addItem(self.tr(TERMINATION_LABELS.get(reason, format_label(reason))), reason)
        if row.short_call:
            self.reason.setCurrentIndex(self.reason.findData("short_call_end"))
        self.ended_on = self.form.endedOnEdit
        self.ended_on.setDate(QDate(facts.today.year, facts.today.month, facts.today.day))
        self.hours = self.form.hoursEdit
        self.note = self.form.noteEdit
        self.consequence = self.form.consequence
        self.ok_button.setText(self.tr("End the job"))
        self.reason.currentIndexChanged.connect(self._update)
        self.ended_on.dateChanged.connect(self._update)
        self._update()

    def ended(self) -> date:
        return cast(date, self.ended_on.date().toPython())  # a date for a QDate; the stubs say object

    def _update(self, *_args: object) -> None:
        reason = self.reason.currentData()
        self.consequence.setText(outcome_text(self.facts, reason, self.ended(), self.row.employer_name)
                                 if reason else self.tr("Choose the reason to see what happens to the member."))

    def _on_ok(self) -> None:
        reason = self.reason.currentData()
        hours: Decimal | None = None
        if self.hours.text().strip():
            try:
                hours = Decimal(self.hours.text().strip())
            except InvalidOperation:
                self.show_error(self.tr("Give the hours as a number, e.g. 40 or 37.5."))
                return
        errors = termination_errors(reason=reason, hours=hours, ended_on=self.ended(),
                                    started_on=self.facts.started_on, today=self.facts.today)
        if errors:
            self.show_error(next(iter(errors.values())))
            return
        self.ok_button.setEnabled(False)
        self._save(self, reason, self.ended(), hours)


class ReasonDialog(_CommandDialog):
    """One required reason (removing a check mark), checked by the domain's `validate` before it is saved."""

    def __init__(self, title: str, intro: str, save: Callable[[ReasonDialog, str], None],
                 parent: QWidget | None, ok_text: str, validate: Callable[[str], dict[str, str]]) -> None:
        self.form = Ui_ReasonDialog()
        super().__init__(title, parent, self.form)
        self._save = save
        self._validate = validate
        self.intro.setText(intro)
        self.reason = self.form.reasonEdit
        self.ok_button.setText(ok_text)

    def _on_ok(self) -> None:
        errors = self._validate(self.reason.text())
        if errors:
            self.show_error(next(iter(errors.values())))
            self.reason.setFocus()
            return
        self.ok_button.setEnabled(False)
        self._save(self, self.reason.text().strip())


class ByNameDialog(_CommandDialog):
    """R13: the dispatcher confirms, for this dispatch, that the named foreperson did not solicit the request."""

    def __init__(self, request_number: str, foreperson: str, save: Callable[[ByNameDialog], None],
                 parent: QWidget | None) -> None:
        self.form = Ui_ByNameDialog()
        super().__init__(self.tr("Dispatch by name"), parent, self.form)
        self._save = save
        self.intro.setText(self.tr("Send <b>{}</b> to request {} by name, skipping the list. By-name dispatches "
                                   "are reported separately.").format(foreperson, request_number))
        self.attest = self.form.attestCheck
        self.ok_button.setText(self.tr("Dispatch by name"))

    def _on_ok(self) -> None:
        if not self.attest.isChecked():
            self.show_error(self.tr("Confirm the attestation first (R13)."))
            return
        self.ok_button.setEnabled(False)
        self._save(self)


def remove_mark_flow(runner: TaskRunner, hall: HallConnection, parent: QWidget, *, registration_id: int,
                     request_id: int, member_name: str,
                     opened: Callable[[ReasonDialog], None] | None = None,
                     done: Callable[[int], None] | None = None) -> None:
    """Find the live mark an offer line issued, ask why it goes, and remove it (audited)."""

    def ask(marks: list[CheckMarkRow]) -> None:
        if not marks:
            messages.information(parent, parent.tr("Remove check mark"),
                                 parent.tr("{} holds no live check mark from this request.").format(member_name))
            return
        mark = marks[0]

        def save(dialog: ReasonDialog, reason: str) -> None:
            def failed(exc: BaseException) -> None:
                dialog.show_error(getattr(exc, "message", str(exc)))

            def saved(left: int) -> None:
                dialog.accept()
                messages.status(parent, parent.tr("Check mark removed; {} live mark(s) left").format(left))
                if done is not None:
                    done(left)

            runner.command(partial(referral.remove_mark, hall, mark, reason), parent=dialog,
                           success=saved, failure=failed, name="remove mark")

        dialog = ReasonDialog(parent.tr("Remove check mark"),
                              parent.tr("Remove the check mark of {:%a %d %b %Y} on {} from {}?").format(
                                  mark.marked_on, mark.book_name, member_name),
                              save, parent, parent.tr("Remove the mark"), mark_removal_errors)
        dialog.open()
        if opened is not None:
            opened(dialog)

    runner.query(partial(referral.live_marks_from, hall, registration_id, request_id), parent=parent, success=ask,
                 name="find check mark")
