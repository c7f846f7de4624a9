"""The set-up dialogs: hall settings, an office, a holiday (with what it moves) and a contract code.

Each is a Designer form (ui/*_dialog.ui) whose editors are named after the fields the domain's validators name,
with an error label under each (<field>Error). OK checks the form with the same validators, then runs the action;
the dialog closes only when the save succeeded and keeps what was typed when it did not."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, time
from functools import partial
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QLineEdit, QPlainTextEdit, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import hall_setup
from unioncore_desktop.domain.queries.hall_setup import (
    ContractCodeRow,
    HallSettings,
    HolidayImpact,
    HolidayRow,
    OfficeDetail,
)
from unioncore_desktop.domain.rules.calendar import HHMM_FORMAT, parse_hhmm
from unioncore_desktop.domain.rules.hall_setup import (
    contract_code_errors,
    hall_settings_errors,
    holiday_errors,
    time_zone_choices,
)
from unioncore_desktop.domain.services.hall_setup import OfficeInput
from unioncore_desktop.gui.forms.ui_contract_code_dialog import Ui_ContractCodeDialog
from unioncore_desktop.gui.forms.ui_hall_settings_dialog import Ui_HallSettingsDialog
from unioncore_desktop.gui.forms.ui_holiday_dialog import Ui_HolidayDialog
from unioncore_desktop.gui.forms.ui_office_dialog import Ui_OfficeDialog
from unioncore_desktop.gui.requests.form import parse_date
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.field_errors import FieldErrors, as_message
from unioncore_desktop.gui.widgets.typed_work import DiscardGuard


PREVIEW_DELAY_MS = 250


def parse_time(text: str) -> tuple[time | None, str | None]:
    try:
        return parse_hhmm(text), None
    except ValueError:
        return None, HHMM_FORMAT


class _SetupDialog(QDialog):
    """Shared behaviour: field errors from the form, OK that saves through the runner, `saved(result)`."""

    saved = Signal(object)

    def reject(self) -> None:
        if self.discard_guard.allows_closing():
            super().reject()

    def __init__(self, runner: TaskRunner, hall: HallConnection, form: Any, fields: tuple[str, ...],
                 parent: QWidget | None) -> None:
        super().__init__(parent)
        self.discard_guard = DiscardGuard(self, self.tr("this dialog"))  # Esc asks before typing is lost
        self.runner = runner
        self.hall = hall
        self.form = form
        form.setupUi(self)
        self.message = as_message(form.formMessage)
        self.errors = FieldErrors(self.message)
        self.editors: dict[str, QWidget] = {name: getattr(form, name) for name in fields}
        for name in fields:  # in form order: the first field in error takes the focus
            self.errors.adopt(name, getattr(form, f"{name}Error"), self.editors[name])
        self.buttons: QDialogButtonBox = form.buttonBox
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.save)
        self.saving = False

    def value(self) -> tuple[Any, dict[str, str]]:
        """What the form says, or the errors by field."""
        raise NotImplementedError

    def command(self, value: Any) -> Callable[[], Any]:
        raise NotImplementedError

    def save(self) -> None:
        if self.saving:
            return
        value, errors = self.value()
        if errors:
            self.errors.show(errors)
            return
        self.errors.clear()
        self.saving = True
        self.ok_button.setEnabled(False)
        self.runner.command(self.command(value), parent=self, success=self._on_saved, failure=self._on_failed,
                            name=self.objectName() or "save")

    def _on_saved(self, result: object) -> None:
        self.saving = False
        self.saved.emit(result)
        self.accept()

    def _on_failed(self, exc: BaseException) -> None:
        self.saving = False
        self.ok_button.setEnabled(True)
        self.errors.show_failure(exc, self)


class HallSettingsDialog(_SetupDialog):
    """The hall's name, address, phone and time zone (managers)."""

    FIELDS = ("hall_name", "hall_address", "hall_phone", "time_zone")

    def __init__(self, runner: TaskRunner, hall: HallConnection, current: HallSettings,
                 parent: QWidget | None = None) -> None:
        super().__init__(runner, hall, Ui_HallSettingsDialog(), self.FIELDS, parent)
        self.setObjectName("hallSettingsDialog")
        self.current = current
        self.form.introLabel.setText(self.tr("The hall's name, address and phone head every report and slip; "
                                             "its time zone decides the hall's day, the referral cutoff and "
                                             "every deadline."))
        self.name_edit: QLineEdit = self.form.hall_name
        self.address_edit: QPlainTextEdit = self.form.hall_address
        self.address_edit.setTabChangesFocus(True)
        self.address_edit.setFixedHeight(72)
        self.phone_edit: QLineEdit = self.form.hall_phone
        self.zone_box: QComboBox = self.form.time_zone
        self.zone_box.setEditable(True)
        self.zone_box.addItems(time_zone_choices())
        self.name_edit.setText(current.hall_name)
        self.address_edit.setPlainText(current.hall_address)
        self.phone_edit.setText(current.hall_phone)
        self.zone_box.setCurrentText(current.time_zone)
        self.name_edit.setFocus()

    def value(self) -> tuple[dict[str, str], dict[str, str]]:
        values = {"hall_name": self.name_edit.text(), "hall_address": self.address_edit.toPlainText(),
                  "hall_phone": self.phone_edit.text(), "time_zone": self.zone_box.currentText().strip()}
        return values, hall_settings_errors(name=values["hall_name"], address=values["hall_address"],
                                            phone=values["hall_phone"], time_zone=values["time_zone"])

    def command(self, value: dict[str, str]) -> Callable[[], Any]:
        return partial(hall_setup.save_settings, self.hall, versions=self.current.versions, **value)


