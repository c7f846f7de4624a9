"""The posting batch against a real PostgreSQL, keyed through real widgets with a threaded task runner."""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal as D
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.db.connection import connect
from unioncore_desktop.db.profile import ConnectionProfile
from unioncore_desktop.domain.errors import ConnectionProblem
from unioncore_desktop.domain.rules.dues import add_months, month_start
from unioncore_desktop.domain.services import dues as dues_services
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.domain.actions import dues as dues_actions
from unioncore_desktop.gui.dues.posting import PostingScreen
from unioncore_desktop.gui.live import LiveUpdates

RATES = {"apprentice_2": 40, "journeyman": 75, "foreman": 85, "retiree": 25}
PEOPLE = [("7464416", "John", "Smith", "journeyman"), ("7000200", "Maria", "Garcia", "journeyman"),
          ("7000300", "Ann", "Lee", "apprentice_2")]
WAIT = 10_000


@pytest.fixture
def dues_db(databases):
    """Three members billed last month and this month (John and Maria owe 150.00, Ann 80.00)."""
    name = databases.create()
    engine = databases.engine(name)
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO dues_rates (classification, effective_from, amount) "
                          "SELECT key, DATE '2000-01-01', value::numeric FROM json_each_text(CAST(:r AS json))"),
                     {"r": json.dumps(RATES)})
        for card, first, last, classification in PEOPLE:
            conn.execute(text("INSERT INTO members (card_number, first_name, last_name, classification) "
                              "VALUES (:c, :f, :l, :k)"), {"c": card, "f": first, "l": last, "k": classification})
        today = conn.execute(text("SELECT uc_hall_today()")).scalar_one()
    uow = UnitOfWork(lambda: Session(bind=engine))
    for offset in (-1, 0):
        dues_services.generate_charges(uow, month=add_months(month_start(today), offset))
    return SimpleNamespace(name=name, databases=databases, engine=engine, today=today)


def scalar(db, sql: str, **params):
    with db.engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


@pytest.fixture
def clerk_hall(dues_db, runner):
    user = dues_db.databases.make_staff(dues_db.name, "dues_clerk", "Chris Clerk")
    hall = connect(ConnectionProfile.from_url(dues_db.databases.server.url(dues_db.name, user)))
    yield hall
    runner.shutdown(wait=True)
    hall.close()


@pytest.fixture
def screen(qtbot, runner, ui_settings, clerk_hall):
    widget = PostingScreen(runner, clerk_hall, ui_settings)
    qtbot.addWidget(widget)
    widget.resize(1300, 760)
    widget.show()
    widget.activateWindow()
    qtbot.waitExposed(widget)
    with qtbot.waitSignal(widget.loaded, timeout=WAIT):
        widget.start()
    return widget


def open_batch(qtbot, screen: PostingScreen, total: str) -> None:
    screen.deposit_total.setFocus()
    qtbot.keyClicks(screen.deposit_total, total)
    qtbot.keyClick(screen.deposit_total, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.batch is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: screen.member_edit.hasFocus(), timeout=WAIT)


def focused():
    return QApplication.focusWidget()


def key_line(qtbot, member: str, amount: str, method: str | None = None, reference: str = "") -> None:
    """Types one line the way a clerk does: into whichever field has the focus, Tab between them, Enter."""
    qtbot.keyClicks(focused(), member)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), amount)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    if method:
        qtbot.keyClicks(focused(), method)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    if reference:
        qtbot.keyClicks(focused(), reference)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)


