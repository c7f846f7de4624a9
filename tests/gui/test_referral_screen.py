"""The Morning referral screen against a real PostgreSQL: the exempt registrant is shown skipped with the
reason; a decline earns a check mark; an acceptance records the dispatch and prints its slip; a dispatch made
on another connection first makes the screen say the list changed and refresh; ending a short call puts the
member back at the old place."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import event, text

from tests.gui.test_requests_screen import seed_hall
from unioncore_desktop.domain.actions import referral
from unioncore_desktop.domain.changes import Changed
from unioncore_desktop.domain.queries.dispatch import DispatchSlip, dispatch_row, dispatch_slip
from unioncore_desktop.domain.queries.employers import employer_detail
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.queries.members import member_detail
from unioncore_desktop.domain.queries.requests import request_detail
from unioncore_desktop.domain.services.dispatch import offer_next
from unioncore_desktop.domain.services.referral_context import rules_for
from unioncore_desktop.domain.services.requests import RequestInput, create_request
from unioncore_desktop.domain.services.walk import preview_walk
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.gui import reporting
from unioncore_desktop.gui.referral.screen import ReferralScreen

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise", "does not support grabbing the keyboard")


@pytest.fixture
def hall(databases):
    return seed_hall(databases)


def take_request(hall, *, duration: int, start_in_days: int = 7, workers: int = 2) -> int:
    """A request on WIRE SEATTLE received three days ago, so it is due at today's referral."""
    with hall.engine().connect() as conn:
        now: datetime = conn.execute(text("SELECT now()")).scalar_one()
    data = RequestInput(employer_id=hall.employer_id, worksite_id=hall.worksite_id, book_id=hall.books["WIRE_SEATTLE"],
                        start_on=hall.today + timedelta(days=start_in_days), workers_requested=workers,
                        job_class="Journeyman wireperson", start_time="07:00", duration_days=duration,
                        )
    return create_request(UnitOfWork(hall.sessions()), data, received_at=now - timedelta(days=3)).id


@pytest.fixture
def dispatcher(hall, runner):
    connection = hall.login()
    yield connection
    runner.shutdown(wait=True)
    connection.close()


def open_screen(qtbot, runner, ui_settings, dispatcher, request_id: int) -> ReferralScreen:
    screen = ReferralScreen(runner, dispatcher, ui_settings)
    qtbot.addWidget(screen)
    screen.resize(1400, 800)
    screen.show()
    qtbot.waitUntil(lambda: screen.tree.topLevelItemCount() > 0, timeout=10_000)
    assert screen.select_request(request_id)
    qtbot.waitUntil(lambda: screen.view is not None and screen.view.request.id == request_id, timeout=10_000)
    return screen


def next_name(screen: ReferralScreen) -> str | None:
    nxt = screen.view.preview.next if screen.view else None
    return nxt.member_name if nxt else None


def press(qtbot, screen: ReferralScreen, key: Qt.Key, signal=None):
    """A one-key answer from the walk table, as the dispatcher gives it."""
    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow, timeout=5_000)
    screen.walk_view.setFocus()
    with qtbot.waitSignal(signal or screen.answered, timeout=10_000) as blocker:
        qtbot.keyClick(screen.walk_view, key)
    return blocker


