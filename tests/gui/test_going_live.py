"""A hall goes live through the real windows, from an empty server to its first morning referral: no SQL and no
seed build anything here. `unioncore db upgrade` and `unioncore staff add --role admin` make an empty hall with one
admin login; the admin adds the hall's manager (who also dispatches) in File → Staff logins; that person sets up
the hall (settings, an office, a holiday, a contract code, two books, an employer with a worksite and a contract),
adds two members with their qualified books and a certification, signs both on and takes a labor request in the
afternoon. The next morning, in a new window, the request is worked: both accept, and the employer turns the second
away, recorded on the Dispatched tab with its reason.

The server runs under a clock the test moves (tests/clock_server.py): a request is worked at the next business
morning's referral (R3), so the afternoon and the morning are two real days to the server."""

from __future__ import annotations

import io
from collections.abc import Iterator
import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import create_engine, text

from tests.clock_server import ClockServer, clock_server
from tests.gui.test_hall_setup import replace_text
from tests.gui.test_requests_screen import pick, tab
from unioncore_desktop import cli
from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.db.connection import connect as connect_hall
from unioncore_desktop.db.profile import ConnectionProfile
from unioncore_desktop.gui.books.dialogs import SignOnDialog
from unioncore_desktop.gui.books.screen import BooksScreen
from unioncore_desktop.gui.books.setup import ManageBooksDialog
from unioncore_desktop.gui.employers.dialogs import ContractDialog, EmployerDialog, WorksiteDialog
from unioncore_desktop.gui.employers.screen import EmployersScreen
from unioncore_desktop.gui.main_window import MainWindow
from unioncore_desktop.gui.members.profile_dialogs import QualifiedBookDialog, SkillDialog
from unioncore_desktop.gui.members.screen import MembersScreen
from unioncore_desktop.gui.referral.screen import ReferralScreen
from unioncore_desktop.gui.requests.screen import RequestsScreen
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.setup.dialogs import ContractCodeDialog, HallSettingsDialog, HolidayDialog, OfficeDialog
from unioncore_desktop.gui.setup.screen import SetupScreen
from unioncore_desktop.gui.staff.dialogs import StaffLoginDialog
from unioncore_desktop.gui.staff.screen import StaffDialog
from unioncore_desktop.gui.tasks import TaskRunner

WAIT = 15_000
ZONE = "America/Chicago"
SHOTS = Path("/tmp/uc_going_live")

# Type-ahead popups on the offscreen test platform: it can neither raise a window nor grab the keyboard.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise", "does not support grabbing the keyboard")


def shoot(widget, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


def next_tuesday(after: date) -> date:
    return after + timedelta(days=(1 - after.weekday()) % 7 or 7)


@pytest.fixture
def server(tmp_path_factory, pg_server) -> Iterator[ClockServer]:
    # pg_server first: the suite's own server must not start under this one's clock
    with clock_server(tmp_path_factory.mktemp("clock") / "data") as started:
        yield started


@pytest.fixture
def empty_hall(server: ClockServer, monkeypatch, pg_server) -> str:
    """`unioncore db upgrade` on an empty database, then the first admin, as the README says."""
    name = f"uc_live_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.sqlalchemy_url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = server.sqlalchemy_url(name)
    assert cli.main(["--url", url, "db", "upgrade"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("Hall-admin-2026\n"))
    assert cli.main(["--url", url, "staff", "add", "hall_admin", "--role", "admin", "--full-name", "Avery Admin",
                     "--password-stdin"]) == 0
    return name


class Desk:
    """One person at one workstation: logs in, opens the main window, and drives it."""

    def __init__(self, qtbot, server: ClockServer, database: str, login: str, password: str) -> None:
        self.qtbot = qtbot
        self.runner = TaskRunner()
        profile = ConnectionProfile.from_url(server.sqlalchemy_url(database, login))
        self.hall: HallConnection = connect_hall(profile, password)
        self.window = MainWindow(self.runner, self.hall, UiSettings(login))
        qtbot.addWidget(self.window)
        self.window.show()
        self.idle()

    def idle(self) -> None:
        self.qtbot.waitUntil(lambda: not self.runner.busy, timeout=WAIT)

    def area(self, key: str):
        screen = self.window.open_area(key)
        self.idle()
        return screen

    def close(self) -> None:
        self.runner.shutdown(wait=True)
        self.window.close()
        self.hall.close()


@pytest.fixture
def desks(qtbot):
    opened: list[Desk] = []

    def open_desk(*args) -> Desk:
        desk = Desk(qtbot, *args)
        opened.append(desk)
        return desk

    yield open_desk
    for desk in opened:
        desk.runner.shutdown(wait=True)
        desk.hall.close()


def shown(qtbot, parent, kind):
    """The one visible dialog of `kind` over `parent`."""
    def visible():
        return [dialog for dialog in parent.findChildren(kind) if dialog.isVisible()]

    qtbot.waitUntil(lambda: len(visible()) == 1, timeout=WAIT)
    return visible()[0]


def press(qtbot, widget, key: Qt.Key, modifier=Qt.KeyboardModifier.ControlModifier) -> None:
    """A shortcut typed where the user would type it: its window active, the widget focused."""
    window = widget.window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)
    widget.setFocus()
    qtbot.keyClick(widget, key, modifier)


def closes(qtbot, dialog) -> None:
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)


