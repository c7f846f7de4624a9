"""The member record against a real PostgreSQL, through real widgets: open a member, add a qualified book and a
certification to the dispatch profile, and sign the member on from the record."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import text

from tests.gui.books_hall import BooksHall, build_hall
from unioncore_desktop.gui.books.dialogs import SignOnDialog
from unioncore_desktop.gui.members.profile_dialogs import QualifiedBookDialog, SkillDialog
from unioncore_desktop.gui.members.screen import MembersScreen

WAIT = 10_000


@pytest.fixture
def books_hall(databases):
    hall = build_hall(databases)
    yield hall
    hall.close()


@pytest.fixture
def screen(qtbot, runner, ui_settings, books_hall: BooksHall):
    """A person who keeps profiles and works the books (two groups, as domain §6 allows)."""
    widget = MembersScreen(runner, books_hall.login("manager+dispatcher", "Desk Manager"), ui_settings)
    qtbot.addWidget(widget)
    widget.resize(1300, 800)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() > 0, timeout=WAIT)
    yield widget
    runner.shutdown(wait=True)


def open_member(qtbot, screen: MembersScreen, card: str) -> None:
    qtbot.keyClicks(screen.panel.search_edit, card)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1 and screen.model.rows[0].card_number == card, timeout=WAIT)
    with qtbot.waitSignal(screen.record_shown, timeout=WAIT):
        screen.panel.view.selectRow(0)


def test_the_record_shows_registrations_with_todays_rank_and_standing(qtbot, screen, books_hall):
    open_member(qtbot, screen, "7000101")  # Ada: first on WIRE SEATTLE, also on WIRE BREMERTON
    rows = {r.book_code: r for r in screen.grids.registrations.rows}
    assert rows["WIRE_SEATTLE"].position == 1 and rows["WIRE_BREMERTON"].position == 1
    assert screen.standing.isVisible() and screen.standing.balance_label.isVisible()  # a manager sees amounts
    assert [b.book_code for b in screen.profile.books_model.rows] == ["WIRE_SEATTLE", "WIRE_BREMERTON",
                                                                        "WIRE_PT_ANGELES"]


def test_add_a_qualified_book_and_a_certification_then_sign_on_from_the_record(qtbot, screen, books_hall):
    open_member(qtbot, screen, "7000106")  # Rosa: qualified for the Wire books, on none of them
    screen.tabs.setCurrentWidget(screen.profile)

    qtbot.mouseClick(screen.profile.books.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(screen.profile.dialog, QualifiedBookDialog), timeout=WAIT)
    dialog = screen.profile.dialog
    assert isinstance(dialog, QualifiedBookDialog)
    assert dialog.book_combo.findData("WIRE_SEATTLE") < 0  # held already: not offered again
    dialog.book_combo.setCurrentIndex(dialog.book_combo.findData("TRADESHOW"))
    dialog.tier_combo.setCurrentIndex(dialog.tier_combo.findData(2))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "TRADESHOW" in [b.book_code for b in screen.profile.books_model.rows], timeout=WAIT)

    qtbot.mouseClick(screen.profile.skills.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(screen.profile.dialog, SkillDialog), timeout=WAIT)
    skill = screen.profile.dialog
    assert isinstance(skill, SkillDialog)
    qtbot.mouseClick(skill.save_button, Qt.MouseButton.LeftButton)  # nothing typed: refused at the form
    assert skill.isVisible() and skill.form.nameError.isVisible()
    qtbot.keyClicks(skill.name_edit, "OSHA 30")
    qtbot.keyClicks(skill.number_edit, "OS-3030")
    skill.has_expiry.setChecked(True)
    lapsed = books_hall.today - timedelta(days=1)
    skill.expiry_edit.setDate(skill.expiry_edit.date().addDays(-1))
    qtbot.mouseClick(skill.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: [s.name for s in screen.profile.skills_model.rows] == ["OSHA 30"], timeout=WAIT)
    saved = screen.profile.skills_model.rows[0]
    assert saved.expires_on == lapsed and saved.expired  # marked expired on the record
    screen.grab().save("/tmp/member_profile.png")

    screen.tabs.setCurrentWidget(screen.registrations_panel)
    qtbot.mouseClick(screen.counter.buttons["sign_on"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(screen.counter.dialog, SignOnDialog)
                    and bool(screen.counter.dialog.book_checks), timeout=WAIT)
    sign_on = screen.counter.dialog
    assert isinstance(sign_on, SignOnDialog) and sign_on.member is not None and sign_on.member.card_number == "7000106"
    tradeshow = books_hall.books["TRADESHOW"]
    assert sign_on.tier_combos[tradeshow].currentData() == 2  # the tier just added
    sign_on.book_checks[tradeshow].setChecked(True)
    qtbot.waitUntil(sign_on.office_combo.isEnabled, timeout=WAIT)
    sign_on.office_combo.choose("SEATTLE")
    qtbot.mouseClick(sign_on.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(r.book_code == "TRADESHOW" and r.status == "registered"
                                for r in screen.grids.registrations.rows), timeout=WAIT)
    screen.grab().save("/tmp/member_record.png")


def test_a_dispatcher_sees_standing_without_amounts_and_cannot_change_the_profile(qtbot, runner, ui_settings,
                                                                                  books_hall):
    widget = MembersScreen(runner, books_hall.login("dispatcher", "Desk One"), ui_settings)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() > 0, timeout=WAIT)
    open_member(qtbot, widget, "7000101")
    assert widget.standing.isVisible() and not widget.standing.balance_label.isVisible()
    assert widget.record is not None and widget.record.standing.balance is None
    assert not widget.profile.books.add_button.isVisible() and not widget.profile.skills.add_button.isVisible()
    assert widget.counter.buttons["sign_on"].isEnabled() and not widget.counter.buttons["post_payment"].isVisible()
    widget.registrations_panel.view.selectRow(0)
    assert widget.counter.buttons["re_sign"].isEnabled()
    runner.shutdown(wait=True)


def test_a_clerk_posts_a_payment_for_the_member_from_the_record(qtbot, runner, ui_settings, books_hall):
    from unioncore_desktop.gui.dues.screen import DuesScreen
    from unioncore_desktop.gui.main_window import MainWindow

    window = MainWindow(runner, books_hall.login("dues_clerk", "Counter Clerk"), ui_settings)
    qtbot.addWidget(window)
    window.show()
    members = window.screens["members"]
    assert isinstance(members, MembersScreen)
    qtbot.waitUntil(lambda: members.model.rowCount() > 0, timeout=WAIT)
    open_member(qtbot, members, "7000102")
    assert members.standing.balance_label.isVisible()  # a clerk may see amounts
    assert not members.counter.buttons["sign_on"].isVisible()
    qtbot.mouseClick(members.counter.buttons["post_payment"], Qt.MouseButton.LeftButton)
    dues = window.screens["dues"]
    assert isinstance(dues, DuesScreen) and dues.posting is not None
    assert window.stack.currentWidget() is dues and dues.tabs.currentWidget() is dues.posting
    line = dues.posting.member_edit.member
    assert line is not None and line.card_number == "7000102"
    runner.shutdown(wait=True)


def test_the_record_grids_export_to_excel(qtbot, runner, screen, tmp_path, monkeypatch):
    import openpyxl

    from unioncore_desktop.gui import reporting

    monkeypatch.setattr(reporting, "save_folder_override", tmp_path)
    open_member(qtbot, screen, "7000101")
    qtbot.mouseClick(screen.registrations_panel.export_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(screen.profile.books.panel.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not runner.busy and len(list(tmp_path.glob("*.xlsx"))) == 2, timeout=20_000)
    registrations = next(tmp_path.glob("Member registrations – *.xlsx"))  # title – member – day
    books = next(tmp_path.glob("Member qualified books – *.xlsx"))
    sheet = openpyxl.load_workbook(registrations).worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["Book", "Status", "Rank today"]
    assert sheet.max_row == 3  # WIRE SEATTLE and WIRE BREMERTON
    assert openpyxl.load_workbook(books).worksheets[0].max_row == 4


def test_end_an_exemption_from_the_record(qtbot, screen, books_hall):
    """Ben is exempt (medical) on WIRE SEATTLE: the record ends it through the books' own action, audited in the
    registration's activity."""
    open_member(qtbot, screen, "7000102")
    screen.tabs.setCurrentWidget(screen.registrations_panel)
    screen.registrations_panel.view.selectRow(0)
    end = screen.counter.buttons["end_exemption"]
    assert end.isEnabled() and not screen.counter.buttons["exempt"].isEnabled()
    qtbot.mouseClick(end, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.grids.registrations.rows[0].exemption_reason is None, timeout=WAIT)
    saved = books_hall.registration(books_hall.registrations["ben"])
    assert saved["exemption_reason"] is None and saved["resign_due_on"] is not None
    with books_hall.admin.connect() as conn:
        action = conn.execute(text("SELECT action FROM registration_activity WHERE registration_id = :g "
                                   "ORDER BY id DESC LIMIT 1"), {"g": saved["id"]}).scalar_one()
    assert action == "exempt_end"
    screen.registrations_panel.view.selectRow(0)
    assert not end.isEnabled() and screen.counter.buttons["exempt"].isEnabled()
    screen.grab().save("/tmp/lo_shots/member_end_exemption.png")