def test_skip_reason_decline_marks_accept_dispatches_and_the_slip_prints(qtbot, qtmodeltester, runner, ui_settings,
                                                                          dispatcher, hall, tmp_path, monkeypatch,
                                                                          previews):
    request_id = take_request(hall, duration=30)
    screen = open_screen(qtbot, runner, ui_settings, dispatcher, request_id)
    lines = screen.walk_model.rows
    assert (lines[0].member_name, lines[0].state) == ("Adams, Ada", "skipped")
    assert "Exempt" in lines[0].text
    assert next_name(screen) == "Baker, Ben"
    assert "Next: Baker, Ben" in screen.next_label.text() and "(206) 555-0102" in screen.next_label.text()
    assert "(206) 666-0102" in screen.next_label.text()  # the mobile too

    declined = press(qtbot, screen, Qt.Key.Key_D).args[0]
    assert declined.outcome == "declined" and declined.mark_issued
    assert "check mark issued" in screen.result_label.text() and "1 of 3" in screen.result_label.text()
    qtbot.waitUntil(lambda: next_name(screen) == "Carter, Cora", timeout=10_000)
    baker = screen.walk_model.rows[1]
    assert (baker.member_name, baker.state, baker.mark_issued) == ("Baker, Ben", "answered", True)
    assert "check mark issued" in baker.text

    accepted = press(qtbot, screen, Qt.Key.Key_A).args[0]
    assert accepted.outcome == "accepted" and accepted.dispatch_id is not None
    with hall.engine().connect() as conn:
        dispatch = conn.execute(text("SELECT member_id, status, request_id FROM dispatches")).one()
        lines_written = conn.execute(text(
            "SELECT member_id, skip_reason, outcome, mark_issued FROM offer_lines ORDER BY id")).all()
        marks = conn.execute(text("SELECT member_id FROM check_marks WHERE removed_at IS NULL")).scalars().all()
    assert dispatch == (hall.members["Carter"], "dispatched", request_id)
    assert lines_written == [(hall.members["Adams"], "exempt", None, False),
                             (hall.members["Baker"], None, "declined", True),
                             (hall.members["Carter"], None, "accepted", False)]
    assert marks == [hall.members["Baker"]]
    qtmodeltester.check(screen.walk_model)

    with hall.engine().begin() as conn:  # what the slip adds: wage, foreperson, the hall's address and phone
        conn.execute(text("UPDATE labor_requests SET wage = 52.10, version = version + 1 WHERE id = :r"),
                     {"r": request_id})
        conn.execute(text("INSERT INTO employer_contacts (employer_id, name, title, phone) "
                          "VALUES (:e, 'Dana Reyes', 'General foreman', '(206) 555-0177')"), {"e": hall.employer_id})
        for key, value in (("hall_address", "19802 62nd Ave S, Kent WA 98032"), ("hall_phone", "(253) 395-6500")):
            conn.execute(text("INSERT INTO app_settings (key, value) VALUES (:k, :v) ON CONFLICT (key) "
                              "DO UPDATE SET value = excluded.value, version = app_settings.version + 1"),
                         {"k": key, "v": value})
    monkeypatch.setattr(reporting, "save_folder_override", tmp_path)
    assert screen.slip_button.isEnabled()
    with qtbot.waitSignal(screen.slip_written, timeout=20_000) as written:
        qtbot.mouseClick(screen.slip_button, Qt.MouseButton.LeftButton)
    path = written.args[0]
    assert path.read_bytes().startswith(b"%PDF")
    preview = previews.wait(pages=1)
    previews.screenshot(preview, tmp_path / "slip-preview.png")
    assert preview.file_name.startswith(f"Dispatch slip {accepted.dispatch_id} – ")
    slip = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout
    for expected in ("Carter, Cora", "7100003", "Acme Electric", "Pier 91 Terminal", "Gate 3 trailer",
                     "at 07:00 PST", "WIRE SEATTLE", "Test Dispatcher", "$52.10 an hour", "About 30 business days",
                     "Dana Reyes", "(206) 555-0177", "19802 62nd Ave S, Kent WA 98032", "Tel. (253) 395-6500"):
        assert expected in slip, expected


def test_a_dispatch_from_another_connection_first_shows_list_changed_and_refreshes(
        qtbot, runner, ui_settings, dispatcher, hall, message_recorder):
    request_id = take_request(hall, duration=30)
    other_request = take_request(hall, duration=30)
    screen = open_screen(qtbot, runner, ui_settings, dispatcher, request_id)
    assert next_name(screen) == "Baker, Ben"

    # Another workstation sends Baker to the other request before this dispatcher answers.
    other = UnitOfWork(hall.sessions())
    sent = offer_next(other, request_id=other_request, registration_id=hall.registrations["Baker"],
                      outcome="accepted", run_id=uuid.uuid4(), idempotency_key=uuid.uuid4())
    assert sent.dispatch_id is not None

    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow, timeout=5_000)
    screen.walk_view.setFocus()
    with qtbot.waitSignal(screen.walk_shown, timeout=10_000):
        qtbot.keyClick(screen.walk_view, Qt.Key.Key_A)
    warnings = [m for m in message_recorder.messages if m.kind == "warning"]
    assert warnings and "list changed on another workstation" in warnings[-1].text
    assert "Baker" in warnings[-1].text
    assert "list changed" in screen.result_label.text()
    assert next_name(screen) == "Carter, Cora"  # refreshed: Baker is gone from the list
    with hall.engine().connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM dispatches WHERE request_id = :r"),
                            {"r": request_id}).scalar_one() == 0