def missing(setup: SetupScreen) -> set[str]:
    assert setup.checklist.checklist is not None
    return {item.key for item in setup.checklist.checklist.missing}


# --- the steps -------------------------------------------------------------------------------------------------


def add_manager(qtbot, admin: Desk, login: str, password: str) -> None:
    assert admin.window.stack.currentWidget() is admin.window.screens["setup"]  # first run: the checklist
    assert admin.window.staff_action is not None
    admin.window.staff_action.trigger()
    staff = shown(qtbot, admin.window, StaffDialog)
    qtbot.waitUntil(lambda: staff.model.rowCount() == 1, timeout=WAIT)
    press(qtbot, staff.table, Qt.Key.Key_N)
    add = staff.child
    assert isinstance(add, StaffLoginDialog)
    qtbot.keyClicks(add.full_name_edit, "Morgan Reyes")
    qtbot.keyClicks(add.login_edit, login)
    add.role_boxes["manager"].setChecked(True)
    add.role_boxes["dispatcher"].setChecked(True)
    qtbot.keyClicks(add.password_edit, password)
    qtbot.keyClicks(add.confirm_edit, password)
    with qtbot.waitSignal(add.accepted, timeout=WAIT):
        qtbot.keyClick(add.confirm_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: staff.selected() is not None and staff.selected().login == login, timeout=WAIT)
    assert set(staff.selected().roles) == {"manager", "dispatcher"}
    shoot(staff, "01_staff_added")
    staff.close()


def hall_settings(qtbot, desk: Desk, setup: SetupScreen) -> None:
    setup.settings_button.click()
    dialog = shown(qtbot, setup, HallSettingsDialog)
    replace_text(qtbot, dialog.name_edit, "IBEW Local 112")
    qtbot.keyClicks(dialog.address_edit, "4120 W Main St, Springfield IL 62704")
    replace_text(qtbot, dialog.phone_edit, "(217) 555-0112")
    dialog.zone_box.setCurrentText(ZONE)
    qtbot.keyClick(dialog.phone_edit, Qt.Key.Key_Return)
    closes(qtbot, dialog)
    qtbot.waitUntil(lambda: "hall" not in missing(setup), timeout=WAIT)


def add_office(qtbot, setup: SetupScreen) -> None:
    setup.open_step("offices")
    offices = setup.offices
    press(qtbot, offices.panel.view, Qt.Key.Key_N)
    dialog = shown(qtbot, offices, OfficeDialog)
    qtbot.keyClicks(dialog.edits["code"], "spfd")
    for name, value in (("name", "Springfield hall"), ("region", "Central"), ("opens_at", "7:00"),
                        ("closes_at", "16:30")):
        replace_text(qtbot, dialog.edits[name], value)
    qtbot.keyClick(dialog.edits["closes_at"], Qt.Key.Key_Return)
    closes(qtbot, dialog)
    qtbot.waitUntil(lambda: "offices" not in missing(setup), timeout=WAIT)


