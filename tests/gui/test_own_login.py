"""Staff changes made at another workstation, heard through the live board against a real PostgreSQL: a role change
reaches every screen as a `staff` change (the Staff logins list reloads on it), and the workstation whose own login
was reset or deactivated is told at once and sent back to the log-in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.gui import events, messages
from unioncore_desktop.gui.live import LiveUpdates
from unioncore_desktop.gui.own_login import OwnLoginWatch

WAIT = 10_000
VERIFIER = "SCRAM-SHA-256$4096:c2FsdHNhbHQ=$" + "A" * 43 + "=:" + "B" * 43 + "="


@pytest.fixture
def hall_db(databases) -> str:
    return databases.create()


@pytest.fixture
def desk(qtbot, staff_login, hall_db) -> HallConnection:
    return staff_login(hall_db, "dispatcher", "Desk One")


@pytest.fixture
def live(qtbot, desk: HallConnection) -> Iterator[LiveUpdates]:
    updates = LiveUpdates(desk.listener)
    with qtbot.waitSignal(updates.state_changed, timeout=5000):
        updates.start()
    yield updates
    updates.stop()


@pytest.fixture
def admin(databases, hall_db):
    return databases.engine(hall_db, databases.make_staff(hall_db, "admin", "Avery Admin"))


@pytest.fixture
def watch(qtbot, runner, desk, live, parent_widget) -> OwnLoginWatch:
    watcher = OwnLoginWatch(runner, desk, parent_widget)
    live.changes_received.connect(watcher.on_changes)
    return watcher


def run(admin, sql: str, login: str) -> None:
    with admin.begin() as conn:
        conn.execute(text(sql), {"l": login, "v": VERIFIER})


def test_a_role_change_elsewhere_is_a_staff_change_here_and_the_person_is_told(qtbot, desk, admin, watch):
    with admin.connect() as conn:
        staff_id = conn.execute(text("SELECT id FROM staff WHERE login = :l"), {"l": desk.facts.user}).scalar_one()
    with qtbot.waitSignal(events.hub().data_changed, timeout=WAIT,
                          check_params_cb=lambda kind, _ids, _by: kind == "staff") as blocker:
        run(admin, "SELECT uc_set_staff_roles(:l, ARRAY['dispatcher', 'manager'])", desk.facts.user)
    assert blocker.args == ["staff", [staff_id], None]  # the Staff logins list reloads on this
    qtbot.waitUntil(lambda: "roles of your login" in watch.told, timeout=WAIT)
    assert messages.recorder() is not None and messages.recorder().kinds()[-1] == "information"


def test_a_password_reset_elsewhere_is_said_at_once_and_goes_back_to_the_log_in(qtbot, desk, admin, watch):
    with qtbot.waitSignal(watch.logged_out, timeout=WAIT) as blocker:
        run(admin, "SELECT uc_reset_staff_password(:l, :v)", desk.facts.user)
    assert "password of your login" in blocker.args[0] and "Avery" not in blocker.args[0]
    assert messages.recorder().kinds()[-1] == "warning"


def test_a_deactivation_elsewhere_is_said_at_once(qtbot, desk, admin, watch):
    with qtbot.waitSignal(watch.logged_out, timeout=WAIT) as blocker:
        run(admin, "SELECT uc_deactivate_staff(:l)", desk.facts.user)
    assert f"Your login {desk.facts.user} was deactivated" in blocker.args[0]


def test_another_persons_change_says_nothing_here(qtbot, desk, admin, watch, databases, hall_db):
    other = databases.make_staff(hall_db, "dispatcher", "Desk Two")
    with qtbot.waitSignal(events.hub().data_changed, timeout=WAIT,
                          check_params_cb=lambda kind, _ids, _by: kind == "staff"):
        run(admin, "SELECT uc_reset_staff_password(:l, :v)", other)
    qtbot.wait(300)  # the own record is read again, and is untouched
    assert watch.told == ""


def test_a_login_deactivated_while_no_one_listened_is_told_plainly_on_its_next_connection(desk, admin):
    """Without the live board (offline at the time), the next new connection says what happened, not "lost"."""
    from unioncore_desktop.domain.actions import staff
    from unioncore_desktop.domain.errors import PermissionDenied

    run(admin, "SELECT uc_deactivate_staff(:l)", desk.facts.user)
    desk.engine.dispose()  # the pool's sessions were open before; a new one is what the server refuses
    with pytest.raises(PermissionDenied, match="no longer accepts your login"):
        staff.own_login(desk)