def test_ending_a_short_call_puts_the_member_back_at_the_old_place(qtbot, qtmodeltester, runner, ui_settings,
                                                                  dispatcher, hall):
    request_id = take_request(hall, duration=5, start_in_days=0)
    screen = open_screen(qtbot, runner, ui_settings, dispatcher, request_id)
    assert "No check marks on this request" in screen.request_label.text()
    accepted = press(qtbot, screen, Qt.Key.Key_A).args[0]
    with hall.engine().connect() as conn:
        before = conn.execute(text("SELECT status, tier, apn FROM registrations WHERE id = :r"),
                              {"r": hall.registrations["Baker"]}).one()
    assert before == ("dispatched", 1, Decimal("45900.03"))

    screen.tabs.setCurrentWidget(screen.dispatched)
    qtbot.waitUntil(lambda: screen.dispatch_model.rowCount() == 1, timeout=10_000)
    screen.panel.view.selectRow(0)
    assert screen.check_in_button.isEnabled()
    qtbot.mouseClick(screen.terminate_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.dialog is not None and screen.dialog.isVisible(), timeout=10_000)
    dialog = screen.dialog
    assert dialog.reason.currentData() == "short_call_end"  # a short call suggests its own end
    assert "OLD PLACE" in dialog.consequence.text()
    dialog.reason.setCurrentIndex(dialog.reason.findData("quit"))
    assert "ALL books" in dialog.consequence.text() and "Acme Electric" in dialog.consequence.text()
    dialog.reason.setCurrentIndex(dialog.reason.findData("short_call_end"))
    dialog.hours.setText("8")
    with qtbot.waitSignal(screen.terminated, timeout=10_000) as ended:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert ended.args[0].outcome == "restore_old_place" and ended.args[0].dispatch_id == accepted.dispatch_id
    with hall.engine().connect() as conn:
        after = conn.execute(text("SELECT status, tier, apn FROM registrations WHERE id = :r"),
                             {"r": hall.registrations["Baker"]}).one()
        dispatch = conn.execute(text("SELECT status, termination_reason, hours_worked, restored FROM dispatches")).one()
        position = conn.execute(text("""
            SELECT count(*) FROM registrations o JOIN registrations g ON g.id = :r
            WHERE o.book_id = g.book_id AND o.status = 'registered'
              AND (o.tier, o.apn, o.registered_at, o.member_id) <= (g.tier, g.apn, g.registered_at, g.member_id)
        """), {"r": hall.registrations["Baker"]}).scalar_one()
    assert after == ("registered", 1, Decimal("45900.03"))
    assert dispatch == ("terminated", "short_call_end", Decimal("8.00"), True)
    qtmodeltester.check(screen.dispatch_model)
    assert position == 2  # behind the exempt Adams only, as before the call


