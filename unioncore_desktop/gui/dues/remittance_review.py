"""The remittance wizard's review page: the lines as matched, resolving each line that waits for review (post it to
a member, change its amount, or exclude it), and the members missing from the list."""

from __future__ import annotations

import functools

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop.domain.actions import dues, remittances
from unioncore_desktop.domain.errors import DomainError
from unioncore_desktop.domain.queries.dues import PostingLookupRow
from unioncore_desktop.domain.queries.remittances import MissingMember, RemittanceLineRow, RemittanceReview
from unioncore_desktop.gui import messages
from unioncore_desktop.gui.dues.remittance_owner import RemittanceOwner, RemittancePage
from unioncore_desktop.gui.itemmodels.formatting import format_label, format_money
from unioncore_desktop.gui.itemmodels.remittances import STATUS_TEXT, MissingMemberModel, RemittanceLineModel
from unioncore_desktop.gui.widgets.simple_table import simple_table


class ReviewPage(RemittancePage):
    def __init__(self, owner: RemittanceOwner) -> None:
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
