"""The employer check-off remittance wizard: pick the employer, file and check; map the file's columns; review the
matches and resolve the review queue; post, which is possible only when the lines balance to the check.

Every database step runs through the TaskRunner. A page whose Next needs the server (the import) starts the
task, refuses to advance, and moves on by itself when the result arrives. The pages live in their own modules
(remittance_source, remittance_mapping, remittance_review, remittance_post) and see this wizard through
remittance_owner.RemittanceOwner.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import QWidget, QWizard

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import clock, remittances
from unioncore_desktop.domain.queries.hall import HallClock
from unioncore_desktop.domain.queries.remittances import MissingMember, RemittanceReview
from unioncore_desktop.domain.rules import remittance as rules
from unioncore_desktop.domain.services.remittances import ImportSummary, PostedRemittance
from unioncore_desktop.gui.dues.remittance_mapping import MappingPage
from unioncore_desktop.gui.dues.remittance_post import PostPage
from unioncore_desktop.gui.dues.remittance_review import ReviewPage
from unioncore_desktop.gui.dues.remittance_source import SourcePage
from unioncore_desktop.gui.tasks import TaskRunner


class RemittanceWizard(QWizard):
    """Import, review and post one employer check-off remittance."""

    remittance_imported = Signal(int)
    remittance_posted = Signal(int)

    PAGE_SOURCE, PAGE_MAPPING, PAGE_REVIEW, PAGE_POST = range(4)

    def __init__(self, runner: TaskRunner, hall: HallConnection, parent: QWidget | None = None, *,
                 remittance_id: int | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.setWindowTitle(self.tr("Employer remittance"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, False)
        self.resize(1000, 720)
        self.employer_id: int | None = None
        self.employer_name = ""
        self.table: rules.Table | None = None
        self.table_path: str | None = None
        self.remembered_mapping: dict[str, str | None] | None = None
        self.review: RemittanceReview | None = None
        self.remittance_id = remittance_id
        self.source_page = SourcePage(self)
        self.mapping_page = MappingPage(self)
        self.review_page = ReviewPage(self)
        self.post_page = PostPage(self)
        self.setPage(self.PAGE_SOURCE, self.source_page)
        self.setPage(self.PAGE_MAPPING, self.mapping_page)
        self.setPage(self.PAGE_REVIEW, self.review_page)
        self.setPage(self.PAGE_POST, self.post_page)
        if remittance_id is not None:
            self.setStartId(self.PAGE_REVIEW)
            self.reload_review(self._resumed)
        else:
            self.runner.query(functools.partial(clock.now, hall), parent=self, name="hall clock",
                              success=self._set_today)

    def _resumed(self, _review: RemittanceReview) -> None:
        self.load_missing(self.review_page.show_missing)
        self.review_page.select_next_open()

    def _set_today(self, now: HallClock) -> None:
        today = now.today
        self.source_page.period_edit.setDate(QDate(today.year, today.month, 1))

    def set_employer(self, employer_id: int, name: str) -> None:
        self.employer_id = employer_id
        self.employer_name = name
        self.remembered_mapping = None
        self.runner.query(functools.partial(remittances.remembered_mapping, self.hall, employer_id), parent=self,
                          key=("remittance-mapping", id(self)), name="remembered remittance mapping",
                          success=self._set_remembered)

    def _set_remembered(self, mapping: dict[str, str | None] | None) -> None:
        self.remembered_mapping = mapping

    def set_table(self, path: str, table: rules.Table) -> None:
        self.table_path = path
        self.table = table

    def import_inputs(self, mapping: dict[str, str | None]) -> tuple[Any, ...]:
        page = self.source_page
        return (self.employer_id, self.table_path, page.check_number_edit.text().strip(), page.check_amount(),
                page.period(), tuple(sorted((k, v or "") for k, v in mapping.items())))

    def start_import(self, mapping: dict[str, str | None], *, success: Callable[[ImportSummary], None],
                     failure: Callable[[BaseException], None]) -> None:
        page = self.source_page
        assert self.employer_id is not None and self.table_path is not None
        employer_id, path = self.employer_id, self.table_path
        number, amount, period = page.check_number_edit.text(), page.check_amount(), page.period()
        replaces = self.remittance_id if self.review is not None and self.review.header.status == "draft" else None
        work = functools.partial(remittances.import_file, self.hall, employer_id=employer_id, period=period,
                                 check_number=number, check_amount=amount if amount is not None else "", path=path,
                                 mapping=mapping, replaces=replaces)

        def imported(summary: ImportSummary) -> None:
            self.remittance_id = summary.remittance_id
            self.review = summary.review
            self.remembered_mapping = dict(mapping)
            self.remittance_imported.emit(summary.remittance_id)
            success(summary)

        self.runner.command(work, parent=self.mapping_page, name="import remittance", success=imported,
                            failure=failure)

    def reload_review(self, then: Callable[[RemittanceReview], None] | None = None) -> None:
        remittance_id = self.remittance_id
        assert remittance_id is not None

        def loaded(review: RemittanceReview) -> None:
            self.review = review
            self.review_page.show_review(review)
            self.post_page.show_review(review)
            if then is not None:
                then(review)

        self.runner.query(functools.partial(remittances.review, self.hall, remittance_id), parent=self,
                          key=("remittance-review", id(self)), name="remittance review", success=loaded)

    def load_missing(self, success: Callable[[list[MissingMember]], None]) -> None:
        review = self.review
        if review is None:
            return
        self.runner.query(functools.partial(remittances.missing_members, self.hall, review.header.employer_id,
                                            review.header.period),
                          parent=self, key=("remittance-missing", id(self)), name="missing from remittance",
                          success=success)

    def start_post(self, *, success: Callable[[PostedRemittance], None],
                   failure: Callable[[BaseException], None]) -> None:
        remittance_id = self.remittance_id
        assert remittance_id is not None

        def posted(result: PostedRemittance) -> None:
            self.remittance_posted.emit(result.remittance_id)
            success(result)

        # A retry after a lost connection runs the same command: the remittance either posted (and comes back
        # as already posted) or did not post at all.
        self.runner.command(functools.partial(remittances.post, self.hall, remittance_id), parent=self.post_page,
                            name="post remittance", success=posted, failure=failure)


def open_remittance_wizard(parent: QWidget, runner: TaskRunner, hall: HallConnection, *,
                           remittance_id: int | None = None) -> RemittanceWizard:
    """Open the wizard (non-modal, so the clerk can look members up meanwhile); pass `remittance_id` to resume
    reviewing a draft."""
    wizard = RemittanceWizard(runner, hall, parent, remittance_id=remittance_id)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    wizard.show()
    return wizard
