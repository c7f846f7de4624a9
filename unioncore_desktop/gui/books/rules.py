"""The book rules editor (managers): a book's effective-dated rule settings, the ones in force today, and a form
to schedule new settings from a date, or to edit or cancel settings not yet in force.

Settings already in force are shown, never edited: the referral decisions made under them stay explainable.
The form parses what was typed and checks it with the domain's rules (rules/book_rules.py); the service and the
database decide."""

from __future__ import annotations

import itertools
from datetime import time
from functools import partial
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QWidget,
)

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import books
from unioncore_desktop.domain.errors import StaleRecord
from unioncore_desktop.domain.queries.book_rules import BookRulesRow, BookRulesView
from unioncore_desktop.domain.rules.book_rules import RuleSet, rule_set_errors
from unioncore_desktop.domain.rules.calendar import HHMM_FORMAT, parse_hhmm
from unioncore_desktop.gui import events, icons, messages
from unioncore_desktop.gui.forms.ui_book_rules_dialog import Ui_BookRulesDialog
from unioncore_desktop.gui.itemmodels.book_rules import BookRulesModel, summary_lines
from unioncore_desktop.gui.widgets.date_text import parse_date
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.field_errors import FieldErrors, as_message
from unioncore_desktop.gui.widgets.simple_table import simple_table

CHANGE_KIND = "book_rules"  # data_changed kind; ids are book ids, as for registrations (domain/changes.py)
# The spin boxes (ui/book_rules_dialog.ui) go to 9999 on purpose: the domain says what range each setting allows,
# beside the field.


def parse_time(text: str) -> tuple[time | None, str | None]:
    """'7:00', '0700', '17:30' -> a time; anything else, a blank too, -> the domain's message."""
    try:
        parsed = parse_hhmm(text)
    except ValueError:
        parsed = None
    return (parsed, None) if parsed is not None else (None, HHMM_FORMAT)


