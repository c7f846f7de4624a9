"""The referral, member and employment reports on the Reports screen, as a dispatcher runs them on a small demo
hall: each opens its PDF in the print preview page for page, exports its Excel, and is logged; a dues clerk is
offered none of them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from sqlalchemy import text

from unioncore_desktop.domain.actions import members
from unioncore_desktop.gui import reporting
from unioncore_desktop.gui.reports import catalog
from unioncore_desktop.gui.reports.screen import ReportsScreen, _qdate
from unioncore_desktop.seed.demo import seed_quick

NEW_REPORTS = {"referral_summary": "Daily Referral Summary", "morning_sheet": "Morning Referral Sheet",
               "bids": "Bids", "current_employees": "Current Employees", "check_marks": "Check Marks",
               "member_registrations": "Member Registrations", "employment_history": "Employment History"}


@pytest.fixture
def demo_db(databases):
    name = databases.create()
    seed_quick(databases.engine(name))
    return name


@pytest.fixture
def screen(qtbot, runner, ui_settings, demo_db, staff_login, tmp_path, monkeypatch):
    monkeypatch.setattr(reporting, "save_folder_override", tmp_path)
    widget = ReportsScreen(runner, staff_login(demo_db, "dispatcher"), ui_settings)
    qtbot.addWidget(widget)
    widget.resize(1000, 600)
    widget.show()
    qtbot.waitUntil(lambda: widget.book.count() > 1, timeout=10_000)
    return widget


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def test_each_new_report_opens_in_the_print_preview_and_exports_to_excel(qtbot, screen, previews, tmp_path):
    hall = screen.hall
    keys = [s.key for s in screen.specs]
    assert set(NEW_REPORTS) <= set(keys)
    member = next(r for r in members.search(hall, "Smith", limit=5) if r.card_number == "7464416")
    morning = hall.read(lambda s: s.execute(text(
        "SELECT min(referral_date) FROM labor_requests WHERE status = 'open'")).scalar_one())
    request = hall.read(lambda s: s.execute(text(
        "SELECT number FROM labor_requests WHERE status = 'open' AND referral_date = :d ORDER BY received_at LIMIT 1"),
        {"d": morning}).scalar_one())
    for key, title in NEW_REPORTS.items():
        screen.select_report(key)
        spec = screen.current
        if catalog.MEMBER in spec.fields:  # as the type-ahead leaves it
            screen._members[screen._member_text(member)] = member
            screen.member.setText(screen._member_text(member))
        if key == "morning_sheet":
            screen.day.setDate(_qdate(morning))
            screen.grab().save(str(tmp_path / "morning_sheet_form.png"))
        if catalog.ANY_BOOK in spec.fields:
            screen.book.setCurrentIndex(0)  # all books
        with qtbot.waitSignal(screen.report_written, timeout=30_000) as written:
            qtbot.mouseClick(screen.pdf_button, Qt.MouseButton.LeftButton)
        preview = previews.wait()
        path = Path(written.args[0])
        assert preview.page_count() == pdf_pages(path), key
        printed = pdf_text(path)
        assert title in printed and "Page 1 of" in printed, key
        if catalog.MEMBER in spec.fields:
            assert "Smith, John" in printed and "card 7464416" in printed, key
        if key == "morning_sheet":
            assert request in printed and "spare" in printed
        if key == "member_registrations":
            assert "WIRE SEATTLE" in printed
        if key == "morning_sheet":
            previews.screenshot(preview, tmp_path / "morning_sheet_preview.png")
        with qtbot.waitSignal(screen.report_written, timeout=30_000) as saved:
            preview.excel_action.trigger()
        workbook = openpyxl.load_workbook(saved.args[0])
        assert workbook.worksheets[0].max_column > 3 and workbook.sheetnames[-1] == "About", key
        preview.close()
        qtbot.waitUntil(lambda: not previews.shown(), timeout=5_000)
    runs = hall.read(lambda s: s.execute(text("SELECT title, kind FROM report_runs ORDER BY id")).all())
    assert [kind for _, kind in runs] == ["pdf", "xlsx"] * len(NEW_REPORTS)
    assert runs[0][0].startswith("Daily Referral Summary — ")
    assert ("Member Registrations — Smith, John (7464416)", "pdf") in runs


def test_a_dues_clerk_is_offered_none_of_them(qtbot, runner, ui_settings, demo_db, staff_login):
    widget = ReportsScreen(runner, staff_login(demo_db, "dues_clerk"), ui_settings)
    qtbot.addWidget(widget)
    assert not {s.key for s in widget.specs} & set(NEW_REPORTS)
    qtbot.waitUntil(lambda: widget.book.count() > 1, timeout=10_000)
