"""The Requests screen against a real PostgreSQL: a request entered from the keyboard alone shows the referral
date the domain computed (R3, skipping a holiday); a by-name request without the attestation is refused
beside the field and keeps the input; cancelling needs a reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from unioncore_desktop.db.connection import connect
from unioncore_desktop.db.profile import ConnectionProfile
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.rules.calendar import BusinessCalendar
from unioncore_desktop.domain.rules.referral import referral_date
from unioncore_desktop.domain.services.referral_context import holidays
from unioncore_desktop.gui import events
from unioncore_desktop.gui.requests.screen import RequestsScreen
from unioncore_desktop.seed.books import insert_books

# card, first, last, phone, exempt: the walk order on WIRE SEATTLE is the order of this list
PEOPLE = [
    ("7100001", "Ada", "Adams", "(206) 555-0101", "medical"),
    ("7100002", "Ben", "Baker", "(206) 555-0102", None),
    ("7100003", "Cora", "Carter", "(206) 555-0103", None),
    ("7100004", "Dev", "Diaz", "(206) 555-0104", None),
    ("7100005", "Eli", "Evans", "(206) 555-0105", None),
]
# Type-ahead popups on the offscreen test platform: it can neither raise a window nor grab the keyboard.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise", "does not support grabbing the keyboard")

FOREPERSON = ("7100009", "Fay", "Foster", "(206) 555-0109")


@dataclass
class Hall:
    name: str
    databases: object
    books: dict[str, int]
    employer_id: int
    worksite_id: int
    members: dict[str, int]  # last name -> id
    registrations: dict[str, int]  # last name -> registration id on WIRE SEATTLE
    today: date
    holiday: date

    def engine(self):
        return self.databases.engine(self.name)

    def sessions(self) -> sessionmaker:
        return sessionmaker(self.engine(), expire_on_commit=False)

    def login(self, role: str = "dispatcher"):
        user = self.databases.make_staff(self.name, role, f"Test {role.title()}")
        return connect(ConnectionProfile.from_url(self.databases.server.url(self.name, user)))


def next_business_day(day: date, calendar: BusinessCalendar) -> date:
    day += timedelta(days=1)
    while not calendar.is_business_day(day):
        day += timedelta(days=1)
    return day


def seed_hall(databases) -> Hall:
    """A hall with the demo books and rules, a holiday on the next business day, one employer with a worksite,
    five registrants on WIRE SEATTLE (the first exempt) and a foreperson on the same book."""
    name = databases.create()
    engine = databases.engine(name)
    with engine.begin() as conn:
        books = insert_books(conn)
        with Session(bind=conn) as session:
            today = hall_clock(session).today
        holiday = next_business_day(today, BusinessCalendar.of(frozenset()))
        conn.execute(text("INSERT INTO holidays (day, name) VALUES (:d, 'Test holiday')"), {"d": holiday})
        employer_id = conn.execute(text(
            "INSERT INTO employers (name, address_line1, city, state, phone) "
            "VALUES ('Acme Electric', '100 Main St', 'Seattle', 'WA', '(206) 555-0000') RETURNING id")).scalar_one()
        conn.execute(text("INSERT INTO employers (name, city) VALUES ('Brightline Power', 'Tacoma')"))
        worksite_id = conn.execute(text(
            "INSERT INTO worksites (employer_id, name, address_line1, city, state, report_to) "
            "VALUES (:e, 'Pier 91 Terminal', '2001 W Garfield St', 'Seattle', 'WA', 'Gate 3 trailer, 06:45') "
            "RETURNING id"), {"e": employer_id}).scalar_one()
        members: dict[str, int] = {}
        registrations: dict[str, int] = {}
        people = [(*p, None) for p in [FOREPERSON]] + PEOPLE
        for position, (card, first, last, phone, exempt) in enumerate(people):
            member_id = conn.execute(text(
                "INSERT INTO members (card_number, first_name, last_name, classification, phone, mobile_phone) "
                "VALUES (:c, :f, :l, 'journeyman', :p, :mp) RETURNING id"),
                {"c": card, "f": first, "l": last, "p": phone, "mp": phone.replace("555", "666")}).scalar_one()
            conn.execute(text("INSERT INTO member_qualified_books (member_id, book_code, tier) "
                              "VALUES (:m, 'WIRE_SEATTLE', 1)"), {"m": member_id})
            registrations[last] = conn.execute(text("""
                INSERT INTO registrations (member_id, book_id, tier, apn, registered_at, last_resign_on,
                                           resign_due_on, exemption_reason, exemption_start)
                VALUES (:m, :b, 1, :apn, now() - interval '20 days', :resign, :due, CAST(:ex AS varchar),
                        CASE WHEN CAST(:ex AS varchar) IS NULL THEN NULL ELSE CAST(:resign AS date) END)
                RETURNING id"""), {"m": member_id, "b": books["WIRE_SEATTLE"], "apn": f"45900.{position + 1:02d}",
                                   "resign": today - timedelta(days=5), "ex": exempt,
                                   "due": None if exempt else today + timedelta(days=25)}).scalar_one()
            members[last] = member_id
    # The foreperson sits above everyone: park the place so the walk starts with the five above.
    with engine.begin() as conn:
        conn.execute(text("UPDATE registrations SET tier = 4, version = version + 1 WHERE id = :r"),
                     {"r": registrations["Foster"]})
    return Hall(name, databases, books, employer_id, worksite_id, members, registrations, today, holiday)


@pytest.fixture
def hall(databases) -> Hall:
    return seed_hall(databases)


@pytest.fixture
def dispatcher(hall, runner):
    connection = hall.login()
    yield connection
    runner.shutdown(wait=True)
    connection.close()


@pytest.fixture
def screen(qtbot, runner, ui_settings, dispatcher):
    widget = RequestsScreen(runner, dispatcher, ui_settings)
    qtbot.addWidget(widget)
    widget.resize(1300, 860)
    widget.show()
    qtbot.waitUntil(lambda: widget.form.book.count() > 1, timeout=10_000)
    return widget


def pick(qtbot, type_ahead, typed: str) -> None:
    """Type into a type-ahead field and take the first suggestion with the keyboard."""
    type_ahead.setFocus()
    qtbot.keyClicks(type_ahead, typed)
    popup = type_ahead.completer_.popup()
    qtbot.waitUntil(lambda: popup.isVisible() and popup.model().rowCount() > 0, timeout=10_000)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert type_ahead.chosen is not None


def tab(qtbot, screen) -> None:
    qtbot.keyClick(screen.focusWidget(), Qt.Key.Key_Tab)


def type_request(qtbot, screen, *, duration: str = "5", foreperson: bool = False) -> None:
    """Everything from the keyboard, field after field with Tab, in the screen's tab order."""
    form = screen.form
    pick(qtbot, form.employer, "Acme")
    tab(qtbot, screen)
    assert screen.focusWidget() is form.worksite
    qtbot.waitUntil(lambda: form.worksite.count() == 2, timeout=10_000)
    qtbot.keyClicks(form.worksite, "Pier")
    tab(qtbot, screen)
    assert screen.focusWidget() is form.book
    qtbot.keyClicks(form.book, "wire s")  # the book's name, typed: the space is part of it
    assert form.book.currentText().startswith("WIRE SEATTLE")
    tab(qtbot, screen)
    qtbot.keyClicks(form.job_class, "Journeyman wireperson")
    tab(qtbot, screen)
    form.workers.selectAll()
    qtbot.keyClicks(form.workers, "2")
    tab(qtbot, screen)
    qtbot.keyClicks(form.wage, "58.25")
    tab(qtbot, screen)
    qtbot.keyClicks(form.start_on, (hall_today(screen) + timedelta(days=14)).isoformat())
    tab(qtbot, screen)
    qtbot.keyClicks(form.start_time, "0530")
    tab(qtbot, screen)
    qtbot.keyClicks(form.duration, duration)
    if foreperson:
        form.by_name.setFocus()
        pick(qtbot, form.by_name, "Foster")


