"""The employer check-off remittance wizard: pick the employer, file and check; map the file's columns; review the
matches and resolve the review queue; post, which is possible only when the lines balance to the check.

Every database step runs through the TaskRunner. A page whose Next needs the server (the import) starts the
task, refuses to advance, and moves on by itself when the result arrives.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import clock, dues, employers, remittances
from unioncore_desktop.domain.errors import DomainError
from unioncore_desktop.domain.queries.dues import PostingLookupRow
from unioncore_desktop.domain.queries.employers import EmployerListRow
from unioncore_desktop.domain.queries.hall import HallClock
from unioncore_desktop.domain.queries.remittances import MissingMember, RemittanceLineRow, RemittanceReview
from unioncore_desktop.domain.rules import remittance as rules
from unioncore_desktop.domain.services.remittances import ImportSummary, PostedRemittance
from unioncore_desktop.gui import messages
from unioncore_desktop.gui.itemmodels.base import Column, RowTableModel
from unioncore_desktop.gui.itemmodels.formatting import format_label, format_money
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.simple_table import simple_table
from unioncore_desktop.paths import resources_dir

STATUS_COLOURS = {
    "matched": QColor("#1b5e20"),
    "resolved": QColor("#2e7d32"),
    "excluded": QColor("#757575"),
    "unknown_card": QColor("#c62828"),
    "name_mismatch": QColor("#e65100"),
    "amount_odd": QColor("#8d6e00"),
}
STATUS_TEXT = {
    "matched": "Matched",
    "resolved": "Resolved",
    "excluded": "Excluded",
    "unknown_card": "Unknown card",
    "name_mismatch": "Name differs",
    "amount_odd": "Odd amount",
}
NONE_CHOICE = "(not in this file)"


def _money(value: Decimal | None) -> str:
    return format_money(value) if value is not None else ""


class RemittanceLineModel(RowTableModel[RemittanceLineRow]):
    """Remittance lines, coloured by how they matched; the tooltip says why a line waits for review."""

    columns = (
        Column("line_no", "Line", kind="int"),
        Column("card_number", "Card on list"),
        Column("name", "Name on list"),
        Column("amount", "Amount", kind="decimal"),
        Column("hours", "Hours", kind="decimal"),
        Column("member", "Member", value=lambda r: (f"{r.member_card_number} {r.member_name}"
                                                     if r.member_id is not None else "")),
        Column("expected_amount", "Rate", kind="decimal"),
        Column("match_status", "Status", formatter=lambda s: STATUS_TEXT.get(s, s),
               foreground=lambda r: STATUS_COLOURS.get(r.match_status), tooltip=lambda r: r.note),
        Column("note", "Why", tooltip=lambda r: r.note),
        Column("receipt_number", "Receipt"),
    )


class MissingMemberModel(RowTableModel[MissingMember]):
    columns = (
        Column("card_number", "Card"),
        Column("name", "Name"),
        Column("classification", "Classification", formatter=format_label),
        Column("source", "From", formatter=format_label),
        Column("started_on", "Started", kind="date"),
        Column("ended_on", "Ended", kind="date"),
    )

    def row_id(self, row: MissingMember) -> int:
        return row.member_id


class _Page(QWizardPage):
    """A page that knows its wizard (QWizardPage.wizard() is untyped and None until the page is added)."""

    def __init__(self, owner: RemittanceWizard) -> None:
        super().__init__(owner)
        self.owner = owner


# --- page 1: employer, file and check ------------------------------------------------------------------------

class SourcePage(_Page):
    def __init__(self, owner: RemittanceWizard) -> None:
        super().__init__(owner)
        self.setTitle(self.tr("Employer, file and check"))
        self.setSubTitle(self.tr("Choose the employer, its remittance list (Excel or CSV) and the check it came with."))
        self.employer_edit = QLineEdit()
        self.employer_edit.setPlaceholderText(self.tr("Type part of the employer's name"))
        self.employer_list = QListWidget()
        self.employer_list.setMaximumHeight(120)
        self.employer_label = QLabel(self.tr("No employer chosen"))
        self.file_edit = QLineEdit()
        self.file_edit.setPlaceholderText(self.tr("An .xlsx or .csv file from the employer"))
        self.browse_button = QPushButton(self.tr("&Browse…"))
        self.file_label = QLabel()
        self.file_label.setWordWrap(True)
        self.check_number_edit = QLineEdit()
        self.check_amount_edit = QLineEdit()
        self.check_amount_edit.setPlaceholderText("0.00")
        self.period_edit = QDateEdit()
        self.period_edit.setDisplayFormat("MMMM yyyy")

        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.browse_button)
        form = QFormLayout(self)
        form.addRow(self.tr("&Employer:"), self.employer_edit)
        form.addRow("", self.employer_list)
        form.addRow("", self.employer_label)
        form.addRow(self.tr("&File:"), file_row)
        form.addRow("", self.file_label)
        form.addRow(self.tr("Check &number:"), self.check_number_edit)
        form.addRow(self.tr("Check &amount:"), self.check_amount_edit)
        form.addRow(self.tr("For the &month of:"), self.period_edit)

        self.employer_edit.textEdited.connect(self._on_employer_edit_text_edited)
        self.employer_list.currentItemChanged.connect(self._on_employer_list_current_item_changed)
        self.browse_button.clicked.connect(self._on_browse_button_clicked)
        self.file_edit.editingFinished.connect(self._on_file_edit_editing_finished)
        self.check_number_edit.textChanged.connect(self.completeChanged)
        self.check_amount_edit.textChanged.connect(self.completeChanged)

    # the public setters are what tests and a future "import this file" action use
    def search_employers(self, text: str) -> None:
        self.employer_edit.setText(text)
        self._on_employer_edit_text_edited(text)

    def set_file(self, path: str | Path) -> None:
        self.file_edit.setText(str(path))
        self._on_file_edit_editing_finished()

    def check_amount(self) -> Decimal | None:
        amount, problem = rules.parse_money(self.check_amount_edit.text())
        return amount if amount is not None and problem is None and amount > 0 else None

    def period(self) -> date:
        return cast(date, self.period_edit.date().toPython()).replace(day=1)  # the stubs say object

    def isComplete(self) -> bool:
        o = self.owner
        return (o.employer_id is not None and o.table is not None and o.table_path == self.file_edit.text()
                and bool(self.check_number_edit.text().strip()) and self.check_amount() is not None)

    def _on_employer_edit_text_edited(self, text: str) -> None:
        self.owner.runner.query(functools.partial(employers.search, self.owner.hall, text, limit=25), parent=self,
                                key=("remittance-employers", id(self)), success=self._show_employers,
                                name="search employers")

    def _show_employers(self, rows: list[EmployerListRow]) -> None:
        self.employer_list.clear()
        for row in rows:
            item = QListWidgetItem(f"{row.name}" + (f" — {row.city}" if row.city else ""))
            item.setData(Qt.ItemDataRole.UserRole, (row.id, row.name))
            self.employer_list.addItem(item)
        if len(rows) == 1:
            self.employer_list.setCurrentRow(0)

    def _on_employer_list_current_item_changed(self, current: QListWidgetItem | None,
                                               _previous: QListWidgetItem | None) -> None:
        if current is None:
            return
        employer_id, name = current.data(Qt.ItemDataRole.UserRole)
        self.owner.set_employer(employer_id, name)
        self.employer_label.setText(self.tr("Employer: {}").format(name))
        self.completeChanged.emit()

    def _on_browse_button_clicked(self) -> None:
        start = self.file_edit.text() or str(resources_dir() / "remittances")
        path, _filter = QFileDialog.getOpenFileName(self, self.tr("Employer remittance list"), start,
                                                    self.tr("Remittance lists (*.xlsx *.xlsm *.csv *.txt)"))
        if path:
            self.set_file(path)

    def _on_file_edit_editing_finished(self) -> None:
        path = self.file_edit.text().strip()
        if not path or path == self.owner.table_path:
            return
        self.file_label.setText(self.tr("Reading {}…").format(Path(path).name))
        self.owner.table = None
        self.completeChanged.emit()
        self.owner.runner.query(functools.partial(remittances.read_file, path), parent=self,
                                key=("remittance-file", id(self)), name="read remittance file",
                                success=functools.partial(self._show_table, path), failure=self._table_failed)

    def _show_table(self, path: str, table: rules.Table) -> None:
        self.owner.set_table(path, table)
        self.file_label.setText(self.tr("{} lines under the headers in row {}{}.").format(
            len(table.rows), table.header_row, self.tr(" of sheet {}").format(table.sheet) if table.sheet else ""))
        self.completeChanged.emit()

    def _table_failed(self, error: BaseException) -> None:
        self.file_label.setText(str(getattr(error, "message", error)))


# --- page 2: column mapping ----------------------------------------------------------------------------------

class MappingPage(_Page):
    def __init__(self, owner: RemittanceWizard) -> None:
        super().__init__(owner)
        self.setTitle(self.tr("Columns"))
        self.setSubTitle(self.tr("Say which column holds what. The choice is remembered for this employer."))
        self.combos: dict[str, QComboBox] = {}
        grid = QGridLayout()
        for i, field in enumerate(rules.FIELDS):
            combo = QComboBox()
            combo.currentIndexChanged.connect(self._on_combo_current_index_changed)
            self.combos[field] = combo
            label = self.tr(rules.FIELD_LABELS[field]) + (
                "" if field in rules.REQUIRED_FIELDS else self.tr(" (optional)"))
            grid.addWidget(QLabel(label + ":"), i // 2, (i % 2) * 2)
            grid.addWidget(combo, i // 2, (i % 2) * 2 + 1)
        self.problem_label = QLabel()
        self.problem_label.setStyleSheet("color: #c62828")
        self.problem_label.setWordWrap(True)
        self.preview = QTableWidget()
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.verticalHeader().setVisible(False)
        self.status_label = QLabel()
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.problem_label)
        layout.addWidget(QLabel(self.tr("The first rows of the file:")))
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.status_label)
        self._filling = False
        self._imported_for: tuple[Any, ...] | None = None
        self._importing = False

    def initializePage(self) -> None:
        table = self.owner.table
        assert table is not None
        chosen = rules.mapping_for(table.headers, self.owner.remembered_mapping)
        self._filling = True
        for field, combo in self.combos.items():
            combo.clear()
            combo.addItem(self.tr(NONE_CHOICE), None)
            for header in table.headers:
                combo.addItem(header, header)
            combo.setCurrentIndex(max(0, combo.findData(chosen.get(field))) if chosen.get(field) else 0)
        self._filling = False
        self._refresh()

    def mapping(self) -> dict[str, str | None]:
        return {field: combo.currentData() for field, combo in self.combos.items()}

    def set_mapping(self, mapping: dict[str, str | None]) -> None:
        for field, header in mapping.items():
            combo = self.combos[field]
            combo.setCurrentIndex(max(0, combo.findData(header)) if header else 0)

    def _on_combo_current_index_changed(self, _index: int) -> None:
        if not self._filling:
            self._refresh()

    def _refresh(self) -> None:
        table = self.owner.table
        if table is None:
            return
        mapping = self.mapping()
        errors = rules.mapping_errors(table.headers, mapping)
        self.problem_label.setText("\n".join(errors.values()))
        by_header = {header: field for field, header in mapping.items() if header}
        self.preview.clear()
        rows = table.preview(10)
        self.preview.setColumnCount(len(table.headers))
        self.preview.setRowCount(len(rows))
        self.preview.setHorizontalHeaderLabels([
            f"{h}\n→ {self.tr(rules.FIELD_LABELS[by_header[h]])}" if h in by_header else h for h in table.headers])
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(value)
                if table.headers[c] in by_header:
                    item.setBackground(QColor("#e3f2fd"))
                self.preview.setItem(r, c, item)
        if not errors:
            parsed = rules.parse_lines(table, mapping)
            unreadable = sum(1 for line in parsed.lines if line.problems)
            text = self.tr("{} lines totalling {}").format(len(parsed.lines), format_money(parsed.total))
            if parsed.stated_total is not None:
                text += self.tr("; the list's TOTAL row says {}").format(format_money(parsed.stated_total))
            if unreadable:
                text += self.tr("; {} line(s) have cells that cannot be read").format(unreadable)
            self.status_label.setText(text + ".")
        else:
            self.status_label.clear()
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        table = self.owner.table
        return table is not None and not rules.mapping_errors(table.headers, self.mapping()) and not self._importing

    def validatePage(self) -> bool:
        inputs = self.owner.import_inputs(self.mapping())
        if self._imported_for == inputs and self.owner.review is not None:
            return True
        if not self._importing:
            self._importing = True
            self.status_label.setText(self.tr("Importing and matching…"))
            self.completeChanged.emit()
            self.owner.start_import(self.mapping(), success=functools.partial(self._imported, inputs),
                                    failure=self._import_failed)
        return False

    def _imported(self, inputs: tuple[Any, ...], _summary: ImportSummary) -> None:
        self._importing = False
        self._imported_for = inputs
        self.completeChanged.emit()
        QTimer.singleShot(0, self.owner.next)  # outside the task callback, which validatePage may be inside

    def _import_failed(self, error: BaseException) -> None:
        self._importing = False
        self.completeChanged.emit()
        if isinstance(error, DomainError):
            self.status_label.setText(error.message)
            messages.warning(self, self.tr("Not imported"), error.message)


# --- page 3: review ------------------------------------------------------------------------------------------

class ReviewPage(_Page):
    def __init__(self, owner: RemittanceWizard) -> None:
        super().__init__(owner)
        self.setTitle(self.tr("Review the matches"))
        self.setSubTitle(self.tr("Lines in red, orange or brown wait for you: post each to the right member, "
                                 "or exclude it."))
        self.model = RemittanceLineModel(parent=self)
        self.view = simple_table(self.model)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.missing_model = MissingMemberModel(parent=self)
        self.missing_view = simple_table(self.missing_model)
        # simple_table sorts by its header's indicator: start in line order, and the missing list by name
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.missing_view.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)

        self.line_label = QLabel(self.tr("Select a line."))
        self.line_label.setWordWrap(True)
        self.member_edit = QLineEdit()
        self.member_edit.setPlaceholderText(self.tr("Card number or name"))
        self.member_combo = QComboBox()
        self.amount_edit = QLineEdit()
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText(self.tr("Why (needed to exclude, re-assign or change the amount)"))
        self.accept_button = QPushButton(self.tr("&Post to this member"))
        self.exclude_button = QPushButton(self.tr("E&xclude line"))
        self.next_open_button = QPushButton(self.tr("Next line to &review"))
        resolve = QGroupBox(self.tr("Resolve the selected line"))
        form = QFormLayout(resolve)
        form.addRow(self.line_label)
        form.addRow(self.tr("Find &member:"), self.member_edit)
        form.addRow(self.tr("Member:"), self.member_combo)
        form.addRow(self.tr("A&mount:"), self.amount_edit)
        form.addRow(self.tr("N&ote:"), self.note_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.exclude_button)
        buttons.addStretch(1)
        buttons.addWidget(self.next_open_button)
        form.addRow(buttons)

        lines_box = QWidget()
        lines_layout = QVBoxLayout(lines_box)
        lines_layout.setContentsMargins(0, 0, 0, 0)
        lines_layout.addWidget(self.view, 1)
        lines_layout.addWidget(resolve)
        missing_box = QGroupBox(self.tr("Worked for this employer in the month, but not on the list"))
        QVBoxLayout(missing_box).addWidget(self.missing_view)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(lines_box)
        splitter.addWidget(missing_box)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(splitter, 1)

        self.view.selectionModel().currentRowChanged.connect(self._on_view_current_row_changed)
        self.member_edit.textEdited.connect(self._on_member_edit_text_edited)
        self.member_combo.currentIndexChanged.connect(self._on_member_combo_current_index_changed)
        self.accept_button.clicked.connect(self._on_accept_button_clicked)
        self.exclude_button.clicked.connect(self._on_exclude_button_clicked)
        self.next_open_button.clicked.connect(self._on_next_open_button_clicked)
        self._busy = False
        self._update_buttons()

    def initializePage(self) -> None:
        self.show_review(self.owner.review)
        self.owner.load_missing(self.show_missing)
        self.select_next_open()

    def show_review(self, review: RemittanceReview | None) -> None:
        current = self.current_line()
        self.model.set_rows(review.lines if review else ())
        if current is not None:
            index = self.model.index_for_id(current.id)
            if index.isValid():
                self.view.setCurrentIndex(index)
        if review is not None:
            self.summary_label.setText(self.tr(
                "Check {check} for {employer}, {month}: {lines} lines totalling {total}; check amount {amount}. "
                "{open} line(s) wait for review; {excluded} excluded.").format(
                check=review.header.check_number, employer=review.header.employer_name,
                month=review.header.period.strftime("%B %Y"), lines=len(review.lines),
                total=format_money(review.lines_total), amount=format_money(review.header.check_amount),
                open=review.open_count, excluded=review.count("excluded")))
        self.completeChanged.emit()

    def show_missing(self, rows: list[MissingMember]) -> None:
        self.missing_model.set_rows(rows)

    def isComplete(self) -> bool:
        review = self.owner.review
        return review is not None and review.open_count == 0 and not self._busy

    def current_line(self) -> RemittanceLineRow | None:
        return self.model.row_at(self.view.currentIndex())

    def select_line(self, line_no: int) -> None:
        for row, line in enumerate(self.model.rows):
            if line.line_no == line_no:
                self.view.setCurrentIndex(self.model.index(row, 0))
                return

    def select_next_open(self) -> None:
        rows = self.model.rows
        start = self.view.currentIndex().row() + 1 if self.view.currentIndex().isValid() else 0
        for offset in range(len(rows)):
            row = (start + offset) % len(rows)
            if rows[row].needs_review:
                self.view.setCurrentIndex(self.model.index(row, 0))
                return

    def _on_next_open_button_clicked(self) -> None:
        self.select_next_open()

    def _on_view_current_row_changed(self, *_args: object) -> None:
        line = self.current_line()
        self.member_combo.clear()
        self.member_edit.clear()
        self.note_edit.clear()
        if line is None:
            self.line_label.setText(self.tr("Select a line."))
            self.amount_edit.clear()
        else:
            self.line_label.setText(self.tr("Line {}: {} — {}").format(
                line.line_no, STATUS_TEXT.get(line.match_status, line.match_status),
                line.note or self.tr("no remarks")))
            self.amount_edit.setText(f"{line.amount:.2f}")
            if line.member_id is not None:
                self.member_combo.addItem(f"{line.member_card_number} {line.member_name}", line.member_id)
        self._update_buttons()

    def _on_member_edit_text_edited(self, text: str) -> None:
        if len(text.strip()) < 2:
            return
        self.owner.runner.query(functools.partial(dues.find_members, self.owner.hall, text, limit=15),
                                parent=self, key=("remittance-member", id(self)), success=self._show_members,
                                name="find member for remittance line")

    def _show_members(self, rows: list[PostingLookupRow]) -> None:
        self.member_combo.clear()
        for row in rows:
            self.member_combo.addItem(f"{row.card_number} {row.name} ({format_label(row.classification)})",
                                      row.member_id)
        self._update_buttons()

    def _update_buttons(self) -> None:
        line = self.current_line()
        editable = line is not None and not self._busy and self.owner.review is not None \
            and self.owner.review.header.status == "draft"
        self.accept_button.setEnabled(editable and self.member_combo.currentData() is not None)
        self.exclude_button.setEnabled(editable)

    def _on_member_combo_current_index_changed(self, _index: int) -> None:
        self._update_buttons()

    def _on_accept_button_clicked(self) -> None:
        line = self.current_line()
        if line is None:
            return
        amount_text = self.amount_edit.text().strip()
        amount = None if amount_text == f"{line.amount:.2f}" else amount_text
        self._resolve(line, member_id=self.member_combo.currentData(), exclude=False, amount=amount)

    def _on_exclude_button_clicked(self) -> None:
        line = self.current_line()
        if line is not None:
            self._resolve(line, member_id=None, exclude=True, amount=None)

    def _resolve(self, line: RemittanceLineRow, *, member_id: int | None, exclude: bool, amount: str | None) -> None:
        note = self.note_edit.text()
        self._busy = True
        self._update_buttons()
        self.completeChanged.emit()
        self.owner.runner.command(
            functools.partial(remittances.resolve_line, self.owner.hall, line, member_id=member_id, exclude=exclude,
                              note=note, amount=amount),
            parent=self, name="resolve remittance line", success=self._resolved, failure=self._resolve_failed)

    def _resolved(self, _line: RemittanceLineRow) -> None:
        self._busy = False
        self.owner.reload_review(lambda _review: self.select_next_open())

    def _resolve_failed(self, error: BaseException) -> None:
        self._busy = False
        self._update_buttons()
        self.completeChanged.emit()
        if isinstance(error, DomainError):
            messages.warning(self, self.tr("Not resolved"), error.message)


# --- page 4: post --------------------------------------------------------------------------------------------

class PostPage(_Page):
    def __init__(self, owner: RemittanceWizard) -> None:
        super().__init__(owner)
        self.setTitle(self.tr("Post"))
        self.setSubTitle(self.tr("The lines post as payroll-deduction payments in one deposit batch for the check. "
                                 "Posting is possible only when they add up to the check."))
        self.check_label = QLabel()
        self.posting_label = QLabel()
        self.excluded_label = QLabel()
        self.difference_label = QLabel()
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.post_button = QPushButton(self.tr("&Post remittance"))
        form = QFormLayout()
        form.addRow(self.tr("Check amount:"), self.check_label)
        form.addRow(self.tr("Lines to post:"), self.posting_label)
        form.addRow(self.tr("Excluded lines:"), self.excluded_label)
        form.addRow(self.tr("Difference:"), self.difference_label)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.post_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.result_label)
        layout.addStretch(1)
        self.post_button.clicked.connect(self._on_post_button_clicked)
        self._posting = False
        self.setFinalPage(True)

    def initializePage(self) -> None:
        self.show_review(self.owner.review)

    def show_review(self, review: RemittanceReview | None) -> None:
        if review is None:
            return
        self.check_label.setText(format_money(review.header.check_amount))
        self.posting_label.setText(self.tr("{} ({} lines)").format(
            format_money(review.posting_total), sum(1 for line in review.lines if line.posts)))
        self.excluded_label.setText(format_money(review.excluded_total))
        self.difference_label.setText(format_money(review.difference))
        self.difference_label.setStyleSheet("" if review.balanced else "color: #c62828; font-weight: bold")
        if review.header.status == "posted":
            self.result_label.setText(self.tr("Posted: batch {} holds the payments.").format(review.header.batch_id))
        elif not review.balanced:
            self.result_label.setText(self.tr("The remittance does not balance to the check, so it cannot post. "
                                              "Go back and correct or exclude lines, or call the employer."))
        else:
            self.result_label.setText(self.tr("Balanced: ready to post."))
        self.post_button.setEnabled(review.can_post and not self._posting)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        review = self.owner.review
        return review is not None and review.header.status == "posted"

    def _on_post_button_clicked(self) -> None:
        review = self.owner.review
        if review is None or not review.can_post:
            return
        self._posting = True
        self.post_button.setEnabled(False)
        self.result_label.setText(self.tr("Posting…"))
        self.owner.start_post(success=self._posted, failure=self._post_failed)

    def _posted(self, result: PostedRemittance) -> None:
        self._posting = False
        self.owner.reload_review(lambda _review: self.result_label.setText(self.tr(
            "Posted {} payments totalling {} in batch {}.").format(
            result.payment_count, format_money(result.total), result.batch_id)))

    def _post_failed(self, error: BaseException) -> None:
        self._posting = False
        self.show_review(self.owner.review)
        if isinstance(error, DomainError):
            self.result_label.setText(error.message)
            messages.warning(self, self.tr("Not posted"), error.message)


# --- the wizard ----------------------------------------------------------------------------------------------

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