def add_holiday(qtbot, setup: SetupScreen, day: date) -> None:
    setup.open_step("holidays")
    calendar = setup.holidays
    qtbot.waitUntil(lambda: calendar.shown_year is not None, timeout=WAIT)
    if calendar.year != day.year:
        calendar.year_box.setValue(day.year)
    press(qtbot, calendar.panel.view, Qt.Key.Key_N)
    dialog = shown(qtbot, calendar, HolidayDialog)
    qtbot.keyClicks(dialog.day_edit, f"{day:%Y-%m-%d}")
    qtbot.keyClick(dialog.day_edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(dialog.name_edit, "Christmas Day")
    qtbot.keyClick(dialog.name_edit, Qt.Key.Key_Return)
    closes(qtbot, dialog)
    qtbot.waitUntil(lambda: "holidays" not in missing(setup), timeout=WAIT)


def add_contract_code(qtbot, setup: SetupScreen) -> None:
    setup.open_step("contract_codes")
    codes = setup.contract_codes
    press(qtbot, codes.panel.view, Qt.Key.Key_N)
    dialog = shown(qtbot, codes, ContractCodeDialog)
    qtbot.keyClicks(dialog.code_edit, "inside")
    qtbot.keyClicks(dialog.description_edit, "Inside wireman agreement")
    qtbot.keyClick(dialog.description_edit, Qt.Key.Key_Return)
    closes(qtbot, dialog)
    qtbot.waitUntil(lambda: codes.model.row_by_id("INSIDE") is not None, timeout=WAIT)


def add_books(qtbot, desk: Desk, today: date) -> dict[str, int]:
    books = desk.area("books")
    assert isinstance(books, BooksScreen)
    books.manage_action.trigger()
    qtbot.waitUntil(lambda: isinstance(books._dialog, ManageBooksDialog), timeout=WAIT)
    dialog = books._dialog
    assert isinstance(dialog, ManageBooksDialog)
    qtbot.waitUntil(lambda: dialog.view is not None, timeout=WAIT)
    added: dict[str, int] = {}
    for code, name, slot in (("inside", "Inside Wireman", "8:00"), ("tech", "Technician", "9:00")):
        press(qtbot, dialog.table, Qt.Key.Key_N)
        f = dialog.form
        qtbot.keyClicks(f.code, code)
        qtbot.keyClicks(f.name, name)
        qtbot.keyClicks(f.classification, "Journeyman")
        qtbot.keyClicks(f.morning_slot, slot)
        f.contract_code.setCurrentIndex(f.contract_code.findData("INSIDE"))
        assert f.rules_from.text() == f"{today:%Y-%m-%d}"
        with qtbot.waitSignal(dialog.saved, timeout=WAIT) as saved:
            qtbot.keyClick(f.morning_slot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        added[code.upper()] = saved.args[0].id
    qtbot.waitUntil(lambda: [r.code for r in dialog.model.rows] == ["INSIDE", "TECH"], timeout=WAIT)
    shoot(dialog, "05_books")
    dialog.close()
    return added


def add_employer(qtbot, desk: Desk) -> None:
    employers = desk.area("employers")
    assert isinstance(employers, EmployersScreen)

    def open_dialog(button):
        with qtbot.waitSignal(employers.dialog_opened, timeout=WAIT) as opened:
            button.click()
        return opened.args[0]

    def fill(dialog, **values: str) -> None:
        for name, value in values.items():
            replace_text(qtbot, dialog.editors[name], value)

    dialog = open_dialog(employers.new_button)
    assert isinstance(dialog, EmployerDialog)
    fill(dialog, name="Prairie Electric", city="Springfield", state="IL", phone="(217) 555-0190")
    with qtbot.waitSignal(employers.record_shown, timeout=WAIT):
        dialog.save_button.click()
    employers.tabs.setCurrentWidget(employers.worksites)
    dialog = open_dialog(employers.worksites.add_button)
    assert isinstance(dialog, WorksiteDialog)
    fill(dialog, name="Capitol Complex", region="Central", report_to="Gate B, ask for Lou")
    with qtbot.waitSignal(employers.record_shown, timeout=WAIT):
        dialog.save_button.click()
    employers.tabs.setCurrentWidget(employers.contracts)
    qtbot.waitUntil(lambda: bool(employers.codes), timeout=WAIT)
    dialog = open_dialog(employers.contracts.add_button)
    assert isinstance(dialog, ContractDialog)
    combo = dialog.editors["contract_code"]
    combo.setCurrentIndex(combo.findData("INSIDE"))
    fill(dialog, effective_on="2026-06-01")
    assert combo.currentData() == "INSIDE", [combo.itemData(i) for i in range(combo.count())]
    with qtbot.waitSignal(employers.record_shown, timeout=WAIT):
        dialog.save_button.click()
    assert [w.name for w in employers.worksites.model.rows] == ["Capitol Complex"]
    assert len(employers.contracts.model.rows) == 1
    shoot(employers, "06_employer")


def add_member(qtbot, desk: Desk, card: str, first: str, last: str, phone: str) -> None:
    members = desk.area("members")
    assert isinstance(members, MembersScreen)
    members.new_button.click()
    editors = members.form.editors
    for name, value in (("card_number", card), ("first_name", first), ("last_name", last), ("phone", phone),
                        ("date_of_birth", "1984-05-17")):
        replace_text(qtbot, editors[name], value)
    for name, value in (("classification", "journeyman"), ("status", "active"), ("card_type", "A")):
        editors[name].setCurrentIndex(editors[name].findData(value))
    with qtbot.waitSignal(members.record_shown, timeout=WAIT):
        members.save_button.click()
    qtbot.waitUntil(lambda: members.current is not None and members.current.card_number == card, timeout=WAIT)
    qtbot.waitUntil(lambda: card in [r.card_number for r in members.model.rows], timeout=WAIT)  # and in the list


def qualify(qtbot, members: MembersScreen, book_code: str) -> None:
    profile = members.profile
    members.tabs.setCurrentWidget(profile)
    profile.books.add_button.click()
    dialog = shown(qtbot, members, QualifiedBookDialog)
    dialog.book_combo.setCurrentIndex(dialog.book_combo.findData(book_code))
    dialog.tier_combo.setCurrentIndex(dialog.tier_combo.findData(1))
    dialog.save_button.click()
    qtbot.waitUntil(lambda: book_code in [b.book_code for b in profile.books_model.rows], timeout=WAIT)


def certify(qtbot, members: MembersScreen, name: str, number: str) -> None:
    profile = members.profile
    members.tabs.setCurrentWidget(profile)
    profile.skills.add_button.click()
    dialog = shown(qtbot, members, SkillDialog)
    qtbot.keyClicks(dialog.name_edit, name)
    qtbot.keyClicks(dialog.number_edit, number)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: name in [s.name for s in profile.skills_model.rows], timeout=WAIT)


def sign_on(qtbot, members: MembersScreen, book_id: int) -> None:
    members.tabs.setCurrentWidget(members.registrations_panel)
    members.counter.buttons["sign_on"].click()
    dialog = shown(qtbot, members.window(), SignOnDialog)
    qtbot.waitUntil(lambda: bool(dialog.book_checks), timeout=WAIT)
    dialog.book_checks[book_id].setChecked(True)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: any(r.book_id == book_id and r.status == "registered"
                                for r in members.grids.registrations.rows), timeout=WAIT)


