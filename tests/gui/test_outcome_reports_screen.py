"""The referral-outcome, past-list, employer, member-jobs and dues-statement reports and the Day Book over a range,
run from the Reports screen on a small demo hall: each opens its PDF in the print preview page for page, the new
parameters (a range of days that opens on one day, a moment on the hall's clock) are checked beside their fields,
and each login sees only the reports of its groups."""

from __future__ import annotations

import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from sqlalchemy import text

from unioncore_desktop.domain.actions import members
from unioncore_desktop.domain.errors import PermissionDenied
from unioncore_desktop.gui import reporting
from unioncore_desktop.gui.reports import catalog
from unioncore_desktop.gui.reports.screen import ReportsScreen
from unioncore_desktop.seed.demo import seed_quick

NEW_REPORTS = ("fill_rate", "terminations", "by_name", "employers_by_contract", "book_as_it_stood", "member_jobs",
               "dues_statement", "day_book")


@pytest.fixture
def demo_db(databases):
    name = databases.create()
    assert seed_quick(databases.engine(name))
    return name


def open_screen(qtbot, runner, ui_settings, hall) -> ReportsScreen:
    widget = ReportsScreen(runner, hall, ui_settings)
    qtbot.addWidget(widget)
    widget.resize(1000, 600)
    widget.show()
    qtbot.waitUntil(lambda: widget.book.count() > 1, timeout=10_000)
    return widget


