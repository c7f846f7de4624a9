"""Books → Manage books… (managers): every book in morning order with what it holds, and a form to add a book
with its first rule settings, change its slot, order, region, contract and agreement, retire it or bring it back.

A book's code, name and classification are fixed once it exists (members' qualified books and every report name
it). Its rule settings after the first are the rules editor's (Rules…, gui/books/rules.py). The form checks with
domain/rules/books.py and domain/rules/book_rules.py, the checks the services make; the database decides."""

from __future__ import annotations

from datetime import date
from functools import partial

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import books
from unioncore_desktop.domain.errors import StaleRecord
from unioncore_desktop.domain.queries.book_setup import BookSetupRow, BookSetupView
from unioncore_desktop.domain.rules.book_rules import RuleSet, rule_set_errors
from unioncore_desktop.domain.rules.books import BookDraft, book_errors, normalized, retire_refusal
from unioncore_desktop.domain.vocab import AGREEMENT_TYPES, label
from unioncore_desktop.gui import events, messages, reporting
from unioncore_desktop.gui.books.rules import BookRulesDialog, parse_time
from unioncore_desktop.gui.forms.ui_manage_books_dialog import Ui_ManageBooksDialog
from unioncore_desktop.gui.itemmodels.book_setup import BookSetupModel
from unioncore_desktop.gui.requests.form import parse_date
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets import view_state
from unioncore_desktop.gui.widgets.field_errors import FieldErrors, as_message
from unioncore_desktop.gui.widgets.simple_table import simple_table

RELOAD_KINDS = ("book", "book_rules", "registration", "labor_request")
FIELDS = ("code", "name", "classification", "region", "contract_code", "agreement_type", "morning_slot",
          "sort_order")
FIXED = ("code", "name", "classification")  # set when the book is added, then kept


