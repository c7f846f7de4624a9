"""The books screen against a real PostgreSQL with a threaded task runner: the list in queue order with tier
subtotals, sign-on through the type-ahead, re-sign, exemptions, roles, and the live board."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import text

from tests.gui.books_hall import BooksHall, build_hall
from unioncore_desktop.domain.services.registrations import sign_on
from unioncore_desktop.gui import reporting
from unioncore_desktop.gui.books.screen import BooksScreen
from unioncore_desktop.gui.books.visit import MemberVisitDialog
from unioncore_desktop.gui.itemmodels.books import EXEMPT_COLOR, OVERDUE_COLOR
from unioncore_desktop.gui.live import LiveUpdates

WAIT = 10_000
# The offscreen platform cannot raise the completer's popup or let it grab the keyboard; it still works.
popup_warnings = pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")


@pytest.fixture
def books_hall(databases):
    hall = build_hall(databases)
    yield hall
    hall.close()


def open_screen(qtbot, runner, ui_settings, hall_connection) -> BooksScreen:
    screen = BooksScreen(runner, hall_connection, ui_settings)
    qtbot.addWidget(screen)
    screen.resize(1300, 700)
    screen.show()
    qtbot.waitUntil(lambda: screen.model.rowCount() > 0, timeout=WAIT)
    return screen


@pytest.fixture
def screen(qtbot, runner, ui_settings, books_hall: BooksHall):
    widget = open_screen(qtbot, runner, ui_settings, books_hall.login("dispatcher", "Desk One"))
    yield widget
    runner.shutdown(wait=True)  # reads still in flight finish before their engines go


def names(screen: BooksScreen) -> list[str]:
    return [row.last_name for row in screen.model.rows]


def cell(screen: BooksScreen, row: int, key: str, role=Qt.ItemDataRole.DisplayRole):
    column = [c.key for c in screen.model.columns].index(key)
    return screen.model.index(row, column).data(role)


def select(qtbot, screen: BooksScreen, last_name: str) -> None:
    position = names(screen).index(last_name)
    screen.panel.view.selectRow(position)
    qtbot.waitUntil(lambda: screen.selected() is not None and screen.selected().last_name == last_name)


def test_the_screen_opens_on_the_first_book_in_one_read(qtbot, runner, ui_settings, books_hall: BooksHall):
    """The picker's books and the first book's list arrive together: a start waits for one round trip, not two."""
    started: list[str] = []
    runner.task_submitted.connect(lambda _kind, name: started.append(name))
    screen = open_screen(qtbot, runner, ui_settings, books_hall.login("dispatcher"))
    qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT)
    assert started == ["open books"]
    assert screen.book_combo.currentText().startswith("WIRE SEATTLE") and screen.book_combo.count() > 1
    assert screen.book_id == screen.book_combo.currentData() and names(screen)[0] == "Lovelace"
    runner.shutdown(wait=True)


def test_the_list_is_in_queue_order_with_tier_subtotals_and_two_decimal_apns(qtbot, screen):
    assert screen.book_combo.currentText().startswith("WIRE SEATTLE")  # first book of the morning
    assert names(screen) == ["Lovelace", "Okafor", "Charisse", "Tran"]
    assert [r.rank for r in screen.model.rows] == [1, 2, 3, 4]
    assert [cell(screen, i, "apn") for i in range(4)] == ["45880.01", "45880.02", "45901.05", "45700.01"]
    assert [cell(screen, i, "tier") for i in range(4)] == ["1", "1", "1", "2"]
    assert "Tier 1: 3 · Tier 2: 1 · Tier 3: 0 · Tier 4: 0" in screen.tier_strip.text()

    exempt, overdue = 1, 2
    assert cell(screen, exempt, "exemption").startswith("Medical")
    assert cell(screen, exempt, "display_name", Qt.ItemDataRole.ForegroundRole).color() == EXEMPT_COLOR
    assert "Exempt (Medical" in cell(screen, exempt, "card_number", Qt.ItemDataRole.ToolTipRole)
    assert cell(screen, overdue, "display_name", Qt.ItemDataRole.ForegroundRole).color() == OVERDUE_COLOR
    assert "Re-sign overdue" in cell(screen, overdue, "rank", Qt.ItemDataRole.ToolTipRole)
    assert cell(screen, 3, "display_name", Qt.ItemDataRole.BackgroundRole) is not None  # tier 2 is shaded


def test_filtering_never_renumbers_the_queue(qtbot, screen):
    qtbot.keyClicks(screen.panel.search_edit, "charisse")
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=WAIT)
    assert screen.model.rows[0].rank == 3 and cell(screen, 0, "rank") == "3"
    assert "showing 1" in screen.tier_strip.text() and "Tier 1: 3" in screen.tier_strip.text()
    screen.panel.search_edit.clear()
    qtbot.keyClicks(screen.panel.search_edit, "7000104")
    qtbot.waitUntil(lambda: names(screen) == ["Tran"], timeout=WAIT)
    assert screen.model.rows[0].rank == 4


def choose_member_by_type_ahead(qtbot, dialog: MemberVisitDialog, typed: str, expected_card: str) -> None:
    dialog.activateWindow()
    dialog.member_edit.setFocus()
    qtbot.keyClicks(dialog.member_edit, typed)
    popup = dialog.completer.popup()
    qtbot.waitUntil(lambda: dialog.hits.rowCount() > 0 and popup.isVisible(), timeout=WAIT)
    assert expected_card in dialog.hits.item(0).text()
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.member is not None and dialog.member.card_number == expected_card,
                    timeout=WAIT)


@popup_warnings
def test_sign_on_by_type_ahead_puts_the_member_at_the_bottom_of_tier_1(qtbot, screen, books_hall):
    dialog = screen.sign_on()
    assert dialog is not None and dialog.isVisible()
    choose_member_by_type_ahead(qtbot, dialog, "Qiunn", "7464416")  # misspelled
    assert dialog.member.card_number == "7464416"
    seattle = dialog.book_checks[books_hall.books["WIRE_SEATTLE"]]
    assert seattle.isChecked() and seattle.isEnabled()  # the screen's book is ticked for the clerk
    assert not dialog.book_checks[books_hall.books["TRADESHOW"]].isChecked()
    assert books_hall.books["SOUND_COMM"] not in dialog.book_checks  # not qualified: not offered
    dialog.method_combo.setCurrentIndex(dialog.method_combo.findData("email"))

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Quinn" in names(screen), timeout=WAIT)
    assert not dialog.isVisible()
    assert names(screen) == ["Lovelace", "Okafor", "Charisse", "Quinn", "Tran"]
    quinn = screen.model.rows[3]
    assert quinn.rank == 4 and quinn.tier == 1 and quinn.method == "email"
    assert str(quinn.apn).startswith(str(books_hall.today.toordinal() - 693594))  # today's Excel serial
    qtbot.waitUntil(lambda: screen.selected() is not None and screen.selected().last_name == "Quinn", timeout=WAIT)
    assert "Tier 1: 4 · Tier 2: 1" in screen.tier_strip.text()


@popup_warnings
def test_a_second_sign_on_shows_the_clear_message_and_the_dialog_keeps_the_input(qtbot, screen, books_hall):
    dialog = screen.sign_on()
    choose_member_by_type_ahead(qtbot, dialog, "Rosa Parks", "7000106")
    bremerton = dialog.book_checks[books_hall.books["WIRE_BREMERTON"]]
    bremerton.setChecked(True)
    # Another desk signs Rosa on to WIRE SEATTLE while this dialog is open.
    other = books_hall.login("dispatcher", "Desk Two")
    sign_on(other.uow(), member_id=books_hall.members["rosa"], book_ids=[books_hall.books["WIRE_SEATTLE"]],
            method="email")
    qtbot.waitUntil(dialog.office_combo.isEnabled, timeout=WAIT)
    dialog.office_combo.choose("SEATTLE")  # R1: in person at one of the hall's two offices

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    error = dialog.errors.labels["book"]
    qtbot.waitUntil(error.isVisible, timeout=WAIT)
    assert "Rosa Parks (7000106) already has a live registration on WIRE SEATTLE" in error.text()
    assert dialog.isVisible() and dialog.member_edit.text().startswith("Parks, Rosa")
    assert dialog.book_checks[books_hall.books["WIRE_SEATTLE"]].isChecked() and bremerton.isChecked()
    assert dialog.save_button.isEnabled()
    with books_hall.admin.connect() as conn:  # nothing of the refused visit was written
        assert conn.execute(text("SELECT count(*) FROM registrations WHERE member_id = :m"),
                            {"m": books_hall.members["rosa"]}).scalar_one() == 1
    dialog.reject()


def test_sign_on_without_choosing_from_the_list_is_stopped_at_the_field(qtbot, screen):
    dialog = screen.sign_on()
    qtbot.keyClicks(dialog.member_edit, "nobody in particular")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.errors.labels["member"].isVisible() and dialog.isVisible()
    dialog.reject()


def test_re_sign_moves_the_due_date_and_keeps_the_place(qtbot, screen, books_hall):
    select(qtbot, screen, "Lovelace")
    assert screen.re_sign_action.isEnabled()
    qtbot.mouseClick(screen.action_buttons["re-sign"], Qt.MouseButton.LeftButton)
    due = books_hall.today + timedelta(days=30)
    qtbot.waitUntil(lambda: screen.model.rows[0].resign_due_on == due, timeout=WAIT)
    assert screen.model.rows[0].last_resign_on == books_hall.today and screen.model.rows[0].rank == 1
    assert screen.selected().last_name == "Lovelace"


def test_an_exempt_registrant_cannot_be_re_signed_but_can_have_the_exemption_ended(qtbot, screen, books_hall,
                                                                                    message_recorder):
    select(qtbot, screen, "Okafor")
    assert not screen.re_sign_action.isEnabled() and not screen.exempt_action.isEnabled()
    assert screen.end_exemption_action.isEnabled()
    screen.end_exemption_action.trigger()
    qtbot.waitUntil(lambda: not screen.model.rows[1].exempt, timeout=WAIT)
    assert message_recorder.kinds() == ["question"]
    assert screen.model.rows[1].resign_due_on == books_hall.today + timedelta(days=30)


def test_exempting_greys_the_row_and_a_capped_reason_is_stopped_beside_the_end_date(qtbot, screen, books_hall):
    select(qtbot, screen, "Lovelace")
    dialog = screen.exempt()
    dialog.reason_combo.setCurrentIndex(dialog.reason_combo.findData("traveling"))
    qtbot.waitUntil(lambda: "6 months" in dialog.cap_note.text(), timeout=WAIT)
    dialog.has_end.setChecked(True)
    dialog.end_edit.setDate(dialog.end_edit.date().addMonths(8))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    error = dialog.errors.labels["exemption_end"]
    qtbot.waitUntil(error.isVisible, timeout=WAIT)
    assert "unless extended" in error.text() and dialog.isVisible()
    assert dialog.save_button.isDefault()  # Enter saves again after the refusal; it does not cancel

    dialog.extended.setChecked(True)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.model.rows[0].exempt, timeout=WAIT)
    assert not dialog.isVisible()
    assert cell(screen, 0, "display_name", Qt.ItemDataRole.ForegroundRole).color() == EXEMPT_COLOR
    assert cell(screen, 0, "exemption").startswith("Traveling to ")


def test_resign_asks_first_and_takes_the_member_off_the_book(qtbot, screen, books_hall, message_recorder):
    select(qtbot, screen, "Charisse")
    screen.resign_action.trigger()
    qtbot.waitUntil(lambda: "Charisse" not in names(screen), timeout=WAIT)
    assert message_recorder.kinds() == ["question"] and "WIRE SEATTLE" in message_recorder.messages[0].text
    assert books_hall.registration(books_hall.registrations["cyd"])["status"] == "resigned"
    assert [r.rank for r in screen.model.rows] == [1, 2, 3]


def test_a_refused_action_says_why_and_shows_the_list_as_it_is_now(qtbot, screen, books_hall, message_recorder):
    select(qtbot, screen, "Charisse")  # re-sign overdue: the domain refuses it
    screen.re_sign_action.trigger()
    qtbot.waitUntil(lambda: message_recorder.kinds() == ["warning"], timeout=WAIT)
    assert "was missed" in message_recorder.messages[0].text


def test_switching_books_shows_that_books_list(qtbot, screen, books_hall):
    index = screen.book_combo.findData(books_hall.books["WIRE_BREMERTON"])
    screen.book_combo.setCurrentIndex(index)
    qtbot.waitUntil(lambda: names(screen) == ["Lovelace"], timeout=WAIT)
    assert "Tier 1: 1 · Tier 2: 0" in screen.tier_strip.text()


def test_export_writes_the_list_with_typed_cells(qtbot, screen, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(reporting, "save_folder_override", tmp_path)
    screen.panel.export_button.click()
    path = tmp_path / f"Out-of-work list – WIRE SEATTLE – {hall_today(screen)}.xlsx"
    qtbot.waitUntil(path.exists, timeout=WAIT)
    qtbot.waitUntil(lambda: not screen.runner.busy, timeout=WAIT)
    sheet = openpyxl.load_workbook(path).active
    values = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    header = next(i for i, row in enumerate(values) if row and row[0] == "Rank")
    assert values[header][:4] == ("Rank", "Tier", "APN", "Name")
    assert values[header + 1][:4] == (1, 1, pytest.approx(45880.01), "Lovelace, Ada")


def hall_today(screen) -> str:
    return screen.hall.read(lambda s: s.execute(text("SELECT uc_hall_today()")).scalar_one()).isoformat()


def test_print_previews_the_out_of_work_list_and_saves_it_under_a_clean_name(qtbot, screen, tmp_path: Path,
                                                                              monkeypatch, previews):
    monkeypatch.setattr(reporting, "save_folder_override", tmp_path)
    screen.panel.print_button.click()
    preview = previews.wait(pages=1)
    assert preview.excel_action.isVisible()
    preview.save_pdf()
    path = tmp_path / f"Out-of-work list – WIRE SEATTLE – {hall_today(screen)}.pdf"
    assert path.read_bytes().startswith(b"%PDF")


def test_the_list_model_passes_the_model_tester(qtmodeltester, screen):
    qtmodeltester.check(screen.model, force_py=True)


def test_a_dues_clerk_sees_the_books_but_no_enabled_write_action(qtbot, runner, ui_settings, books_hall):
    screen = open_screen(qtbot, runner, ui_settings, books_hall.login("dues_clerk"))
    select(qtbot, screen, "Lovelace")
    assert not any(action.isEnabled() for action in screen.write_actions)
    assert not any(button.isEnabled() for button in screen.action_buttons.values())
    assert screen.sign_on() is None and screen.open_drop_run() is None
    assert screen.panel.export_button.isEnabled()  # reading and exporting stay open
    runner.shutdown(wait=True)


def test_a_sign_on_at_another_desk_reloads_the_open_book_keeping_selection(  # how fast: bench/live_updates.py
        qtbot, screen, books_hall):
    live = LiveUpdates(screen.hall.listener)
    with qtbot.waitSignal(live.state_changed, timeout=5000):
        live.start()
    try:
        select(qtbot, screen, "Charisse")
        before = screen.selected().registration_id
        other = books_hall.login("dispatcher", "Desk Two")
        sign_on(other.uow(), member_id=books_hall.members["rosa"], book_ids=[books_hall.books["WIRE_SEATTLE"]],
                method="email")
        qtbot.waitUntil(lambda: "Parks" in names(screen), timeout=WAIT)
        assert names(screen) == ["Lovelace", "Okafor", "Charisse", "Parks", "Tran"]
        assert screen.selected().registration_id == before
        assert [r.registration_id for r in screen.panel.selected_rows()] == [before]
        qtbot.waitUntil(lambda: "(5)" in screen.book_combo.currentText(), timeout=WAIT)  # the picker's count
    finally:
        live.stop()
        QApplication.processEvents()


def test_the_screen_is_an_area_of_the_main_window(qtbot, runner, ui_settings, books_hall):
    from unioncore_desktop.gui.main_window import AREAS, MainWindow

    window = MainWindow(runner, books_hall.login("manager"), ui_settings)
    qtbot.addWidget(window)
    screen = window.open_area("books")
    assert isinstance(screen, BooksScreen) and "books" in AREAS
    qtbot.waitUntil(lambda: screen.model.rowCount() == 4, timeout=WAIT)
    runner.shutdown(wait=True)
