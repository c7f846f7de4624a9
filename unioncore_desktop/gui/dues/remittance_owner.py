"""The remittance wizard as its pages see it: what the pages share (the employer, the list read, the review) and
the steps that run on the server. The pages take this instead of the wizard class, which imports them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtWidgets import QWizardPage

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.queries.remittances import MissingMember, RemittanceReview
from unioncore_desktop.domain.rules import remittance as rules
from unioncore_desktop.domain.services.remittances import ImportSummary, PostedRemittance
from unioncore_desktop.gui.tasks import TaskRunner


class RemittanceOwner(Protocol):
    runner: TaskRunner
    hall: HallConnection
    employer_id: int | None
    table: rules.Table | None
    table_path: str | None
    remembered_mapping: dict[str, str | None] | None
    review: RemittanceReview | None

    def next(self) -> None: ...

    def set_employer(self, employer_id: int, name: str) -> None: ...

    def set_table(self, path: str, table: rules.Table) -> None: ...

    def import_inputs(self, mapping: dict[str, str | None]) -> tuple[Any, ...]: ...

    def start_import(self, mapping: dict[str, str | None], *, success: Callable[[ImportSummary], None],
                     failure: Callable[[BaseException], None]) -> None: ...

    def reload_review(self, then: Callable[[RemittanceReview], None] | None = None) -> None: ...

    def load_missing(self, success: Callable[[list[MissingMember]], None]) -> None: ...

    def start_post(self, *, success: Callable[[PostedRemittance], None],
                   failure: Callable[[BaseException], None]) -> None: ...


class RemittancePage(QWizardPage):
    """A page that knows its wizard (QWizardPage.wizard() is untyped and None until the page is added); the
    wizard takes the page as its child when it adds it."""

    def __init__(self, owner: RemittanceOwner) -> None:
        super().__init__()
        self.owner = owner