class ManageBooksDialog(QDialog):
    """The form is ui/manage_books_dialog.ui: each field's editor is named after it, its error label after the
    field plus "Error". The grid's current row is the book being edited; New book starts an empty form."""

    loaded = Signal()  # the books are on screen
    saved = Signal(object)  # BookSetupRow added or changed

    def __init__(self, runner: TaskRunner, hall: HallConnection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = Ui_ManageBooksDialog()
        self.form.setupUi(self)
        self.setObjectName("manageBooksDialog")
        self.runner = runner
        self.hall = hall
        self.view: BookSetupView | None = None
        self.editing: BookSetupRow | None = None
        self.child: QDialog | None = None
        self._select_after_load: int | None = None
        f = self.form

        self.model = BookSetupModel(parent=self)
        self.table = simple_table(self.model, f.booksTable)
        self.table.setSortingEnabled(False)  # morning order is the reading order
        self.show_retired = f.showRetired
        self.editors: dict[str, QWidget] = {name: getattr(f, name) for name in FIELDS}
        self.message = as_message(f.formMessage)
        self.errors = FieldErrors(self.message)
        for name in FIELDS:
            self.errors.adopt(name, getattr(f, f"{name}Error"), getattr(f, name))
        # the first rule settings' date: the rules' own check names it effective_from
        self.errors.adopt("effective_from", f.rules_fromError, f.rules_from)
        self.errors.adopt("rules_like", f.rules_likeError, f.rules_like)
        for value in AGREEMENT_TYPES:
            f.agreement_type.addItem(label(value) if value == "standard" else value.upper(), value)
        self.notice = f.notice

        self.save_button = f.buttonBox.button(QDialogButtonBox.StandardButton.Save)
        assert self.save_button is not None  # the form has a Save button
        self.save_button.clicked.connect(self.save)
        close = f.buttonBox.button(QDialogButtonBox.StandardButton.Close)
        assert close is not None
        close.setAutoDefault(False)
        self.save_button.setDefault(True)
        for button in (f.newButton, f.rulesButton, f.retireButton, f.reinstateButton):
            button.setAutoDefault(False)
        f.newButton.clicked.connect(self.new_book)
        f.rulesButton.clicked.connect(self.open_rules)
        f.retireButton.clicked.connect(self.retire)
        f.reinstateButton.clicked.connect(self.reinstate)
        f.exportButton.clicked.connect(self._on_export_button_clicked)
        self.show_retired.toggled.connect(self._on_show_retired_toggled)
        self._shortcut("Ctrl+N", self.new_book)
        self._shortcut(QKeySequence.StandardKey.Save, self.save)

        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)
        events.hub().data_changed.connect(self._on_hub_data_changed)
        self.resize(1240, 660)
        self._set_editing(None)
        self.reload()

    def _shortcut(self, keys: str | QKeySequence.StandardKey, slot) -> None:
        action = QAction(self)
        action.setShortcut(QKeySequence(keys))
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)

    # --- loading --------------------------------------------------------------------------------------------

    def reload(self) -> None:
        self.runner.query(partial(books.book_setup, self.hall), parent=self, key=("book-setup", id(self)),
                          success=self._show, name="book set-up")

    def _show(self, view: BookSetupView) -> None:
        first = self.view is None
        self.view = view
        f = self.form
        region, contract, like = f.region.currentText(), f.contract_code.currentData(), f.rules_like.currentData()
        f.region.clear()
        f.region.addItem("", None)
        for name in view.regions:
            f.region.addItem(name, name)
        f.region.setCurrentText(region)
        f.contract_code.clear()
        f.contract_code.addItem(self.tr("(none)"), None)
        for code, description in view.contract_codes:
            f.contract_code.addItem(f"{code} — {description}", code)
        f.contract_code.setCurrentIndex(max(0, f.contract_code.findData(contract)))
        f.rules_like.clear()
        f.rules_like.addItem(self.tr("The hall's defaults"), None)
        for row in view.rows:
            if row.active:
                f.rules_like.addItem(self.tr("As {book} today").format(book=row.name), row.id)
        f.rules_like.setCurrentIndex(max(0, f.rules_like.findData(like)))
        self._fill_rows()
        if first:
            self.table.resizeColumnsToContents()
            if self.editing is None:
                f.rules_from.setText(f"{view.today:%Y-%m-%d}")
        if self.editing is not None:
            fresh = next((r for r in view.rows if r.id == self.editing.id), None)
            if fresh is not None and fresh.version != self.editing.version and not self._dirty():
                self._set_editing(fresh)
        self.loaded.emit()

    def _fill_rows(self) -> None:
        assert self.view is not None
        rows = [r for r in self.view.rows if r.active or self.show_retired.isChecked()]
        keep = self._select_after_load or (self.editing.id if self.editing else None)
        self._select_after_load = None
        with view_state.kept(self.table, self.model):
            self.model.set_rows(rows)
        if keep is not None:
            index = self.model.index_for_id(keep)
            if index.isValid():
                self.table.setCurrentIndex(index)
        self._update_actions()

    def _on_show_retired_toggled(self, _checked: bool) -> None:
        if self.view is not None:
            self._fill_rows()

    def _on_hub_data_changed(self, kind: str, _ids: list, _initiator: object) -> None:
        if kind in RELOAD_KINDS:
            self.reload()

    # --- the form -------------------------------------------------------------------------------------------

    def _dirty(self) -> bool:
        if self.editing is None:
            return False
        draft, _ = self.value()
        return draft is None or any(getattr(draft, n) != getattr(self.editing, n) for n in FIELDS if n not in FIXED)

    def _set_editing(self, row: BookSetupRow | None) -> None:
        self.editing = row
        f = self.form
        self.errors.clear()
        for name in FIXED:  # shown, never edited, once the book exists
            getattr(f, name).setReadOnly(row is not None)
            getattr(f, name).setEnabled(row is None)
        for name in ("rulesHeading", "rules_fromCaption", "rules_from", "rules_likeCaption", "rules_like"):
            getattr(f, name).setVisible(row is None)
        if row is None:
            f.formHeading.setText(self.tr("<b>New book</b> — its code, name and classification are fixed once it "
                                          "is added."))
            for name in ("code", "name", "classification"):
                getattr(f, name).clear()
            f.region.setCurrentText("")
            f.contract_code.setCurrentIndex(0)
            f.agreement_type.setCurrentIndex(0)
            f.morning_slot.clear()
            f.sort_order.setValue(0)
            f.rules_like.setCurrentIndex(0)
            if self.view is not None:
                f.rules_from.setText(f"{self.view.today:%Y-%m-%d}")
            self.save_button.setText(self.tr("&Add book"))
            f.code.setFocus()
        else:
            state = "" if row.active else self.tr(" (retired)")
            f.formHeading.setText(self.tr("<b>{name}</b>{state} — change its slot, order, region, contract or "
                                          "agreement; its rules are under Rules…").format(name=row.name,
                                                                                           state=state))
            f.code.setText(row.code)
            f.name.setText(row.name)
            f.classification.setText(row.classification)
            f.region.setCurrentText(row.region or "")
            f.contract_code.setCurrentIndex(max(0, f.contract_code.findData(row.contract_code)))
            f.agreement_type.setCurrentIndex(max(0, f.agreement_type.findData(row.agreement_type)))
            f.morning_slot.setText(f"{row.morning_slot:%H:%M}")
            f.sort_order.setValue(row.sort_order)
            self.save_button.setText(self.tr("&Save changes"))
            f.region.setFocus()
        self._update_actions()

    def value(self) -> tuple[BookDraft | None, dict[str, str]]:
        """What the form says, or the errors by field (the domain's, over which the form's own say what could not
        be read)."""
        f = self.form
        slot, slot_error = parse_time(f.morning_slot.text())
        draft = normalized(BookDraft(
            code=f.code.text(), name=f.name.text(), classification=f.classification.text(),
            region=f.region.currentText(), contract_code=f.contract_code.currentData(),
            agreement_type=f.agreement_type.currentData() or "", morning_slot=slot, sort_order=f.sort_order.value()))
        errors = book_errors(draft)
        if slot_error and f.morning_slot.text().strip():
            errors["morning_slot"] = slot_error
        return (None, errors) if errors else (draft, {})

    def rules_from(self) -> tuple[date | None, dict[str, str]]:
        today = self.view.today if self.view else None
        start, error = parse_date(self.form.rules_from.text(), today)
        if error:
            return None, {"effective_from": error}
        errors = rule_set_errors(RuleSet(effective_from=start), today=today) if today else {}  # type: ignore[arg-type]
        errors = {k: v for k, v in errors.items() if k == "effective_from"}
        return (None, errors) if errors else (start, {})

    def new_book(self) -> None:
        self.table.clearSelection()
        self.table.setCurrentIndex(QModelIndex())
        self._set_editing(None)
        self.notice.clear()

    def save(self) -> None:
        if not self.save_button.isEnabled():
            return
        self.notice.clear()
        draft, errors = self.value()
        start: date | None = None
        if self.editing is None:
            start, date_errors = self.rules_from()
            errors.update(date_errors)
        if draft is None or errors:
            self.errors.show(errors)
            return
        self.errors.clear()
        self.save_button.setEnabled(False)
        if self.editing is None:
            assert start is not None
            command = partial(books.create_book, self.hall, draft, start, self.form.rules_like.currentData())
        else:
            command = partial(books.update_book, self.hall, self.editing, draft)
        self.runner.command(command, parent=self, success=self._on_saved, failure=self._on_save_failed,
                            name="add book" if self.editing is None else "change book")

    def _on_saved(self, row: BookSetupRow) -> None:
        self.save_button.setEnabled(True)
        text = (self.tr("{name} added; its rules are in force from {day}") if self.editing is None
                else self.tr("{name} saved"))
        if row.rules_from is None and self.editing is None:
            text = self.tr("{name} added; its first rules take effect on the date given")
        self._select_after_load = row.id
        self._set_editing(row)
        if self.model.index_for_id(row.id).isValid():
            self.model.replace_row(row)
            self.table.setCurrentIndex(self.model.index_for_id(row.id))
        self.notice.setText(text.format(name=row.name, day=f"{row.rules_from or ''}"))
        self.saved.emit(row)

    def _on_save_failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.errors.show_failure(exc, self)
        if isinstance(exc, StaleRecord) and isinstance(exc.current, BookSetupRow):
            self.editing = exc.current  # saving again applies the user's entries over the new version
            self.reload()

    # --- the grid's actions ---------------------------------------------------------------------------------

    def selected(self) -> BookSetupRow | None:
        return self.model.row_at(self.table.currentIndex())

    def _on_table_current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        row = self.model.row_at(current)
        if row is not None and (self.editing is None or row.id != self.editing.id or row.version
                                != self.editing.version):
            self._set_editing(row)
            self.notice.clear()
        self._update_actions()

    def _update_actions(self) -> None:
        row = self.selected()
        f = self.form
        f.rulesButton.setEnabled(row is not None)
        f.retireButton.setEnabled(row is not None and row.active)
        f.reinstateButton.setEnabled(row is not None and not row.active)
        if row is not None and row.active:
            refusal = retire_refusal(live_registrations=row.live_registrations, open_requests=row.open_requests)
            f.retireButton.setToolTip(refusal or self.tr("Take the book out of use; its history stays"))

    def open_rules(self) -> QDialog | None:
        row = self.selected()
        if row is None:
            return None
        dialog = BookRulesDialog(self.runner, self.hall, row.id, row.name, self)
        self.child = dialog
        dialog.open()
        return dialog

    def retire(self) -> None:
        row = self.selected()
        if row is None or not row.active:
            return
        refusal = retire_refusal(live_registrations=row.live_registrations, open_requests=row.open_requests)
        if refusal:
            messages.warning(self, self.tr("Retire book"), refusal)
            return
        if not messages.question(self, self.tr("Retire book"),
                                 self.tr("Retire {name}? It leaves the books screen and the morning referral and "
                                         "takes no sign-ons or requests; its history stays, and you can bring it "
                                         "back.").format(name=row.name)):
            return
        self.runner.command(partial(books.retire_book, self.hall, row), parent=self, name="retire book",
                            success=lambda saved: self._after(saved, self.tr("{name} retired")))

    def reinstate(self) -> None:
        row = self.selected()
        if row is None or row.active:
            return
        self.runner.command(partial(books.reinstate_book, self.hall, row), parent=self, name="bring book back",
                            success=lambda saved: self._after(saved, self.tr("{name} is in use again")))

    def _after(self, row: BookSetupRow, text: str) -> None:
        self._select_after_load = row.id
        self.model.replace_row(row)
        self._set_editing(row)
        self.notice.setText(text.format(name=row.name))

    def _on_export_button_clicked(self) -> None:
        reporting.export_model(self.runner, self.hall, self, self.model, "Books",
                               [("Retired books", "shown" if self.show_retired.isChecked() else "hidden")])
