"""The member dues view and the Dues area against a real PostgreSQL: standing header, ledger, adjustment request,
void, and what a dispatcher may see."""

from __future__ import annotations

import json
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.rules.dues import add_months, month_start
from unioncore_desktop.domain.services import dues as dues_services
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.gui.dues.screen import DuesScreen
from unioncore_desktop.gui.itemmodels.dues import LedgerModel

WAIT = 10_000


@pytest.fixture
def dues_db(databases):
    """John Smith (journeyman, 75.00) billed last month and this month: 150.00 owed, in arrears."""
    name = databases.create()
    engine = databases.engine(name)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO dues_rates (classification, effective_from, amount) "
                          "SELECT key, DATE '2000-01-01', value::numeric FROM json_each_text(CAST(:r AS json))"),
                     {"r": json.dumps({"journeyman": 75, "apprentice_1": 35})})
        member_id = conn.execute(text("INSERT INTO members (card_number, first_name, last_name, classification) "
                                      "VALUES ('7464416', 'John', 'Smith', 'journeyman') RETURNING id")).scalar_one()
        today = conn.execute(text("SELECT uc_hall_today()")).scalar_one()
    uow = UnitOfWork(lambda: Session(bind=engine))
    for offset in (-1, 0):
        dues_services.generate_charges(uow, month=add_months(month_start(today), offset))
    return SimpleNamespace(name=name, databases=databases, engine=engine, today=today, member_id=member_id)


@pytest.fixture
def logins(dues_db, staff_login):
    return lambda role, name=None: staff_login(dues_db.name, role, name)


@pytest.fixture
def make_screen(qtbot, runner, ui_settings):
    def make(hall) -> DuesScreen:
        screen = DuesScreen(runner, hall, ui_settings)
        qtbot.addWidget(screen)
        screen.resize(1300, 760)
        screen.show()
        screen.activateWindow()
        qtbot.waitExposed(screen)
        return screen
    return make


def find_member(qtbot, screen: DuesScreen, card: str = "7464416") -> None:
    view = screen.member_dues
    screen.tabs.setCurrentWidget(view)
    view.lookup.setFocus()
    with qtbot.waitSignal(view.record_shown, timeout=WAIT):
        qtbot.keyClicks(view.lookup, card)


def test_ledger_shows_charges_with_a_running_balance(qtbot, logins, make_screen, dues_db, qtmodeltester):
    screen = make_screen(logins("dues_clerk"))
    find_member(qtbot, screen)
    view = screen.member_dues
    assert [(line.kind, line.amount, line.balance) for line in view.model.rows] == [
        ("charge", D("75.00"), D("75.00")), ("charge", D("75.00"), D("150.00"))]
    assert view.standing_label.text() == "In arrears"
    assert "150.00" in view.balance_label.text() and "Smith, John" in view.name_label.text()
    qtmodeltester.check(view.model)


def test_a_payment_moves_the_member_from_arrears_to_good_standing(qtbot, logins, make_screen, dues_db):
    screen = make_screen(logins("dues_clerk"))
    find_member(qtbot, screen)
    view, posting = screen.member_dues, screen.posting
    assert view.standing_label.text() == "In arrears"

    screen.tabs.setCurrentWidget(posting)
    posting.deposit_total.setFocus()
    qtbot.keyClicks(posting.deposit_total, "150.00")
    qtbot.keyClick(posting.deposit_total, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: posting.batch is not None and posting.member_edit.hasFocus(), timeout=WAIT)
    qtbot.keyClicks(posting.member_edit, "7464416")
    qtbot.keyClick(posting.member_edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(QApplication.focusWidget(), "150.00")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)

    # the member view heard the payment behind the posting tab: it reads the member again once shown
    qtbot.waitUntil(lambda: posting.model.rowCount() == 1, timeout=WAIT)
    assert view.when_shown.stale and view.standing_label.text() == "In arrears"
    with qtbot.assertNotEmitted(view.record_shown, wait=300):
        pass
    screen.tabs.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view.standing_label.text() == "Good standing", timeout=WAIT)
    assert "0.00" in view.balance_label.text() and view.model.rows[-1].kind == "payment"
    assert view.model.rows[-1].balance == 0
    assert dues_db.today.strftime("%b %Y") in view.paid_through_label.text()


