"""The member detail form: typed fields, a message beside each field, and dirty tracking.

Validation runs here first (so the user sees it at once), then again in the domain and in the database."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import cast

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from unioncore_desktop.domain.queries.members import MemberDetail
from unioncore_desktop.domain.rules.members import MAX_LENGTHS, MemberInput, validate_member
from unioncore_desktop.domain.vocab import CARD_TYPES, CLASSIFICATIONS, MEMBER_STATUSES, label
from unioncore_desktop.gui.widgets.field_errors import FieldErrors, message_label

DATE_FIELDS = ("date_of_birth", "initiation_date")
COMBO_FIELDS = {"classification": CLASSIFICATIONS, "status": MEMBER_STATUSES, "card_type": CARD_TYPES}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    placeholder: str = ""


IDENTITY = (
    FieldSpec("card_number", "Card number", "e.g. 7464416"),
    FieldSpec("first_name", "First name"), FieldSpec("middle_name", "Middle name"),
    FieldSpec("last_name", "Last name"), FieldSpec("suffix", "Suffix"),
    FieldSpec("classification", "Classification"), FieldSpec("status", "Status"),
    FieldSpec("card_type", "Card type"), FieldSpec("home_local", "Home local", "travelers only"),
    FieldSpec("date_of_birth", "Date of birth", "YYYY-MM-DD"),
    FieldSpec("initiation_date", "Initiated", "YYYY-MM-DD"),
    FieldSpec("ssn_last4", "SSN (last 4)", "1234"),
)
CONTACT = (
    FieldSpec("address_line1", "Address"), FieldSpec("address_line2", "Address 2"),
    FieldSpec("city", "City"), FieldSpec("state", "State", "WA"), FieldSpec("postal_code", "ZIP"),
    FieldSpec("phone", "Phone", "(206) 555-0100"), FieldSpec("mobile_phone", "Mobile"),
    FieldSpec("email", "E-mail"),
)


class MemberForm(QWidget):
    """Edits one member. `value()` returns a MemberInput or raises nothing: date typos become field errors."""

    dirty_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editors: dict[str, QLineEdit | QComboBox | QPlainTextEdit] = {}
        self._loaded: dict[str, str] = {}
        self._dirty = False

        self.message = message_label()
        # shared, so editors added later count too; FieldErrors only ever adds the ones this form gives it
        self.errors = FieldErrors(self.message, cast(dict[str, QWidget], self.editors))

        columns = QHBoxLayout()
        columns.addWidget(self._group(self.tr("Member"), IDENTITY))
        contact = QVBoxLayout()
        contact.addWidget(self._group(self.tr("Contact"), CONTACT))
        notes_box = QGroupBox(self.tr("Notes"))
        notes_layout = QVBoxLayout(notes_box)
        notes = QPlainTextEdit()
        notes.setObjectName("notes")
        notes.setTabChangesFocus(True)
        notes.textChanged.connect(self._update_dirty)
        self.editors["notes"] = notes
        notes_layout.addWidget(notes)
        notes_layout.addWidget(self.errors.add("notes"))
        contact.addWidget(notes_box)
        columns.addLayout(contact)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message)
        layout.addLayout(columns)

    # --- building -----------------------------------------------------------------------------------------

    def _group(self, title: str, specs: tuple[FieldSpec, ...]) -> QGroupBox:
        box = QGroupBox(title)
        grid = QGridLayout(box)
        grid.setVerticalSpacing(2)
        for row, spec in enumerate(specs):
            editor = self._editor(spec)
            caption = QLabel(self.tr(spec.label))
            caption.setBuddy(editor)
            grid.addWidget(caption, row * 2, 0)
            grid.addWidget(editor, row * 2, 1)
            grid.addWidget(self.errors.add(spec.name, editor), row * 2 + 1, 1)
        grid.setColumnStretch(1, 1)
        return box

    def _editor(self, spec: FieldSpec) -> QLineEdit | QComboBox:
        if spec.name in COMBO_FIELDS:
            combo = QComboBox()
            combo.setObjectName(spec.name)
            for value in COMBO_FIELDS[spec.name]:
                combo.addItem(label(value), value)
            combo.currentIndexChanged.connect(self._update_dirty)
            return combo
        edit = QLineEdit()
        edit.setObjectName(spec.name)
        edit.setPlaceholderText(spec.placeholder)
        if spec.name in MAX_LENGTHS:
            # a little slack so an over-long paste is reported, not silently cut
            edit.setMaxLength(MAX_LENGTHS[spec.name] + 20)
        edit.textChanged.connect(self._update_dirty)
        return edit

    # --- values -------------------------------------------------------------------------------------------

    def _raw(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for name, editor in self.editors.items():
            if isinstance(editor, QComboBox):
                values[name] = str(editor.currentData() or "")
            elif isinstance(editor, QPlainTextEdit):
                values[name] = editor.toPlainText()
            else:
                values[name] = editor.text()
        return values

    def load(self, detail: MemberDetail | None) -> None:
        """Show `detail` (None: a blank new member) and mark the form clean."""
        for name, editor in self.editors.items():
            value = getattr(detail, name) if detail is not None else None
            text = value.isoformat() if isinstance(value, date) else ("" if value is None else str(value))
            editor.blockSignals(True)
            if isinstance(editor, QComboBox):
                default = {"classification": "journeyman", "status": "active", "card_type": "A"}[name]
                editor.setCurrentIndex(max(0, editor.findData(text or default)))
            elif isinstance(editor, QPlainTextEdit):
                editor.setPlainText(text)
            else:
                editor.setText(text)
            editor.blockSignals(False)
        self.errors.clear()
        self._loaded = self._raw()
        self._set_dirty(False)

    def rebase(self, detail: MemberDetail) -> None:
        """After a stale save: the loaded state becomes `detail`, and the fields the user changed keep their edits
        (the others show what the other workstation saved)."""
        typed = {name: text for name, text in self._raw().items() if text != self._loaded.get(name)}
        self.load(detail)
        for name, text in typed.items():
            editor = self.editors[name]
            if isinstance(editor, QComboBox):
                editor.setCurrentIndex(max(0, editor.findData(text)))
            elif isinstance(editor, QPlainTextEdit):
                editor.setPlainText(text)
            else:
                editor.setText(text)
        self._update_dirty()

    def set_editable(self, fields: set[str] | frozenset[str]) -> None:
        for name, editor in self.editors.items():
            allowed = name in fields
            if isinstance(editor, QComboBox):
                editor.setEnabled(allowed)
            else:
                editor.setReadOnly(not allowed)
            editor.setToolTip("" if allowed else self.tr("Your role may not change this field."))

    def value(self, today: date) -> tuple[MemberInput | None, dict[str, str]]:
        """The typed member and the form-level errors (dates that are not dates, then the domain's rules)."""
        raw = self._raw()
        errors: dict[str, str] = {}
        values: dict[str, object] = {}
        for name, text in raw.items():
            if name in DATE_FIELDS:
                values[name], error = _parse_date(text)
                if error:
                    errors[name] = error
            else:
                values[name] = text
        if errors:
            return None, errors
        data = MemberInput(**values).normalized()  # type: ignore[arg-type]
        errors = validate_member(data, today)
        return (None if errors else data), errors

    # --- errors and dirty state ---------------------------------------------------------------------------

    def is_dirty(self) -> bool:
        return self._dirty

    def _update_dirty(self, *_args: object) -> None:
        self._set_dirty(self._raw() != self._loaded)

    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirty_changed.emit(dirty)


def _parse_date(text: str) -> tuple[date | None, str | None]:
    text = text.strip()
    if not text:
        return None, None
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text) or re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if not match:
        return None, "Use YYYY-MM-DD (or MM/DD/YYYY)."
    parts = [int(p) for p in match.groups()]
    year, month, day = (parts[0], parts[1], parts[2]) if len(match.group(1)) == 4 else (parts[2], parts[0], parts[1])
    try:
        return date(year, month, day), None
    except ValueError:
        return None, f"{text} is not a date on the calendar."
