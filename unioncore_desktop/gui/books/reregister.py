"""Re-registration (R6): a member whose job ended without their old place back comes in before the deadline.

The dialog finds the member by type-ahead, shows the books they await re-registration on with each deadline in
the hall's time, and re-registers the books ticked (one new APN for the visit). A refusal (deadline passed,
nothing awaiting) is shown beside the books and everything chosen stays in place."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtWidgets import QCheckBox, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import books
from unioncore_desktop.domain.changes import Done
from unioncore_desktop.domain.queries.books import RegistrationRow, ReregistrationVisit
from unioncore_desktop.domain.queries.members import MemberDetail
from unioncore_desktop.domain.rules.apn import format_apn
from unioncore_desktop.gui import theme
from unioncore_desktop.gui.books.awaiting import PASSED_COLOR
from unioncore_desktop.gui.books.visit import MemberVisitDialog
from unioncore_desktop.gui.itemmodels.formatting import format_deadline
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner



class ReregisterDialog(MemberVisitDialog):
    """R6: re-register a member awaiting it, on the books ticked, before the deadline."""

    TITLE = "Re-register"
    BOOKS_TITLE = "Awaiting re-registration on"
    SAVE_TEXT = "&Re-register"
    METHOD_LABEL = "Came in &by"
    BOOKS_HINT = "The books the member must re-register on appear here, each with its deadline."
    COMMAND_NAME = "re-register"

    def __init__(self, runner: TaskRunner, hall: HallConnection, parent: QWidget | None = None, *,
                 settings: UiSettings | None = None, member_id: int | None = None) -> None:
        super().__init__(runner, hall, parent, settings=settings)
        self.resize(560, 400)
        if member_id is not None:
            self.member_edit.member_id = member_id  # typing over the name then looks for someone else
            self.choose_member(member_id)

    def load(self, member_id: int) -> ReregistrationVisit:
        return books.reregistration_visit(self.hall, member_id)

    def member_of(self, loaded: ReregistrationVisit) -> MemberDetail:
        return loaded.detail

    def _on_member_loaded(self, loaded: object) -> None:
        super()._on_member_loaded(loaded)
        if self.book_checks:
            next(iter(self.book_checks.values())).setFocus()

    def add_books(self, loaded: ReregistrationVisit, previous: QWidget) -> tuple[QWidget, str]:
        for item in loaded.awaiting:
            registration = item.registration
            check = QCheckBox()
            check.setObjectName(f"book_{registration.book_code}")
            if item.passed:
                check.setText(self.tr("{book} — tier {tier} — deadline passed {when}").format(
                    book=registration.book_name, tier=registration.tier, when=format_deadline(item.deadline)))
                check.setStyleSheet(f"QCheckBox {{ color: {theme.css(PASSED_COLOR)}; }}")
                check.setToolTip(self.tr("The member drops from all books at the next drop run and must sign "
                                         "on again."))
            else:
                check.setText(self.tr("{book} — tier {tier} — re-register by {when}").format(
                    book=registration.book_name, tier=registration.tier, when=format_deadline(item.deadline)))
                check.setToolTip(self.tr("The old place (APN {}) is gone: re-registering gives a new APN for "
                                         "today.").format(format_apn(registration.apn)))
                check.setChecked(True)
            self.add_book_row(registration.book_id, check)
            self.setTabOrder(previous, check)
            previous = check
        name = f"{loaded.detail.first_name} {loaded.detail.last_name}"
        return previous, self.tr("{} has no registration awaiting re-registration. To put them on a book, use "
                                 "Sign on.").format(name)

    def command(self, member_id: int, book_ids: list[int], method: str,
                office_id: int | None) -> Callable[[], Done[list[RegistrationRow]]]:
        return partial(books.reregister, self.hall, member_id, book_ids, method=method, office_id=office_id)
