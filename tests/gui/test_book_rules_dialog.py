"""The book rules editor against a real PostgreSQL with a threaded task runner: a manager schedules settings
from next Monday by keyboard, edits and cancels them; refusals appear beside their fields with the input kept;
a dispatcher is not offered the editor."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import text

from tests.gui.books_hall import BooksHall, build_hall
from tests.gui.test_books_screen import open_screen
from unioncore_desktop.gui.books.rules import BookRulesDialog
from unioncore_desktop.gui.books.screen import BooksScreen
from unioncore_desktop.seed.books import RULES_EFFECTIVE_FROM

WAIT = 10_000


@pytest.fixture
def books_hall(databases):
    hall = build_hall(databases)
    yield hall
    hall.close()


def next_monday(day: date) -> date:
    return day + timedelta(days=7 - day.weekday())


@pytest.fixture
def manager_screen(qtbot, runner, ui_settings, books_hall: BooksHall):
    screen = open_screen(qtbot, runner, ui_settings, books_hall.login("manager", "Mona Manager"))
    yield screen
    runner.shutdown(wait=True)


def open_rules(qtbot, screen: BooksScreen) -> BookRulesDialog:
    screen.panel.view.setFocus()
    qtbot.keyClick(screen.panel.view, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: isinstance(screen._dialog, BookRulesDialog), timeout=WAIT)
    dialog = screen._dialog
    assert isinstance(dialog, BookRulesDialog)
    qtbot.waitUntil(lambda: dialog.view is not None, timeout=WAIT)
    return dialog


def replace_text(qtbot, widget, value: str) -> None:
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(widget, value)


def stored(books_hall: BooksHall) -> list[tuple]:
    with books_hall.admin.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT effective_from, resign_days, short_call_free_days, version FROM book_rules "
            "WHERE book_id = :b ORDER BY effective_from"), {"b": books_hall.books["WIRE_SEATTLE"]})]


def test_a_manager_schedules_settings_from_next_monday_by_keyboard(qtbot, manager_screen, books_hall):
    dialog = open_rules(qtbot, manager_screen)
    assert dialog.windowTitle() == "Rules for WIRE SEATTLE"
    assert [(r.effective_from, r.state) for r in dialog.model.rows] == [(RULES_EFFECTIVE_FROM, "in_force")]
    assert "Settings from 2024-10-04" in dialog.in_force_label.text()
    assert "R7 re-sign <b>every 30 days</b>" in dialog.in_force_label.text()
    assert "R8 bidding <b>17:30–07:00, check in by 15:00</b>" in dialog.in_force_label.text()  # Wire bids
    assert dialog.spins["resign_days"].value() == 30 and dialog.times["request_cutoff"].text() == "15:00"
    assert not dialog.edit_action.isEnabled()  # the row in force cannot be edited
    assert QApplication.focusWidget() is dialog.date_edit

    monday = next_monday(books_hall.today)
    qtbot.keyClicks(dialog.date_edit, f"{monday:%Y-%m-%d}")
    qtbot.keyClick(dialog.date_edit, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.spins["resign_days"]
    qtbot.keyClick(dialog.spins["resign_days"], Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.spins["resign_days"], "45")
    with qtbot.waitSignal(manager_screen.loaded, timeout=WAIT):  # the Books screen hears the change
        qtbot.keyClick(dialog.spins["resign_days"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2, timeout=WAIT)

    newest = dialog.model.rows[0]
    assert (newest.effective_from, newest.state_label, newest.rules.resign_days) == (monday, "Scheduled", 45)
    assert newest.created_by == "Mona Manager" and newest.rules.bidding_enabled
    assert dialog.selected() == newest and dialog.edit_action.isEnabled()
    assert dialog.model.index(0, 2).data() == "Scheduled"
    assert dialog.model.index(1, 1).data() == f"{monday - timedelta(days=1):%Y-%m-%d}"  # the old row ends
    assert f"Settings from {monday:%Y-%m-%d} scheduled" == dialog.notice.text()
    assert dialog.date_edit.text() == "" and dialog.spins["resign_days"].value() == 30  # ready for the next
    assert stored(books_hall) == [(RULES_EFFECTIVE_FROM, 30, 3, 1), (monday, 45, 3, 1)]


def test_bad_values_are_shown_beside_their_fields_and_the_input_is_kept(qtbot, manager_screen, books_hall):
    dialog = open_rules(qtbot, manager_screen)
    monday = next_monday(books_hall.today)
    # read at the form: a time that is not one
    qtbot.keyClicks(dialog.date_edit, f"{monday:%Y-%m-%d}")
    replace_text(qtbot, dialog.times["request_cutoff"], "25:00")
    qtbot.keyClick(dialog.times["request_cutoff"], Qt.Key.Key_Return)
    assert dialog.errors.labels["request_cutoff"].isVisible()
    assert dialog.errors.labels["request_cutoff"].text() == "Give a time as HH:MM (24-hour)."
    assert QApplication.focusWidget() is dialog.times["request_cutoff"]

    # refused by the domain: more free days than a short call has, and a date already past
    replace_text(qtbot, dialog.times["request_cutoff"], "14:30")
    replace_text(qtbot, dialog.spins["short_call_free_days"], "12")
    replace_text(qtbot, dialog.date_edit, f"{books_hall.today - timedelta(days=1):%Y-%m-%d}")
    qtbot.keyClick(dialog.date_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.errors.labels["short_call_free_days"].isVisible(), timeout=WAIT)
    assert dialog.errors.labels["short_call_free_days"].text() == (
        "Calls that do not count cannot be longer than a short call (10 business days).")
    assert "or later" in dialog.errors.labels["effective_from"].text()
    assert not dialog.errors.labels["request_cutoff"].isVisible()
    assert dialog.spins["short_call_free_days"].property("error") is True
    assert dialog.spins["short_call_free_days"].value() == 12  # kept
    assert dialog.times["request_cutoff"].text() == "14:30"
    assert dialog.date_edit.text() == f"{books_hall.today - timedelta(days=1):%Y-%m-%d}"
    assert dialog.schedule_button.isEnabled()
    assert len(stored(books_hall)) == 1


def test_a_scheduled_rule_set_is_edited_then_cancelled(qtbot, manager_screen, books_hall, message_recorder):
    book = books_hall.books["WIRE_SEATTLE"]
    later = books_hall.today + timedelta(days=20)
    with books_hall.admin.begin() as conn:
        conn.execute(text("INSERT INTO book_rules (book_id, effective_from, resign_days) VALUES (:b, :d, 40)"),
                     {"b": book, "d": later})
    dialog = open_rules(qtbot, manager_screen)
    assert [r.state for r in dialog.model.rows] == ["scheduled", "in_force"]
    dialog.table.setFocus()
    dialog.table.setCurrentIndex(dialog.model.index(0, 0))
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)  # Enter on a scheduled row edits it
    assert dialog.editing is not None and dialog.schedule_button.text() == "&Save changes"
    assert dialog.date_edit.text() == f"{later:%Y-%m-%d}" and dialog.spins["resign_days"].value() == 40
    assert len(stored(books_hall)) == 2  # Enter did not also save

    replace_text(qtbot, dialog.spins["resign_days"], "50")
    qtbot.keyClick(dialog.spins["resign_days"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.model.rows[0].version == 2, timeout=WAIT)
    assert dialog.model.rows[0].rules.resign_days == 50 and dialog.editing is None

    dialog.table.setCurrentIndex(dialog.model.index(0, 0))
    dialog.cancel_action.trigger()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=WAIT)
    assert message_recorder.kinds() == ["question"]
    assert stored(books_hall) == [(RULES_EFFECTIVE_FROM, 30, 3, 1)]
    assert dialog.notice.text() == f"Settings from {later:%Y-%m-%d} cancelled"


def test_a_dispatcher_is_not_offered_the_rules_editor(qtbot, runner, ui_settings, books_hall):
    screen = open_screen(qtbot, runner, ui_settings, books_hall.login("dispatcher", "Desk One"))
    assert not screen.rules_action.isEnabled() and not screen.rules_action.isVisible()
    assert "rules" not in screen.action_buttons
    screen.panel.view.setFocus()
    qtbot.keyClick(screen.panel.view, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert screen.open_rules() is None and screen._dialog is None
    runner.shutdown(wait=True)


def test_a_stale_edit_says_so_keeps_the_input_and_saves_on_the_second_try(qtbot, manager_screen, books_hall):
    book = books_hall.books["WIRE_SEATTLE"]
    later = books_hall.today + timedelta(days=20)
    with books_hall.admin.begin() as conn:
        rules_id = conn.execute(text("INSERT INTO book_rules (book_id, effective_from, resign_days) "
                                     "VALUES (:b, :d, 40) RETURNING id"), {"b": book, "d": later}).scalar_one()
    dialog = open_rules(qtbot, manager_screen)
    dialog.table.setCurrentIndex(dialog.model.index(0, 0))
    dialog.edit_action.trigger()
    with books_hall.admin.begin() as conn:  # another desk changes it meanwhile
        conn.execute(text("UPDATE book_rules SET check_marks_allowed = 4, version = version + 1 WHERE id = :i"),
                     {"i": rules_id})
    replace_text(qtbot, dialog.spins["resign_days"], "52")
    qtbot.keyClick(dialog.spins["resign_days"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.message.isVisible(), timeout=WAIT)
    assert "after you opened them" in dialog.message.text()
    assert dialog.spins["resign_days"].value() == 52 and dialog.editing.version == 2
    qtbot.keyClick(dialog.spins["resign_days"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.model.rows[0].version == 3, timeout=WAIT)
    assert dialog.model.rows[0].rules.resign_days == 52


def test_a_manager_lets_unfilled_requests_expire_from_a_date(qtbot, manager_screen, books_hall, tmp_path):
    dialog = open_rules(qtbot, manager_screen)
    assert not dialog.flags["expire_unfilled"].isChecked()  # off by default
    monday = next_monday(books_hall.today)
    qtbot.keyClicks(dialog.date_edit, f"{monday:%Y-%m-%d}")
    dialog.flags["discharge_suspension"].setFocus()
    qtbot.keyClick(dialog.flags["discharge_suspension"], Qt.Key.Key_Tab)  # next in the tab order
    assert QApplication.focusWidget() is dialog.flags["expire_unfilled"]
    qtbot.keyClick(dialog.flags["expire_unfilled"], Qt.Key.Key_Space)
    assert dialog.flags["expire_unfilled"].isChecked()
    dialog.grab().save(str(tmp_path / "rules.png"))
    dialog.save()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2, timeout=WAIT)
    assert dialog.model.rows[0].rules.expire_unfilled
    with books_hall.admin.connect() as conn:
        assert conn.execute(text("SELECT effective_from, expire_unfilled FROM book_rules WHERE book_id = :b "
                                 "ORDER BY effective_from"), {"b": books_hall.books["WIRE_SEATTLE"]}).all() \
            == [(RULES_EFFECTIVE_FROM, False), (monday, True)]