def take_request(qtbot, desk: Desk, start_on: date) -> int:
    requests = desk.area("requests")
    assert isinstance(requests, RequestsScreen)
    form = requests.form
    qtbot.waitUntil(lambda: form.book.count() > 1, timeout=WAIT)
    desk.window.activateWindow()
    qtbot.waitUntil(desk.window.isActiveWindow, timeout=WAIT)
    pick(qtbot, form.employer, "Prairie")
    tab(qtbot, requests)
    qtbot.waitUntil(lambda: form.worksite.count() > 1, timeout=WAIT)
    qtbot.keyClicks(form.worksite, "Capitol")
    form.book.setCurrentIndex(next(i for i in range(form.book.count()) if "Inside Wireman" in form.book.itemText(i)))
    form.job_class.setFocus()
    qtbot.keyClicks(form.job_class, "Journeyman inside wireman")
    form.workers.selectAll()
    qtbot.keyClicks(form.workers, "2")
    qtbot.keyClicks(form.wage, "46.10")
    qtbot.keyClicks(form.start_on, start_on.isoformat())
    qtbot.keyClicks(form.start_time, "0700")
    qtbot.keyClicks(form.duration, "40")
    with qtbot.waitSignal(requests.saved, timeout=WAIT) as saved:
        qtbot.keyClick(form.duration, Qt.Key.Key_Return)
    detail = saved.args[0]
    qtbot.waitUntil(lambda: [r.number for r in requests.model.rows] == [detail.number], timeout=WAIT)
    assert f"Worked at the referral of {detail.referral_date:%a %d %b %Y}" in requests.result.text()
    shoot(requests, "09_request")
    return detail.id