class BookRulesDialog(QDialog):
    """Opened from the Books screen for the current book. Closes only when the user closes it: a manager
    usually looks at the history, schedules, and checks the row that appears. The form is ui/book_rules_dialog.ui:
    each setting's editor is named after its field, its error label after the field plus "Error"."""

    loaded = Signal()  # the history is on screen
    saved = Signal(object)  # BookRulesRow scheduled or edited

    INT_FIELDS = ("resign_days", "resign_grace_days", "short_call_max_days", "short_call_free_days",
                  "short_call_restorations", "check_marks_allowed", "reregister_business_days",
                  "exemption_cap_months", "by_name_ban_days")
    TIME_FIELDS = ("bid_opens", "bid_closes", "bid_checkin_by", "request_cutoff")
    FLAG_FIELDS = ("resign_monthly_window", "bidding_enabled", "arrears_hold", "discharge_suspension",
                   "expire_unfilled")

    def __init__(self, runner: TaskRunner, hall: HallConnection, book_id: int, book_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Rules for {book}").format(book=book_name))
        self.setObjectName("bookRulesDialog")
        self.runner = runner
        self.hall = hall
        self.book_id = book_id
        self.view: BookRulesView | None = None
        self.editing: BookRulesRow | None = None
        self._select_after_load: int | None = None

        self.form = Ui_BookRulesDialog()
        self.form.setupUi(self)
        self.setWindowTitle(self.tr("Rules for {book}").format(book=book_name))
        self.setObjectName("bookRulesDialog")
        self.in_force_label = self.form.inForce
        self.model = BookRulesModel(parent=self)
        self.table: QTableView = simple_table(self.model, self.form.rulesHistory)
        self.table.setSortingEnabled(False)  # newest first is the reading order
        self.table.installEventFilter(self)

        self.edit_action = self._action(self.tr("&Edit scheduled"), "Ctrl+E", self.edit_selected)
        self.cancel_action = self._action(self.tr("&Cancel scheduled…"), "Ctrl+Shift+Del", self.cancel_selected)
        self.cancel_action.setIcon(icons.get("deactivate"))
        self.form.editButton.setDefaultAction(self.edit_action)
        self.form.cancelButton.setDefaultAction(self.cancel_action)
        self.table_hint = self.form.hint

        self.form_heading = self.form.formHeading
        self.message = as_message(self.form.formMessage)
        self.editors: dict[str, QWidget] = {}
        self.errors = FieldErrors(self.message, self.editors)
        self.date_edit = self.form.effective_from
        self.spins: dict[str, QSpinBox] = {name: getattr(self.form, name) for name in self.INT_FIELDS}
        self.times: dict[str, QLineEdit] = {name: getattr(self.form, name) for name in self.TIME_FIELDS}
        self.flags: dict[str, QCheckBox] = {name: getattr(self.form, name) for name in self.FLAG_FIELDS}
        self.limit_days = self.form.limit_days
        self.max_days = self.form.max_days_on_book
        self.limit_days.toggled.connect(self.max_days.setEnabled)
        # in this order: the first field in error takes the focus
        for name in (*self.INT_FIELDS, *self.TIME_FIELDS, *self.FLAG_FIELDS, "max_days_on_book", "effective_from"):
            self.errors.adopt(name, getattr(self.form, f"{name}Error"), getattr(self.form, name))

        self.schedule_button = QPushButton(icons.get("save"), self.tr("&Schedule"))
        self.schedule_button.setObjectName("scheduleButton")
        self.schedule_button.setToolTip(self.tr("Save the settings from the date given (Enter or Ctrl+S)"))
        self.start_over_button = QPushButton(self.tr("Start &over"))
        self.start_over_button.setObjectName("startOverButton")
        self.start_over_button.setToolTip(self.tr("Back to new settings, filled in from those in force today"))
        self.start_over_button.setAutoDefault(False)
        self.buttons = self.form.buttonBox
        self.buttons.addButton(self.start_over_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.buttons.addButton(self.schedule_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.notice = self.form.notice
        self.schedule_button.clicked.connect(self.save)
        self.start_over_button.clicked.connect(self.start_over)
        save = QAction(self)
        save.setShortcut(QKeySequence.StandardKey.Save)
        save.triggered.connect(lambda _checked=False: self.save())
        self.addAction(save)

        close_button = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        assert close_button is not None  # the form has a Close button
        close_button.setAutoDefault(False)
        self.schedule_button.setDefault(True)
        self._set_tab_order()

        self.table.selectionModel().currentRowChanged.connect(self._on_table_current_row_changed)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        events.hub().data_changed.connect(self._on_hub_data_changed)
        self._set_editing(None)
        self._update_actions()
        self.reload()

    # --- building -------------------------------------------------------------------------------------------

    def _action(self, text: str, shortcut: str, slot) -> QAction:
        action = QAction(text, self)
        action.setObjectName(text.replace("&", "").replace("…", "").strip().lower().replace(" ", "_"))
        action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(f"{text.replace('&', '').replace('…', '')} ({shortcut})")
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = [
            self.date_edit, self.spins["resign_days"], self.spins["resign_grace_days"],
            self.flags["resign_monthly_window"], self.spins["reregister_business_days"], self.times["request_cutoff"],
            self.spins["short_call_max_days"], self.spins["short_call_free_days"],
            self.spins["short_call_restorations"], self.spins["check_marks_allowed"],
            self.spins["exemption_cap_months"], self.spins["by_name_ban_days"], self.flags["bidding_enabled"],
            self.times["bid_opens"], self.times["bid_closes"], self.times["bid_checkin_by"], self.limit_days,
            self.max_days, self.flags["arrears_hold"], self.flags["discharge_suspension"],
            self.flags["expire_unfilled"], self.schedule_button,
            self.start_over_button, self.table]
        for first, second in itertools.pairwise(chain):
            self.setTabOrder(first, second)

    # --- loading --------------------------------------------------------------------------------------------

    def reload(self) -> None:
        self.runner.query(partial(books.book_rules, self.hall, self.book_id), parent=self,
                          key=("book-rules", id(self)), success=self._show, name="book rules")

    def _show(self, view: BookRulesView) -> None:
        first = self.view is None
        self.view = view
        keep = self._select_after_load
        if not keep:
            selected = self.selected()
            keep = selected.id if selected else None
        self._select_after_load = None
        self.model.set_rows(view.history)
        if first:
            self.table.resizeColumnsToContents()
        index = self.model.index_for_id(keep) if keep is not None else self.model.index(0, 0)
        if index.isValid():
            self.table.setCurrentIndex(index)
        current = view.in_force
        items = " · ".join(f"{rule} <b>{value}</b>" for rule, value in summary_lines(current.rules))
        self.in_force_label.setText(
            self.tr("<b>In force today ({today}): {source}</b><br>{items}").format(
                today=f"{view.today:%Y-%m-%d}", source=current.source, items=items))
        if first:
            self._fill(current.rules)
            self.date_edit.setFocus()
        if self.editing is not None:
            fresh = next((r for r in view.history if r.id == self.editing.id), None)
            if fresh is None or not fresh.editable:
                self._set_editing(None)
                self.notice.setText(self.tr("The settings you were editing were cancelled or are now in "
                                                 "force; your entries are kept as new settings."))
        self._update_actions()
        self.loaded.emit()

    def _on_hub_data_changed(self, kind: str, ids: list, _initiator: object) -> None:
        if kind == CHANGE_KIND and (not ids or self.book_id in ids):
            self.reload()

    # --- the form ---------------------------------------------------------------------------------------------

    def _fill(self, rules: RuleSet, *, with_date: bool = False) -> None:
        self.date_edit.setText(f"{rules.effective_from:%Y-%m-%d}" if with_date else "")
        for name, spin in self.spins.items():
            spin.setValue(getattr(rules, name))
        for name, edit in self.times.items():
            edit.setText(f"{getattr(rules, name):%H:%M}")
        for name, box in self.flags.items():
            box.setChecked(getattr(rules, name))
        self.limit_days.setChecked(rules.max_days_on_book is not None)
        self.max_days.setValue(rules.max_days_on_book or 365)

    def value(self) -> tuple[RuleSet | None, dict[str, str]]:
        """What the form says, or the errors by field: the domain's checks of the settings, over which the
        form's own say what could not be read (text that is not a date or a time)."""
        unread: dict[str, str] = {}
        today = self.view.today if self.view else None
        start, error = parse_date(self.date_edit.text(), today)
        if error:
            unread["effective_from"] = error
        values: dict[str, Any] = {name: spin.value() for name, spin in self.spins.items()}
        for name, edit in self.times.items():
            values[name], error = parse_time(edit.text())
            if error:
                unread[name] = error
        values.update({name: box.isChecked() for name, box in self.flags.items()})
        values["max_days_on_book"] = self.max_days.value() if self.limit_days.isChecked() else None
        values["effective_from"] = start  # None when not given: the domain's check says so
        rules = RuleSet(**values)
        errors = {**(rule_set_errors(rules, today=today) if today is not None else {}), **unread}
        return (None, errors) if errors else (rules, {})

    def _set_editing(self, row: BookRulesRow | None) -> None:
        self.editing = row
        if row is None:
            self.form_heading.setText(self.tr("<b>New settings</b> — filled in from those in force today; "
                                              "change what should change and give the date it takes effect."))
            self.schedule_button.setText(self.tr("&Schedule"))
        else:
            self.form_heading.setText(self.tr("<b>Editing the settings scheduled from {day}</b> — not in force "
                                              "yet, so they can still change.").format(
                day=f"{row.effective_from:%Y-%m-%d}"))
            self.schedule_button.setText(self.tr("&Save changes"))

    def start_over(self) -> None:
        self._set_editing(None)
        self.errors.clear()
        if self.view is not None:
            self._fill(self.view.in_force.rules)
        self.date_edit.setFocus()

    def save(self) -> None:
        if not self.schedule_button.isEnabled():
            return
        self.notice.clear()
        rules, errors = self.value()
        if rules is None:
            self.errors.show(errors)
            return
        self.errors.clear()
        editing = self.editing
        self.schedule_button.setEnabled(False)
        self._select_after_load = None
        self.runner.command(partial(books.save_book_rules, self.hall, self.book_id, rules, editing), parent=self,
                            success=self._on_saved, failure=self._on_save_failed,
                            name="schedule book rules" if editing is None else "edit book rules")

    def _on_saved(self, row: BookRulesRow) -> None:
        self.schedule_button.setEnabled(True)
        done = (self.tr("Settings from {day} scheduled") if self.editing is None
                else self.tr("Settings from {day} saved")).format(day=f"{row.effective_from:%Y-%m-%d}")
        self._set_editing(None)
        if self.view is not None:
            self._fill(self.view.in_force.rules)
        if self.select_id(row.id):  # the reload started by data_changed came back before the save's result
            self._select_after_load = None
        else:
            self._select_after_load = row.id
        self.notice.setText(done)
        self.saved.emit(row)
        self.date_edit.setFocus()

    def _on_save_failed(self, exc: BaseException) -> None:
        self.schedule_button.setEnabled(True)
        self.errors.show_failure(exc, self)
        if isinstance(exc, StaleRecord):
            # the message says what happened; saving again now applies the user's entries over the new version
            if isinstance(exc.current, BookRulesRow):
                self.editing = exc.current
            self.reload()

    # --- history actions --------------------------------------------------------------------------------------

    def selected(self) -> BookRulesRow | None:
        return self.model.row_at(self.table.currentIndex())

    def select_id(self, rules_id: int) -> bool:
        index = self.model.index_for_id(rules_id)
        if index.isValid():
            self.table.setCurrentIndex(index)
        return index.isValid()

    def _update_actions(self) -> None:
        row = self.selected()
        editable = row is not None and row.editable
        self.edit_action.setEnabled(editable)
        self.cancel_action.setEnabled(editable)

    def _on_table_current_row_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_actions()

    def edit_selected(self) -> None:
        row = self.selected()
        if row is None or not row.editable:
            return
        self.errors.clear()
        self._set_editing(row)
        self._fill(row.rules, with_date=True)
        self.date_edit.setFocus()
        self.date_edit.selectAll()

    def cancel_selected(self) -> None:
        row = self.selected()
        if row is None or not row.editable:
            return
        if not messages.question(self, self.tr("Cancel scheduled settings"),
                                 self.tr("Cancel the settings scheduled from {day}? The settings before them "
                                         "stay in force.").format(day=f"{row.effective_from:%Y-%m-%d}")):
            return
        if self.editing is not None and self.editing.id == row.id:
            self._set_editing(None)
        self.runner.command(
            partial(books.cancel_book_rules, self.hall, row), parent=self, name="cancel book rules",
            success=lambda gone: self.notice.setText(self.tr("Settings from {day} cancelled").format(
                day=f"{gone.effective_from:%Y-%m-%d}")),
            failure=self._on_cancel_failed)

    def _on_cancel_failed(self, exc: BaseException) -> None:
        self.errors.show_failure(exc, self)
        self.reload()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        # Enter on the history edits the selected row; without this it would also press the default button.
        if watched is self.table and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.edit_selected()
            return True
        return super().eventFilter(watched, event)