def request_waiver(qtbot, screen: DuesScreen, amount: str = "-75.00") -> None:
    find_member(qtbot, screen)
    dialog = screen.member_dues.request_adjustment()
    assert dialog is not None
    dialog.type_combo.setCurrentIndex(dialog.type_combo.findData("hardship"))
    qtbot.keyClicks(dialog.amount_edit, amount)
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert dialog.errors.labels["reason"].isVisible()          # the reason is mandatory; nothing was sent
    qtbot.keyClicks(dialog.reason_edit, "Laid off, hardship approved by the board")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT):
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)


def test_adjustment_requested_by_a_clerk_is_approved_by_a_manager(qtbot, logins, make_screen, dues_db):
    clerk_screen = make_screen(logins("dues_clerk", "Chris Clerk"))
    request_waiver(qtbot, clerk_screen)
    view = clerk_screen.member_dues
    qtbot.waitUntil(lambda: any(line.kind == "adjustment" for line in view.model.rows), timeout=WAIT)
    pending = next(line for line in view.model.rows if line.kind == "adjustment")
    assert pending.status == "pending" and not pending.counts and view.model.rows[-1].balance == D("150.00")

    manager_screen = make_screen(logins("manager", "Mia Manager"))
    queue = manager_screen.manager.adjustments
    qtbot.waitUntil(lambda: queue.model.rowCount() == 1, timeout=WAIT)
    row = queue.model.rows[0]
    assert (row.member_name, row.amount, row.type) == ("Smith, John", D("-75.00"), "hardship")
    qtbot.keyClicks(queue.note_edit, "ok per board minutes")
    qtbot.mouseClick(queue.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: queue.model.rowCount() == 0, timeout=WAIT)
    assert "Approved" in queue.message.text()
    with dues_db.engine.connect() as conn:
        assert conn.execute(text("SELECT balance FROM dues_member_standing WHERE member_id = :m"),
                            {"m": dues_db.member_id}).scalar_one() == D("75.00")
        decided_by, note = conn.execute(text("SELECT decided_by, decision_note FROM dues_adjustments")).one()
    assert decided_by.startswith("t_manag") and note == "ok per board minutes"


def test_a_void_posts_a_reversal_and_the_month_is_owed_again(qtbot, logins, make_screen, dues_db):
    hall = logins("dues_clerk")
    import uuid
    dues_services.post_payment(hall.uow(), idempotency_key=uuid.uuid4(), member_id=dues_db.member_id,
                               amount="75.00", method="cash")
    screen = make_screen(hall)
    find_member(qtbot, screen)
    view = screen.member_dues
    assert view.model.rows[-1].kind == "payment" and view.model.rows[-1].balance == D("75.00")
    view.view.selectRow(view.model.rowCount() - 1)
    dialog = view.void_selected()
    assert dialog is not None
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert dialog.errors.labels["reason"].isVisible()
    qtbot.keyClicks(dialog.reason_edit, "check bounced")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT):
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.model.rows[-1].kind == "reversal", timeout=WAIT)
    assert view.model.rows[-1].balance == D("150.00") and view.standing_label.text() == "In arrears"
    assert any(line.status == "voided" for line in view.model.rows)


def test_a_dispatcher_sees_standing_only(qtbot, logins, make_screen, dues_db):
    screen = make_screen(logins("dispatcher"))
    assert screen.posting is None and screen.manager is None and screen.tabs.count() == 1
    find_member(qtbot, screen)
    view = screen.member_dues
    assert view.standing_label.text() == "In arrears" and "month(s) behind" in view.behind_label.text()
    assert "Paid through" in view.paid_through_label.text()
    # standing, never amounts: the dispatcher's login cannot read them, and the screen does not show a balance
    assert view.balance_label.text() == "" and not view.balance_label.isVisible()
    assert not view.view.isVisible() and not view.adjust_button.isVisible()


def test_ledger_model_passes_the_model_tester(qtmodeltester):
    qtmodeltester.check(LedgerModel())