def hall_today(screen) -> date:
    return screen.form.today


def test_a_request_typed_from_the_keyboard_shows_its_number_and_referral_date(qtbot, screen, hall):
    type_request(qtbot, screen)
    form = screen.form
    assert "Short call" in form.call_kind.text()
    assert form.no_mark_boxes["short_call"].isChecked() and form.no_mark_boxes["early_start"].isChecked()
    assert "will not earn a check mark" in form.marks_note.text()
    with qtbot.waitSignal(screen.saved, timeout=10_000) as saved:
        qtbot.keyClick(form.duration, Qt.Key.Key_Return)
    detail = saved.args[0]

    with hall.engine().connect() as conn:
        row = conn.execute(text("SELECT number, referral_date, received_at, short_call, no_mark_reasons, "
                                "worksite_id, workers_requested, start_time FROM labor_requests")).one()
        with Session(bind=conn) as session:
            calendar = BusinessCalendar.of(holidays(session))
            zone = hall_clock(session).zone
    assert row.referral_date == referral_date(row.received_at, calendar, zone=zone)
    assert row.referral_date != hall.holiday  # R3 never lands on the holiday
    assert (row.short_call, row.worksite_id, row.workers_requested, row.start_time) == (
        True, hall.worksite_id, 2, "05:30")
    assert set(row.no_mark_reasons) == {"short_call", "early_start"}
    assert detail.number == row.number
    assert row.number in screen.result.text()
    assert f"Worked at the referral of {row.referral_date:%a %d %b %Y}" in screen.result.text()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=10_000)
    assert screen.model.rows[0].number == row.number and screen.model.rows[0].short_call
    assert form.employer.text() == "" and form.employer.hasFocus()  # ready for the next request


