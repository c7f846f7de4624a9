"""The remittance wizard's first page: the employer, its list (Excel or CSV, read off the GUI thread) and the check
it came with."""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
)

from unioncore_desktop.domain.actions import employers, remittances
from unioncore_desktop.domain.queries.employers import EmployerListRow
from unioncore_desktop.domain.rules import remittance as rules
from unioncore_desktop.gui.dues.remittance_owner import RemittanceOwner, RemittancePage
from unioncore_desktop.paths import resources_dir


class SourcePage(RemittancePage):
    def __init__(self, owner: RemittanceOwner) -> None:
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
