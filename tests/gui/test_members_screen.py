"""The members screen against a real PostgreSQL, driven through real widgets with a threaded task runner."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from sqlalchemy import text

from unioncore_desktop.gui import reporting
from unioncore_desktop.gui.main_window import MainWindow
from unioncore_desktop.gui.members.screen import MembersScreen

PEOPLE = [("7464416", "John", "Smith", "(206) 555-0101"), ("7000200", "Jon", "Smithers", "(206) 555-0102"),
          ("7000202", "Maria", "Garcia", "(360) 555-0103"), ("A22555555", "Johnny", "Walker", "(425) 555-0104")]


@pytest.fixture
def hall_db(databases):
    name = databases.create()
    with databases.engine(name).begin() as conn:
        for card, first, last, phone in PEOPLE:
            conn.execute(text("INSERT INTO members (card_number, first_name, last_name, classification, phone, city) "
                              "VALUES (:c, :f, :l, 'journeyman', :p, 'Seattle')"),
                         {"c": card, "f": first, "l": last, "p": phone})
    return name, databases


@pytest.fixture
def manager_hall(hall_db, staff_login):
    return staff_login(hall_db[0], "manager")


@pytest.fixture
def screen(qtbot, runner, ui_settings, manager_hall):
    widget = MembersScreen(runner, manager_hall, ui_settings)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() == len(PEOPLE), timeout=10_000)
    return widget


def open_first(qtbot, screen: MembersScreen) -> None:
    with qtbot.waitSignal(screen.record_shown, timeout=10_000):
        screen.panel.view.selectRow(0)


def test_misspelled_search_finds_john_smith(qtbot, screen):
    qtbot.keyClicks(screen.panel.search_edit, "Jonh Smth")
    qtbot.waitUntil(lambda: screen.model.rowCount() and screen.model.rows[0].card_number == "7464416",
                    timeout=10_000)


def test_edit_save_and_see_who_changed_what(qtbot, screen, hall_db):
    qtbot.keyClicks(screen.panel.search_edit, "7464416")
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=10_000)
    open_first(qtbot, screen)
    phone = screen.form.editors["phone"]
    phone.clear()
    qtbot.keyClicks(phone, "(206) 555-0199")
    assert screen.save_button.isEnabled()
    with qtbot.waitSignal(screen.record_shown, timeout=10_000):
        qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)
    assert screen.current.phone == "(206) 555-0199" and screen.current.version == 2
    changes = [(r.field, r.old, r.new, r.changed_by) for r in screen.history_model.rows if r.action == "update"]
    assert changes == [("phone", "(206) 555-0101", "(206) 555-0199", "Test Manager")]
    assert not screen.form.is_dirty()


def test_impossible_date_is_reported_beside_the_field_and_nothing_is_saved(qtbot, screen):
    open_first(qtbot, screen)
    dob = screen.form.editors["date_of_birth"]
    dob.clear()
    qtbot.keyClicks(dob, "1980-02-30")
    qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)
    error = screen.form.errors.labels["date_of_birth"]
    assert error.isVisible() and "not a date" in error.text()
    assert dob.text() == "1980-02-30" and screen.current.version == 1


def test_duplicate_card_number_from_the_database_keeps_the_users_input(qtbot, screen):
    open_first(qtbot, screen)
    card = screen.form.editors["card_number"]
    card.clear()
    qtbot.keyClicks(card, "7000200")  # belongs to Jon Smithers
    qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.form.errors.labels["card_number"].isVisible(), timeout=10_000)
    assert "already belongs" in screen.form.errors.labels["card_number"].text()
    assert card.text() == "7000200"


def test_stale_save_is_refused_shows_what_changed_and_keeps_edits(qtbot, screen, hall_db):
    name, databases = hall_db
    open_first(qtbot, screen)
    member_id = screen.current.id
    with databases.engine(name).begin() as conn:  # another workstation saves first
        conn.execute(text("UPDATE members SET city = 'Tacoma', version = version + 1 WHERE id = :id"),
                     {"id": member_id})
    phone = screen.form.editors["phone"]
    phone.clear()
    qtbot.keyClicks(phone, "(206) 555-0177")
    qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.form.message.isVisible(), timeout=10_000)
    assert "after you opened it" in screen.form.message.text() and "Tacoma" in screen.form.message.text()
    assert phone.text() == "(206) 555-0177"
    # the form now stands on the current version: saving again succeeds and keeps both changes
    with qtbot.waitSignal(screen.record_shown, timeout=10_000):
        qtbot.mouseClick(screen.save_button, Qt.MouseButton.LeftButton)
    assert (screen.current.city, screen.current.phone, screen.current.version) == ("Tacoma", "(206) 555-0177", 3)


def test_dispatcher_may_edit_contact_details_only(qtbot, runner, ui_settings, hall_db, staff_login):
    widget = MembersScreen(runner, staff_login(hall_db[0], "dispatcher"), ui_settings)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.model.rowCount() == len(PEOPLE), timeout=10_000)
    assert widget.form.editors["card_number"].isReadOnly()
    assert not widget.form.editors["phone"].isReadOnly()
    assert not widget.new_button.isEnabled()


def test_export_to_excel_and_print_the_roster(qtbot, runner, screen, tmp_path: Path, monkeypatch, previews):
    monkeypatch.setattr(reporting, "save_folder_override", tmp_path)
    qtbot.mouseClick(screen.panel.export_button, Qt.MouseButton.LeftButton)
    assert not screen.panel.print_button.isEnabled()  # held while the workbook is built
    qtbot.waitUntil(lambda: not runner.busy, timeout=20_000)
    assert screen.panel.print_button.isEnabled()
    qtbot.mouseClick(screen.panel.print_button, Qt.MouseButton.LeftButton)
    previews.wait(pages=1).save_pdf()
    xlsx, pdf = next(tmp_path.glob("Member roster – all members – *.xlsx")), next(tmp_path.glob("Member roster*.pdf"))
    assert pdf.read_bytes().startswith(b"%PDF")
    sheet = openpyxl.load_workbook(xlsx).worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["Card", "Name", "Classification"]
    assert sheet.freeze_panes == "A2" and sheet.max_row == len(PEOPLE) + 1
    runs = screen.hall.read(lambda s: s.execute(text(
        "SELECT title, kind, run_by = session_user FROM report_runs ORDER BY kind")).all())
    assert [tuple(r) for r in runs] == [("Member roster", "pdf", True), ("Member roster", "xlsx", True)]


def test_main_window_shows_user_and_banner_on_lost_connection(qtbot, runner, ui_settings, manager_hall):
    window = MainWindow(runner, manager_hall, ui_settings)
    qtbot.addWidget(window)
    window.show()
    members = window.screens["members"]
    qtbot.waitUntil(lambda: members.model.rowCount() == len(PEOPLE), timeout=10_000)
    runner.connection_lost.emit("the server did not answer.")
    assert window.banner.isVisible() and "lost" in window.banner_label.text()
    with qtbot.waitSignal(members.loaded, timeout=10_000):
        window._on_reconnect_timer_timeout()  # the server is there: the banner goes and lists refresh
    assert not window.banner.isVisible()
    window._reconnect_timer.stop()


def test_about_dialog_from_the_compiled_form(qtbot, runner, ui_settings, manager_hall):
    window = MainWindow(runner, manager_hall, ui_settings)
    qtbot.addWidget(window)
    dialog = window.show_about()
    assert manager_hall.facts.head in dialog.form.schemaLabel.text()
    assert "Test Manager" in dialog.form.userLabel.text()
    dialog.close()


def test_the_area_starts_in_its_search_and_ctrl_f_and_down_reach_the_list_anywhere(qtbot, runner, ui_settings,
                                                                                    hall_db, staff_login):
    window = MainWindow(runner, staff_login(hall_db[0], "dispatcher"), ui_settings)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    members = window.screens["members"]
    qtbot.waitUntil(lambda: members.model.rowCount() == len(PEOPLE), timeout=10_000)
    qtbot.waitUntil(lambda: members.panel.search_edit.hasFocus(), timeout=5_000)  # not the navigation list
    assert not window.nav.hasFocus()

    qtbot.keyClick(members.panel.search_edit, Qt.Key.Key_Down)  # from the search into the results
    assert members.panel.view.hasFocus() and members.panel.view.currentIndex().row() == 0

    employers = window.open_area("employers")
    qtbot.keyClick(window.nav, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)  # Ctrl+F outside Books too
    assert employers.panel.search_edit.hasFocus()
    window.open_area("members")
    members.panel.view.setFocus()
    qtbot.keyClick(members.panel.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert members.panel.search_edit.hasFocus()
    requests = window.open_area("requests")  # a request is typed from its first field
    assert requests.form.employer.hasFocus()
    window.nav.setFocus()  # arrowing through the areas stays in the list; Enter goes into the area
    qtbot.keyClick(window.nav, Qt.Key.Key_Up)
    assert window.nav.hasFocus() and window.stack.currentWidget() is window.screens["books"]
    qtbot.keyClick(window.nav, Qt.Key.Key_Return)
    assert window.screens["books"].panel.search_edit.hasFocus()


def test_names_are_shown_whole_and_nothing_chosen_shows_no_blank_form(qtbot, runner, ui_settings, hall_db,
                                                                       staff_login):
    with hall_db[1].engine(hall_db[0]).begin() as conn:
        for card, first in (("7000301", "Alexandra Catherine"), ("7000302", "Alexander Christopher")):
            conn.execute(text("INSERT INTO members (card_number, first_name, last_name, classification) "
                              "VALUES (:c, :f, 'Armstrong-Fitzgerald', 'journeyman')"), {"c": card, "f": first})
    widget = MembersScreen(runner, staff_login(hall_db[0], "dispatcher"), ui_settings)
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() == len(PEOPLE) + 2, timeout=10_000)
    view = widget.panel.view
    assert view.columnWidth(1) >= view.sizeHintForColumn(1)  # "Armstrong-Fitzgerald, Alexand…" twice no more
    # nothing chosen: a sentence saying what to do, no form that looks like a new member
    assert widget.details_stack.currentWidget() is widget.placeholder
    assert not widget.form.isVisible() and "New member" not in widget.title.text()
    assert "Choose a member" in widget.placeholder.text() and "New member" not in widget.placeholder.text()
    with qtbot.waitSignal(widget.record_shown, timeout=10_000):
        view.selectRow(0)
    assert widget.details_stack.currentWidget() is not widget.placeholder and widget.form.isVisible()


def test_quit_switch_area_and_switch_user_ask_before_typed_work_is_lost(qtbot, runner, ui_settings, manager_hall,
                                                                        message_recorder):
    window = MainWindow(runner, manager_hall, ui_settings)
    qtbot.addWidget(window)
    window.show()
    requests = window.open_area("requests")
    requests.form.wage.setText("58.25")  # a half-typed request
    message_recorder.answer = False
    assert not window.close()  # Ctrl+Q: kept
    assert window.isVisible() and requests.form.wage.text() == "58.25"
    window.nav.setCurrentRow(list(window.screens).index("members"))  # another area: kept, still here
    assert window.stack.currentWidget() is requests and window.nav.currentRow() == list(window.screens).index(
        "requests")
    switched = []
    window.switch_user_requested.connect(lambda: switched.append(True))
    window._on_switch_user_triggered()
    assert switched == [] and requests.form.wage.text() == "58.25"
    assert message_recorder.kinds() == ["question"] * 3

    message_recorder.answer = True  # "Discard it?" Yes: dropped once, and not asked again
    window._on_switch_user_triggered()
    assert switched == [True] and requests.form.wage.text() == ""
    message_recorder.clear()
    window.open_area("members")
    assert window.stack.currentWidget() is window.screens["members"] and message_recorder.kinds() == []