def test_keyboard_only_posting_with_the_running_total(qtbot, screen, dues_db):
    open_batch(qtbot, screen, "305.00")
    assert "305.00" in screen.total_label.text() and not screen.close_button.isEnabled()

    key_line(qtbot, "7464416", "150.00")
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1 and screen.batch.payment_count == 1, timeout=WAIT)
    assert focused() is screen.member_edit and screen.member_edit.text() == ""
    assert "Difference 155.00" in screen.difference_label.text()

    key_line(qtbot, "7000200", "75.00", method="ch", reference="1001")   # "ch" picks Check
    qtbot.waitUntil(lambda: screen.model.rowCount() == 2 and screen.batch.payment_count == 2, timeout=WAIT)
    assert screen.method_combo.currentData() == "check"                     # remembered for the next line

    key_line(qtbot, "7000300", "80.00", reference="2002")
    qtbot.waitUntil(lambda: screen.model.rowCount() == 3 and screen.batch.payment_count == 3, timeout=WAIT)

    rows = screen.model.rows
    assert [(r.card_number, r.amount, r.method, r.reference) for r in rows] == [
        ("7464416", D("150.00"), "cash", None), ("7000200", D("75.00"), "check", "1001"),
        ("7000300", D("80.00"), "check", "2002")]
    assert rows[0].balance == 0 and rows[0].standing == "good_standing"
    assert rows[1].balance == D("75.00") and rows[2].balance == 0
    assert screen.batch.payments_total == D("305.00") and screen.batch.balanced
    assert screen.difference_label.text() == "Balanced" and screen.close_button.isEnabled()
    assert scalar(dues_db, "SELECT count(*) FROM payments WHERE batch_id = :b", b=screen.batch.id) == 3


def test_a_line_resent_after_a_dropped_connection_posts_once(qtbot, screen, dues_db, monkeypatch):
    real_post = dues_services.post_payment
    calls = []

    def post_then_lose_the_answer(uow, **kwargs):
        calls.append(kwargs["idempotency_key"])
        receipt = real_post(uow, **kwargs)
        if len(calls) == 1:  # the server committed, the reply never arrived
            raise ConnectionProblem("The connection to the database server was lost. Nothing was saved; try again.")
        return receipt

    monkeypatch.setattr(dues_services, "post_payment", post_then_lose_the_answer)
    open_batch(qtbot, screen, "75.00")
    key_line(qtbot, "7464416", "75.00")
    qtbot.waitUntil(lambda: screen.retry_button.isVisible(), timeout=WAIT)
    assert "Connection to the server lost" in screen.line_message.text()
    assert screen.member_edit.text() == "7464416" and screen.amount_edit.text() == "75.00"
    assert screen.model.rowCount() == 0

    qtbot.keyClick(focused(), Qt.Key.Key_Return)   # Enter re-sends the kept line
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=WAIT)
    assert calls[0] == calls[1]
    assert "already reached the server" in screen.line_message.text()
    assert scalar(dues_db, "SELECT count(*) FROM payments") == 1
    qtbot.waitUntil(lambda: screen.batch.payment_count == 1 and screen.batch.balanced, timeout=WAIT)
    assert screen.line_key != calls[0]             # the next line gets a new key


def test_unknown_card_shows_a_field_error_and_keeps_the_typed_amount(qtbot, screen, dues_db):
    open_batch(qtbot, screen, "75.00")
    key_line(qtbot, "9999999", "75.00")
    error = screen.error_labels["member"]
    qtbot.waitUntil(error.isVisible, timeout=WAIT)
    assert "No member has card 9999999" in error.text()
    assert screen.amount_edit.text() == "75.00" and focused() is screen.member_edit
    assert screen.model.rowCount() == 0 and scalar(dues_db, "SELECT count(*) FROM payments") == 0

    screen.member_edit.clear()
    qtbot.keyClicks(screen.member_edit, "7464416")
    qtbot.keyClick(screen.member_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=WAIT)


def test_bad_amounts_and_missing_check_number_are_caught_at_the_field(qtbot, screen, dues_db):
    open_batch(qtbot, screen, "75.00")
    key_line(qtbot, "7464416", "-5")
    assert "more than zero" in screen.error_labels["amount"].text() and focused() is screen.amount_edit
    screen.amount_edit.clear()
    screen.method_combo.setCurrentIndex(screen.method_combo.findData("check"))
    qtbot.keyClicks(screen.amount_edit, "75.00")
    qtbot.keyClick(screen.amount_edit, Qt.Key.Key_Return)
    assert "check number" in screen.error_labels["reference"].text() and focused() is screen.reference_edit
    assert scalar(dues_db, "SELECT count(*) FROM payments") == 0


def test_a_money_order_needs_no_number_and_a_reference_holds_what_its_column_holds(qtbot, screen, dues_db):
    """The domain's payment rule, not one of the screen's own: only a check needs its number, and the reference
    field takes the 40 characters payments.reference holds."""
    open_batch(qtbot, screen, "75.00")
    screen.method_combo.setCurrentIndex(screen.method_combo.findData("money_order"))
    key_line(qtbot, "7464416", "75.00")
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=WAIT)
    assert [(r.method, r.reference) for r in screen.model.rows] == [("money_order", None)]
    assert not screen.error_labels["reference"].isVisible()

    screen.reference_edit.setText("9" * 60)
    assert screen.reference_edit.text() == "9" * 40


