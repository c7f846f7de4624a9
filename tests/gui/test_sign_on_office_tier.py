"""The sign-on dialog's office and tier choices against a real PostgreSQL: the workstation's office is picked
once and remembered for every login on the PC (R1), and each ticked book is signed at the qualified tier or a
lower-priority one (R5)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from sqlalchemy import text

from tests.gui.books_hall import BooksHall, build_hall
from tests.gui.test_books_screen import choose_member_by_type_ahead, names, open_screen
from unioncore_desktop.gui.books.dialogs import SignOnDialog
from unioncore_desktop.gui.books.screen import BooksScreen
from unioncore_desktop.gui.settings import UiSettings

WAIT = 10_000
popup_warnings = pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")


@pytest.fixture
def books_hall(databases):
    hall = build_hall(databases)
    hall.add_member("zoe", "7000107", "Zoe", "Alvarez", {"WIRE_SEATTLE": 2, "WIRE_BREMERTON": 1})
    yield hall
    hall.close()


@pytest.fixture
def screen(qtbot, runner, ui_settings, books_hall: BooksHall):
    widget = open_screen(qtbot, runner, ui_settings, books_hall.login("dispatcher", "Desk One"))
    yield widget
    runner.shutdown(wait=True)


def offices(books_hall: BooksHall) -> dict[str, int]:
    with books_hall.admin.connect() as conn:
        return dict(conn.execute(text("SELECT code, id FROM offices")).all())


def open_sign_on(qtbot, screen: BooksScreen) -> SignOnDialog:
    dialog = screen.sign_on()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.office_combo.isEnabled(), timeout=WAIT)
    return dialog


def tiers_offered(dialog: SignOnDialog, book_id: int) -> list[int]:
    combo = dialog.tier_combos[book_id]
    return [combo.itemData(i) for i in range(combo.count())]


@popup_warnings
def test_office_and_lower_tier_are_stamped_on_the_registrations(qtbot, screen, books_hall, ui_settings):
    seattle, bremerton = books_hall.books["WIRE_SEATTLE"], books_hall.books["WIRE_BREMERTON"]
    dialog = open_sign_on(qtbot, screen)
    assert dialog.office_combo.currentText() == "Not recorded"  # two offices, none remembered yet
    choose_member_by_type_ahead(qtbot, dialog, "Zoe Alvarez", "7000107")

    assert tiers_offered(dialog, seattle) == [2, 3, 4]  # qualified tier 2: never tier 1
    assert tiers_offered(dialog, bremerton) == [1, 2, 3, 4]
    assert dialog.tier_combos[seattle].currentText() == "Tier 2 (qualified)"
    assert dialog.tier_combos[seattle].isEnabled() and not dialog.tier_combos[bremerton].isEnabled()
    dialog.book_checks[bremerton].setChecked(True)
    assert dialog.tier_combos[bremerton].isEnabled()

    dialog.tier_combos[seattle].setFocus()
    qtbot.keyClicks(dialog.tier_combos[seattle], "Tier 3")
    assert dialog.tier_combos[seattle].currentData() == 3
    dialog.office_combo.setFocus()
    qtbot.keyClicks(dialog.office_combo, "Brem")  # keyboard search, as a dispatcher would pick it
    assert dialog.office_combo.currentText() == "Bremerton office"
    assert ui_settings.workstation_office() == "BREMERTON"

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Alvarez" in names(screen), timeout=WAIT)
    row = next(r for r in screen.model.rows if r.last_name == "Alvarez")
    assert row.tier == 3 and screen.model.rows[-1] is row  # tier 3: below everyone in tiers 1 and 2
    with books_hall.admin.connect() as conn:
        stamped = {r.book_id: (r.tier, r.office_id) for r in conn.execute(text(
            "SELECT book_id, tier, office_id FROM registrations WHERE member_id = :m"),
            {"m": books_hall.members["zoe"]})}
    office = offices(books_hall)["BREMERTON"]
    assert stamped == {seattle: (3, office), bremerton: (1, office)}


def test_the_workstation_office_is_remembered_for_every_login_on_the_pc(qtbot, screen, ui_settings, runner,
                                                                         books_hall):
    dialog = open_sign_on(qtbot, screen)
    dialog.office_combo.setFocus()
    qtbot.keyClicks(dialog.office_combo, "Seat")
    assert dialog.office_combo.currentText() == "Seattle hall"
    dialog.reject()

    again = open_sign_on(qtbot, screen)
    assert again.office_combo.currentText() == "Seattle hall"
    assert again.office_combo.office_id() == offices(books_hall)["SEATTLE"]
    # another staff member logging in at the same PC gets the same office
    assert UiSettings("dispatcher2", QSettings()).workstation_office() == "SEATTLE"


@popup_warnings
def test_a_tier_the_member_no_longer_qualifies_for_is_refused_beside_the_tiers_keeping_the_input(
        qtbot, screen, books_hall):
    seattle = books_hall.books["WIRE_SEATTLE"]
    dialog = open_sign_on(qtbot, screen)
    choose_member_by_type_ahead(qtbot, dialog, "Zoe Alvarez", "7000107")
    assert dialog.tier_combos[seattle].currentData() == 2
    dialog.office_combo.choose("SEATTLE")
    # Meanwhile the member's qualification on the book is lowered to tier 3.
    with books_hall.admin.begin() as conn:
        conn.execute(text("UPDATE member_qualified_books SET tier = 3 WHERE member_id = :m AND book_code = "
                          "'WIRE_SEATTLE'"), {"m": books_hall.members["zoe"]})

    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    tier_error = dialog.errors.labels["tier"]
    qtbot.waitUntil(lambda: tier_error.isVisible(), timeout=WAIT)
    assert "tier 3 or lower, not tier 2" in tier_error.text()
    assert dialog.isVisible() and dialog.save_button.isEnabled() and dialog.save_button.isDefault()
    assert dialog.member is not None and dialog.book_checks[seattle].isChecked()
    assert dialog.tier_combos[seattle].currentData() == 2
    assert "Alvarez" not in names(screen)


@popup_warnings
def test_in_person_without_an_office_is_refused_at_the_form_and_the_remembered_office_comes_up_chosen(
        qtbot, screen, books_hall, ui_settings):
    """R1: the hall has two offices; in person names one (the form says so beside the office), e-mail needs none."""
    dialog = open_sign_on(qtbot, screen)
    choose_member_by_type_ahead(qtbot, dialog, "Zoe Alvarez", "7000107")
    assert dialog.method_combo.currentData() == "in_person" and dialog.office_combo.office_id() is None
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    office_error = dialog.errors.labels["office_id"]
    assert office_error.isVisible() and "Choose the office the member came to" in office_error.text()
    assert dialog.isVisible() and dialog.member is not None
    dialog.grab().save("/tmp/lo_shots/sign_on_office_refused.png")
    dialog.method_combo.setCurrentIndex(dialog.method_combo.findData("email"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Alvarez" in names(screen), timeout=WAIT)

    ui_settings.set_workstation_office("BREMERTON")
    again = open_sign_on(qtbot, screen)
    assert again.office_combo.currentText() == "Bremerton office"  # the workstation's office, chosen already
    again.reject()
