"""The dues screens hear other workstations: a payment or adjustment committed on another connection reaches
the member's ledger, the posting batch and the pending adjustments through LiveUpdates, refreshed in place
(selection kept, the line being typed left alone)."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.db.notify import Change
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.rules.dues import add_months, month_start
from unioncore_desktop.domain.services import dues as dues_services
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.gui.dues.screen import DuesScreen
from unioncore_desktop.gui.live import LiveUpdates, group_by_kind

WAIT = 10_000
# The offscreen platform cannot raise the completer's popup or let it grab the keyboard; it still works.
popup_warnings = pytest.mark.qt_log_ignore("does not support raise", "does not support grabbing the keyboard")


@pytest.fixture
def dues_db(databases):
    """John Smith and Maria Garcia (journeymen, 75.00), each billed last month and this month."""
    name = databases.create()
    engine = databases.engine(name)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO dues_rates (classification, effective_from, amount) "
                          "SELECT key, DATE '2000-01-01', value::numeric FROM json_each_text(CAST(:r AS json))"),
                     {"r": json.dumps({"journeyman": 75})})
        ids = {}
        for card, first, last in (("7464416", "John", "Smith"), ("7000200", "Maria", "Garcia")):
            ids[card] = conn.execute(text(
                "INSERT INTO members (card_number, first_name, last_name, classification) "
                "VALUES (:c, :f, :l, 'journeyman') RETURNING id"), {"c": card, "f": first, "l": last}).scalar_one()
        today = conn.execute(text("SELECT uc_hall_today()")).scalar_one()
    uow = UnitOfWork(lambda: Session(bind=engine))
    for offset in (-1, 0):
        dues_services.generate_charges(uow, month=add_months(month_start(today), offset))
    return SimpleNamespace(name=name, databases=databases, engine=engine, today=today, john=ids["7464416"],
                           maria=ids["7000200"])


@pytest.fixture
def logins(dues_db, staff_login):
    return lambda role, name=None: staff_login(dues_db.name, role, name)


@pytest.fixture
def open_dues(qtbot, runner, ui_settings):
    """The Dues area at this workstation, with its live board listening."""
    made: list[LiveUpdates] = []

    def open_(hall: HallConnection) -> DuesScreen:
        screen = DuesScreen(runner, hall, ui_settings)
        qtbot.addWidget(screen)
        screen.resize(1300, 760)
        screen.show()
        screen.activateWindow()
        qtbot.waitExposed(screen)
        live = LiveUpdates(hall.listener)
        with qtbot.waitSignal(live.state_changed, timeout=5000):
            live.start()
        made.append(live)
        return screen

    yield open_
    for live in made:
        live.stop()


def find_member(qtbot, screen: DuesScreen, card: str) -> None:
    view = screen.member_dues
    screen.tabs.setCurrentWidget(view)
    view.lookup.setFocus()
    with qtbot.waitSignal(view.record_shown, timeout=WAIT):
        qtbot.keyClicks(view.lookup, card)


def post_elsewhere(hall: HallConnection, member_id: int, amount: str, batch_id: int | None = None) -> None:
    """Another counter posts a payment (into its own new batch unless one is given)."""
    if batch_id is None:
        batch_id = dues_services.open_batch(hall.uow(), deposit_on=hall.read(hall_clock).today,
                                            deposit_total=amount).id
    dues_services.post_payment(hall.uow(), idempotency_key=uuid.uuid4(), member_id=member_id, amount=amount,
                               method="cash", batch_id=batch_id)


def test_dues_tables_map_to_the_kinds_the_dues_screens_send():
    changes = [Change("payments", "I", "7", "a", None), Change("dues_adjustments", "U", "9", "b", None),
               Change("payments", "I", "7", "c", None), Change("payment_batches", "U", "3", "a", None),
               Change("remittances", "I", "12", "a", None)]
    assert group_by_kind(changes) == {"dues": [7, 9], "dues_batch": [3], "remittance": [12]}
    # months, rates and charges notify once per statement, with no key: anything of the kind may have changed
    changes = [Change(table, "I", None, "a", None) for table in ("dues_charges", "dues_periods", "dues_rates")]
    assert group_by_kind(changes) == {"dues": [], "dues_period": [], "dues_rate": []}


def test_a_payment_at_another_counter_reaches_the_member_ledger_keeping_the_selection(
        qtbot, logins, open_dues, dues_db):
    screen = open_dues(logins("dues_clerk", "Desk One"))
    find_member(qtbot, screen, "7464416")
    view = screen.member_dues
    assert [line.kind for line in view.model.rows] == ["charge", "charge"]
    view.view.selectRow(0)
    chosen = view.model.row_id(view.model.row_at(view.view.currentIndex()))

    post_elsewhere(logins("dues_clerk", "Desk Two"), dues_db.john, "75.00")

    qtbot.waitUntil(lambda: [line.kind for line in view.model.rows] == ["charge", "charge", "payment"],
                    timeout=WAIT)
    assert view.model.rows[-1].balance == D("75.00") and "75.00" in view.balance_label.text()
    assert view.model.row_id(view.model.row_at(view.view.currentIndex())) == chosen


@popup_warnings
def test_a_dispatchers_standing_refreshes_without_touching_what_they_are_typing(
        qtbot, logins, open_dues, dues_db):
    screen = open_dues(logins("dispatcher", "Dispatch Desk"))
    find_member(qtbot, screen, "7464416")
    view = screen.member_dues
    assert view.standing_label.text() == "In arrears"
    view.lookup.selectAll()
    qtbot.keyClicks(view.lookup, "Garc")  # looking for the next member when the payment arrives

    post_elsewhere(logins("dues_clerk", "Desk Two"), dues_db.john, "150.00")

    qtbot.waitUntil(lambda: view.standing_label.text() == "Good standing", timeout=WAIT)
    assert "Smith, John" in view.name_label.text()
    assert view.lookup.text() == "Garc"


def test_a_payment_into_the_clerks_batch_elsewhere_refreshes_it_and_keeps_the_line_being_typed(
        qtbot, logins, open_dues, dues_db):
    screen = open_dues(logins("dues_clerk", "Desk One"))
    posting = screen.posting
    qtbot.waitUntil(lambda: posting.deposit_total.isEnabled(), timeout=WAIT)
    posting.deposit_total.setFocus()
    qtbot.keyClicks(posting.deposit_total, "225.00")
    qtbot.keyClick(posting.deposit_total, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: posting.batch is not None and posting.member_edit.hasFocus(), timeout=WAIT)
    qtbot.keyClicks(posting.member_edit, "7464416")
    qtbot.keyClick(posting.member_edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), "75.00")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: posting.model.rowCount() == 1 and posting.batch.payment_count == 1, timeout=WAIT)
    posting.panel.view.selectRow(0)
    first = posting.panel.current_row().payment_id
    # the next line is half typed when the other counter's payment lands
    qtbot.waitUntil(lambda: posting.member_edit.hasFocus(), timeout=WAIT)
    qtbot.keyClicks(posting.member_edit, "7000200")
    qtbot.keyClick(posting.member_edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), "40")
    typing_in = QApplication.focusWidget()
    assert typing_in is posting.amount_edit

    post_elsewhere(logins("dues_clerk", "Desk Two"), dues_db.maria, "75.00", batch_id=posting.batch.id)

    qtbot.waitUntil(lambda: posting.model.rowCount() == 2 and posting.batch.payment_count == 2, timeout=WAIT)
    assert "150.00" in posting.posted_label.text() and "Difference 75.00" in posting.difference_label.text()
    assert posting.panel.current_row().payment_id == first
    assert posting.member_edit.text() == "7000200" and posting.amount_edit.text() == "40"
    assert QApplication.focusWidget() is typing_in


def test_an_adjustment_requested_at_another_counter_reaches_the_managers_queue(
        qtbot, logins, open_dues, dues_db):
    screen = open_dues(logins("manager", "Manager Desk"))
    adjustments = screen.manager.adjustments
    screen.tabs.setCurrentWidget(adjustments)
    qtbot.waitUntil(lambda: adjustments.isVisible(), timeout=WAIT)
    assert adjustments.model.rowCount() == 0

    clerk = logins("dues_clerk", "Desk Two")
    dues_services.request_adjustment(clerk.uow(), member_id=dues_db.maria, period=month_start(dues_db.today),
                                     amount="-75.00", type="hardship", reason="Medical leave")

    qtbot.waitUntil(lambda: adjustments.model.rowCount() == 1, timeout=WAIT)
    assert adjustments.model.rows[0].member_id == dues_db.maria


def test_a_rate_set_at_another_desk_reaches_the_managers_rates_and_charges_reach_the_ledger(
        qtbot, logins, open_dues, dues_db):
    screen = open_dues(logins("manager", "Manager Desk"))
    rates = screen.manager.rates
    screen.tabs.setCurrentWidget(rates)
    qtbot.waitUntil(lambda: rates.model.rowCount() == 1, timeout=WAIT)
    ledger = open_dues(logins("dues_clerk", "Desk One"))
    find_member(qtbot, ledger, "7464416")
    assert [line.kind for line in ledger.member_dues.model.rows] == ["charge", "charge"]

    other = logins("manager", "Other Desk")
    next_month = add_months(month_start(dues_db.today), 1)
    dues_services.set_rate(other.uow(), classification="journeyman", effective_from=next_month, amount="80.00")
    qtbot.waitUntil(lambda: rates.model.rowCount() == 2, timeout=WAIT)

    dues_services.generate_charges(other.uow(), month=next_month)
    qtbot.waitUntil(lambda: [line.kind for line in ledger.member_dues.model.rows] == ["charge"] * 3, timeout=WAIT)
    assert ledger.member_dues.model.rows[-1].amount == D("80.00")
