"""The bids panel of the Requests screen against a real PostgreSQL: a bid recorded from the keyboard is listed in
walk order (list place, not bid time); a refused bid shows why beside the field or in the dialog and keeps the
input; withdrawing asks first and moves the bid last; a bid taken at another desk shows up by itself.

The server's clock decides the bid window (R8), so each hall gets a time zone in which it is about 23:00 now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.db.connection import connect
from unioncore_desktop.db.profile import ConnectionProfile
from unioncore_desktop.domain.queries.hall import business_calendar, hall_clock
from unioncore_desktop.domain.rules.referral import bid_referral_day
from unioncore_desktop.domain.services.referral_context import rules_for
from unioncore_desktop.domain.services.requests import record_bid
from unioncore_desktop.gui.live import LiveUpdates
from unioncore_desktop.gui.requests.bids import BidsDialog
from unioncore_desktop.gui.requests.screen import RequestsScreen
from unioncore_desktop.seed.referral_world import make_book, make_employer, make_member, make_request, register

WAIT = 10_000
# Type-ahead popups on the offscreen test platform: it can neither raise a window nor grab the keyboard.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise", "does not support grabbing the keyboard")

# last name, card, APN on the bidding book (None: not on it); the walk order is the order of the placed ones
PEOPLE = [("Okonkwo", "7200001", "45100.01"), ("Lindqvist", "7200002", "45200.01"),
          ("Marchetti", "7200003", "45300.01"), ("Zubiri", "7200004", None)]


def zone_at(local_hour: int, now: datetime | None = None) -> str:
    """A fixed-offset zone in which it is `local_hour`:xx now (Etc/GMT signs are inverted)."""
    offset = (local_hour - (now or datetime.now(UTC)).hour) % 24
    if offset > 14:
        offset -= 24
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


@dataclass
class BidHall:
    name: str
    databases: object
    book: int
    request: int  # posted for bids, worked at the referral the bids taken now are for
    plain_request: int  # not posted for bids
    members: dict[str, int]
    registrations: dict[str, int]

    def engine(self):
        return self.databases.engine(self.name)

    def login(self, role: str = "dispatcher", name: str = "Desk One"):
        user = self.databases.make_staff(self.name, role, name)
        return connect(ConnectionProfile.from_url(self.databases.server.url(self.name, user)))

    def set_zone(self, zone: str) -> None:
        with self.engine().begin() as conn:
            conn.execute(text("INSERT INTO app_settings (key, value) VALUES ('time_zone', :z) ON CONFLICT (key) "
                              "DO UPDATE SET value = EXCLUDED.value, version = app_settings.version + 1"),
                         {"z": zone})

    def bids(self) -> list[tuple]:
        with self.engine().connect() as conn:
            return conn.execute(text(
                "SELECT m.last_name, b.source, b.withdrawn FROM bids b JOIN members m ON m.id = b.member_id "
                "WHERE b.request_id = :r ORDER BY b.id"), {"r": self.request}).all()


@pytest.fixture
def bid_hall(databases) -> BidHall:
    name = databases.create()
    engine = databases.engine(name)
    hall = BidHall(name, databases, 0, 0, 0, {}, {})
    hall.set_zone(zone_at(23))
    with engine.begin() as conn:
        hall.book = make_book(conn, "WIRE_BIDS", name="WIRE BIDS", bidding_enabled=True)
        plain = make_book(conn, "PLAIN", name="PLAIN BOOK")
        employer, site = make_employer(conn, "Acme Electric")
        with Session(bind=conn) as session:
            clock = hall_clock(session)
            day = bid_referral_day(clock.now, business_calendar(session), rules_for(session, hall.book, clock.today))
        assert day is not None, "the hall's clock should be inside the bid window"
        hall.request = make_request(conn, hall.book, employer, worksite_id=site, referral_date=day, bidding=True)
        hall.plain_request = make_request(conn, plain, employer, worksite_id=site, referral_date=day)
        for last, card, apn in PEOPLE:
            member = make_member(conn, last, first_name="Sam", books=["WIRE_BIDS"], card_number=card)
            hall.members[last] = member
            if apn is not None:
                hall.registrations[last] = register(conn, member, hall.book, apn=apn)
        # Marchetti, the lowest place, phoned in first.
        conn.execute(text("INSERT INTO bids (request_id, member_id, registration_id, source, received_at) "
                          "VALUES (:q, :m, :g, 'phone', now() - interval '1 hour')"),
                     {"q": hall.request, "m": hall.members["Marchetti"], "g": hall.registrations["Marchetti"]})
    return hall


@pytest.fixture
def dispatcher(bid_hall, runner):
    connection = bid_hall.login()
    yield connection
    runner.shutdown(wait=True)
    connection.close()


@pytest.fixture
def screen(qtbot, runner, ui_settings, dispatcher) -> RequestsScreen:
    widget = RequestsScreen(runner, dispatcher, ui_settings)
    qtbot.addWidget(widget)
    widget.resize(1300, 860)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() == 2, timeout=WAIT)
    return widget


def select_request(qtbot, screen: RequestsScreen, request_id: int) -> None:
    assert screen.panel.select_id(request_id)
    qtbot.waitUntil(lambda: screen.panel.current_row() is not None and screen.panel.current_row().id == request_id,
                    timeout=WAIT)


@pytest.fixture
def dialog(qtbot, screen, bid_hall) -> BidsDialog:
    select_request(qtbot, screen, bid_hall.request)
    qtbot.mouseClick(screen.bids_button, Qt.MouseButton.LeftButton)
    opened = screen.bids_dialog
    assert opened is not None
    qtbot.waitUntil(lambda: opened.isVisible() and opened.model.rowCount() == 1, timeout=WAIT)
    opened.activateWindow()
    return opened


def listed(dialog: BidsDialog) -> list[tuple]:
    return [(r.member_name.split(",")[0], r.offer_order, r.withdrawn) for r in dialog.model.rows]


def pick_member(qtbot, dialog: BidsDialog, typed: str, card: str) -> None:
    """Type a name, then take the first hit from the popup with the keyboard."""
    edit = dialog.member_edit
    edit.setFocus()
    qtbot.keyClicks(edit, typed)
    popup = edit.completer().popup()
    qtbot.waitUntil(lambda: popup.isVisible() and edit.hits.rowCount() > 0, timeout=WAIT)
    assert card in edit.hits.item(0).text()
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert edit.member_id is not None


def choose_source_by_keyboard(qtbot, dialog: BidsDialog, source: str) -> None:
    """Tab from the member field to the source choices, Space to choose the first, arrows across to `source`."""
    qtbot.keyClick(dialog.member_edit, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.source_buttons["phone"]
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Space)
    for _ in range(list(dialog.source_buttons).index(source)):
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Right)
    assert dialog.focusWidget() is dialog.source_buttons[source]
    assert dialog.source() == source


def test_the_bids_button_is_only_for_a_request_posted_for_bids(qtbot, screen, bid_hall):
    select_request(qtbot, screen, bid_hall.plain_request)
    assert not screen.bids_button.isEnabled()
    assert screen._on_bids_button_clicked() is None
    select_request(qtbot, screen, bid_hall.request)
    qtbot.waitUntil(screen.bids_button.isEnabled, timeout=WAIT)


def test_a_bid_typed_from_the_keyboard_is_listed_in_walk_order(qtbot, dialog, bid_hall):
    assert listed(dialog) == [("Marchetti", 1, False)]
    qtbot.waitUntil(lambda: "17:30 to 07:00" in dialog.rules_note.text(), timeout=WAIT)
    pick_member(qtbot, dialog, "Okonkwo", "7200001")
    choose_source_by_keyboard(qtbot, dialog, "email")
    with qtbot.waitSignal(dialog.bid_recorded, timeout=WAIT):
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)  # Enter records
    # Okonkwo bid an hour later but holds the better place: first in line.
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2, timeout=WAIT)
    assert listed(dialog) == [("Okonkwo", 1, False), ("Marchetti", 2, False)]
    assert dialog.current_row().member_name.startswith("Okonkwo")
    assert [dialog.model.index(0, c).data() for c in range(4)] == ["1", "1", "1", "45100.01"]
    assert dialog.model.index(0, 6).data() == "E-mail"
    assert bid_hall.bids() == [("Marchetti", "phone", False), ("Okonkwo", "email", False)]
    # ready for the next call: the member field is empty and focused, the source stays chosen
    assert dialog.member_edit.text() == "" and dialog.member_edit.member_id is None
    assert dialog.member_edit.hasFocus() and dialog.source() == "email"
    assert "Bid recorded for Okonkwo, Sam" in dialog.recorded_label.text()


def test_a_refused_bid_shows_why_and_keeps_the_input(qtbot, dialog, bid_hall):
    pick_member(qtbot, dialog, "Zubiri", "7200004")  # qualified, but not signed on the book
    choose_source_by_keyboard(qtbot, dialog, "web")
    qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Return)
    error = dialog.errors.labels["member_id"]
    qtbot.waitUntil(error.isVisible, timeout=WAIT)
    assert "no registered place on this book" in error.text()
    assert dialog.member_edit.text().startswith("Zubiri, Sam") and dialog.member_edit.member_id is not None
    assert dialog.source() == "web" and dialog.isVisible() and dialog.record_button.isEnabled()

    # A second bid from the same member is refused beside the field too.
    dialog.member_edit.clear_member()
    pick_member(qtbot, dialog, "Marchetti", "7200003")
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "already bid" in error.text(), timeout=WAIT)

    # Outside the window the dialog says so above the form; nothing is lost.
    bid_hall.set_zone(zone_at(12))
    dialog.member_edit.clear_member()
    pick_member(qtbot, dialog, "Lindqvist", "7200002")
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(dialog.message.isVisible, timeout=WAIT)
    assert "Bids are taken from 17:30 to 07:00" in dialog.message.text()
    assert dialog.member_edit.text().startswith("Lindqvist, Sam") and dialog.source() == "web"
    assert bid_hall.bids() == [("Marchetti", "phone", False)]


def test_recording_without_a_member_or_source_is_stopped_at_the_form(qtbot, dialog, bid_hall):
    qtbot.keyClicks(dialog.member_edit, "somebody")
    qtbot.mouseClick(dialog.record_button, Qt.MouseButton.LeftButton)
    assert dialog.errors.labels["member_id"].isVisible() and dialog.errors.labels["source"].isVisible()
    assert dialog.member_edit.text() == "somebody"
    assert bid_hall.bids() == [("Marchetti", "phone", False)]


def test_withdrawing_asks_first_and_moves_the_bid_last(qtbot, dialog, bid_hall, message_recorder):
    other = bid_hall.login(name="Desk Two")
    try:
        record_bid(other.uow(), request_id=bid_hall.request, member_id=bid_hall.members["Lindqvist"], source="web")
    finally:
        other.close()
    dialog.reload()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2, timeout=WAIT)
    assert not dialog.withdraw_button.isEnabled()  # nothing selected yet
    dialog.view.selectRow(0)
    assert dialog.current_row().member_name.startswith("Lindqvist") and dialog.withdraw_button.isEnabled()

    message_recorder.answer = False  # "No": nothing happens
    qtbot.mouseClick(dialog.withdraw_button, Qt.MouseButton.LeftButton)
    assert message_recorder.kinds() == ["question"] and "Lindqvist, Sam (7200002)" in message_recorder.messages[0].text
    assert bid_hall.bids()[-1] == ("Lindqvist", "web", False)

    message_recorder.answer = True
    with qtbot.waitSignal(dialog.bid_withdrawn, timeout=WAIT):
        qtbot.mouseClick(dialog.withdraw_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: listed(dialog) == [("Marchetti", 1, False), ("Lindqvist", None, True)], timeout=WAIT)
    assert dialog.model.index(1, 8).data() == "Withdrawn"
    assert bid_hall.bids()[-1] == ("Lindqvist", "web", True)
    dialog.view.selectRow(1)
    assert not dialog.withdraw_button.isEnabled()  # already withdrawn


def test_a_bid_taken_at_another_desk_shows_up_by_itself(qtbot, dialog, bid_hall, dispatcher):
    live = LiveUpdates(dispatcher.listener)
    with qtbot.waitSignal(live.state_changed, timeout=5000):
        live.start()
    try:
        other = bid_hall.login(name="Desk Two")
        try:
            record_bid(other.uow(), request_id=bid_hall.request, member_id=bid_hall.members["Okonkwo"],
                       source="phone")
        finally:
            other.close()
        qtbot.waitUntil(lambda: dialog.model.rowCount() == 2, timeout=WAIT)
        assert listed(dialog) == [("Okonkwo", 1, False), ("Marchetti", 2, False)]
    finally:
        live.stop()
        QApplication.processEvents()