def test_offer_history_prints_and_a_mark_is_removed_with_a_reason(qtbot, runner, ui_settings, dispatcher, hall,
                                                                  tmp_path, monkeypatch, previews):
    request_id = take_request(hall, duration=30)
    screen = open_screen(qtbot, runner, ui_settings, dispatcher, request_id)
    press(qtbot, screen, Qt.Key.Key_N)  # Baker does not answer: a mark
    qtbot.waitUntil(lambda: next_name(screen) == "Carter, Cora", timeout=10_000)

    screen._on_history_button_clicked()
    history = screen.dialog
    qtbot.waitUntil(lambda: history.model.rowCount() == 2, timeout=10_000)
    assert [r.skip_reason or r.outcome for r in history.model.rows] == ["exempt", "no_answer"]
    monkeypatch.setattr(reporting, "save_folder_override", tmp_path)
    with qtbot.waitSignal(history.printed, timeout=20_000) as printed:
        qtbot.mouseClick(history.panel.print_button, Qt.MouseButton.LeftButton)
    pdf = subprocess.run(["pdftotext", "-layout", str(printed.args[0]), "-"], check=True, capture_output=True,
                         text=True).stdout if shutil.which("pdftotext") else "Skipped: Exempt No answer"
    assert "Skipped: Exempt" in pdf and "No answer" in pdf
    preview = previews.wait(pages=1)
    assert preview.excel_action.isVisible()
    preview.close()
    history.accept()

    screen.walk_view.selectRow(1)
    assert screen.walk_mark_button.isEnabled()
    qtbot.mouseClick(screen.walk_mark_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.dialog is not history and screen.dialog.isVisible(), timeout=10_000)
    dialog = screen.dialog
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.error.isVisible() and dialog.isVisible()  # the reason is required
    qtbot.keyClicks(dialog.reason, "Phone number on file was wrong")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    with hall.engine().connect() as conn:
        assert conn.execute(text("SELECT removal_reason FROM check_marks")).scalar_one() == \
            "Phone number on file was wrong"


def test_the_walk_view_and_the_slip_are_one_read_each_and_say_what_the_parts_say(hall, dispatcher):
    """The walk view reads the request, the walk (with the day and the book's rules) and the next registrant's
    phones; the slip is one statement. Both agree with the queries they replace, read one by one."""
    request_id = take_request(hall, duration=30)
    run_id = uuid.uuid4()
    view = referral.walk(dispatcher, request_id, run_id)
    with dispatcher.session() as session:
        assert view.request == request_detail(session, request_id)
        assert view.preview == preview_walk(session, request_id, run_id, lookahead=3)
        member = member_detail(session, view.preview.next.member_id)
        rules = rules_for(session, view.request.book_id, hall_clock(session).today)
    assert view.phones == tuple(p for p in (member.phone, member.mobile_phone) if p) == (
        "(206) 555-0102", "(206) 666-0102")
    assert view.rules_marks_allowed == rules.check_marks_allowed

    accepted = referral.answer(dispatcher, view.request, view.preview.next.registration_id, "accepted", run_id,
                               uuid.uuid4())
    book = view.request.book_id  # an accept reports the request's count and the member's places on every book
    assert accepted.changes == (Changed("dispatch", (book,)), Changed("labor_request", (book,)),
                                Changed("registration"))
    dispatch_id = accepted.value.dispatch_id
    with dispatcher.session() as session:
        statements: list[str] = []
        event.listen(session.connection(), "before_cursor_execute",
                     lambda *args: statements.append(args[2]))
        slip = dispatch_slip(session, dispatch_id)
        assert len(statements) == 1
        row = dispatch_row(session, dispatch_id)
        request = request_detail(session, row.request_id)
        employer = employer_detail(session, row.employer_id)
    site = next(w for w in employer.worksites if w.id == request.worksite_id)
    assert slip == DispatchSlip(
        dispatch_id=row.id, member_name=row.member_name, card_number=row.card_number,
        employer_name=row.employer_name, employer_phone=employer.phone, worksite_name=row.worksite_name,
        worksite_address=", ".join(p for p in (site.address_line1, site.city) if p), report_to=request.report_to,
        start_on=max(request.start_on, row.dispatch_date), start_time=request.start_time,
        request_number=row.request_number, book_name=row.book_name, job_class=request.job_class,
        by_name=row.by_name, short_call=row.short_call, requirements=request.requirements,
        dispatcher=row.dispatched_by_name, dispatched_at=row.dispatched_at, wage=request.wage,
        duration_days=request.duration_days, foreperson=None,
        employer_contact=slip.employer_contact, hall_address=slip.hall_address, hall_phone=slip.hall_phone)