def test_by_name_without_attestation_is_refused_beside_the_field_and_keeps_the_input(qtbot, screen, hall):
    type_request(qtbot, screen, duration="30", foreperson=True)
    form = screen.form
    assert "Long call" in form.call_kind.text()
    qtbot.keyClick(form.by_name, Qt.Key.Key_Return)
    error = form.errors.labels["by_name_attested"]
    assert error.isVisible() and "did not solicit" in error.text()
    assert form.employer.text().startswith("Acme Electric") and form.by_name.text().startswith("Foster, Fay")
    assert form.duration.text() == "30" and form.wage.text() == "58.25"
    with hall.engine().connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM labor_requests")).scalar_one() == 0

    form.attested.setChecked(True)
    with qtbot.waitSignal(screen.saved, timeout=10_000):
        qtbot.keyClick(form.comments, Qt.Key.Key_Return)
    with hall.engine().connect() as conn:
        assert conn.execute(text("SELECT by_name_member_id, by_name_attested FROM labor_requests")).one() == (
            hall.members["Foster"], True)


def test_escape_asks_before_clearing_and_a_domain_error_comes_back_to_its_field(qtbot, screen, hall,
                                                                                message_recorder):
    form = screen.form
    pick(qtbot, form.employer, "Acme")
    message_recorder.answer = False  # "Discard it?" No: everything typed stays
    qtbot.keyClick(form.employer, Qt.Key.Key_Escape)
    assert message_recorder.kinds() == ["question"] and "not saved" in message_recorder.messages[-1].text
    assert form.employer.text().startswith("Acme") and form.employer.chosen is not None
    message_recorder.answer = True
    qtbot.keyClick(form.employer, Qt.Key.Key_Escape)
    assert form.employer.text() == "" and form.employer.chosen is None
    message_recorder.clear()
    qtbot.keyClick(form.employer, Qt.Key.Key_Escape)  # nothing typed: nothing to ask
    assert message_recorder.kinds() == []
    type_request(qtbot, screen)
    form.workers.setValue(1)
    form.bidding.setChecked(False)
    # A start date in the past is the domain's to judge; an impossible date is the form's.
    form.start_on.setText("2026-02-30")
    qtbot.keyClick(form.start_on, Qt.Key.Key_Return)
    assert form.errors.labels["start_on"].isVisible() and "not a date" in form.errors.labels["start_on"].text()
    assert form.start_on.text() == "2026-02-30"