def test_a_check_number_reused_for_the_same_member_comes_back_to_the_reference(qtbot, screen, dues_db):
    open_batch(qtbot, screen, "100.00")
    key_line(qtbot, "7464416", "50.00", method="ch", reference="555")
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=WAIT)
    key_line(qtbot, "7464416", "50.00", reference="555")
    qtbot.waitUntil(screen.error_labels["reference"].isVisible, timeout=WAIT)
    assert "already posted for this member" in screen.error_labels["reference"].text()
    assert screen.reference_edit.text() == "555" and screen.amount_edit.text() == "50.00"
    assert screen.model.rowCount() == 1


def test_an_absurd_amount_asks_first(qtbot, screen, dues_db, message_recorder):
    message_recorder.answer = False
    open_batch(qtbot, screen, "75.00")
    screen.member_edit.setFocus()
    qtbot.keyClicks(screen.member_edit, "7464416")
    qtbot.waitUntil(lambda: bool(screen._rates), timeout=WAIT)  # the member's rate is known
    qtbot.keyClick(screen.member_edit, Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), "9500.00")   # more than 10 years of 75.00 a month
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: message_recorder.kinds() == ["question"], timeout=WAIT)
    assert "Post it anyway" in message_recorder.messages[0].text
    assert screen.amount_edit.text() == "9500.00" and scalar(dues_db, "SELECT count(*) FROM payments") == 0


def test_the_batch_closes_only_when_it_balances(qtbot, screen, dues_db):
    open_batch(qtbot, screen, "100.00")
    key_line(qtbot, "7464416", "75.00")
    qtbot.waitUntil(lambda: screen.batch.payment_count == 1, timeout=WAIT)
    assert not screen.close_button.isEnabled()
    assert "Difference 25.00 (still to post)" in screen.difference_label.text()
    screen.close_batch()                        # even asked directly, an unbalanced batch stays open
    assert screen.batch_error.isVisible() and screen.batch.status == "open"
    assert scalar(dues_db, "SELECT status FROM payment_batches WHERE id = :b", b=screen.batch.id) == "open"

    key_line(qtbot, "7000200", "25.00")
    qtbot.waitUntil(lambda: screen.batch.payment_count == 2 and screen.close_button.isEnabled(), timeout=WAIT)
    qtbot.mouseClick(screen.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.batch.status == "closed", timeout=WAIT)
    assert not screen.member_edit.isEnabled() and not screen.close_button.isEnabled()
    assert scalar(dues_db, "SELECT closed_by IS NOT NULL FROM payment_batches WHERE id = :b", b=screen.batch.id)


def test_an_open_batch_is_offered_again_after_a_restart(qtbot, runner, ui_settings, clerk_hall, screen):
    open_batch(qtbot, screen, "150.00")
    key_line(qtbot, "7464416", "75.00")
    qtbot.waitUntil(lambda: screen.batch.payment_count == 1, timeout=WAIT)
    batch_id = screen.batch.id

    again = PostingScreen(runner, clerk_hall, ui_settings)
    qtbot.addWidget(again)
    with qtbot.waitSignal(again.loaded, timeout=WAIT):
        again.start()
    assert again.batch_combo.findData(batch_id) > 0 and "1 open batch" in again.resume_note.text()
    again.batch_combo.setCurrentIndex(again.batch_combo.findData(batch_id))
    qtbot.waitUntil(lambda: again.batch is not None and again.model.rowCount() == 1, timeout=WAIT)
    assert again.model.rows[0].card_number == "7464416" and "Difference 75.00" in again.difference_label.text()


