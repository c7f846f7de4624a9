"""File → Import from another system… (admins): the import workbench. One file of one entity per pass: what and
where, the columns (remembered per source, else suggested from the headers), a dry run, then the import in one
transaction, and for registrations each book's order compared with the source's.

Every database step runs through the TaskRunner: a page whose Next needs the server (opening the file, the dry
run) starts the task, refuses to advance, and moves on by itself when the result arrives. While a step runs,
Back and Cancel are off, so a second run cannot start. The pages live in their own modules (source_page,
mapping_page, dry_run_page, run_page) and see this wizard through owner.ImportOwner.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget, QWizard

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import imports
from unioncore_desktop.domain.actions.imports import ImportResult, SourcePreview
from unioncore_desktop.domain.queries.imports import ImportRunRow, OrderComparison
from unioncore_desktop.gui import messages
from unioncore_desktop.gui.imports.dry_run_page import DryRunPage
from unioncore_desktop.gui.imports.mapping_page import MappingPage
from unioncore_desktop.gui.imports.owner import Mapping
from unioncore_desktop.gui.imports.run_page import RunPage
from unioncore_desktop.gui.imports.runs_dialog import ImportRunsDialog, field_labels
from unioncore_desktop.gui.imports.source_page import ImportSourcePage
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner


WINDOW_NAME = "import_wizard"


class ImportWizard(QWizard):
    """Import one export of the hall's old system."""

    loaded = Signal()        # the first page knows the sources of earlier imports
    imported = Signal(object)  # the ImportResult of a committed import

    PAGE_SOURCE, PAGE_MAPPING, PAGE_DRY_RUN, PAGE_RUN = range(4)

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importWizard")
        self.runner = runner
        self.hall = hall
        self.settings = settings
        self.setWindowTitle(self.tr("Import from another system"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.resize(1040, 760)
        settings.restore_window(WINDOW_NAME, self)
        self.entity = imports.ENTITIES[0]
        self.path = ""
        self.source = ""
        self.preview: SourcePreview | None = None
        self.mapping: Mapping = {}
        self.dry: ImportResult | None = None
        self.import_result: ImportResult | None = None
        self.running = False
        self.runs_dialog: ImportRunsDialog | None = None
        self.source_page = ImportSourcePage(self)
        self.mapping_page = MappingPage(self)
        self.dry_run_page = DryRunPage(self)
        self.run_page = RunPage(self)
        self.setPage(self.PAGE_SOURCE, self.source_page)
        self.setPage(self.PAGE_MAPPING, self.mapping_page)
        self.setPage(self.PAGE_DRY_RUN, self.dry_run_page)
        self.setPage(self.PAGE_RUN, self.run_page)
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("&Next >"))
        self.dry_run_page.setButtonText(QWizard.WizardButton.NextButton, self.tr("&Continue to import >"))
        self.mapping_page.setButtonText(QWizard.WizardButton.NextButton, self.tr("&Dry run >"))
        self.setButtonText(QWizard.WizardButton.CustomButton1, self.tr("Import &another file"))
        self.customButtonClicked.connect(self._on_custom_button_clicked)
        self.currentIdChanged.connect(lambda _id: self._show_another())
        self._load_sources()

    def _load_sources(self) -> None:
        self.runner.query(partial(imports.import_runs, self.hall), parent=self, key=("import-sources", id(self)),
                          name="import sources", success=self._show_sources, failure=lambda _e: self.loaded.emit())

    def _show_sources(self, runs: list[ImportRunRow]) -> None:
        sources = list(dict.fromkeys(run.source for run in runs))
        self.source_page.set_sources(sources)
        last: dict[str, ImportRunRow] = {}
        for run in runs:  # newest first
            last.setdefault(run.entity, run)
        self.source_page.show_imported(last)
        following = next((e for e in imports.ENTITIES if e not in last), None)
        if following is not None:
            self.source_page.set_entity(following)  # the next one in the order members, employers, …
        self.loaded.emit()

    def _show_another(self) -> None:
        """After an import, the last page offers the next file in the same window."""
        done = self.import_result is not None and self.import_result.status == "imported"
        self.setOption(QWizard.WizardOption.HaveCustomButton1, done and self.currentId() == self.PAGE_RUN)

    def _on_custom_button_clicked(self, which: int) -> None:
        if which == QWizard.WizardButton.CustomButton1.value:
            self.import_another()

    def import_another(self) -> None:
        """Back to the first page for the next file, the next entity not yet imported offered."""
        if self.running:
            return
        self.preview = self.dry = self.import_result = None
        self.mapping = {}
        self.dry_run_page.setCommitPage(False)
        self.source_page.set_file("")
        self.restart()
        self._show_another()
        self._load_sources()

    def field_labels(self) -> dict[str, str]:
        return field_labels(self.entity)

    # --- server steps --------------------------------------------------------------------------------------

    def open_source(self, entity: str, path: str, source: str, *, success: Callable[[SourcePreview], None],
                    failure: Callable[[BaseException], None]) -> None:
        def opened(preview: SourcePreview) -> None:
            self.entity, self.path, self.source = entity, path, source
            self.preview = preview
            self.dry = self.import_result = None
            success(preview)

        self.runner.query(partial(imports.open_file, self.hall, entity, path, source), parent=self.source_page,
                          name="open import file", success=opened, failure=failure)

    def start_dry_run(self, mapping: Mapping, remember: bool, *, success: Callable[[ImportResult], None],
                      failure: Callable[[BaseException], None]) -> None:
        preview = self.preview
        assert preview is not None
        entity, path, source = self.entity, self.path, self.source

        def tried(result: ImportResult) -> None:
            self.mapping = dict(mapping)
            self.dry = result
            success(result)

        def dry_run(_kept: object = None) -> None:
            self.runner.query(partial(imports.dry_run, self.hall, entity, path, source, mapping),
                              parent=self.mapping_page, name="import dry run", success=tried, failure=failure)

        if remember:  # a mapping made by hand is kept for this source at once, whatever happens next
            self.runner.command(partial(imports.remember_mapping, self.hall, entity, source, preview.headers,
                                        mapping), parent=self.mapping_page, name="remember import mapping",
                                success=dry_run, failure=failure)
        else:
            dry_run()

    def start_import(self, accept_rejected: bool, *, success: Callable[[ImportResult], None],
                     failure: Callable[[BaseException], None]) -> None:
        def imported(result: ImportResult) -> None:
            self.import_result = result
            if result.status == "imported":
                self.dry_run_page.setCommitPage(True)  # no going back to import the same pass twice
                self._show_another()
                self.imported.emit(result)
            success(result)

        self.runner.command(partial(imports.import_file, self.hall, self.entity, self.path, self.source,
                                    self.mapping, accept_rejected=accept_rejected),
                            parent=self.run_page, name="import file", success=imported, failure=failure)

    def load_book_order(self, success: Callable[[OrderComparison], None]) -> None:
        self.runner.query(partial(imports.book_order, self.hall), parent=self.run_page,
                          key=("import-book-order", id(self)), name="book order comparison", success=success)

    def show_runs(self, run_id: int | None = None) -> ImportRunsDialog:
        dialog = ImportRunsDialog(self.runner, self.hall, self, run_id=run_id)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.runs_dialog = dialog
        dialog.open()
        return dialog

    # --- state ---------------------------------------------------------------------------------------------

    def set_running(self, running: bool) -> None:
        """A step on the server: no second run, no Back, no Cancel until it is done."""
        self.running = running
        self.button(QWizard.WizardButton.CancelButton).setEnabled(not running)
        if running:
            self.button(QWizard.WizardButton.BackButton).setEnabled(False)
        elif self.currentPage() is not None:
            self.currentPage().completeChanged.emit()  # QWizard decides Back (and Next) again

    def done(self, result: int) -> None:
        self.settings.save_window(WINDOW_NAME, self)
        super().done(result)

    def reject(self) -> None:
        if self.running:
            return  # Esc or the window's close while a step runs: its progress bar says to wait
        imported = self.import_result is not None and self.import_result.status == "imported"
        if not imported and self.mapping_page.hand_made() and not messages.question(
                self, self.tr("Import from another system"),
                self.tr("Discard the columns you chose by hand? They have not been kept for this source.")):
            return
        super().reject()


def open_import_wizard(parent: QWidget, runner: TaskRunner, hall: HallConnection,
                       settings: UiSettings) -> ImportWizard:
    """Open the wizard (non-modal, so the admin can look records up meanwhile)."""
    wizard = ImportWizard(runner, hall, settings, parent)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    wizard.show()
    return wizard
