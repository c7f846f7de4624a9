"""Books → Manage books… against a real PostgreSQL with a threaded task runner, as a manager: add a book with its
first rule settings by keyboard (refusals beside their fields, the input kept), change a book's slot and agreement,
refuse to retire a book with members on it, retire an empty one and bring it back. Dispatchers are not offered it."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import text

from tests.gui.books_hall import BooksHall, build_hall
from tests.gui.test_books_screen import open_screen
from unioncore_desktop.gui.books.rules import BookRulesDialog
from unioncore_desktop.gui.books.screen import BooksScreen
from unioncore_desktop.gui.books.setup import ManageBooksDialog

WAIT = 10_000


@pytest.fixture
def books_hall(databases):
    hall = build_hall(databases)
    yield hall
    hall.close()


@pytest.fixture
def manager_screen(qtbot, runner, ui_settings, books_hall: BooksHall):
    screen = open_screen(qtbot, runner, ui_settings, books_hall.login("manager", "Mona Manager"))
    yield screen
    runner.shutdown(wait=True)


def open_manage(qtbot, screen: BooksScreen) -> ManageBooksDialog:
    screen.panel.view.setFocus()
    qtbot.keyClick(screen.panel.view, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: isinstance(screen._dialog, ManageBooksDialog), timeout=WAIT)
    dialog = screen._dialog
    assert isinstance(dialog, ManageBooksDialog)
    qtbot.waitUntil(lambda: dialog.view is not None, timeout=WAIT)
    return dialog


def book_row(books_hall: BooksHall, code: str) -> dict | None:
    with books_hall.admin.connect() as conn:
        row = conn.execute(text("SELECT * FROM books WHERE code = :c"), {"c": code}).mappings().first()
    return dict(row) if row else None


def select_book(qtbot, dialog: ManageBooksDialog, code: str) -> None:
    qtbot.waitUntil(lambda: any(r.code == code for r in dialog.model.rows), timeout=WAIT)
    row = next(r for r in dialog.model.rows if r.code == code)
    dialog.table.setCurrentIndex(dialog.model.index_for_id(row.id))


def test_a_dispatcher_is_not_offered_manage_books(qtbot, runner, ui_settings, books_hall):
    screen = open_screen(qtbot, runner, ui_settings, books_hall.login("dispatcher"))
    assert not screen.manage_action.isVisible() and screen.open_manage_books() is None
    runner.shutdown(wait=True)


def test_a_manager_adds_a_book_with_its_first_rules_by_keyboard(qtbot, manager_screen, books_hall):
    dialog = open_manage(qtbot, manager_screen)
    codes = [r.code for r in dialog.model.rows]
    assert "WIRE_SEATTLE" in codes and dialog.model.columnCount() == 12
    qtbot.keyClick(dialog.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    f = dialog.form
    assert dialog.editing is None and f.rules_from.text() == f"{books_hall.today:%Y-%m-%d}"
    qtbot.keyClicks(f.code, "solar")
    qtbot.keyClicks(f.name, "Solar Installer")
    qtbot.keyClicks(f.classification, "Installer")
    qtbot.keyClicks(f.morning_slot, "25:00")
    f.rules_from.setText(f"{books_hall.today - timedelta(days=1):%Y-%m-%d}")
    qtbot.keyClick(f.morning_slot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert dialog.errors.labels["morning_slot"].isVisible() and dialog.errors.labels["effective_from"].isVisible()
    assert f.code.text() == "solar" and book_row(books_hall, "SOLAR") is None

    f.morning_slot.setText("9:15")
    start = books_hall.today + timedelta(days=2)
    f.rules_from.setText(f"{start:%Y-%m-%d}")
    f.rules_like.setCurrentIndex(f.rules_like.findText("As WIRE SEATTLE today"))
    with qtbot.waitSignal(dialog.saved, timeout=WAIT) as saved:
        qtbot.keyClick(f.morning_slot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    row = saved.args[0]
    assert (row.code, row.morning_slot, row.active) == ("SOLAR", time(9, 15), True)
    stored = book_row(books_hall, "SOLAR")
    assert stored is not None and stored["classification"] == "Installer"
    with books_hall.admin.connect() as conn:
        rules = conn.execute(text("SELECT effective_from, bidding_enabled FROM book_rules WHERE book_id = :b"),
                             {"b": row.id}).all()
    assert rules == [(start, True)]  # copied from WIRE SEATTLE, which bids
    assert "Solar Installer added" in dialog.notice.text()
    assert dialog.editing is not None and f.code.isReadOnly()  # the new book is now the one being edited
    # the books screen behind hears of it and offers the new book
    qtbot.waitUntil(lambda: manager_screen.book_combo.findData(row.id) >= 0, timeout=WAIT)

    qtbot.waitUntil(lambda: dialog.selected() is not None and dialog.selected().id == row.id, timeout=WAIT)
    rules_dialog = dialog.open_rules()
    assert isinstance(rules_dialog, BookRulesDialog) and rules_dialog.windowTitle() == "Rules for Solar Installer"
    rules_dialog.close()


def test_a_manager_moves_a_book_and_cannot_retire_one_with_members(qtbot, manager_screen, books_hall,
                                                                   message_recorder):
    dialog = open_manage(qtbot, manager_screen)
    select_book(qtbot, dialog, "WIRE_SEATTLE")
    f = dialog.form
    assert f.code.isReadOnly() and not f.name.isEnabled() and not f.rules_from.isVisible()
    f.morning_slot.setText("06:45")
    f.sort_order.setValue(3)
    f.agreement_type.setCurrentIndex(f.agreement_type.findData("pla"))
    with qtbot.waitSignal(dialog.saved, timeout=WAIT):
        dialog.save_button.click()
    stored = book_row(books_hall, "WIRE_SEATTLE")
    assert stored is not None
    assert (stored["morning_slot"], stored["sort_order"], stored["agreement_type"]) == (time(6, 45), 3, "pla")

    assert f.retireButton.isEnabled() and "still on it" in f.retireButton.toolTip()
    f.retireButton.click()
    assert message_recorder.kinds()[-1] == "warning"
    assert book_row(books_hall, "WIRE_SEATTLE")["active"] is True


def test_an_empty_book_is_retired_and_brought_back(qtbot, runner, manager_screen, books_hall, message_recorder):
    dialog = open_manage(qtbot, manager_screen)
    select_book(qtbot, dialog, "TRADESHOW")
    dialog.form.retireButton.click()
    qtbot.waitUntil(lambda: dialog.selected() is not None and not dialog.selected().active, timeout=WAIT)
    assert message_recorder.kinds()[-1] == "question"
    assert book_row(books_hall, "TRADESHOW")["active"] is False
    assert dialog.form.reinstateButton.isEnabled() and not dialog.form.retireButton.isEnabled()
    qtbot.waitUntil(lambda: manager_screen.book_combo.findData(books_hall.books["TRADESHOW"]) < 0, timeout=WAIT)
    qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT)  # the reloads the retirement started
    dialog.form.showRetired.setChecked(False)
    assert all(r.active for r in dialog.model.rows)
    dialog.form.showRetired.setChecked(True)
    select_book(qtbot, dialog, "TRADESHOW")
    assert dialog.selected().code == "TRADESHOW" and dialog.form.reinstateButton.isEnabled()
    dialog.form.reinstateButton.click()
    qtbot.waitUntil(lambda: dialog.notice.text() == "TRADESHOW is in use again", timeout=WAIT)
    assert dialog.selected().code == "TRADESHOW" and dialog.selected().active
    assert book_row(books_hall, "TRADESHOW")["active"] is True
