"""The import wizard's last page: the import itself, in one transaction. With rejected rows the admin chooses
explicitly: import the rows that pass and keep the rejected ones for review, or fix the file first (nothing is
written). A registrations import then shows each book's order in the source beside its queue order now."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop.domain.actions.imports import ImportResult
from unioncore_desktop.domain.queries.imports import OrderComparison
from unioncore_desktop.gui import reporting
from unioncore_desktop.gui.imports.dry_run_page import export_button
from unioncore_desktop.gui.imports.owner import ImportOwner, ImportPage
from unioncore_desktop.gui.itemmodels.imports import BookOrderModel, OrderLineModel
from unioncore_desktop.gui.widgets.field_errors import FieldErrors, message_label
from unioncore_desktop.gui.widgets.simple_table import loaded_order_table


class RunPage(ImportPage):
    def __init__(self, owner: ImportOwner) -> None:
        super().__init__(owner)
        self.setTitle(self.tr("Import"))
        self.setSubTitle(self.tr("The whole file in one transaction: every row that passes is written, or none."))
        self.plan_label = QLabel()
        self.plan_label.setWordWrap(True)
        self.accept_radio = QRadioButton()
        self.fix_radio = QRadioButton(self.tr("&Fix the file first: import nothing now (go Back or Cancel, then "
                                              "open the corrected file)"))
        self.choice = QButtonGroup(self)
        self.choice.addButton(self.accept_radio)
        self.choice.addButton(self.fix_radio)
        self.import_button = QPushButton(self.tr("&Import now"))
        self.import_button.setAutoDefault(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setVisible(False)
        self.errors = FieldErrors(message_label())
        self.result_label = QLabel()
        self.result_label.setObjectName("importResult")
        self.result_label.setWordWrap(True)
        self.review_button = QPushButton(self.tr("&Review rejected rows…"))
        self.review_button.setAutoDefault(False)
        self.review_button.setVisible(False)

        self.order_label = QLabel()
        self.order_label.setObjectName("orderVerdict")
        self.order_label.setWordWrap(True)
        self.order_export = export_button(self.tr("Export the book-order comparison to Excel"))
        self.books_model = BookOrderModel(parent=self)
        self.books = loaded_order_table(self.books_model)
        self.lines_model = OrderLineModel(parent=self)
        self.lines = loaded_order_table(self.lines_model)
        self.order_box = QWidget()
        order_tools = QHBoxLayout()
        order_tools.addWidget(self.order_label, 1)
        order_tools.addWidget(self.order_export)
        splitter = QSplitter(Qt.Orientation.Vertical)  # the books above, the chosen book's places below
        splitter.addWidget(self.books)
        splitter.addWidget(self.lines)
        order_layout = QVBoxLayout(self.order_box)
        order_layout.setContentsMargins(0, 0, 0, 0)
        order_layout.addLayout(order_tools)
        order_layout.addWidget(splitter, 1)
        self.order_box.setVisible(False)

        run_row = QHBoxLayout()
        run_row.addWidget(self.import_button)
        run_row.addWidget(self.progress, 1)
        run_row.addStretch(0)
        result_row = QHBoxLayout()
        result_row.addWidget(self.result_label, 1)
        result_row.addWidget(self.review_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.plan_label)
        layout.addWidget(self.accept_radio)
        layout.addWidget(self.fix_radio)
        layout.addLayout(run_row)
        layout.addWidget(self.errors.message)
        layout.addLayout(result_row)
        layout.addWidget(self.order_box, 1)
        layout.addStretch(0)

        self.choice.buttonToggled.connect(lambda _button, _checked: self._update())
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.review_button.clicked.connect(self._on_review_button_clicked)
        self.order_export.clicked.connect(self._on_order_export_clicked)
        self.books.selectionModel().currentRowChanged.connect(self._on_books_current_row_changed)
        self._running = False

    def initializePage(self) -> None:
        dry = self.owner.dry
        assert dry is not None
        self.owner.import_result = None
        self.errors.clear()
        self.result_label.clear()
        self.review_button.setVisible(False)
        self.order_box.setVisible(False)
        passing = dry.created + dry.updated + dry.unchanged
        self.plan_label.setText(self.tr(
            "{file}: {created:,} to create, {updated:,} to update, {unchanged:,} unchanged, {rejected:,} rejected."
        ).format(file=dry.file_name, created=dry.created, updated=dry.updated, unchanged=dry.unchanged,
                 rejected=dry.rejected))
        self.accept_radio.setText(self.tr("Import the rows that pass ({passing:,}), and &keep the rejected rows "
                                          "({rejected:,}) with their reasons for review").format(
            passing=passing, rejected=dry.rejected))
        for radio in (self.accept_radio, self.fix_radio):
            radio.setVisible(bool(dry.rejected))
        self.choice.setExclusive(False)  # neither chosen: the admin decides explicitly
        self.accept_radio.setChecked(False)
        self.fix_radio.setChecked(False)
        self.choice.setExclusive(True)
        self._update()

    def choose_accept_rejected(self, accept: bool) -> None:
        (self.accept_radio if accept else self.fix_radio).setChecked(True)

    def _update(self) -> None:
        dry = self.owner.dry
        result = self.owner.import_result
        done = result is not None and result.status == "imported"
        chosen = dry is not None and (not dry.rejected or self.accept_radio.isChecked())
        self.import_button.setEnabled(chosen and not done and not self._running)
        for radio in (self.accept_radio, self.fix_radio):
            radio.setEnabled(not done and not self._running)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        result = self.owner.import_result
        return result is not None and result.status == "imported" and not self._running

    # --- the run ---------------------------------------------------------------------------------------------

    def _on_import_button_clicked(self) -> None:
        if self._running or not self.import_button.isEnabled():
            return
        self._set_running(True)
        self.errors.show_message(self.tr("Importing… the file is written in one transaction."))
        self.owner.start_import(self.accept_radio.isChecked(), success=self._imported, failure=self._failed)

    def start(self) -> None:
        """Import now, as the button does."""
        self._on_import_button_clicked()

    def _set_running(self, running: bool) -> None:
        self._running = running
        self.progress.setVisible(running)
        self._update()
        self.owner.set_running(running)

    def _imported(self, result: ImportResult) -> None:
        self._set_running(False)
        self.errors.clear()
        if result.status != "imported":
            self.errors.show_message(self.tr("Not imported: {} row(s) were rejected, and nothing was written. "
                                             "Choose to keep them for review, or fix the file.")
                                     .format(result.rejected))
            return
        text = self.tr("Imported in {seconds:.1f} s: {created:,} created, {updated:,} updated, {unchanged:,} "
                       "unchanged.").format(seconds=result.seconds, created=result.created, updated=result.updated,
                                            unchanged=result.unchanged)
        if result.rejected:
            text += " " + self.tr("{:,} rejected rows are kept with their reasons for review.").format(result.rejected)
        if not result.changes_anything:
            text += " " + self.tr("Nothing changed: the hall already had all of it.")
        self.result_label.setText(text)
        self.review_button.setVisible(bool(result.rejected) and result.run_id is not None)
        if result.entity == "registrations":
            self.order_label.setText(self.tr("Comparing each book's order with the source…"))
            self.order_box.setVisible(True)
            self.owner.load_book_order(self.show_order)
        self._update()

    def _failed(self, error: BaseException) -> None:
        self._set_running(False)
        self.errors.show_failure(error, self)

    # --- the book order --------------------------------------------------------------------------------------

    def show_order(self, comparison: OrderComparison) -> None:
        self.books_model.set_rows(comparison.books)
        differing = [book.book_code for book in comparison.books if not book.agrees]
        self.order_label.setText(
            self.tr("Every book lists its members in the source's order ({} books).").format(len(comparison.books))
            if comparison.agrees else
            self.tr("{} of {} books differ from the source's order: {}.").format(
                len(differing), len(comparison.books), ", ".join(differing)))
        self.order_label.setStyleSheet("color: #2e7d32" if comparison.agrees else "color: #c62828")
        self.books.resizeColumnsToContents()
        if comparison.books:
            first = next((i for i, book in enumerate(comparison.books) if not book.agrees), 0)
            self.books.setCurrentIndex(self.books_model.index(first, 0))

    def _on_books_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        book = self.books_model.row_at(current)
        self.lines_model.set_rows(book.lines if book is not None else ())
        self.lines.resizeColumnsToContents()

    def _on_order_export_clicked(self) -> None:
        reporting.export_model(self.owner.runner, self.owner.hall, self, self.books_model,
                               self.tr("Book order after the import"), [])

    def _on_review_button_clicked(self) -> None:
        result = self.owner.import_result
        if result is not None:
            self.owner.show_runs(result.run_id)