class OfficeDialog(_SetupDialog):
    """A new office, or one being edited: code, name, region and hours."""

    FIELDS = ("code", "name", "region", "opens_at", "closes_at")

    def __init__(self, runner: TaskRunner, hall: HallConnection, editing: OfficeDetail | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(runner, hall, Ui_OfficeDialog(), self.FIELDS, parent)
        self.setObjectName("officeDialog")
        self.editing = editing
        self.setWindowTitle(self.tr("New office") if editing is None
                            else self.tr("Office {code}").format(code=editing.code))
        self.form.introLabel.setText(self.tr("Members sign on in person at an office during its hours; each "
                                             "in-person action is stamped with the office (R1)."))
        self.edits: dict[str, QLineEdit] = {name: getattr(self.form, name) for name in self.FIELDS}
        self.edits["opens_at"].setText("08:00")
        self.edits["closes_at"].setText("16:30")
        if editing is not None:
            self.edits["code"].setText(editing.code)
            self.edits["name"].setText(editing.name)
            self.edits["region"].setText(editing.region or "")
            self.edits["opens_at"].setText(f"{editing.opens_at:%H:%M}")
            self.edits["closes_at"].setText(f"{editing.closes_at:%H:%M}")
        self.edits["code"].setFocus()

    def value(self) -> tuple[OfficeInput, dict[str, str]]:
        opens, opens_error = parse_time(self.edits["opens_at"].text())
        closes, closes_error = parse_time(self.edits["closes_at"].text())
        data = OfficeInput(self.edits["code"].text().strip().upper(), self.edits["name"].text(),
                           self.edits["region"].text(), opens, closes)
        unread = {name: error for name, error in (("opens_at", opens_error), ("closes_at", closes_error)) if error}
        return data, {**data.errors(), **unread}

    def command(self, value: OfficeInput) -> Callable[[], Any]:
        return partial(hall_setup.save_office, self.hall, value, self.editing)


class HolidayDialog(_SetupDialog):
    """Add or change a holiday. Before it is saved, the dialog shows which open requests' referral mornings and
    which re-registration deadlines the change would move."""

    FIELDS = ("day", "name")
    impact_shown = Signal(object)  # HolidayImpact, for tests

    def __init__(self, runner: TaskRunner, hall: HallConnection, editing: HolidayRow | None, year: int,
                 parent: QWidget | None = None, *, day: date | None = None) -> None:
        """`day`: a new holiday on that day (picked in the year view)."""
        super().__init__(runner, hall, Ui_HolidayDialog(), self.FIELDS, parent)
        self.setObjectName("holidayDialog")
        self.editing = editing
        self.year = year
        self.setWindowTitle(self.tr("New holiday") if editing is None else self.tr("Holiday"))
        self.form.introLabel.setText(self.tr("Business days are Monday to Friday minus the holidays: referral "
                                             "mornings (R3) and re-registration deadlines (R6) count them."))
        self.day_edit: QLineEdit = self.form.day
        self.name_edit: QLineEdit = self.form.name
        self.impact_label = self.form.impactLabel
        self.impact_label.setObjectName("impactLabel")
        self.impact: HolidayImpact | None = None
        if editing is not None:
            self.day_edit.setText(f"{editing.day:%Y-%m-%d}")
            self.name_edit.setText(editing.name)
        elif day is not None:
            self.day_edit.setText(f"{day:%Y-%m-%d}")
        # the preview follows the typing, once it pauses
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self.preview)
        self.day_edit.textChanged.connect(lambda _text: self._preview_timer.start())
        (self.name_edit if day is not None else self.day_edit).setFocus()
        self.preview()

    def _day(self) -> tuple[date | None, str | None]:
        return parse_date(self.day_edit.text(), date(self.year, 1, 1))

    def preview(self) -> None:
        """Ask what the change would move, and show it under the form."""
        day, error = self._day()
        if day is None or error:
            self.impact_label.setText(self.tr("Give a date to see which referral dates it moves."))
            return
        removed = [self.editing.day] if self.editing is not None and self.editing.day != day else []
        added = [] if self.editing is not None and self.editing.day == day else [day]
        self.runner.query(partial(hall_setup.holiday_impact, self.hall, add=added, remove=removed), parent=self,
                          key=("holiday-impact", id(self)), success=self._show_impact, name="holiday impact")

    def _show_impact(self, impact: HolidayImpact) -> None:
        self.impact = impact
        self.impact_label.setText(impact.summary())
        self.impact_shown.emit(impact)

    def value(self) -> tuple[tuple[date | None, str], dict[str, str]]:
        day, error = self._day()
        name = self.name_edit.text()
        errors = holiday_errors(day=day, name=name)
        if error:
            errors["day"] = error
        return (day, name), errors

    def command(self, value: tuple[date, str]) -> Callable[[], Any]:
        return partial(hall_setup.save_holiday, self.hall, value[0], value[1], self.editing)


