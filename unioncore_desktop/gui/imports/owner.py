"""The import wizard as its pages see it: what the pages share (the file opened, the mapping, the dry run, the
import) and the steps that run on the server. The pages take this instead of the wizard class, which imports them
(the remittance wizard's pattern)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtWidgets import QWidget, QWizardPage

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions.imports import ImportResult, SourcePreview
from unioncore_desktop.domain.queries.imports import OrderComparison
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner

Mapping = dict[str, str | None]


class ImportOwner(Protocol):
    runner: TaskRunner
    hall: HallConnection
    settings: UiSettings
    entity: str
    path: str
    source: str
    preview: SourcePreview | None
    dry: ImportResult | None
    import_result: ImportResult | None

    def next(self) -> None: ...

    def field_labels(self) -> dict[str, str]: ...

    def open_source(self, entity: str, path: str, source: str, *, success: Callable[[SourcePreview], None],
                    failure: Callable[[BaseException], None]) -> None: ...

    def start_dry_run(self, mapping: Mapping, remember: bool, *, success: Callable[[ImportResult], None],
                      failure: Callable[[BaseException], None]) -> None: ...

    def start_import(self, accept_rejected: bool, *, success: Callable[[ImportResult], None],
                     failure: Callable[[BaseException], None]) -> None: ...

    def load_book_order(self, success: Callable[[OrderComparison], None]) -> None: ...

    def show_runs(self, run_id: int | None = None) -> QWidget: ...

    def set_running(self, running: bool) -> None: ...


class ImportPage(QWizardPage):
    """A page that knows its wizard (QWizardPage.wizard() is untyped and None until the page is added)."""

    def __init__(self, owner: ImportOwner) -> None:
        super().__init__()
        self.owner = owner
