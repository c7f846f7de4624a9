"""Request history against a real PostgreSQL: a dispatcher opening the referral screen expires yesterday's unfilled
request on a book that expires them (once, with its reason); the history finds the expired, cancelled and filled
requests by status and employer, opens one with its dispatches, and exports what it shows."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import openpyxl
import pytest
from PySide6.QtCore import Qt
from sqlalchemy import text

from tests.gui.test_requests_screen import seed_hall
from unioncore_desktop.domain.services.dispatch import dispatch_next_accepting
from unioncore_desktop.domain.services.requests import RequestInput, cancel_request, create_request
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.gui import reporting
from unioncore_desktop.gui.referral.screen import ReferralScreen
from unioncore_desktop.gui.requests.history import RequestHistoryScreen

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise", "does not support grabbing the keyboard")


@pytest.fixture
def hall(databases):
    """The requests hall with WIRE SEATTLE expiring unfilled requests, and three requests: one unfilled since
    its start day yesterday, one cancelled (Brightline Power), one filled by Baker."""
    hall = seed_hall(databases)
    engine = hall.engine()
    with engine.begin() as conn:
        now: datetime = conn.execute(text("SELECT now()")).scalar_one()
        conn.execute(text("INSERT INTO book_rules (book_id, effective_from, expire_unfilled) VALUES (:b, :d, true)"),
                     {"b": hall.books["WIRE_SEATTLE"], "d": hall.today - timedelta(days=10)})
        brightline = conn.execute(text("SELECT id FROM employers WHERE name = 'Brightline Power'")).scalar_one()
    uow = UnitOfWork(hall.sessions())

    def take(employer_id, start_in_days, received_days_ago, workers=1):
        data = RequestInput(employer_id=employer_id, book_id=hall.books["WIRE_SEATTLE"], workers_requested=workers,
                            start_on=hall.today + timedelta(days=start_in_days), start_time="07:00",
                            job_class="Journeyman wireperson", duration_days=30,
                            worksite_id=hall.worksite_id if employer_id == hall.employer_id else None)
        return create_request(uow, data, received_at=now - timedelta(days=received_days_ago))

    hall.past = take(hall.employer_id, -1, 12)  # worked a morning in the past, started yesterday: unfilled
    hall.lost = cancel_request(uow, request_id=take(brightline, 3, 4).id, reason="Job went to another local")
    hall.filled = take(hall.employer_id, 5, 4)
    dispatch_next_accepting(uow, request_id=hall.filled.id, idempotency_key=uuid.uuid4())
    return hall


@pytest.fixture
def dispatcher(hall, runner):
    connection = hall.login()
    yield connection
    runner.shutdown(wait=True)
    connection.close()


def status_of(hall, request_id):
    with hall.engine().connect() as conn:
        return conn.execute(text("SELECT status, expiry_reason FROM labor_requests WHERE id = :r"),
                            {"r": request_id}).one()


def test_the_referral_screen_expires_what_is_due_and_the_history_finds_it(qtbot, qtmodeltester, runner, ui_settings,
                                                                         dispatcher, hall, tmp_path, monkeypatch,
                                                                         previews):
    assert status_of(hall, hall.past.id)[0] == "open"
    referral = ReferralScreen(runner, dispatcher, ui_settings)
    qtbot.addWidget(referral)
    referral.show()
    qtbot.waitUntil(lambda: referral.tree.topLevelItemCount() > 0, timeout=10_000)
    status, reason = status_of(hall, hall.past.id)
    assert status == "expired" and reason.startswith("Unfilled on its start day")
    assert all(r.id != hall.past.id for b in referral.books for r in b.requests)  # never offered on the board

    screen = RequestHistoryScreen(runner, dispatcher, ui_settings)
    qtbot.addWidget(screen)
    screen.resize(1400, 700)
    screen.show()
    qtbot.waitUntil(lambda: screen.model.rowCount() == 3, timeout=10_000)
    assert {r.number: r.status for r in screen.model.rows} == {
        hall.past.number: "expired", hall.lost.number: "cancelled", hall.filled.number: "filled"}
    qtmodeltester.check(screen.model)
    screen.grab().save(str(tmp_path / "history.png"))

    screen.status.setCurrentIndex(screen.status.findData("expired"))
    qtbot.waitUntil(lambda: [r.number for r in screen.model.rows] == [hall.past.number], timeout=10_000)
    screen.status.setCurrentIndex(0)
    screen.panel.search_edit.setFocus()
    qtbot.keyClicks(screen.panel.search_edit, "brightline")
    qtbot.waitUntil(lambda: [r.number for r in screen.model.rows] == [hall.lost.number], timeout=10_000)
    assert screen.model.rows[0].reason == "Job went to another local"
    screen.panel.search_edit.clear()
    screen.book.setCurrentIndex(screen.book.findData(hall.books["WIRE_BREMERTON"]))
    qtbot.waitUntil(lambda: screen.model.rowCount() == 0, timeout=10_000)
    screen.book.setCurrentIndex(screen.book.findData(hall.books["WIRE_SEATTLE"]))
    qtbot.waitUntil(lambda: screen.model.rowCount() == 3, timeout=10_000)

    filled_row = next(i for i, r in enumerate(screen.model.rows) if r.number == hall.filled.number)
    screen.panel.view.selectRow(filled_row)
    with qtbot.waitSignal(screen.opened, timeout=10_000) as opened:
        qtbot.keyClick(screen.panel.view, Qt.Key.Key_Return)
    dialog = opened.args[0]
    assert [(d.member_name, d.status) for d in dialog.model.rows] == [("Baker, Ben", "dispatched")]
    assert "1 dispatched of 1 wanted" in dialog.form.workersValue.text()
    dialog.grab().save(str(tmp_path / "past_request.png"))
    dialog.offer_history_button.click()
    qtbot.waitUntil(lambda: dialog.offer_history is not None and dialog.offer_history.model.rowCount() == 2,
                    timeout=10_000)  # Adams skipped (exempt), Baker accepted
    dialog.offer_history.accept()
    dialog.accept()

    monkeypatch.setattr(reporting, "save_folder_override", tmp_path)
    qtbot.mouseClick(screen.panel.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(tmp_path.glob("Request history – *.xlsx")), timeout=20_000)
    qtbot.waitUntil(lambda: not runner.busy, timeout=20_000)
    path = next(tmp_path.glob("Request history – *.xlsx"))
    values = [c for row in openpyxl.load_workbook(path).active.iter_rows(values_only=True) for c in row]
    assert hall.past.number in values and hall.lost.number in values and "Job went to another local" in values

    qtbot.mouseClick(screen.panel.print_button, Qt.MouseButton.LeftButton)
    preview = previews.wait()
    assert preview.page_count() >= 1 and preview.excel_action.isVisible()
    assert preview.file_name.startswith("Request history – ")


@pytest.mark.parametrize(("role", "expires"), [("manager", True), ("dues_clerk", False)])
def test_a_managers_requests_screen_expires_what_is_due_and_a_clerks_only_reads(qtbot, runner, ui_settings, hall,
                                                                              role, expires):
    from unioncore_desktop.gui.requests.screen import RequestsScreen

    login = hall.login(role)
    try:
        screen = RequestsScreen(runner, login, ui_settings)
        qtbot.addWidget(screen)
        with qtbot.waitSignal(screen.loaded, timeout=10_000):
            screen.show()
        assert status_of(hall, hall.past.id)[0] == ("expired" if expires else "open")
        assert (hall.past.id in [r.id for r in screen.model.rows]) is not expires
    finally:
        runner.shutdown(wait=True)
        login.close()