def answer(qtbot, referral: ReferralScreen, expected: str) -> None:
    qtbot.waitUntil(lambda: referral.view is not None and referral.view.preview.next is not None
                    and referral.view.preview.next.member_name == expected, timeout=WAIT)
    referral.activateWindow()
    qtbot.waitUntil(referral.isActiveWindow, timeout=WAIT)
    referral.walk_view.setFocus()
    with qtbot.waitSignal(referral.answered, timeout=WAIT) as answered:
        qtbot.keyClick(referral.walk_view, Qt.Key.Key_A)
    assert answered.args[0].outcome == "accepted"


def employer_rejects(qtbot, referral: ReferralScreen, member: str, reason: str):
    referral.tabs.setCurrentWidget(referral.dispatched)
    qtbot.waitUntil(lambda: any(r.member_name == member and r.status == "dispatched"
                                for r in referral.dispatch_model.rows), timeout=WAIT)
    row = next(i for i, r in enumerate(referral.dispatch_model.rows) if r.member_name == member)
    referral.panel.view.selectRow(row)
    referral.reject_button.click()
    qtbot.waitUntil(lambda: referral.dialog is not None and referral.dialog.isVisible(), timeout=WAIT)
    dialog = referral.dialog
    qtbot.keyClicks(dialog.reason, reason)
    with qtbot.waitSignal(referral.dispatched.undone, timeout=WAIT) as undone:
        dialog.ok_button.click()
    closes(qtbot, dialog)
    return undone.args[0]


# --- the whole way ---------------------------------------------------------------------------------------------


