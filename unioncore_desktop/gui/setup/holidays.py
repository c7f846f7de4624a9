"""The holiday calendar (managers): one year at a time, as twelve small months (year_view: weekends shaded,
holidays marked, walked by keyboard) beside the list of its holidays, with a month-by-month count above; add,
change or remove a holiday, or add the year's US federal holidays at once. Enter on a holiday in the year view opens
it, on a free weekday offers a new holiday on that day. Every change first shows which open requests' referral
mornings and re-registration deadlines it would move."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QVBoxLayout, QWidget

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import hall_setup
from unioncore_desktop.domain.queries.hall_setup import FederalPreview, HolidayImpact, HolidayRow, HolidayYear
from unioncore_desktop.gui import messages
from unioncore_desktop.gui.itemmodels.hall_setup import HolidayModel
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.setup.dialogs import HolidayDialog
from unioncore_desktop.gui.setup.lists import SetupList
from unioncore_desktop.gui.setup.year_view import YearGrid
from unioncore_desktop.gui.tasks import TaskRunner

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class HolidayCalendar(SetupList):
    kind = "holiday"
    title = "Holidays"
    year_shown = Signal(object)  # HolidayYear

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings, *, can_write: bool,
                 year: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(runner, hall, settings, "setup-holidays", HolidayModel(), can_write=can_write,
                         intro=self.tr("Business days are Monday to Friday minus these holidays. Page Up / Page "
                                       "Down change the year."), parent=parent)
        self.new_action.setText(self.tr("&New holiday…"))
        self.previous_year = self.action(self.tr("Previous year"), "PgUp", lambda: self.year_box.stepBy(-1),
                                         writes=False, at=0)
        self.next_year = self.action(self.tr("Next year"), "PgDown", lambda: self.year_box.stepBy(1), writes=False,
                                     at=1)
        self.remove_action = self.action(self.tr("&Remove…"), "Del", self.remove_current, "deactivate")
        self.federal_action = self.action(self.tr("Add the year's &federal holidays…"), "Ctrl+Shift+F",
                                          self.add_federal)
        self.year_box = QSpinBox()
        self.year_box.setObjectName("yearBox")
        self.year_box.setRange(2000, 2100)
        self._year_given = year is not None  # else the first load shows the hall's year (the server's clock)
        self.year_box.setValue(year or self.year_box.minimum())
        self.year_box.setPrefix(self.tr("Year "))
        self.year_box.setToolTip(self.tr("The year shown (Page Up / Page Down)"))
        self.year_box.valueChanged.connect(lambda _year: self.reload())
        self.buttons.insertWidget(0, self.year_box)
        self.months = QLabel()
        self.months.setObjectName("holidayMonths")
        self.months.setWordWrap(True)
        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.insertWidget(1, self.months)
        self.year_grid = YearGrid()
        self.year_grid.date_activated.connect(self.open_day)
        self.year_grid.current_changed.connect(self._on_year_grid_current_changed)
        self.panel.view.selectionModel().currentRowChanged.connect(self._on_view_current_row_changed)
        layout.removeWidget(self.panel)
        side_by_side = QHBoxLayout()
        side_by_side.addWidget(self.year_grid, 0, Qt.AlignmentFlag.AlignTop)
        side_by_side.addWidget(self.panel, 1)
        layout.addLayout(side_by_side, 1)
        self.shown_year: HolidayYear | None = None

    @property
    def year(self) -> int:
        return self.year_box.value()

    def load(self) -> HolidayYear:
        return hall_setup.holiday_year(self.hall, self.year if self._year_given else None)

    def rows_of(self, loaded: HolidayYear) -> Sequence[HolidayRow]:
        self.shown_year = loaded
        if not self._year_given:
            self._year_given = True
            self.year_box.blockSignals(True)
            self.year_box.setValue(loaded.year)
            self.year_box.blockSignals(False)
        return loaded.holidays

    def _show(self, loaded: HolidayYear) -> None:
        super()._show(loaded)
        rows = loaded.holidays
        counts = {m: 0 for m in range(1, 13)}
        for row in rows:
            counts[row.day.month] += 1
        cells = [f"<b>{name} {counts[m]}</b>" if counts[m] else f"{name} –" for m, name in enumerate(MONTHS, 1)]
        self.months.setText(self.tr("{count} holidays in {year}: ").format(count=len(rows), year=loaded.year)
                            + " · ".join(cells))
        self.year_grid.show_year(loaded.year, {row.day: row.name for row in rows}, loaded.today)
        self.year_shown.emit(loaded)

    def export_parameters(self) -> list[tuple[str, str]]:
        return [("Year", str(self.year)), *super().export_parameters()]

    # --- the year view and the list follow each other ---------------------------------------------------------

    def _holiday_on(self, day: date) -> HolidayRow | None:
        rows = self.shown_year.holidays if self.shown_year is not None else []
        return next((row for row in rows if row.day == day), None)

    def _on_year_grid_current_changed(self, day: date) -> None:
        if self._holiday_on(day) is not None:
            self.panel.select_id(day)

    def _on_view_current_row_changed(self, *_args: object) -> None:
        row = self.panel.current_row()
        if isinstance(row, HolidayRow):
            self.year_grid.set_current(row.day)

    def open_day(self, day: date) -> None:
        """Enter on a day of the year view: its holiday opens; a free weekday offers a new holiday there."""
        row = self._holiday_on(day)
        if row is not None:
            if self.can_write:
                self.open_editor(row)
            return
        if not self.can_write:
            messages.status(self, self.tr("{day} is a business day; a manager login adds holidays.").format(
                day=f"{day:%a %d %b %Y}"))
        elif day.weekday() >= 5:
            messages.status(self, self.tr("{day} is a weekend day: never a business day, so never a holiday.").format(
                day=f"{day:%a %d %b %Y}"))
        else:
            self.open_editor(None, day)

    def open_editor(self, row: HolidayRow | None, day: date | None = None) -> None:
        dialog = HolidayDialog(self.runner, self.hall, row, self.year, self, day=day)
        dialog.saved.connect(self._on_dialog_saved)
        self.dialog = dialog
        dialog.open()

    def _on_dialog_saved(self, saved: HolidayRow) -> None:
        if saved.day.year != self.year:
            self.year_box.setValue(saved.day.year)
        self.select_when_shown(saved.day)

    # --- remove and the federal year: what they move, asked first -------------------------------------------

    def remove_current(self) -> None:
        row = self.panel.current_row()
        if row is None or not self.can_write:
            return
        self.runner.query(partial(hall_setup.holiday_impact, self.hall, remove=[row.day]), parent=self,
                          success=lambda impact: self._confirm_remove(row, impact), name="holiday impact")

    def _confirm_remove(self, row: HolidayRow, impact: HolidayImpact) -> None:
        text = self.tr("Remove {name} on {day}? It becomes a business day.\n\n{impact}").format(
            name=row.name, day=f"{row.day:%A %d %B %Y}", impact=impact.summary())
        if messages.question(self, self.tr("Remove holiday"), text):
            self.runner.command(partial(hall_setup.remove_holiday, self.hall, row), parent=self,
                                name="remove holiday")

    def add_federal(self) -> None:
        if not self.can_write:
            return
        self.runner.query(partial(hall_setup.federal_preview, self.hall, self.year), parent=self,
                          success=self._confirm_federal, name="federal holidays")

    def _confirm_federal(self, preview: FederalPreview) -> None:
        if not preview.missing:
            messages.information(self, self.tr("Federal holidays"),
                                 self.tr("The calendar already has every federal holiday of {year}.").format(
                                     year=preview.year))
            return
        days = "\n".join(f"• {h.day:%a %d %b} {h.name}" for h in preview.missing)
        text = self.tr("Add these {count} federal holidays of {year}?\n{days}\n\n{impact}").format(
            count=len(preview.missing), year=preview.year, days=days, impact=preview.impact.summary())
        if messages.question(self, self.tr("Federal holidays"), text, default_yes=True):
            self.runner.command(partial(hall_setup.add_federal_holidays, self.hall, preview.year), parent=self,
                                name="add federal holidays")
