"""The likely-duplicate prompt: employers on file with the same name, phone or address as the one about to be
saved, and the user's choice: save anyway, open the one on file, or go back to the form (ui/duplicates_dialog.ui)."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QTableView, QWidget

from unioncore_desktop.domain.queries.employers import DuplicateRow
from unioncore_desktop.gui.forms.ui_duplicates_dialog import Ui_DuplicatesDialog
from unioncore_desktop.gui.itemmodels.employers import DuplicateModel
from unioncore_desktop.gui.widgets.simple_table import simple_table


class _Form(Protocol):
    introLabel: QLabel  # noqa: N815 - named by the Designer form
    candidates: QTableView
    buttonBox: QDialogButtonBox  # noqa: N815

    def setupUi(self, dialog: QDialog) -> None: ...  # noqa: N802


class DuplicatesDialog(QDialog):
    """Emits `decided(choice, employer_id)`: SAVE, OPEN (with the chosen employer's id) or BACK."""

    SAVE, OPEN, BACK = "save", "open", "back"
    decided = Signal(str, int)

    def __init__(self, name: str, rows: list[DuplicateRow], *, editing: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form: _Form = Ui_DuplicatesDialog()
        self.form.setupUi(self)
        self.setObjectName("duplicatesDialog")
        count = len(rows)
        self.form.introLabel.setText(self.tr(
            "<b>{name}</b> looks like {what} already on file. Open the one on file to use it, or save anyway if "
            "this is a different employer.").format(
                name=name, what=self.tr("an employer") if count == 1 else self.tr("{} employers").format(count)))
        self.model = DuplicateModel(parent=self)
        self.model.set_rows(rows)
        self.table = simple_table(self.model, self.form.candidates)
        self.table.selectRow(0)
        self.table.resizeColumnsToContents()
        self.table.doubleClicked.connect(lambda _index: self._decide(self.OPEN))

        buttons = self.form.buttonBox
        self.save_button = QPushButton(self.tr("&Save changes anyway") if editing else self.tr("&Save as new"))
        self.open_button = QPushButton(self.tr("&Open the one on file"))
        self.back_button = QPushButton(self.tr("&Back to the form"))
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.back_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.open_button.setDefault(True)  # Enter takes the safe way: no second record of the same employer
        self.open_button.clicked.connect(lambda: self._decide(self.OPEN))
        self.save_button.clicked.connect(lambda: self._decide(self.SAVE))
        self.back_button.clicked.connect(self.reject)
        self._decided = False

    def selected(self) -> DuplicateRow | None:
        row: DuplicateRow | None = self.model.row_at(self.table.currentIndex())
        return row if row is not None else (self.model.rows[0] if self.model.rows else None)

    def _decide(self, choice: str) -> None:
        row = self.selected()
        self._decided = True
        self.accept()
        self.decided.emit(choice, row.id if row is not None and choice == self.OPEN else 0)

    def reject(self) -> None:
        """Esc and Back return to the form, which keeps what was typed."""
        super().reject()
        if not self._decided:
            self._decided = True
            self.decided.emit(self.BACK, 0)