def test_a_hall_goes_live_from_an_empty_server_to_its_first_morning_referral(qtbot, server, empty_hall, desks):
    zone = ZoneInfo(ZONE)
    tuesday = next_tuesday(date.today())
    wednesday, thursday = tuesday + timedelta(days=1), tuesday + timedelta(days=2)
    server.set_now(datetime.combine(tuesday, time(10, 0), zone))  # Tuesday morning: the hall sets itself up
    manager_login, manager_password = "mreyes", "Springfield-Desk-7"

    admin = desks(server, empty_hall, "hall_admin", "Hall-admin-2026")
    add_manager(qtbot, admin, manager_login, manager_password)
    admin.close()

    desk = desks(server, empty_hall, manager_login, manager_password)
    setup = desk.window.screens["setup"]
    assert isinstance(setup, SetupScreen)
    qtbot.waitUntil(lambda: desk.window.stack.currentWidget() is setup and setup.checklist.checklist is not None,
                    timeout=WAIT)
    assert {"hall", "offices", "books", "holidays"} <= missing(setup)
    shoot(desk.window, "02_checklist_empty")
    hall_settings(qtbot, desk, setup)
    add_office(qtbot, setup)
    add_holiday(qtbot, setup, date(tuesday.year, 12, 25) if tuesday < date(tuesday.year, 12, 20)
                else date(tuesday.year + 1, 1, 1))
    add_contract_code(qtbot, setup)
    shoot(desk.window, "03_setup_done_but_books")
    books = add_books(qtbot, desk, tuesday)
    desk.area("setup")
    qtbot.waitUntil(lambda: not missing(setup), timeout=WAIT)
    shoot(desk.window, "04_checklist_complete")
    add_employer(qtbot, desk)

    members = desk.window.screens["members"]
    assert isinstance(members, MembersScreen)
    for card, first, last, phone in (("4410021", "Jordan", "Okafor", "(217) 555-0141"),
                                     ("4410022", "Casey", "Lindqvist", "(217) 555-0142")):
        add_member(qtbot, desk, card, first, last, phone)
        qualify(qtbot, members, "INSIDE")
        qualify(qtbot, members, "TECH")
        if card == "4410021":
            certify(qtbot, members, "OSHA 30", "OS-30-4410021")
        sign_on(qtbot, members, books["INSIDE"])
    shoot(desk.window, "08_member_record")
    # the afternoon: a request taken at 13:30 is worked at Wednesday's referral (R3)
    server.set_now(datetime.combine(tuesday, time(13, 30), zone))
    request_id = take_request(qtbot, desk, thursday)
    desk.close()

    # Wednesday morning: the dispatcher opens the app and works the referral
    server.set_now(datetime.combine(wednesday, time(7, 30), zone))
    morning = desks(server, empty_hall, manager_login, manager_password)
    referral = morning.area("referral")
    assert isinstance(referral, ReferralScreen)
    qtbot.waitUntil(lambda: referral.today == wednesday and referral.tree.topLevelItemCount() > 0, timeout=WAIT)
    assert referral.select_request(request_id)
    qtbot.waitUntil(lambda: referral.view is not None and referral.view.request.id == request_id, timeout=WAIT)
    answer(qtbot, referral, "Okafor, Jordan")
    answer(qtbot, referral, "Lindqvist, Casey")
    rejected = employer_rejects(qtbot, referral, "Lindqvist, Casey", "Not on the site's badge list")
    assert rejected.status == "rejected" and rejected.note == "Not on the site's badge list"
    qtbot.waitUntil(lambda: {(r.member_name, r.status) for r in referral.dispatch_model.rows} == {
        ("Okafor, Jordan", "dispatched"), ("Lindqvist, Casey", "rejected")}, timeout=WAIT)
    shoot(morning.window, "10_dispatched")
    QApplication.processEvents()

    # what the hall's books now say, read back as the owner would audit it
    engine = create_engine(server.sqlalchemy_url(empty_hall))
    with engine.connect() as conn:
        dispatches = conn.execute(text(
            "SELECT m.card_number, d.status, d.note FROM dispatches d JOIN members m ON m.id = d.member_id "
            "ORDER BY d.id")).all()
        places = conn.execute(text(
            "SELECT m.card_number, r.status FROM registrations r JOIN members m ON m.id = r.member_id "
            "ORDER BY m.card_number")).all()
        marks = conn.execute(text("SELECT count(*) FROM check_marks")).scalar_one()
        writers = dict(conn.execute(text("SELECT db_user, array_agg(DISTINCT table_name ORDER BY table_name) "
                                         "FROM audit_log GROUP BY db_user")).all())
        dispatched_on = conn.execute(text("SELECT DISTINCT (dispatched_at AT TIME ZONE :z)::date FROM dispatches"),
                                     {"z": ZONE}).scalars().all()
    engine.dispose()
    assert [tuple(d) for d in dispatches] == [("4410021", "dispatched", None),
                                             ("4410022", "rejected", "Not on the site's badge list")]
    assert [tuple(p) for p in places] == [("4410021", "dispatched"), ("4410022", "registered")]
    assert marks == 0  # an employer's rejection earns no mark
    assert dispatched_on == [wednesday]
    # every write under a real staff login and audited; the owner only migrated and made the first admin
    assert writers["postgres"] == ["app_settings", "staff"] and writers["hall_admin"] == ["staff"]
    assert {"app_settings", "offices", "holidays", "books", "employers", "worksites", "employer_contracts", "members",
            "member_qualified_books", "member_skills", "registrations", "labor_requests", "dispatches"} <= set(
        writers[manager_login])
    morning.close()