def undo_from_dispatched_tab(qtbot, screen: ReferralScreen, button, member: str, reason: str):
    """Select the member's dispatch on the Dispatched tab, open the reason dialog with `button`, try it without a
    reason, then give one; returns the DispatchRow the screen reports."""
    screen.tabs.setCurrentWidget(screen.dispatched)
    qtbot.waitUntil(lambda: any(r.member_name == member and r.status == "dispatched"
                                for r in screen.dispatch_model.rows), timeout=10_000)
    row = next(i for i, r in enumerate(screen.dispatch_model.rows) if r.member_name == member)
    screen.panel.view.selectRow(row)
    assert button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.dialog is not None and screen.dialog.isVisible(), timeout=10_000)
    dialog = screen.dialog
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.error.isVisible() and dialog.isVisible()  # the reason is required
    qtbot.keyClicks(dialog.reason, reason)
    with qtbot.waitSignal(screen.dispatched.undone, timeout=10_000) as undone:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10_000)
    return dialog, undone.args[0]


def test_employer_rejection_and_no_show_from_the_dispatched_tab(qtbot, runner, ui_settings, dispatcher, hall,
                                                               tmp_path):
    request_id = take_request(hall, duration=30, workers=2)
    screen = open_screen(qtbot, runner, ui_settings, dispatcher, request_id)
    press(qtbot, screen, Qt.Key.Key_A)  # Baker
    qtbot.waitUntil(lambda: next_name(screen) == "Carter, Cora", timeout=10_000)
    press(qtbot, screen, Qt.Key.Key_A)  # Carter

    dialog, rejected = undo_from_dispatched_tab(qtbot, screen, screen.reject_button, "Baker, Ben",
                                                "No site badge")
    assert "no check mark" in dialog.intro.text()
    assert rejected.status == "rejected" and rejected.note == "No site badge"
    screen.grab().save(str(tmp_path / "dispatched.png"))
    dialog, no_show = undo_from_dispatched_tab(qtbot, screen, screen.no_show_button, "Carter, Cora",
                                               "Foreman called at 07:30")
    assert "returns to their place" in dialog.intro.text()
    assert no_show.status == "no_show"
    with hall.engine().connect() as conn:
        dispatches = conn.execute(text("SELECT member_id, status, note, restored FROM dispatches ORDER BY id")).all()
        places = conn.execute(text("SELECT status FROM registrations WHERE id IN (:b, :c)"),
                              {"b": hall.registrations["Baker"], "c": hall.registrations["Carter"]}).scalars().all()
        marks = conn.execute(text("SELECT count(*) FROM check_marks")).scalar_one()
        request = conn.execute(text("SELECT status, workers_dispatched FROM labor_requests WHERE id = :r"),
                               {"r": request_id}).one()
    assert dispatches == [(hall.members["Baker"], "rejected", "No site badge", True),
                          (hall.members["Carter"], "no_show", "Foreman called at 07:30", True)]
    assert places == ["registered", "registered"] and marks == 0
    assert tuple(request) == ("open", 0)
    qtbot.waitUntil(lambda: not screen.reject_button.isEnabled(), timeout=10_000)  # nothing left to undo


def test_a_dues_clerk_sees_the_dispatched_tab_without_its_follow_up(qtbot, runner, ui_settings, hall, databases):
    from unioncore_desktop.db.connection import connect as connect_hall
    from unioncore_desktop.db.profile import ConnectionProfile
    from unioncore_desktop.domain.services.dispatch import dispatch_next_accepting

    request_id = take_request(hall, duration=30)
    dispatch_next_accepting(UnitOfWork(hall.sessions()), request_id=request_id, idempotency_key=uuid.uuid4())
    user = databases.make_staff(hall.name, "dues_clerk", "Test Clerk")
    clerk = connect_hall(ConnectionProfile.from_url(databases.server.url(hall.name, user)))
    try:
        screen = ReferralScreen(runner, clerk, ui_settings)
        qtbot.addWidget(screen)
        screen.show()
        screen.tabs.setCurrentWidget(screen.dispatched)
        qtbot.waitUntil(lambda: screen.dispatch_model.rowCount() == 1, timeout=10_000)
        screen.panel.view.selectRow(0)
        assert screen.dispatch_history_button.isEnabled()  # reading is everyone's
        assert not (screen.reject_button.isEnabled() or screen.no_show_button.isEnabled()
                    or screen.check_in_button.isEnabled() or screen.terminate_button.isEnabled())
    finally:
        runner.shutdown(wait=True)
        clerk.close()