def test_receipts_print_per_payment_and_for_the_batch(qtbot, screen, tmp_path, monkeypatch):
    from unioncore_desktop.gui import reporting

    built = []

    def fake_print_report(runner, hall, parent, title, parameters, build, done=None, **_options):
        built.append((title, build))

    monkeypatch.setattr(reporting, "print_report", fake_print_report)
    open_batch(qtbot, screen, "150.00")
    key_line(qtbot, "7464416", "75.00")
    key_line(qtbot, "7000200", "75.00")
    qtbot.waitUntil(lambda: screen.model.rowCount() == 2, timeout=WAIT)
    screen.panel.view.selectRow(0)
    qtbot.mouseClick(screen.panel.print_button, Qt.MouseButton.LeftButton)
    # the batch's totals arrive after its lines: the button is enabled once they say it has payments
    qtbot.waitUntil(screen.print_batch_button.isEnabled, timeout=WAIT)
    qtbot.mouseClick(screen.print_batch_button, Qt.MouseButton.LeftButton)
    assert [t for t, _b in built] == ["Receipt", f"Receipts for batch {screen.batch.id}"]


def test_a_receipt_opens_in_the_print_preview(qtbot, screen, tmp_path, previews):
    open_batch(qtbot, screen, "75.00")
    key_line(qtbot, "7464416", "75.00")
    qtbot.waitUntil(lambda: screen.model.rowCount() == 1, timeout=WAIT)
    qtbot.mouseClick(screen.panel.print_button, Qt.MouseButton.LeftButton)
    preview = previews.wait(pages=1)
    assert preview.windowTitle().startswith("Print preview — Receipt")
    receipt = screen.model.rows[0].receipt_number
    assert preview.file_name.startswith(f"Receipt – {receipt} – ") and preview.file_name.endswith(".pdf")
    text = subprocess.run(["pdftotext", "-layout", str(preview.pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert receipt in text and "$75.00" in text
    previews.screenshot(preview, tmp_path / "receipt-preview.png")


def test_the_deposit_date_stops_at_the_halls_today(qtbot, screen, dues_db):
    qtbot.waitUntil(lambda: screen.today is not None, timeout=WAIT)
    today = screen.deposit_date.date()
    screen.deposit_date.setDate(today.addDays(1))
    assert screen.deposit_date.date() == today == screen.deposit_date.maximumDate()
    screen.deposit_date.setDate(today.addDays(-2))
    open_batch(qtbot, screen, "75.00")
    qtbot.waitUntil(lambda: screen.batch is not None, timeout=WAIT)
    assert screen.batch.deposit_on.isoformat() == today.addDays(-2).toString("yyyy-MM-dd")


class TestKeys:
    """The posting screen keyed without a mouse: one mnemonic per letter, the focus kept, type-ahead that
    means what the clerk typed."""

    def test_no_alt_letter_is_bound_twice_on_the_dues_screen(self, qtbot, runner, ui_settings, dues_db):
        """Every tab of a manager who also posts, with the main window's Edit and View menus (File, Go, Hall and
        Help are older than this screen and still share letters elsewhere)."""
        from PySide6.QtWidgets import QTabWidget

        from unioncore_desktop.gui.dues.screen import DuesScreen

        user = dues_db.databases.make_staff(dues_db.name, "manager+dues_clerk", "Max Manager")
        hall = connect(ConnectionProfile.from_url(dues_db.databases.server.url(dues_db.name, user)))
        try:
            dues = DuesScreen(runner, hall, ui_settings)
            qtbot.addWidget(dues)
            dues.show()
            qtbot.waitExposed(dues)
            tabs = dues.findChild(QTabWidget)
            doubled: dict[str, dict[str, list[str]]] = {}
            for index in range(tabs.count()):
                tabs.setCurrentIndex(index)
                letters = visible_mnemonics(dues)
                for menu in ("&Edit", "&View"):
                    letters.setdefault(menu[1].casefold(), []).append(menu)
                found = {key: owners for key, owners in letters.items() if len(owners) > 1}
                if found:
                    doubled[tabs.tabText(index)] = found
            assert not doubled, doubled
            dues.posting.header.show_batch(dues.posting.batch)  # the Open button becomes Change total
            assert "&" not in dues.posting.open_button.text().replace("&Open", "")
        finally:
            runner.shutdown(wait=True)
            hall.close()

    def test_the_focus_goes_to_the_batch_chooser_after_closing_a_batch(self, qtbot, screen, dues_db):
        open_batch(qtbot, screen, "75.00")
        key_line(qtbot, "7464416", "75.00")
        qtbot.waitUntil(lambda: screen.close_button.isEnabled(), timeout=WAIT)
        screen.close_button.setFocus()
        qtbot.keyClick(screen.close_button, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: screen.batch.status == "closed", timeout=WAIT)
        qtbot.waitUntil(lambda: focused() is not None and focused().isEnabled() and focused().isVisible(),
                        timeout=WAIT)
        assert focused() in (screen.deposit_total, screen.header.batch_combo, screen.open_button)

    def test_typing_c_after_money_order_picks_the_first_method_with_c(self, qtbot, screen):
        combo = screen.method_combo
        combo.setCurrentIndex(combo.findData("money_order"))
        combo.setFocus()
        qtbot.wait(QApplication.keyboardInputInterval() + 50)
        qtbot.keyClicks(combo, "c")
        assert combo.currentData() == "cash"
        qtbot.keyClicks(combo, "h")
        assert combo.currentData() == "check"
        qtbot.wait(QApplication.keyboardInputInterval() + 50)
        qtbot.keyClicks(combo, "car")
        assert combo.currentData() == "card"
        qtbot.wait(QApplication.keyboardInputInterval() + 50)
        qtbot.keyClicks(combo, "cc")  # the same letter again steps on
        assert combo.currentData() == "check"

    @pytest.mark.qt_log_ignore("This plugin does not support")  # the popup, on the offscreen platform
    def test_tabbing_out_of_the_member_field_with_its_list_open_resolves_the_member(self, qtbot, screen, dues_db):
        open_batch(qtbot, screen, "75.00")
        qtbot.keyClicks(screen.member_edit, "Garc")
        qtbot.waitUntil(screen.member_edit.popup_visible, timeout=WAIT)
        popup = screen.member_edit.completer_.popup()
        qtbot.keyClick(popup, Qt.Key.Key_Tab)
        qtbot.waitUntil(lambda: screen.member_edit.member is not None, timeout=WAIT)
        assert screen.member_edit.member.card_number == "7000200"
        assert focused() is screen.amount_edit


def visible_mnemonics(root) -> dict[str, list[str]]:
    """Alt+letter → the visible texts that claim it: buttons, labels with a buddy, group boxes, tabs."""
    from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QTabBar

    found: dict[str, list[str]] = {}

    def claim(text: str) -> None:
        at = text.replace("&&", "").find("&")
        if at >= 0 and at + 1 < len(text.replace("&&", "")):
            found.setdefault(text.replace("&&", "")[at + 1].casefold(), []).append(text)

    for widget in root.findChildren(QAbstractButton) + root.findChildren(QGroupBox):
        if widget.isVisible():
            claim(widget.text() if isinstance(widget, QAbstractButton) else widget.title())
    for label in root.findChildren(QLabel):
        if label.isVisible() and label.buddy() is not None:
            claim(label.text())
    for bar in root.findChildren(QTabBar):
        if bar.isVisible():
            for i in range(bar.count()):
                claim(bar.tabText(i))
    return found


def test_an_enter_is_one_command_and_the_totals_it_shows_are_the_servers(qtbot, runner, screen, clerk_hall):
    """The receipt goes into the grid as one inserted row and the totals are added up from it; the server's
    notice of the payment is this counter's own echo and reads nothing (the speed is bench/desk.py's)."""
    live = LiveUpdates(clerk_hall.listener, own_application=clerk_hall.application_name)
    with qtbot.waitSignal(live.state_changed, timeout=5000):
        live.start()
    try:
        open_batch(qtbot, screen, "305.00")
        started: list[str] = []
        runner.task_submitted.connect(lambda _kind, name: started.append(name))
        resets: list[bool] = []
        screen.model.modelReset.connect(lambda: resets.append(True))
        for member, amount in (("7464416", "150.00"), ("7000200", "75.00")):
            qtbot.keyClicks(focused(), member)
            qtbot.waitUntil(lambda: screen.member_edit.member is not None and not runner.busy, timeout=WAIT)
            started.clear()
            resets.clear()  # the batch as opened has been read (a reset); each line from here is one insert
            key_line(qtbot, "", amount)
            qtbot.waitUntil(lambda m=member: screen.model.rowCount() and screen.model.rows[-1].card_number == m,
                            timeout=WAIT)
            qtbot.wait(800)  # the notice of the payment comes back meanwhile
            assert started == ["post payment"] and resets == []
        server = dues_actions.batch_summary(clerk_hall, screen.batch.id)
        assert screen.batch == server and "Difference 80.00" in screen.difference_label.text()
    finally:
        live.stop()
