"""The hall set-up area against a real, freshly migrated PostgreSQL with a threaded task runner: the checklist on
an empty hall, the hall settings and an office entered by keyboard with refusals beside their fields, the holiday
year view (the year's federal holidays, a new holiday showing the referral it moves, Page Up/Down between years),
what an admin-only login is told, and the main window opening on the checklist at first run."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import text

from unioncore_desktop.domain.rules.holidays import us_federal_holidays
from unioncore_desktop.gui import reporting
from unioncore_desktop.gui.main_window import MainWindow
from unioncore_desktop.gui.setup.dialogs import HallSettingsDialog, HolidayDialog, OfficeDialog
from unioncore_desktop.gui.setup.screen import SetupScreen
from unioncore_desktop.seed.referral_world import make_book, make_employer, make_request

WAIT = 10_000
SHOTS = Path("/tmp/uc_setup_shots")


def shoot(widget, name: str) -> None:
    """Keep a picture of the screen for review (a failed save does not fail the test)."""
    SHOTS.mkdir(exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


@pytest.fixture
def database(databases) -> str:
    return databases.create()


def open_screen(qtbot, runner, ui_settings, hall) -> SetupScreen:
    screen = SetupScreen(runner, hall, ui_settings)
    qtbot.addWidget(screen)
    screen.resize(1100, 620)
    screen.show()
    qtbot.waitUntil(lambda: screen.checklist.checklist is not None and not runner.busy, timeout=WAIT)
    return screen


@pytest.fixture
def manager_screen(qtbot, runner, ui_settings, staff_login, database):
    screen = open_screen(qtbot, runner, ui_settings, staff_login(database, "manager", "Mona Manager"))
    yield screen
    runner.shutdown(wait=True)


def missing(screen: SetupScreen) -> list[str]:
    assert screen.checklist.checklist is not None
    return [item.key for item in screen.checklist.checklist.missing]


def replace_text(qtbot, widget, value: str) -> None:
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, value)


def wait_dialog(qtbot, screen, kind):
    """The dialog of `kind` now open over `screen` (earlier ones stay children, closed)."""
    def shown():
        return [dialog for dialog in screen.findChildren(kind) if dialog.isVisible()]

    qtbot.waitUntil(lambda: len(shown()) == 1, timeout=WAIT)
    return shown()[0]


def test_the_checklist_on_an_empty_hall_and_the_hall_settings_by_keyboard(qtbot, manager_screen, database,
                                                                          databases):
    screen = manager_screen
    assert {"hall", "offices", "books", "holidays"} <= set(missing(screen))
    assert "still missing" in screen.checklist.heading.text()
    shoot(screen, "checklist_empty_hall")
    # the first missing step is selected; Enter opens where it is done
    assert screen.checklist.panel.current_row().key == "hall"
    screen.checklist.panel.view.setFocus()
    qtbot.keyClick(screen.checklist.panel.view, Qt.Key.Key_Return)
    dialog = wait_dialog(qtbot, screen, HallSettingsDialog)
    assert QApplication.focusWidget() is dialog.name_edit
    replace_text(qtbot, dialog.name_edit, "IBEW Local 46")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.address_edit  # Tab leaves the address box
    qtbot.keyClick(dialog.address_edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.phone_edit, "call us")
    qtbot.keyClick(dialog.phone_edit, Qt.Key.Key_Return)
    # refused at the form: each message beside its field, what was typed kept, the first field focused
    assert dialog.isVisible()
    assert dialog.errors.labels["hall_address"].text() == "The hall's address is required."
    assert dialog.errors.labels["hall_phone"].isVisible()
    assert dialog.phone_edit.text() == "call us"
    assert QApplication.focusWidget() is dialog.address_edit
    shoot(dialog, "hall_settings_refused")
    qtbot.keyClicks(dialog.address_edit, "19802 62nd Ave S, Kent WA 98032")
    replace_text(qtbot, dialog.phone_edit, "(253) 395-6500")
    qtbot.keyClick(dialog.phone_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
    qtbot.waitUntil(lambda: "hall" not in missing(screen), timeout=WAIT)
    with databases.engine(database).connect() as conn:
        assert conn.execute(text("SELECT value FROM app_settings WHERE key = 'hall_phone'")).scalar() == \
            "(253) 395-6500"
        who = conn.execute(text("SELECT db_user FROM audit_log WHERE table_name = 'app_settings' "
                                "ORDER BY id DESC LIMIT 1")).scalar()
    assert who.startswith("t_manag")  # audited under the manager's own login


def test_an_office_by_keyboard_refused_then_saved_and_exported(qtbot, manager_screen, tmp_path, monkeypatch):
    screen = manager_screen
    screen.open_step("offices")
    offices = screen.offices
    assert screen.tabs.currentWidget() is offices
    qtbot.keyClick(offices.panel.view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = wait_dialog(qtbot, offices, OfficeDialog)
    qtbot.keyClicks(dialog.edits["code"], "kent")
    for name, value in (("name", "Kent hall"), ("region", "South King"), ("opens_at", "17:00"),
                        ("closes_at", "0800")):
        replace_text(qtbot, dialog.edits[name], value)
    qtbot.keyClick(dialog.edits["closes_at"], Qt.Key.Key_Return)
    assert dialog.errors.labels["closes_at"].text() == "The office must close later than it opens."
    assert dialog.edits["opens_at"].text() == "17:00"
    shoot(dialog, "office_refused")
    replace_text(qtbot, dialog.edits["opens_at"], "7:30")
    replace_text(qtbot, dialog.edits["closes_at"], "16:00")
    qtbot.keyClick(dialog.edits["closes_at"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
    qtbot.waitUntil(lambda: [r.code for r in offices.model.rows] == ["KENT"], timeout=WAIT)
    qtbot.waitUntil(lambda: offices.panel.current_row() is not None, timeout=WAIT)
    assert offices.panel.current_row().hours == "07:30–16:00"
    qtbot.waitUntil(lambda: "offices" not in missing(screen), timeout=WAIT)
    shoot(screen, "offices")

    monkeypatch.setattr(reporting, "save_folder_override", tmp_path)
    offices.panel.export_button.click()
    qtbot.waitUntil(lambda: any(tmp_path.glob("Offices – *.xlsx")) and not screen.runner.busy, timeout=WAIT)
    path = next(tmp_path.glob("Offices – *.xlsx"))  # title – day
    rows = [tuple(r) for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]
    header = next(i for i, row in enumerate(rows) if row and row[0] == "Code")
    assert rows[header + 1][:5] == ("KENT", "Kent hall", "South King", "07:30", "16:00")


def next_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday() - 1) % 7 + 1)


def test_the_holiday_year_view(qtbot, manager_screen, database, databases, message_recorder):
    screen = manager_screen
    calendar = screen.holidays
    screen.open_step("holidays")
    qtbot.waitUntil(lambda: calendar.shown_year is not None, timeout=WAIT)
    year = calendar.year
    assert calendar.model.rowCount() == 0 and f"0 holidays in {year}" in calendar.months.text()

    # the year's federal holidays at once, after saying which they are and what they move
    qtbot.keyClick(calendar.panel.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    federal = us_federal_holidays(year)
    qtbot.waitUntil(lambda: calendar.model.rowCount() == len(federal), timeout=WAIT)
    question = message_recorder.messages[-1]
    assert question.kind == "question" and f"Add these {len(federal)} federal holidays of {year}?" in question.text
    assert [r.day for r in calendar.model.rows] == [h.day for h in federal]
    assert calendar.model.rows[0].month == "January"
    assert "Jan " in calendar.months.text() and f"{len(federal)} holidays in {year}" in calendar.months.text()
    shoot(screen, "holidays_federal_year")

    # Page Down shows the next year, empty; Page Up comes back
    qtbot.keyClick(calendar.panel.view, Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: calendar.shown_year is not None and calendar.shown_year.year == year + 1, timeout=WAIT)
    assert calendar.model.rowCount() == 0
    qtbot.keyClick(calendar.panel.view, Qt.Key.Key_PageUp)
    qtbot.waitUntil(lambda: calendar.shown_year.year == year and calendar.model.rowCount() == len(federal),
                    timeout=WAIT)

    # a new holiday shows, before it is saved, the open request whose referral morning it moves
    with databases.engine(database).begin() as conn:
        zone = ZoneInfo(conn.execute(text("SELECT value FROM app_settings WHERE key = 'time_zone'")).scalar())
        today = conn.execute(text("SELECT uc_hall_today()")).scalar()
        monday = next_weekday(today, 0)
        while monday + timedelta(days=1) in {h.day for h in federal} or monday in {h.day for h in federal}:
            monday += timedelta(days=7)
        book_id = make_book(conn, "GUI_T")
        employer_id, _ = make_employer(conn)
        request_id = make_request(conn, book_id, employer_id, referral_date=monday + timedelta(days=1))
        conn.execute(text("UPDATE labor_requests SET received_at = :at, number = 'R-GUI-1', version = version + 1 "
                          "WHERE id = :id"), {"at": datetime.combine(monday, time(10), zone), "id": request_id})
    tuesday = monday + timedelta(days=1)
    if tuesday.year != calendar.year:
        calendar.year_box.setValue(tuesday.year)
    qtbot.keyClick(calendar.panel.view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = wait_dialog(qtbot, calendar, HolidayDialog)
    qtbot.keyClicks(dialog.day_edit, f"{tuesday:%Y-%m-%d}")
    qtbot.keyClick(dialog.day_edit, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: dialog.impact is not None and dialog.impact.referrals == 1, timeout=WAIT)
    assert "Request R-GUI-1 (GUI T)" in dialog.impact_label.text()
    assert f"→ {tuesday + timedelta(days=1):%a %d %b %Y}" in dialog.impact_label.text()
    qtbot.keyClicks(dialog.name_edit, "Hall picnic")
    shoot(dialog, "holiday_impact")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
    qtbot.waitUntil(lambda: tuesday in [r.day for r in calendar.model.rows], timeout=WAIT)
    qtbot.waitUntil(lambda: calendar.panel.current_row() is not None
                    and calendar.panel.current_row().day == tuesday, timeout=WAIT)

    # Delete removes the selected holiday after saying what that moves back
    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow, timeout=WAIT)
    calendar.panel.view.setFocus()
    qtbot.keyClick(calendar.panel.view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: tuesday not in [r.day for r in calendar.model.rows], timeout=WAIT)
    assert "Remove Hall picnic" in message_recorder.messages[-1].text
    assert "1 open request would be worked on another morning" in message_recorder.messages[-1].text


def test_the_twelve_month_grid_is_walked_by_keyboard_and_opens_or_offers_a_holiday(
        qtbot, manager_screen, message_recorder):
    screen = manager_screen
    calendar = screen.holidays
    screen.open_step("holidays")
    qtbot.waitUntil(lambda: calendar.shown_year is not None, timeout=WAIT)
    grid, year = calendar.year_grid, calendar.year
    qtbot.keyClick(calendar.panel.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    federal = us_federal_holidays(year)
    qtbot.waitUntil(lambda: len(grid.holidays) == len(federal), timeout=WAIT)
    assert set(grid.holidays) == {h.day for h in federal} and grid.year == year
    shoot(screen, "holidays_year_grid")

    # the keyboard walks across month ends; the list follows onto a holiday
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_Home)
    assert grid.current == date(year, 1, 1)
    qtbot.keyClick(grid, Qt.Key.Key_Left)
    assert grid.current == date(year, 1, 1)  # the year shown is the edge
    for _ in range(5):
        qtbot.keyClick(grid, Qt.Key.Key_Down)
    assert grid.current == date(year, 2, 5)  # five weeks on, into February
    shoot(grid, "holidays_year_grid_keyboard")
    qtbot.keyClick(grid, Qt.Key.Key_End)
    assert grid.current == date(year, 12, 31)
    christmas = next(h.day for h in federal if h.day.month == 12)
    grid.set_current(christmas)
    assert calendar.panel.current_row().day == christmas  # the list selects the holiday
    calendar.panel.view.selectRow(0)
    assert grid.current == federal[0].day  # and the year view follows the list
    grid.set_current(christmas)

    # Enter on a holiday opens it; on a free weekday offers a new one on that day
    qtbot.keyClick(grid, Qt.Key.Key_Return)
    dialog = wait_dialog(qtbot, calendar, HolidayDialog)
    assert dialog.editing is not None and dialog.editing.day == christmas
    dialog.reject()
    free = next(date(year, 3, d) for d in range(2, 10) if date(year, 3, d).weekday() == 2)  # a March Wednesday
    qtbot.mouseDClick(grid, Qt.MouseButton.LeftButton, pos=grid.cell_rect(free).center())
    offer = wait_dialog(qtbot, calendar, HolidayDialog)
    assert offer.editing is None and offer.day_edit.text() == f"{free:%Y-%m-%d}"
    assert offer.focusWidget() is offer.name_edit  # the day is given: the name is what is left to type
    qtbot.waitUntil(lambda: offer.impact is not None, timeout=WAIT)
    qtbot.keyClicks(offer.name_edit, "Hall meeting")
    shoot(offer, "holiday_offered_from_grid")
    qtbot.keyClick(offer.name_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: grid.holidays.get(free) == "Hall meeting", timeout=WAIT)

    # a weekend day is never a holiday: said, nothing opened
    saturday = free + timedelta(days=3)
    grid.set_current(saturday)
    qtbot.keyClick(grid, Qt.Key.Key_Return)
    assert not [d for d in calendar.findChildren(HolidayDialog) if d.isVisible()]

    # Page Down from the year view shows the next year's months
    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow, timeout=WAIT)
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: grid.year == year + 1 and not grid.holidays, timeout=WAIT)
    assert grid.current.year == year + 1


def test_an_admin_only_login_reads_the_checklist_and_is_told_what_needs_a_manager(qtbot, runner, ui_settings,
                                                                                  staff_login, database):
    screen = open_screen(qtbot, runner, ui_settings, staff_login(database, "admin", "Ada Admin"))
    assert "A manager login does:" in screen.checklist.note.text()
    assert "unioncore staff add LOGIN --role manager" in screen.checklist.note.text()
    assert not screen.settings_button.isEnabled()
    assert not screen.offices.new_action.isEnabled() and not screen.holidays.federal_action.isEnabled()
    assert screen.holidays.next_year.isEnabled()  # reading is everyone's
    shoot(screen, "checklist_admin")
    runner.shutdown(wait=True)


def test_the_main_window_opens_on_the_checklist_at_first_run(qtbot, runner, ui_settings, staff_login, database):
    window = MainWindow(runner, staff_login(database, "admin", "Ada Admin"), ui_settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.screens["setup"], timeout=WAIT)
    hall_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "Ha&ll")
    assert [a.text() for a in hall_menu.actions()] == [
        "Set-up &checklist", "Hall &settings…", "&Offices", "&Holiday calendar", "Con&tract codes"]
    window.open_area("members")
    next(a for a in hall_menu.actions() if a.text() == "&Holiday calendar").trigger()
    setup = window.screens["setup"]
    assert window.stack.currentWidget() is setup and setup.tabs.currentWidget() is setup.holidays
    qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT)
    shoot(window, "main_window_setup")
    runner.shutdown(wait=True)


def test_a_contract_code_is_added_and_described_again(qtbot, manager_screen):
    from unioncore_desktop.gui.setup.dialogs import ContractCodeDialog

    screen = manager_screen
    codes = screen.contract_codes
    screen.open_step("contract_codes")
    qtbot.waitUntil(lambda: codes.model.rowCount() > 0, timeout=WAIT)
    qtbot.keyClick(codes.panel.view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = wait_dialog(qtbot, codes, ContractCodeDialog)
    qtbot.keyClicks(dialog.code_edit, "low voltage")
    qtbot.keyClick(dialog.code_edit, Qt.Key.Key_Return)
    assert dialog.errors.labels["description"].text() == "The description is required."
    qtbot.keyClicks(dialog.description_edit, "Low voltage")
    qtbot.keyClick(dialog.description_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
    qtbot.waitUntil(lambda: codes.panel.current_row() is not None
                    and codes.panel.current_row().code == "LOW VOLTAGE", timeout=WAIT)
    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow, timeout=WAIT)
    codes.panel.view.setFocus()
    qtbot.keyClick(codes.panel.view, Qt.Key.Key_F2)
    dialog = wait_dialog(qtbot, codes, ContractCodeDialog)
    assert dialog.code_edit.isReadOnly()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.description_edit, timeout=WAIT)
    replace_text(qtbot, dialog.description_edit, "Limited energy")
    qtbot.keyClick(dialog.description_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: codes.model.row_by_id("LOW VOLTAGE").description == "Limited energy", timeout=WAIT)
    shoot(screen, "contract_codes")