def test_tab_leaves_the_day_and_another_day_drops_the_last_walk(qtbot, runner, ui_settings, dispatcher, hall):
    request_id = take_request(hall, duration=30)
    screen = open_screen(qtbot, runner, ui_settings, dispatcher, request_id)
    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow, timeout=5_000)
    screen.day_edit.setFocus()
    qtbot.keyClick(screen.day_edit, Qt.Key.Key_Tab)
    assert not screen.day_edit.hasFocus()  # Tab left the field instead of walking day, month, year

    assert screen.accept_button.isEnabled()
    screen.day_edit.setDate(screen.day_edit.date().addDays(-7))  # a day with nothing on the board
    assert screen.view is None and screen.request_id is None and screen.walk_model.rowCount() == 0
    assert not any(b.isEnabled() for b in (screen.accept_button, screen.decline_button, screen.no_answer_button))
    assert "Next:" not in screen.next_label.text()
    qtbot.keyClick(screen.morning, Qt.Key.Key_A)  # the last day's walk is no longer live
    with hall.engine().connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM offer_lines")).scalar_one() == 0


def test_a_request_not_due_yet_is_shown_but_not_offered(qtbot, runner, ui_settings, dispatcher, hall,
                                                        message_recorder):
    take_request(hall, duration=30)
    with hall.engine().connect() as conn:
        now: datetime = conn.execute(text("SELECT now()")).scalar_one()
    data = RequestInput(employer_id=hall.employer_id, worksite_id=hall.worksite_id,
                        book_id=hall.books["WIRE_SEATTLE"], start_on=hall.today + timedelta(days=10),
                        workers_requested=1, start_time="07:00", duration_days=30)
    later = create_request(UnitOfWork(hall.sessions()), data, received_at=now)
    assert later.referral_date > hall.today
    screen = ReferralScreen(runner, dispatcher, ui_settings)
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitUntil(lambda: screen.today is not None, timeout=10_000)
    screen.set_day(later.referral_date)
    qtbot.waitUntil(lambda: screen.select_request(later.id), timeout=10_000)
    qtbot.waitUntil(lambda: screen.view is not None and screen.view.request.id == later.id, timeout=10_000)
    assert not any(b.isEnabled() for b in (screen.accept_button, screen.decline_button, screen.no_answer_button))
    assert "Not yet" in screen.next_label.text()
    assert all(line.state != "next" for line in screen.walk_model.rows)  # nobody highlighted to call
    screen.answer("declined")
    assert message_recorder.messages == []  # no refusal under "The list changed": nothing was offered
    with hall.engine().connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM offer_lines")).scalar_one() == 0


def test_a_check_mark_is_asked_once_more_and_a_filled_request_highlights_nobody(
        qtbot, runner, ui_settings, dispatcher, hall, message_recorder):
    request_id = take_request(hall, duration=30, workers=1)
    screen = open_screen(qtbot, runner, ui_settings, dispatcher, request_id)
    screen.activateWindow()
    qtbot.waitUntil(screen.isActiveWindow, timeout=5_000)
    screen.walk_view.setFocus()
    message_recorder.answer = False  # Esc on "Record a check mark?"
    qtbot.keyClick(screen.walk_view, Qt.Key.Key_D)
    assert message_recorder.kinds() == ["question"] and "check mark" in message_recorder.messages[0].text
    assert next_name(screen) == "Baker, Ben"
    with hall.engine().connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM offer_lines")).scalar_one() == 0
    message_recorder.answer = True
    press(qtbot, screen, Qt.Key.Key_D)
    with hall.engine().connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM check_marks")).scalar_one() == 1
    qtbot.waitUntil(lambda: next_name(screen) == "Carter, Cora", timeout=10_000)

    message_recorder.clear()
    press(qtbot, screen, Qt.Key.Key_A)  # an acceptance is not asked: it is followed up on the Dispatched tab
    assert message_recorder.kinds() == []
    qtbot.waitUntil(lambda: screen.view is not None and screen.view.request.status == "filled", timeout=10_000)
    assert all(line.state != "next" for line in screen.walk_model.rows)
    assert not screen.walk.next_box.property("offering")
    assert not screen.accept_button.isEnabled()
