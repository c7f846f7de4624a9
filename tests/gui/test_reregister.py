"""Re-registration (R6) from the books screen against a real PostgreSQL: who awaits it is shown beside the
queue (not in it), the dialog finds the member by type-ahead or from that line, re-registers the books ticked
with a new APN and the workstation's office, and says plainly why it cannot (deadline passed, nothing awaiting)
without losing what was chosen."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import text

from tests.gui.books_hall import BooksHall, build_hall
from tests.gui.test_books_screen import choose_member_by_type_ahead, names, open_screen
from unioncore_desktop.domain.services.registrations import reregister
from unioncore_desktop.gui.books.reregister import ReregisterDialog
from unioncore_desktop.gui.books.screen import BooksScreen

WAIT = 10_000
popup_warnings = pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")


def server_time(hall: BooksHall, offset: str) -> datetime:
    with hall.admin.connect() as conn:
        return conn.execute(text("SELECT now() + CAST(:o AS interval)"), {"o": offset}).scalar_one()


@pytest.fixture
def books_hall(databases):
    """Rosa awaits re-registration on WIRE SEATTLE and WIRE BREMERTON (deadline tomorrow); Quinn's deadline on
    WIRE SEATTLE passed an hour ago."""
    hall = build_hall(databases)
    tomorrow, passed = server_time(hall, "1 day"), server_time(hall, "-1 hour")
    hall.register("rosa", "rosa", "WIRE_SEATTLE", apn="45600.03", status="awaiting_reregistration",
                  reregister_by=tomorrow)
    hall.register("rosa_bremerton", "rosa", "WIRE_BREMERTON", apn="45600.03", status="awaiting_reregistration",
                  reregister_by=tomorrow)
    hall.register("quinn", "quinn", "WIRE_SEATTLE", apn="45610.01", status="awaiting_reregistration",
                  reregister_by=passed)
    yield hall
    hall.close()


@pytest.fixture
def screen(qtbot, runner, ui_settings, books_hall: BooksHall):
    ui_settings.set_workstation_office("SEATTLE")
    widget = open_screen(qtbot, runner, ui_settings, books_hall.login("dispatcher", "Desk One"))
    yield widget
    runner.shutdown(wait=True)


def open_dialog(qtbot, screen: BooksScreen, member_id: int | None = None) -> ReregisterDialog:
    if member_id is None:
        dialog = screen.reregister()
    else:  # a name in the awaiting line, as the label's link would
        screen.awaiting_info.linkActivated.emit(str(member_id))
        dialog = screen._dialog
    assert isinstance(dialog, ReregisterDialog) and dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.office_combo.isEnabled(), timeout=WAIT)
    return dialog


def status(hall: BooksHall, key: str) -> str:
    return hall.registration(hall.registrations[key])["status"]


def test_the_awaiting_are_shown_beside_the_queue_not_in_it(screen, books_hall):
    assert names(screen) == ["Lovelace", "Okafor", "Charisse", "Tran"]  # the queue and its ranks unchanged
    assert [r.rank for r in screen.model.rows] == [1, 2, 3, 4]
    assert screen.awaiting_info.isVisible()
    line = screen.awaiting_info.text()
    assert "Awaiting re-registration (2)" in line
    # nearest deadline first: Quinn's has passed, Rosa's is tomorrow
    assert line.index("Quinn, Pat") < line.index("Parks, Rosa") and "deadline passed" in line
    assert f"href='{books_hall.members['rosa']}'" in line
    assert "Parks, Rosa (card 7000106), tier 1: re-register by" in screen.awaiting_info.toolTip()
    assert screen.reregister_action.isEnabled()


@popup_warnings
def test_reregister_by_type_ahead_gives_a_new_apn_and_the_office_on_every_book(qtbot, screen, books_hall):
    dialog = open_dialog(qtbot, screen)
    assert dialog.office_combo.currentText() == "Seattle hall"  # the workstation's office
    choose_member_by_type_ahead(qtbot, dialog, "Rosa Parks", "7000106")
    seattle, bremerton = books_hall.books["WIRE_SEATTLE"], books_hall.books["WIRE_BREMERTON"]
    assert list(dialog.book_checks) == [seattle, bremerton]
    assert all(check.isChecked() and "re-register by" in check.text() for check in dialog.book_checks.values())

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Parks" in names(screen), timeout=WAIT)
    assert not dialog.isVisible()
    rosa = next(r for r in screen.model.rows if r.last_name == "Parks")
    assert rosa.rank == 4 and rosa.tier == 1  # a new APN for today: the bottom of tier 1
    assert str(rosa.apn).startswith(str(books_hall.today.toordinal() - 693594))
    qtbot.waitUntil(lambda: "Parks" not in screen.awaiting_info.text(), timeout=WAIT)
    assert "Awaiting re-registration (1)" in screen.awaiting_info.text()
    qtbot.waitUntil(lambda: screen.selected() is not None and screen.selected().last_name == "Parks", timeout=WAIT)
    with books_hall.admin.connect() as conn:
        office = conn.execute(text("SELECT id FROM offices WHERE code = 'SEATTLE'")).scalar_one()
    for key in ("rosa", "rosa_bremerton"):
        row = books_hall.registration(books_hall.registrations[key])
        assert (row["status"], row["office_id"], row["apn"]) == ("registered", office, rosa.apn)


def test_from_the_awaiting_line_only_the_books_ticked_are_reregistered(qtbot, screen, books_hall):
    dialog = open_dialog(qtbot, screen, books_hall.members["rosa"])
    qtbot.waitUntil(lambda: len(dialog.book_checks) == 2, timeout=WAIT)
    assert "Parks, Rosa" in dialog.member_edit.text() and "card 7000106" in dialog.member_info.text()
    dialog.book_checks[books_hall.books["WIRE_BREMERTON"]].setChecked(False)

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Parks" in names(screen), timeout=WAIT)
    assert status(books_hall, "rosa") == "registered"
    assert status(books_hall, "rosa_bremerton") == "awaiting_reregistration"


def test_a_passed_deadline_is_refused_plainly_keeping_the_choice(qtbot, screen, books_hall):
    dialog = open_dialog(qtbot, screen, books_hall.members["quinn"])
    qtbot.waitUntil(lambda: len(dialog.book_checks) == 1, timeout=WAIT)
    check = dialog.book_checks[books_hall.books["WIRE_SEATTLE"]]
    assert "deadline passed" in check.text() and not check.isChecked()  # shown before trying
    check.setChecked(True)

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    book_error = dialog.errors.labels["book"]
    qtbot.waitUntil(lambda: book_error.isVisible(), timeout=WAIT)
    assert "deadline" in book_error.text() and "has passed" in book_error.text()
    assert dialog.isVisible() and dialog.save_button.isEnabled()
    assert dialog.save_button.isDefault()  # Enter tries again; it does not cancel and lose the choice
    assert dialog.member is not None and dialog.member.card_number == "7464416" and check.isChecked()
    assert status(books_hall, "quinn") == "awaiting_reregistration"


@popup_warnings
def test_nothing_awaiting_is_said_at_the_form_and_by_the_server(qtbot, screen, books_hall):
    dialog = open_dialog(qtbot, screen)
    choose_member_by_type_ahead(qtbot, dialog, "Ada Lovelace", "7000101")
    assert not dialog.book_checks and "has no registration awaiting re-registration" in dialog.books_hint.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "has no registration awaiting re-registration" in dialog.errors.labels["book"].text()
    assert dialog.isVisible()

    # Rosa is re-registered at another desk while this dialog shows her books.
    dialog.member_edit.clear_member()
    choose_member_by_type_ahead(qtbot, dialog, "Rosa Parks", "7000106")
    other = books_hall.login("dispatcher", "Desk Two")
    reregister(other.uow(), member_id=books_hall.members["rosa"], method="email")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    book_error = dialog.errors.labels["book"]
    qtbot.waitUntil(lambda: book_error.isVisible(), timeout=WAIT)
    assert "has no registration awaiting re-registration" in book_error.text()
    assert dialog.isVisible() and all(check.isChecked() for check in dialog.book_checks.values())