def test_cancel_needs_a_reason_and_takes_the_request_off_the_open_list(qtbot, screen, hall, message_recorder):
    type_request(qtbot, screen)
    with qtbot.waitSignal(screen.saved, timeout=10_000):
        qtbot.keyClick(screen.form.duration, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=10_000)
    screen.panel.view.selectRow(0)
    dialog = screen._on_cancel_button_clicked()
    qtbot.keyClicks(dialog.reason, "Employer")  # Esc on a typed reason asks; No keeps the dialog and the text
    message_recorder.answer = False
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.reason.text() == "Employer"
    assert message_recorder.kinds() == ["question"]
    dialog.reason.clear()
    message_recorder.answer = True
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.error.isVisible() and dialog.isVisible()
    qtbot.keyClicks(dialog.reason, "Employer filled it")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 0, timeout=10_000)
    with hall.engine().connect() as conn:
        assert conn.execute(text("SELECT status, cancel_reason FROM labor_requests")).one() == (
            "cancelled", "Employer filled it")


def test_a_saved_request_is_announced_by_its_book(qtbot, screen, hall, connect):
    """The save reports its change as the labor_requests notification names it, by book (the referral board
    refreshes the walk of that book), not as a request id."""
    announced: list[tuple[str, list, object]] = []
    connect(events.hub().data_changed, lambda kind, ids, by: announced.append((kind, ids, by)))
    type_request(qtbot, screen)
    with qtbot.waitSignal(screen.saved, timeout=10_000) as saved:
        qtbot.keyClick(screen.form.duration, Qt.Key.Key_Return)
    assert saved.args[0].book_id == hall.books["WIRE_SEATTLE"]
    assert announced == [("labor_request", [hall.books["WIRE_SEATTLE"]], screen)]


def test_the_open_requests_print_in_the_preview_with_their_excel_beside(qtbot, screen, tmp_path, monkeypatch,
                                                                        previews):
    from unioncore_desktop.gui import reporting

    monkeypatch.setattr(reporting, "save_folder_override", tmp_path)
    qtbot.mouseClick(screen.panel.print_button, Qt.MouseButton.LeftButton)
    preview = previews.wait(pages=1)
    assert preview.file_name.startswith("Open requests – ") and preview.excel_action.isVisible()
    preview.excel_action.trigger()
    qtbot.waitUntil(lambda: any(tmp_path.glob("Open requests – *.xlsx")), timeout=10_000)


def test_a_start_date_before_the_halls_today_is_refused_at_the_form(qtbot, screen, hall):
    """2020-01-01 was once saved; the form now refuses it beside the field, with the server's today."""
    type_request(qtbot, screen)
    form = screen.form
    assert form.today == hall.today  # the hall's day, from the server
    form.start_on.setText("2020-01-01")
    qtbot.keyClick(form.start_on, Qt.Key.Key_Return)
    label = form.errors.labels["start_on"]
    assert label.isVisible() and "before today" in label.text()
    with hall.engine().connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM labor_requests")).scalar_one() == 0
    form.start_on.setText(hall.today.isoformat())
    with qtbot.waitSignal(screen.saved, timeout=10_000):
        qtbot.keyClick(form.start_on, Qt.Key.Key_Return)


def test_typing_a_books_name_selects_it_and_no_popup_eats_the_keys(qtbot, screen):
    book = screen.form.book
    book.setFocus()
    qtbot.keyClicks(book, "wire seattle")
    assert book.currentText().startswith("WIRE SEATTLE")
    assert book.view().isVisible() is False  # the space opened no popup
    qtbot.wait(900)  # a pause starts a new search, as in any list
    qtbot.keyClicks(book, "trades")
    assert book.currentText().startswith("TRADESHOW")
    assert book.view().isVisible() is False


def test_the_typed_request_is_kept_unless_the_user_agrees_to_lose_it(qtbot, screen, message_recorder):
    """Editing another request, or the main window leaving the area, asks first; No keeps every field."""
    pick(qtbot, screen.form.employer, "Acme")
    screen.form.wage.setText("58.25")
    message_recorder.answer = False
    assert screen.confirm_discard() is False
    assert screen.form.wage.text() == "58.25" and screen.form.employer.chosen is not None
    message_recorder.answer = True
    assert screen.confirm_discard() is True
    assert screen.form.wage.text() == "" and not screen.form.is_dirty()
    message_recorder.clear()
    assert screen.confirm_discard() is True and message_recorder.kinds() == []
