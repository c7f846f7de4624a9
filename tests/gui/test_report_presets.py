"""The Reports screen's presets and run log against a real PostgreSQL: save the form under a name (dates kept
relative), pick it to fill the form, rename, delete, make it the default applied when the report is chosen, the
sentences for an empty or taken name; and the manager's run log, filtered, in the hall's time, to Excel."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from PySide6.QtCore import Qt
from sqlalchemy import text

from unioncore_desktop.domain.actions import members, report_presets, reports
from unioncore_desktop.domain.error_texts import PRESET_NAME_MISSING, PRESET_NAME_TAKEN
from unioncore_desktop.gui import events, reporting
from unioncore_desktop.gui.itemmodels import formatting
from unioncore_desktop.gui.reports import preset_params
from unioncore_desktop.gui.reports.catalog import Params
from unioncore_desktop.gui.reports.screen import ReportsScreen
from unioncore_desktop.seed.books import insert_books

# dialogs and the run log's window on the offscreen platform (propagateSizeHints, raise)
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def hall_db(databases):
    name = databases.create()
    with databases.engine(name).begin() as conn:
        insert_books(conn)
        conn.execute(text("INSERT INTO members (card_number, first_name, last_name, classification) "
                          "VALUES ('7000001', 'Pat', 'Quinn', 'journeyman')"))
    return name


@pytest.fixture
def manager_hall(hall_db, staff_login):
    return staff_login(hall_db, "manager")


def open_screen(qtbot, runner, ui_settings, hall) -> ReportsScreen:
    widget = ReportsScreen(runner, hall, ui_settings)
    qtbot.addWidget(widget)
    widget.resize(1100, 620)
    widget.show()
    qtbot.waitUntil(lambda: widget.book.count() > 1 and widget.presets.presets is not None, timeout=10_000)
    return widget


@pytest.fixture
def screen(qtbot, runner, ui_settings, manager_hall, tmp_path, monkeypatch):
    monkeypatch.setattr(reporting, "save_folder_override", tmp_path)
    return open_screen(qtbot, runner, ui_settings, manager_hall)


def kept(hall) -> list[tuple]:
    return [tuple(r) for r in hall.read(lambda s: s.execute(text(
        "SELECT report, name, parameters, is_default FROM report_presets ORDER BY id")).all())]


def save_as(qtbot, screen: ReportsScreen, name: str, *, default: bool = False, relative: bool = True):
    qtbot.mouseClick(screen.presets.save_button, Qt.MouseButton.LeftButton)
    dialog = screen.presets.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.name.setText(name)
    dialog.default.setChecked(default)
    dialog.relative.setChecked(relative)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    return dialog


def pick(screen: ReportsScreen, name: str) -> None:
    combo = screen.presets.combo
    index = next(i for i in range(combo.count()) if combo.itemText(i).startswith(name))
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def test_a_preset_keeps_the_form_with_relative_dates_and_fills_it_again(qtbot, screen, manager_hall, tmp_path):
    screen.select_report("dropped")
    assert screen.presets.combo.count() == 1 and not screen.presets.delete_button.isEnabled()
    today = screen.end.date().toPython()
    screen.reason.setCurrentIndex(screen.reason.findData("check_marks"))
    qtbot.mouseClick(screen.presets.save_button, Qt.MouseButton.LeftButton)
    dialog = screen.presets.dialog
    assert dialog.kept.text() == "From: the 1st of this month; To: today"
    dialog.relative.setChecked(False)
    assert dialog.kept.text() == f"From: {today.replace(day=1).isoformat()}; To: {today.isoformat()}"
    dialog.relative.setChecked(True)
    dialog.name.setText("  Check marks, this month ")
    screen.grab().save(str(tmp_path / "save-dialog-screen.png"))
    dialog.grab().save(str(tmp_path / "save-dialog.png"))
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    qtbot.waitUntil(lambda: screen.presets.combo.count() == 2, timeout=10_000)
    assert screen.presets.combo.currentText() == "Check marks, this month"
    ((report, name, parameters, is_default),) = kept(manager_hall)
    assert (report, name, is_default) == ("dropped", "Check marks, this month", False)
    assert (parameters["start"], parameters["end"], parameters["reason"]) == ("month_start", "today", "check_marks")

    screen.reason.setCurrentIndex(0)
    screen.start.setDate(screen.start.date().addDays(-40))
    screen.select_report("day_book")
    assert screen.presets.combo.count() == 1  # presets are per report
    screen.select_report("dropped")
    pick(screen, "Check marks, this month")
    assert screen.reason.currentData() == "check_marks"
    assert screen.start.date().toPython() == today.replace(day=1) and screen.end.date().toPython() == today
    assert screen.status.text() == "Filled from your preset “Check marks, this month”."


def test_an_empty_or_taken_name_is_said_under_the_field_and_the_dialog_stays(qtbot, screen, manager_hall):
    screen.select_report("resign_due")
    dialog = save_as(qtbot, screen, "   ")
    assert dialog.isVisible() and dialog.error.text() == PRESET_NAME_MISSING
    dialog.reject()  # asked first (typed work): the recorder says yes
    save_as(qtbot, screen, "Two weeks")
    qtbot.waitUntil(lambda: screen.presets.combo.count() == 2, timeout=10_000)
    dialog = save_as(qtbot, screen, "two WEEKS ")
    assert dialog.isVisible() and dialog.error.text() == PRESET_NAME_TAKEN and dialog.name.text() == "two WEEKS "
    # the same name saved elsewhere after the dialog opened: the database refuses it with the same sentence
    dialog.name.setText("Month")
    report_presets.save(manager_hall, "resign_due", "Month", {"days": 30})
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: dialog.error.text() == PRESET_NAME_TAKEN, timeout=10_000)
    assert dialog.isVisible() and dialog.name.text() == "Month" and dialog.buttons.isEnabled()
    assert [r[1] for r in kept(manager_hall)] == ["Two weeks", "Month"]


def test_rename_set_as_default_and_delete(qtbot, screen, manager_hall, message_recorder, tmp_path):
    screen.select_report("resign_due")
    screen.days.setValue(21)
    save_as(qtbot, screen, "Three weeks")
    qtbot.waitUntil(lambda: screen.presets.combo.count() == 2, timeout=10_000)
    bar = screen.presets
    qtbot.mouseClick(bar.rename_button, Qt.MouseButton.LeftButton)
    dialog = bar.dialog
    assert dialog.name.text() == "Three weeks" and not dialog.relative.isVisibleTo(dialog)
    dialog.name.setText("Wire books, 21 days")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    qtbot.waitUntil(lambda: bar.combo.currentText() == "Wire books, 21 days", timeout=10_000)
    screen.days.setValue(28)  # Update keeps the form in the preset picked, under its name
    qtbot.mouseClick(bar.update_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: kept(manager_hall)[0][2]["days"] == 28, timeout=10_000)
    qtbot.waitUntil(bar.default_button.isEnabled, timeout=10_000)  # once the reload brings the new version
    assert kept(manager_hall)[0][2]["end"] == "today"  # saved relative, so kept relative
    assert bar.combo.currentText() == "Wire books, 21 days"

    assert bar.default_button.text() == "Set as defa&ult"
    qtbot.mouseClick(bar.default_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bar.combo.currentText() == "Wire books, 21 days (default)", timeout=10_000)
    assert bar.default_button.text() == "No longer defa&ult"
    screen.grab().save(str(tmp_path / "reports-with-preset.png"))
    assert kept(manager_hall)[0][1:] == ("Wire books, 21 days", {**kept(manager_hall)[0][2]}, True)

    qtbot.mouseClick(bar.delete_button, Qt.MouseButton.LeftButton)
    assert message_recorder.kinds()[-1] == "question"
    qtbot.waitUntil(lambda: bar.combo.count() == 1, timeout=10_000)
    assert kept(manager_hall) == [] and not bar.delete_button.isEnabled()


def test_the_default_preset_fills_the_form_when_its_report_is_chosen(qtbot, runner, ui_settings, manager_hall):
    books = reports.setup(manager_hall).books
    tacoma = next(b for b in books if b.name != books[0].name)
    report_presets.save(manager_hall, "out_of_work", "Mine", {"book_id": tacoma.id, "book_name": tacoma.name},
                        is_default=True)
    report_presets.save(manager_hall, "resign_due", "Month", {"days": 30}, is_default=True)
    report_presets.save(manager_hall, "day_book", "Yesterday", {"day": "yesterday"}, is_default=True)
    widget = open_screen(qtbot, runner, ui_settings, manager_hall)
    # the first report's default waits for the books and the hall's today, then fills the form
    qtbot.waitUntil(lambda: widget.book.currentData() == tacoma.id, timeout=10_000)
    assert widget.presets.combo.currentText() == "Mine (default)"
    widget.select_report("resign_due")
    assert widget.days.value() == 30
    widget.select_report("day_book")
    today = widget.presets.presets.today
    assert widget.day.date().toPython() == date.fromordinal(today.toordinal() - 1)


def test_a_preset_of_a_book_no_longer_offered_says_so(qtbot, screen, manager_hall):
    report_presets.save(manager_hall, "out_of_work", "Gone", {"book_id": 999_999, "book_name": "OLD BOOK"})
    with qtbot.waitSignal(screen.presets.loaded, timeout=10_000):  # as when the live board hears the change
        events.hub().data_changed.emit("report_preset", [], None)
    chosen = screen.book.currentData()
    pick(screen, "Gone")
    assert screen.book.currentData() == chosen and screen.status.text() == "The book OLD BOOK is not offered any more."


# --- the run log ----------------------------------------------------------------------------------------------


def test_the_run_log_is_a_managers_and_shows_who_ran_what_when_at_the_hall(qtbot, qtmodeltester, runner,
                                                                         ui_settings, hall_db, staff_login,
                                                                         tmp_path, monkeypatch, previews):
    monkeypatch.setattr(reporting, "save_folder_override", tmp_path)
    dispatcher = staff_login(hall_db, "dispatcher", "Dana Dispatcher")
    manager = staff_login(hall_db, "manager", "Morgan Manager")
    assert not open_screen(qtbot, runner, ui_settings, dispatcher).run_log_button.isVisibleTo(None)
    reports.start_report(dispatcher, "Day Book — 2026-12-01", "pdf", [("Day", "2026-12-01")], report="day_book")
    reports.start_report(dispatcher, "Member roster", "xlsx", [])
    formatting.set_hall_zone("America/Los_Angeles")
    screen = open_screen(qtbot, runner, ui_settings, manager)
    assert screen.run_log_button.isVisible()
    qtbot.mouseClick(screen.run_log_button, Qt.MouseButton.LeftButton)
    log = screen.run_log
    qtbot.waitUntil(lambda: log.model.rowCount() == 2, timeout=10_000)
    qtmodeltester.check(log.model, force_py=True)
    newest, older = log.model.rows
    assert (newest.title, older.title) == ("Member roster", "Day Book — 2026-12-01")
    assert (older.staff_name, older.run_by, older.parameters_text) == ("Dana Dispatcher", dispatcher.facts.user,
                                                                        "Day: 2026-12-01")
    shown = log.model.index(1, 0).data()
    assert shown == older.run_at.astimezone(ZoneInfo("America/Los_Angeles")).strftime("%Y-%m-%d %H:%M")
    assert log.model.index(0, 4).data() == "Excel"
    log.grab().save(str(tmp_path / "run-log.png"))

    with qtbot.waitSignal(log.loaded, timeout=10_000):
        log.report.setCurrentIndex(log.report.findData("day_book"))
    assert [r.title for r in log.model.rows] == ["Day Book — 2026-12-01"]
    log.report.setCurrentIndex(0)
    with qtbot.waitSignal(log.loaded, timeout=10_000):
        log.staff.setCurrentIndex(log.staff.findData(manager.facts.user))
    assert not log.model.rows
    with qtbot.waitSignal(log.loaded, timeout=10_000):
        log.staff.setCurrentIndex(0)
    # the log's own export is a run like any other
    qtbot.mouseClick(log.panel.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(tmp_path.glob("Report-run log*.xlsx")), timeout=20_000)
    sheet = openpyxl.load_workbook(next(tmp_path.glob("Report-run log*.xlsx"))).worksheets[0]
    assert [c.value for c in sheet[1]] == ["When", "Staff", "Login", "Report", "File", "Parameters"]
    assert sheet.cell(2, 4).value == "Member roster" and isinstance(sheet.cell(2, 1).value, datetime)
    with qtbot.waitSignal(log.loaded, timeout=10_000):
        log.search()
    assert log.model.rows[0].title == "Report-run log" and log.model.rows[0].run_by == manager.facts.user
    log.close()  # opened again, it reads the runs made while it was closed
    reports.start_report(dispatcher, "Open Requests", "pdf", [("Book", "all books")], report="open_requests")
    with qtbot.waitSignal(log.loaded, timeout=10_000):
        qtbot.mouseClick(screen.run_log_button, Qt.MouseButton.LeftButton)
    assert log.isVisible() and log.model.rows[0].title == "Open Requests"
    qtbot.mouseClick(log.panel.print_button, Qt.MouseButton.LeftButton)
    assert previews.wait(pages=1).file_name.startswith("Report-run log – ")


# --- what a preset keeps of the form (Qt-free) ------------------------------------------------------------------


def test_a_preset_keeps_every_field_of_params_and_reads_back_what_it_can():
    day = date(2026, 12, 3)
    params = Params(book_id=3, book_name="WIRE SEATTLE", day=day, start=date(2026, 12, 1), end=day, days=7,
                    first_month=date(2026, 1, 1), last_month=date(2026, 12, 1), reason="check_marks")
    relative = preset_params.keep(params, day, relative=True)
    assert set(relative) == {f.name for f in dataclasses.fields(Params)}  # a field added later is kept too
    assert (relative["day"], relative["start"], relative["end"]) == ("today", "month_start", "today")
    assert (relative["first_month"], relative["last_month"]) == ("year_start", "month_start")
    fixed = preset_params.keep(params, day, relative=False)
    assert (fixed["start"], fixed["last_month"]) == ("2026-12-01", "2026-12-01")
    later = date(2027, 2, 10)
    back = preset_params.restore(relative, later)
    assert back.problems == () and back.params.start == date(2027, 2, 1) and back.params.end == later
    assert back.params.first_month == date(2027, 1, 1) and back.params.days == 7 and back.params.book_id == 3
    assert preset_params.restore(fixed, later).params.start == date(2026, 12, 1)
    assert preset_params.kept_relative(relative) and not preset_params.kept_relative(fixed)
    assert preset_params.kept_relative({"days": 3})  # no dates: nothing to decide
    moment = preset_params.keep(Params(at=datetime(2026, 12, 3, 7, 30), first_day=day), day, relative=True)
    assert (moment["at"], moment["first_day"]) == ("today 07:30", "today")  # a moment keeps its time of day
    assert preset_params.restore(moment, later).params.at == datetime(2027, 2, 10, 7, 30)
    assert preset_params.kept_dates(moment, frozenset({"at"})) == [("at", "today 07:30")]
    pinned = preset_params.keep(Params(at=datetime(2026, 11, 2, 16, 0)), day, relative=False)
    assert preset_params.restore(pinned, later).params.at == datetime(2026, 11, 2, 16, 0)
    broken = preset_params.restore({"days": "fourteen", "day": "someday", "book_id": True, "gone": 1}, later)
    assert set(broken.problems) == {"days", "day", "book_id"} and broken.params == Params()


def test_a_login_that_runs_no_reports_is_offered_no_presets_and_reads_none(qtbot, runner, ui_settings, hall_db,
                                                                           staff_login, message_recorder):
    widget = ReportsScreen(runner, staff_login(hall_db, "admin"), ui_settings)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.book.count() > 0, timeout=10_000)
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)
    assert not widget.presets.isVisible() and not widget.run_log_button.isVisible()
    assert widget.presets.presets is None and message_recorder.messages == []  # nothing refused by the server


def test_a_preset_of_one_members_history_names_that_member_again(qtbot, screen, manager_hall):
    screen.select_report("referral_history")
    found = members.search(manager_hall, "Quinn", limit=1)
    assert found, "the hall's member"
    quinn = found[0]
    screen._members[screen._member_text(quinn)] = quinn  # as the type-ahead leaves it
    screen.member.setText(screen._member_text(quinn))
    save_as(qtbot, screen, "Pat's history")
    qtbot.waitUntil(lambda: screen.presets.combo.count() == 2, timeout=10_000)
    screen.member.clear()
    screen._members.clear()
    pick(screen, "Pat's history")
    assert screen.member.text() == "Quinn, Pat (7000001)"
    assert (screen.params().member_id, screen.params().member_label) == (quinn.id, "Quinn, Pat (7000001)")


def test_esc_on_a_typed_name_asks_before_it_is_lost(qtbot, screen, message_recorder):
    screen.select_report("resign_due")
    qtbot.mouseClick(screen.presets.save_button, Qt.MouseButton.LeftButton)
    dialog = screen.presets.dialog
    qtbot.keyClicks(dialog.name, "Half typed")
    message_recorder.answer = False  # No: keep typing
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and message_recorder.kinds() == ["question"]
    message_recorder.answer = True
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and screen.presets.combo.count() == 1
