"""The managers' dues screens against a real PostgreSQL: the adjustments queue, charges, month close and rates."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from PySide6.QtCore import QDate, Qt
from sqlalchemy import text

from unioncore_desktop.domain.rules.dues import add_months, month_start
from unioncore_desktop.domain.services import dues as dues_services
from unioncore_desktop.gui.dues.screen import DuesScreen

WAIT = 10_000


@pytest.fixture
def dues_db(databases):
    """Rates for journeymen and apprentices, none for honorary members; one member of each, nobody billed."""
    name = databases.create()
    engine = databases.engine(name)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO dues_rates (classification, effective_from, amount) "
                          "SELECT key, DATE '2000-01-01', value::numeric FROM json_each_text(CAST(:r AS json))"),
                     {"r": json.dumps({"journeyman": 75, "apprentice_1": 35})})
        ids = [conn.execute(text("INSERT INTO members (card_number, first_name, last_name, classification) "
                                 "VALUES (:c, :f, :l, :k) RETURNING id"),
                            {"c": c, "f": f, "l": last, "k": k}).scalar_one()
               for c, f, last, k in (("7464416", "John", "Smith", "journeyman"),
                                     ("7000200", "Ann", "Lee", "apprentice_1"),
                                     ("7000300", "Hal", "Honor", "honorary"))]
        today = conn.execute(text("SELECT uc_hall_today()")).scalar_one()
    return SimpleNamespace(name=name, databases=databases, engine=engine, today=today, ids=ids)


@pytest.fixture
def logins(dues_db, staff_login):
    return lambda role, name=None: staff_login(dues_db.name, role, name)


@pytest.fixture
def manager_screen(qtbot, runner, ui_settings, logins):
    return _screen(qtbot, runner, ui_settings, logins("manager", "Mia Manager"))


def _screen(qtbot, runner, ui_settings, hall):
    screen = DuesScreen(runner, hall, ui_settings)
    qtbot.addWidget(screen)
    screen.resize(1300, 760)
    screen.show()
    qtbot.waitUntil(lambda: screen.manager.charges.generate_button.isEnabled(), timeout=WAIT)
    return screen


def scalar(db, sql: str, **params):
    with db.engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def test_generate_charges_lists_members_without_a_rate_then_close_the_month_by_its_checklist(
        qtbot, manager_screen, dues_db, logins):
    charges, close = manager_screen.manager.charges, manager_screen.manager.close
    next_month = add_months(month_start(dues_db.today), 1)
    assert charges.generate_button.text() == f"Ge&nerate charges for {next_month:%B %Y}"
    assert not close.close_button.isEnabled()          # nothing to close yet

    with qtbot.waitSignal(charges.generated, timeout=WAIT):
        qtbot.mouseClick(charges.generate_button, Qt.MouseButton.LeftButton)
    assert "2 charge(s) created" in charges.result.text()
    assert [(r.card_number, r.classification) for r in charges.exceptions.rows] == [("7000300", "honorary")]
    assert charges.exceptions_view.isVisibleTo(charges)

    # a clerk's request on the month holds the close until a manager decides it
    clerk = logins("dues_clerk")
    dues_services.request_adjustment(clerk.uow(), member_id=dues_db.ids[0], period=next_month, amount="-10.00",
                                     type="correction", reason="billed twice for the hall fee")
    close.refresh()
    qtbot.waitUntil(lambda: close.checklist is not None and close.checklist.month == next_month
                    and "adjustments" in close.item_labels, timeout=WAIT)
    assert [(i.key, i.ok) for i in close.checklist.items] == [
        ("earlier_months", True), ("charges", True), ("adjustments", False), ("batches", True)]
    assert close.item_labels["adjustments"][0].text() == "✘" and not close.close_button.isEnabled()

    queue = manager_screen.manager.adjustments
    queue.refresh()
    qtbot.waitUntil(lambda: queue.model.rowCount() == 1, timeout=WAIT)
    qtbot.mouseClick(queue.deny_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: close.checklist.ready, timeout=WAIT)  # the checklist refreshes after the decision
    assert close.close_button.isEnabled() and close.close_button.text() == f"&Close {next_month:%B %Y}"

    with qtbot.waitSignal(close.closed, timeout=WAIT):
        qtbot.mouseClick(close.close_button, Qt.MouseButton.LeftButton)
    assert scalar(dues_db, "SELECT status FROM dues_periods WHERE month = :m", m=next_month) == "closed"
    qtbot.waitUntil(lambda: close.checklist is None, timeout=WAIT)
    assert not close.close_button.isEnabled()


def test_the_requester_approving_their_own_adjustment_sees_the_database_refuse(
        qtbot, runner, ui_settings, logins, dues_db, message_recorder):
    # one person who is both the clerk and the manager (two groups) requests, then tries to approve
    manager_screen = _screen(qtbot, runner, ui_settings, logins("manager+dues_clerk", "Mia Both"))
    hall = manager_screen.hall
    dues_services.generate_charges(hall.uow(), month=month_start(dues_db.today))
    dues_services.request_adjustment(hall.uow(), member_id=dues_db.ids[0], period=month_start(dues_db.today),
                                     amount="-75.00", type="waiver", reason="my own request")
    queue = manager_screen.manager.adjustments
    manager_screen.tabs.setCurrentWidget(queue)   # showing the tab looks for new requests
    qtbot.waitUntil(lambda: queue.model.rowCount() == 1, timeout=WAIT)
    qtbot.mouseClick(queue.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(queue.message.isVisible, timeout=WAIT)
    assert queue.message.text() == "The person who requested an adjustment cannot decide it."
    assert "cannot decide it" in message_recorder.messages[-1].text
    assert scalar(dues_db, "SELECT status FROM dues_adjustments") == "pending"
    qtbot.waitUntil(lambda: queue.model.rowCount() == 1, timeout=WAIT)


def test_a_new_rate_from_a_date_is_listed_beside_the_old_one(qtbot, manager_screen, dues_db):
    rates = manager_screen.manager.rates
    manager_screen.tabs.setCurrentWidget(rates)
    qtbot.waitUntil(lambda: rates.model.rowCount() == 2, timeout=WAIT)
    rates.classification_combo.setCurrentIndex(rates.classification_combo.findData("journeyman"))
    rates.effective_edit.setDate(QDate(2031, 1, 1))
    qtbot.keyClicks(rates.amount_edit, "80.50")
    qtbot.keyClick(rates.amount_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: rates.model.rowCount() == 3, timeout=WAIT)
    journeyman = [(r.effective_from, r.amount) for r in rates.model.rows if r.classification == "journeyman"]
    assert journeyman == [(date(2031, 1, 1), D("80.50")), (date(2000, 1, 1), D("75.00"))]

    rates.amount_edit.clear()
    qtbot.keyClicks(rates.amount_edit, "-3")
    qtbot.keyClick(rates.amount_edit, Qt.Key.Key_Return)
    assert rates.field_errors["amount"].isVisible() and rates.amount_edit.text() == "-3"


def test_a_clerk_gets_no_manager_tabs(qtbot, runner, ui_settings, logins):
    screen = DuesScreen(runner, logins("dues_clerk"), ui_settings)
    qtbot.addWidget(screen)
    assert screen.manager is None and screen.posting is not None
    assert [screen.tabs.tabText(i) for i in range(screen.tabs.count())] == ["&Posting", "Member &dues"]


def test_the_dues_summary_and_arrears_list_open_in_the_print_preview(qtbot, manager_screen, previews):
    close = manager_screen.manager.close
    for button, title in ((close.summary_button, "Dues Summary"), (close.arrears_button, "Arrears List")):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        preview = previews.wait()
        assert preview.page_count() >= 1 and preview.file_name.startswith(f"{title} – ")
        assert close.summary_button.isEnabled() and close.arrears_button.isEnabled()  # given back once built
        preview.close()
        qtbot.waitUntil(lambda: not previews.shown(), timeout=WAIT)