def printed(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pick_smith(screen: ReportsScreen) -> None:
    smith = members.search(screen.hall, "7464416", limit=1)[0]
    screen._members[screen._member_text(smith)] = smith  # as the type-ahead leaves it (test_reports_screen)
    screen.member.setText(screen._member_text(smith))


def logged(hall) -> list[tuple]:
    return [tuple(r) for r in hall.read(lambda s: s.execute(text(
        "SELECT title, kind, parameters FROM report_runs ORDER BY id")).all())]


@pytest.mark.qt_log_ignore("This plugin does not support")
def test_each_new_report_opens_in_the_print_preview(qtbot, runner, ui_settings, demo_db, staff_login, previews,
                                                     tmp_path, monkeypatch):
    monkeypatch.setattr(reporting, "save_folder_override", tmp_path)
    hall = staff_login(demo_db, "manager+dues_clerk")
    screen = open_screen(qtbot, runner, ui_settings, hall)
    today = screen.day.date()
    assert screen.first_day.date() == today and screen.last_day.date() == today  # one day by default
    assert screen.moment.dateTime() == QDateTime(today, QTime(0, 0))
    pick_smith(screen)
    for key in NEW_REPORTS:
        screen.select_report(key)
        spec = screen.current
        assert spec is not None and spec.key == key
        with qtbot.waitSignal(screen.report_written, timeout=30_000) as written:
            qtbot.mouseClick(screen.pdf_button, Qt.MouseButton.LeftButton)
        preview = previews.wait()
        info = subprocess.run(["pdfinfo", str(written.args[0])], capture_output=True, text=True, check=True).stdout
        pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
        assert preview.page_count() == pages, key
        assert preview.excel_action.isVisible(), key
        text_ = printed(Path(written.args[0]))
        assert "Cascade Electrical Workers Hiring Hall (demo)" in text_ and f"Page 1 of {pages}" in text_, key
        if key == "book_as_it_stood":
            assert f"As it stood: {today.toString('yyyy-MM-dd')} 00:00 hall time" in text_
            assert "WIRE SEATTLE (WIRE_SEATTLE) as it stood" in text_ and "Tier 1 subtotal" in text_
            previews.screenshot(preview, tmp_path / "stood-preview.png")
        elif key == "dues_statement":
            assert "Dues Statement — Smith, John (7464416)" in text_ and "Closing balance" in text_
        elif key == "member_jobs":
            assert "Jobs for Smith, John (7464416)" in text_
        elif key == "day_book":
            assert f"Day Book — {today.toString('yyyy-MM-dd')}" in text_ and f"Day: {today.toString('yyyy-MM-dd')}" \
                in text_
        elif key == "employers_by_contract":
            assert "WIREPERSON" in text_ and "Total:" in text_
        elif key == "fill_rate":
            assert "Book: WIRE SEATTLE" in text_ and "WIRE SEATTLE total" in text_ and "Fill rate" in text_
        preview.close()
        qtbot.waitUntil(lambda: not previews.shown(), timeout=5_000)
    titles = [r[0] for r in logged(hall)]
    assert titles[:4] == ["Request Fill Rate", "Terminations by Reason", "By-Name Dispatches", "Employers by Contract"]
    assert len(titles) == len(NEW_REPORTS)


def test_a_day_book_over_a_range_and_its_workbook(qtbot, runner, ui_settings, demo_db, staff_login, tmp_path,
                                                  monkeypatch):
    monkeypatch.setattr(reporting, "save_folder_override", tmp_path)
    hall = staff_login(demo_db, "dispatcher")
    screen = open_screen(qtbot, runner, ui_settings, hall)
    screen.select_report("day_book")
    assert screen.first_day.isVisible() and not screen.day.isVisible()
    screen.last_day.setDate(screen.first_day.date().addDays(-1))
    qtbot.mouseClick(screen.pdf_button, Qt.MouseButton.LeftButton)
    assert "on or before" in screen.errors[catalog.DAY_RANGE].text()
    assert screen.errors[catalog.DAY_RANGE].isVisible() and logged(hall) == []
    today = screen.last_day.date().addDays(1)
    screen.last_day.setDate(today)
    screen.first_day.setDate(today.addDays(-20))
    with qtbot.waitSignal(screen.report_written, timeout=20_000) as written:
        qtbot.mouseClick(screen.excel_button, Qt.MouseButton.LeftButton)
    first, last = today.addDays(-20).toString("yyyy-MM-dd"), today.toString("yyyy-MM-dd")
    assert Path(written.args[0]).name.startswith(f"Day Book – {first} to {last}")
    sheet = openpyxl.load_workbook(written.args[0]).worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["Day", "Dispatched", "Request"]
    title, kind, parameters = logged(hall)[0]
    assert (title, kind) == (f"Day Book — {first} to {last}", "xlsx")
    assert parameters == {"From": first, "To": last}


def test_the_moment_is_the_halls_clock_time(qtbot, runner, ui_settings, demo_db, staff_login):
    hall = staff_login(demo_db, "dispatcher")
    screen = open_screen(qtbot, runner, ui_settings, hall)
    screen.select_report("book_as_it_stood")
    assert screen.moment.isVisible() and screen.book.isVisible() and not screen.member.isVisible()
    screen.moment.setDateTime(QDateTime(QDate(2026, 3, 8), QTime(2, 30)))
    params = screen.params()
    assert params.at == datetime(2026, 3, 8, 2, 30)
    assert catalog.describe(screen.current, params)[-1] == ("As it stood", "2026-03-08 02:30 hall time")
    assert params.at - datetime(2026, 3, 8) == timedelta(hours=2, minutes=30)


@pytest.mark.parametrize(("role", "seen", "unseen"), [
    ("dispatcher", {"fill_rate", "terminations", "by_name", "employers_by_contract", "book_as_it_stood",
                    "member_jobs", "day_book"}, {"dues_statement"}),
    ("dues_clerk", {"dues_statement"}, {"fill_rate", "member_jobs", "book_as_it_stood", "day_book"}),
])
def test_each_login_sees_the_reports_of_its_groups(qtbot, runner, ui_settings, demo_db, staff_login, role, seen,
                                                   unseen):
    hall = staff_login(demo_db, role)
    screen = ReportsScreen(runner, hall, ui_settings)
    qtbot.addWidget(screen)
    keys = {s.key for s in screen.specs}
    assert seen <= keys and not unseen & keys
    qtbot.waitUntil(lambda: screen.book.count() > 1, timeout=10_000)
    if role == "dues_clerk":  # the clerk's own grants read the whole statement
        pick_smith(screen)
        statement = screen.specs[[s.key for s in screen.specs].index("dues_statement")]
        assert statement.load(hall.for_reports(), screen.params()).summary.card_number == "7464416"


def test_a_dispatchers_login_may_read_every_referral_report_and_no_amounts(qtbot, runner, ui_settings, demo_db,
                                                                           staff_login):
    """The grants decide: each loader runs under the dispatcher's own login; the dues statement is refused."""
    hall = staff_login(demo_db, "dispatcher")
    screen = open_screen(qtbot, runner, ui_settings, hall)
    pick_smith(screen)
    params = screen.params()
    for spec in catalog.SPECS:
        if spec.key in NEW_REPORTS and spec.key != "dues_statement":
            data = spec.load(hall.for_reports(), params)
            columns, rows = spec.table(data)
            assert all(len(row) == len(columns) for row in rows), spec.key
    statement = next(s for s in catalog.SPECS if s.key == "dues_statement")
    with pytest.raises(PermissionDenied):
        statement.load(hall.for_reports(), params)
