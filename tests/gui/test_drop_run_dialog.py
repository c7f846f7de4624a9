"""The drop run dialog against a real PostgreSQL: the preview lists who drops and why, Apply (managers only)
rolls off exactly those, and a list that changed since the preview is refused rather than half-applied."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from tests.gui.books_hall import BooksHall, build_hall
from unioncore_desktop.gui.books.drop_run import DropRunDialog
from unioncore_desktop.gui.books.screen import BooksScreen

WAIT = 10_000


@pytest.fixture
def books_hall(databases):
    hall = build_hall(databases)
    today = hall.today
    hall.add_member("late", "7000201", "Lou", "Late", {"WIRE_SEATTLE": 1, "WIRE_BREMERTON": 1})
    hall.register("late_seattle", "late", "WIRE_SEATTLE", apn="45800.01", resign_due_on=today - timedelta(days=5))
    hall.register("late_bremerton", "late", "WIRE_BREMERTON", apn="45800.01", resign_due_on=today + timedelta(days=9))
    hall.add_member("travel", "7000202", "Tess", "Travel", {"WIRE_SEATTLE": 1})
    hall.register("travel", "travel", "WIRE_SEATTLE", apn="45810.01", exemption_reason="traveling",
                  exemption_start=today - timedelta(days=200), exemption_end=today - timedelta(days=1),
                  resign_due_on=None)
    yield hall
    hall.close()


def open_dialog(qtbot, runner, hall_connection, today, *, can_apply: bool) -> DropRunDialog:
    dialog = DropRunDialog(runner, hall_connection, today, can_apply=can_apply)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.previewed_as_of is not None, timeout=WAIT)
    return dialog


def previewed(dialog: DropRunDialog) -> list[tuple[str, str, str]]:
    return [(c.member, c.book, c.reason) for c in dialog.model.rows]


def test_preview_lists_who_and_why_and_apply_drops_exactly_those(qtbot, qtmodeltester, runner,
                                                                 books_hall: BooksHall, message_recorder):
    manager = books_hall.login("manager", "Mona Manager")
    dialog = open_dialog(qtbot, runner, manager, books_hall.today, can_apply=True)
    assert list(dialog.model.rows) == dialog.candidates  # shown in the domain's order, not re-sorted
    assert sorted(previewed(dialog)) == [("Charisse, Cyd", "WIRE SEATTLE", "failed_re_sign"),
                                         ("Late, Lou", "WIRE SEATTLE", "failed_re_sign"),
                                         ("Travel, Tess", "WIRE SEATTLE", "exemption_expired")]
    shown = {dialog.model.index(i, 0).data(): (dialog.model.index(i, 5).data(), dialog.model.index(i, 6).data())
             for i in range(3)}
    assert shown["Late, Lou"][0] == "Missed re-sign" and "re-sign was due by" in shown["Late, Lou"][1]
    assert shown["Travel, Tess"][0] == "Exemption ended (stays on the book)"
    qtmodeltester.check(dialog.model, force_py=True)
    assert "2 registration(s) of 2 member(s) roll off; 1 exemption(s) end" in dialog.summary.text()
    assert dialog.apply_button.isEnabled()

    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.outcome is not None, timeout=WAIT)
    assert message_recorder.kinds() == ["question"]
    assert (dialog.outcome.rolled_off, dialog.outcome.exemptions_ended) == (2, 1)
    ids = books_hall.registrations
    assert books_hall.registration(ids["cyd"])["roll_off_reason"] == "failed_re_sign"
    assert books_hall.registration(ids["late_seattle"])["status"] == "rolled_off"
    assert books_hall.registration(ids["late_bremerton"])["status"] == "registered"  # that book only (R7)
    travel = books_hall.registration(ids["travel"])
    assert travel["status"] == "registered" and travel["exemption_reason"] is None
    assert all(books_hall.registration(ids[k])["status"] == "registered" for k in ("ada", "ben", "dee"))
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 0 and not dialog.apply_button.isEnabled(), timeout=WAIT)
    assert "Nobody drops" in dialog.summary.text()


def test_a_list_that_changed_since_the_preview_is_refused_and_nothing_is_dropped(qtbot, runner, books_hall):
    manager = books_hall.login("manager")
    dialog = open_dialog(qtbot, runner, manager, books_hall.today, can_apply=True)
    assert len(dialog.candidates) == 3
    # After the preview, another registration falls overdue (say, a backdated correction at another desk).
    books_hall.add_member("newly", "7000203", "Nia", "Newly", {"WIRE_SEATTLE": 1})
    books_hall.register("newly", "newly", "WIRE_SEATTLE", apn="45820.01",
                        resign_due_on=books_hall.today - timedelta(days=1))

    qtbot.mouseClick(dialog.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.message.isVisible, timeout=WAIT)
    assert "changed since the preview" in dialog.message.text()
    assert books_hall.registration(books_hall.registrations["cyd"])["status"] == "registered"

    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(dialog.candidates) == 4, timeout=WAIT)
    assert ("Newly, Nia", "WIRE SEATTLE", "failed_re_sign") in previewed(dialog)


def test_previewing_a_later_day_shows_who_will_drop_but_cannot_be_applied(qtbot, runner, books_hall):
    manager = books_hall.login("manager")
    dialog = open_dialog(qtbot, runner, manager, books_hall.today, can_apply=True)
    dialog.as_of_edit.setDate(dialog.as_of_edit.date().addDays(10))
    assert not dialog.apply_button.isEnabled()  # the date changed: the shown list is not for it
    qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ("Late, Lou", "WIRE BREMERTON", "failed_re_sign") in previewed(dialog), timeout=WAIT)
    assert not dialog.apply_button.isEnabled()


def test_a_dispatcher_may_preview_but_only_a_manager_applies(qtbot, runner, ui_settings, books_hall):
    screen = BooksScreen(runner, books_hall.login("dispatcher"), ui_settings)
    qtbot.addWidget(screen)
    qtbot.waitUntil(lambda: screen.today is not None, timeout=WAIT)
    dialog = screen.open_drop_run()
    qtbot.waitUntil(lambda: dialog.previewed_as_of is not None, timeout=WAIT)
    assert len(dialog.candidates) == 3 and not dialog.apply_button.isEnabled()
    assert "Only a manager" in dialog.apply_button.toolTip()
    dialog.reject()
    runner.shutdown(wait=True)