def test_an_offer_on_the_record_opens_its_requests_offer_history(qtbot, screen, books_hall):
    with books_hall.admin.begin() as conn:
        conn.execute(text("INSERT INTO employers (name) VALUES ('Sparks Electric')"))
        conn.execute(text("INSERT INTO labor_requests (number, employer_id, book_id, workers_requested, start_on, "
                          "referral_date) SELECT 'T1', e.id, :b, 1, uc_hall_today(), uc_hall_today() "
                          "FROM employers e"), {"b": books_hall.books["WIRE_SEATTLE"]})
        conn.execute(text("INSERT INTO offer_lines (run_id, request_id, book_id, registration_id, member_id, rank, "
                          "tier, apn, skip_reason) SELECT gen_random_uuid(), r.id, r.book_id, g.id, g.member_id, 2, "
                          "1, g.apn, 'exempt' FROM labor_requests r, registrations g WHERE g.id = :g"),
                     {"g": books_hall.registrations["ben"]})
    open_member(qtbot, screen, "7000102")
    screen.tabs.setCurrentWidget(screen.grids.offers_panel)
    view = screen.grids.offers_panel.view
    assert screen.grids.offers.rowCount() == 1
    view.setFocus()
    view.setCurrentIndex(screen.grids.offers_panel.model().index(0, 0))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    dialog = screen.grids.offer_history
    assert dialog is not None and dialog.request_id is not None
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=WAIT)
    assert "T1" in dialog.windowTitle() and dialog.model.rows[0].skip_reason == "exempt"
    dialog.grab().save("/tmp/lo_shots/member_offer_history.png")
    dialog.close()