class ContractCodeDialog(_SetupDialog):
    """A new contract code, or a new description for one (a code never changes: books and contracts use it)."""

    FIELDS = ("code", "description")

    def __init__(self, runner: TaskRunner, hall: HallConnection, editing: ContractCodeRow | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(runner, hall, Ui_ContractCodeDialog(), self.FIELDS, parent)
        self.setObjectName("contractCodeDialog")
        self.editing = editing
        self.setWindowTitle(self.tr("New contract code") if editing is None else self.tr("Contract code"))
        self.form.introLabel.setText(self.tr("The hall's agreements: books are worked under one, employers sign "
                                             "periods of them."))
        self.code_edit: QLineEdit = self.form.code
        self.description_edit: QLineEdit = self.form.description
        if editing is not None:
            self.code_edit.setText(editing.code)
            self.code_edit.setReadOnly(True)
            self.description_edit.setText(editing.description)
            self.description_edit.setFocus()
        else:
            self.code_edit.setFocus()

    def value(self) -> tuple[tuple[str, str], dict[str, str]]:
        code, description = self.code_edit.text().strip().upper(), self.description_edit.text()
        return (code, description), contract_code_errors(code=code, description=description)

    def command(self, value: tuple[str, str]) -> Callable[[], Any]:
        return partial(hall_setup.save_contract_code, self.hall, value[0], value[1], new=self.editing is None)
