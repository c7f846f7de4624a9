"""What one keystroke costs the server, counted through the task runner (its speed is bench/desk.py's): an answer
on the walk is its command (the walk read with it) and the board read again, the server's notice of its own
commit not heard a second time; a screen behind another area waits until it is shown; a search goes out at the
first key and keys typed while it is out make one more search. A posted dues line is test_posting_batch's."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import text

from tests.gui.test_members_screen import PEOPLE
from tests.gui.test_referral_screen import next_name, open_screen, press, take_request
from unioncore_desktop.gui import events
from unioncore_desktop.gui.live import EchoFilter, LiveUpdates
from unioncore_desktop.gui.main_window import MainWindow
from unioncore_desktop.gui.members.screen import MembersScreen
from unioncore_desktop.gui.tasks import TaskRunner

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

ECHO_MS = 800  # the listener's 150 ms burst window, the commit and a loaded machine: the echo has come by then
WAIT = 10_000


class Tasks:
    """The names of the tasks a runner starts, from when `mark()` was called."""

    def __init__(self, runner: TaskRunner) -> None:
        self.started: list[tuple[str, str]] = []
        runner.task_submitted.connect(lambda kind, name: self.started.append((kind, name)))

    def mark(self) -> None:
        self.started.clear()

    def names(self) -> list[str]:
        return sorted(name for _kind, name in self.started)


@pytest.fixture
def live(qtbot) -> Iterator[Callable[[Any], LiveUpdates]]:
    """The live board of a login, leaving out its own commits' echo as the app's does."""
    started: list[LiveUpdates] = []

    def start(hall: Any) -> LiveUpdates:
        updates = LiveUpdates(hall.listener, own_application=hall.application_name)
        with qtbot.waitSignal(updates.state_changed, timeout=5000):
            updates.start()
        started.append(updates)
        return updates

    yield start
    for updates in started:
        updates.stop()


# --- the walk -----------------------------------------------------------------------------------------------


@pytest.fixture
def referral_hall(databases):
    from tests.gui.test_requests_screen import seed_hall

    return seed_hall(databases)


@pytest.fixture
def dispatcher(referral_hall, runner):
    connection = referral_hall.login()
    yield connection
    runner.shutdown(wait=True)
    connection.close()


def test_a_decline_is_one_command_and_the_board_read_once(qtbot, runner, ui_settings, dispatcher, referral_hall,
                                                          live):
    request_id = take_request(referral_hall, duration=30)
    screen = open_screen(qtbot, runner, ui_settings, dispatcher, request_id)
    live(dispatcher)
    tasks = Tasks(runner)
    qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT)
    first = next_name(screen)

    tasks.mark()
    press(qtbot, screen, Qt.Key.Key_D)  # the check mark's question is answered Yes
    qtbot.waitUntil(lambda: next_name(screen) != first and not runner.busy, timeout=WAIT)
    qtbot.wait(ECHO_MS)  # the server's notice of the mark and the line comes back meanwhile: not read again
    assert tasks.names() == ["morning referral", "offer declined"]  # the walk is read with the answer
    with referral_hall.engine().connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM check_marks")).scalar_one() == 1

    # the day's dispatches are read when their tab is shown, not behind the walk
    tasks.mark()
    screen.tabs.setCurrentWidget(screen.dispatched)
    qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT)
    assert tasks.names() == ["dispatched list"]


def test_a_change_elsewhere_waits_for_the_hidden_areas_until_they_are_shown(qtbot, runner, referral_hall,
                                                                            ui_settings, live):
    hall = referral_hall.login("manager+dispatcher+dues_clerk")
    window = MainWindow(runner, hall, ui_settings)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    for area in ("books", "requests", "members"):  # an area is built when first shown: these two are, then hidden
        window.open_area(area)
        qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT)
    tasks = Tasks(runner)
    book = referral_hall.books["WIRE_SEATTLE"]

    # as the live board announces another workstation's sign-on: only the area on screen could read
    events.hub().data_changed.emit("registration", [book], None)
    events.hub().data_changed.emit("labor_request", [book], None)
    qtbot.wait(200)
    assert tasks.names() == []
    books = window.screens["books"]
    assert books.when_shown.stale and window.screens["requests"].when_shown.stale  # type: ignore[attr-defined]

    window.open_area("books")
    qtbot.waitUntil(lambda: not runner.busy, timeout=WAIT)
    assert tasks.names() == ["list books", "open book"]
    assert not books.when_shown.stale  # type: ignore[attr-defined]

    tasks.mark()  # shown again with nothing new: nothing to read
    window.open_area("members")
    window.open_area("books")
    qtbot.wait(100)
    assert tasks.names() == []
    runner.shutdown(wait=True)
    hall.close()


# --- echo ---------------------------------------------------------------------------------------------------


class TestEchoFilter:
    def test_an_announced_change_covers_one_echo_of_it(self):
        echoes = EchoFilter()
        echoes.announced("dues", [7])
        assert echoes.strip("dues", [7]) is None
        assert echoes.strip("dues", [7]) == [7]  # a second commit nobody announced

    def test_what_the_announcement_left_out_still_goes_out(self):
        echoes = EchoFilter()
        echoes.announced("registration", [3])
        assert echoes.strip("registration", [1, 3, 2]) == [1, 2]
        assert echoes.strip("check_mark", [3]) == [3]

    def test_an_announcement_of_anything_covers_a_whole_burst(self):
        echoes = EchoFilter()
        echoes.announced("registration", [])
        assert echoes.strip("registration", [1, 2, 3]) is None

    def test_an_old_announcement_covers_nothing(self):
        now = [100.0]
        echoes = EchoFilter(window=5.0, clock=lambda: now[0])
        echoes.announced("dispatch", [4])
        now[0] += 6
        assert echoes.strip("dispatch", [4]) == [4]


# --- search ---------------------------------------------------------------------------------------------------


class GatedRunner(TaskRunner):
    """A threaded runner whose searches wait for the test to let them answer."""

    def __init__(self) -> None:
        self.gate = threading.Semaphore(0)
        self.gated = True
        super().__init__(invoke=self._invoke_gated)

    def _invoke_gated(self, fn: Callable[[], Any]) -> Any:
        if self.gated:
            self.gate.acquire(timeout=10)
        return fn()


@pytest.fixture
def members_hall(databases, staff_login):
    name = databases.create()
    with databases.engine(name).begin() as conn:
        for card, first, last, phone in PEOPLE:
            conn.execute(text("INSERT INTO members (card_number, first_name, last_name, classification, phone) "
                              "VALUES (:c, :f, :l, 'journeyman', :p)"), {"c": card, "f": first, "l": last, "p": phone})
    return staff_login(name, "manager")


def test_a_search_goes_out_at_the_first_key_and_keys_typed_meanwhile_make_one_more(qtbot, ui_settings,
                                                                                  members_hall):
    runner = GatedRunner()
    runner.gated = False
    screen = MembersScreen(runner, members_hall, ui_settings)
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitUntil(lambda: screen.model.rowCount() == len(PEOPLE), timeout=WAIT)
    tasks = Tasks(runner)
    runner.gated = True
    try:
        qtbot.keyClick(screen.panel.search_edit, "S")
        qtbot.waitUntil(lambda: len(tasks.started) == 1, timeout=WAIT)  # at once: no pause after the key
        for key in "mith":
            qtbot.keyClick(screen.panel.search_edit, key)
            qtbot.wait(20)
        assert len(tasks.started) == 1  # typed while the first was out: nothing more yet
        runner.gate.release()  # "S" answers: stale, so "Smith" is asked instead of showing it
        qtbot.waitUntil(lambda: len(tasks.started) == 2, timeout=WAIT)
        assert screen._shown_search != "S"
        runner.gate.release()
        qtbot.waitUntil(lambda: screen._shown_search == "Smith", timeout=WAIT)
        assert {r.card_number for r in screen.model.rows} >= {"7464416", "7000200"}
        assert tasks.names() == ["search members", "search members"]
    finally:
        runner.gated = False
        runner.gate.release()
        runner.shutdown(wait=True)
