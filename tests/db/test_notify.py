"""ChangeListener against a real server: delivery from other connections, bursts folded, reconnect, stop, and the
books triggers' payloads. How soon a change arrives and how soon stop returns: bench/live_updates.py."""

from __future__ import annotations

import json
import queue
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, text

from unioncore_desktop.db.connection import HallConnection, connect
from unioncore_desktop.db.notify import CHANNEL, Change, ChangeListener
from unioncore_desktop.db.profile import ConnectionProfile
from unioncore_desktop.domain.changes import KINDS, table_kinds

WAIT = 5.0


class Recorder:
    """Callbacks that queue what the listener thread hands over, for the test thread to take."""

    def __init__(self) -> None:
        self.batches: queue.Queue[list[Change]] = queue.Queue()
        self.states: queue.Queue[bool] = queue.Queue()

    def on_changes(self, changes: list[Change]) -> None:
        self.batches.put(changes)

    def on_state(self, connected: bool) -> None:
        self.states.put(connected)

    def next_batch(self, timeout: float = WAIT) -> list[Change]:
        return self.batches.get(timeout=timeout)

    def no_more_batches(self, within: float) -> bool:
        try:
            self.batches.get(timeout=within)
        except queue.Empty:
            return True
        return False


def payload(table: str, key: object, op: str = "U") -> str:
    return json.dumps({"table": table, "op": op, "key": key, "by": "someone", "app": "other-workstation"})


def notify(conn: Connection, *payloads: str) -> None:
    for body in payloads:
        conn.execute(text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": body})


@pytest.fixture
def database(databases) -> str:
    return databases.create()


@pytest.fixture
def hall(databases, database: str) -> Iterator[HallConnection]:
    login = databases.make_staff(database, "dispatcher", "Desk Two")
    hall = connect(ConnectionProfile.from_url(databases.server.url(database, login)))
    yield hall
    hall.close()


@pytest.fixture
def other(databases, database: str) -> Iterator[Connection]:
    """Another workstation, committing each statement."""
    with databases.engine(database, isolation_level="AUTOCOMMIT").connect() as conn:
        yield conn


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def listener(hall: HallConnection, recorder: Recorder) -> Iterator[ChangeListener]:
    live = hall.listener(recorder.on_changes, recorder.on_state)
    live.backoff = (0.1, 0.2)
    live.start()
    assert recorder.states.get(timeout=WAIT) is True
    yield live
    live.stop()


def test_a_notify_from_another_connection_arrives(listener, recorder, other):
    notify(other, payload("registrations", 7, "I"))
    batch = recorder.next_batch()
    assert batch == [Change("registrations", "I", "7", "someone", "other-workstation")]


def test_the_listener_connects_as_the_logged_in_user_and_names_itself(listener, hall, other):
    row = other.execute(text("SELECT usename, application_name FROM pg_stat_activity WHERE pid = :p"),
                        {"p": listener.backend_pid}).one()
    assert row.usename == hall.facts.user
    assert row.application_name == "unioncore-desktop live"


def test_a_burst_is_one_call_with_duplicates_folded_and_foreign_payloads_ignored(listener, recorder, other):
    notify(other, payload("registrations", 7), "not json", json.dumps([1, 2]), payload("dispatches", 7),
           payload("registrations", 7), payload("labor_requests", 3), payload("registrations", 8))
    batch = recorder.next_batch()
    assert [(c.table, c.key) for c in batch] == [
        ("registrations", "7"), ("dispatches", "7"), ("labor_requests", "3"), ("registrations", "8")]
    assert recorder.no_more_batches(within=0.4)


def test_changes_wait_for_commit_and_a_rollback_sends_nothing(listener, recorder, databases, database):
    engine = databases.engine(database)
    with engine.connect() as conn:
        notify(conn, payload("registrations", 1))
        assert recorder.no_more_batches(within=0.3)
        conn.rollback()
        notify(conn, payload("registrations", 2))
        conn.commit()
    assert [c.key for c in recorder.next_batch()] == ["2"]
    assert recorder.no_more_batches(within=0.3)


def test_after_the_server_drops_it_reconnects_and_listens_again(listener, recorder, other):
    first_pid = listener.backend_pid
    assert other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": first_pid}).scalar()
    assert recorder.states.get(timeout=WAIT) is False
    assert recorder.states.get(timeout=WAIT) is True
    assert listener.connected and listener.backend_pid not in (None, first_pid)
    notify(other, payload("dispatches", 12, "I"))
    assert [c.key for c in recorder.next_batch()] == ["12"]


def test_an_unreachable_server_reports_disconnected_and_stop_still_returns(recorder):
    live = ChangeListener("host=127.0.0.1 port=1 dbname=nowhere connect_timeout=1", recorder.on_changes,
                          recorder.on_state, backoff=(0.1,))
    live.start()
    assert recorder.states.get(timeout=WAIT) is False
    live.stop()
    assert live._thread is not None and not live._thread.is_alive()  # stopped, not left behind
    assert not live.connected


def test_stop_ends_the_thread_and_nothing_is_delivered_afterwards(listener, recorder, other):
    listener.stop()
    assert listener._thread is not None and not listener._thread.is_alive()
    assert not listener.connected and listener.backend_pid is None
    notify(other, payload("registrations", 5))
    assert recorder.no_more_batches(within=0.4)


def test_frequent_health_checks_lose_nothing(hall, recorder, other):
    live = hall.listener(recorder.on_changes, recorder.on_state)
    live.health_check = 0.01  # a SELECT 1 between nearly every wait
    live.start()
    try:
        assert recorder.states.get(timeout=WAIT) is True
        for key in range(5):
            notify(other, payload("registrations", key))
            assert [c.key for c in recorder.next_batch()] == [str(key)]
        assert recorder.states.empty()
    finally:
        live.stop()


def test_a_failing_callback_does_not_stop_the_listener(hall, recorder, other, logged_errors):
    calls: list[list[Change]] = []

    def flaky(changes: list[Change]) -> None:
        calls.append(changes)
        if len(calls) == 1:
            raise RuntimeError("a bug in a screen")
        recorder.on_changes(changes)

    live = hall.listener(flaky, recorder.on_state).start()
    try:
        assert recorder.states.get(timeout=WAIT) is True
        notify(other, payload("registrations", 1))
        deadline = time.monotonic() + WAIT
        while not calls and time.monotonic() < deadline:
            time.sleep(0.02)
        notify(other, payload("registrations", 2))
        assert [c.key for c in recorder.next_batch()] == ["2"]
        assert recorder.states.empty()  # the connection was never given up
        [record] = logged_errors.take(r"change listener callback .*flaky.* failed")  # the bug is in the log
        assert record.exc_info is not None and str(record.exc_info[1]) == "a bug in a screen"
    finally:
        live.stop()


@pytest.mark.parametrize("body", ["", "{}", '{"table": 3, "op": "I"}', '{"table": "x"}', "[]", "null"])
def test_payloads_that_are_not_changes_parse_to_none(body):
    assert Change.parse(body) is None


def test_a_change_keeps_its_key_as_text():
    assert Change.parse('{"table": "bids", "op": "D", "key": 41, "by": "ann", "app": null}') == \
        Change("bids", "D", "41", "ann", None)


class TestBooksTriggers:
    """Migration 0003's `uc_notify_change` on the books tables, through a dispatcher's own commits."""

    @pytest.fixture
    def book_and_member(self, databases, database: str, listener, recorder) -> tuple[int, int]:
        with databases.engine(database).begin() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_proc WHERE proname = 'uc_notify_change'")).scalar()
            if not exists:
                pytest.skip("migration 0003 does not define uc_notify_change yet")
            book = conn.execute(text(
                "INSERT INTO books (code, name, classification, morning_slot) "
                "VALUES ('INSIDE_1', 'Inside Wireman Book 1', 'journeyman', '08:00') RETURNING id")).scalar_one()
            members = [conn.execute(text(
                "INSERT INTO members (card_number, first_name, last_name, classification) "
                "VALUES (:c, 'Pat', :l, 'journeyman') RETURNING id"), {"c": card, "l": last}).scalar_one()
                for card, last in (("7000301", "Quinn"), ("7000302", "Rivera"))]
        # the new book is announced too (a manager adds books from the app); the tests hear what follows it
        assert [(c.table, c.key) for c in recorder.next_batch()] == [("books", str(book))]
        return book, members

    def test_a_sign_on_notifies_the_book_id_with_who_and_which_app(self, listener, recorder, hall,
                                                                      book_and_member):
        book, (first, _second) = book_and_member
        with hall.session() as session:
            session.execute(text("INSERT INTO registrations (member_id, book_id, tier, apn) "
                                 "VALUES (:m, :b, 1, 100.01)"), {"m": first, "b": book})
            session.commit()
        batch = recorder.next_batch()
        assert batch == [Change("registrations", "I", str(book), hall.facts.user, hall.application_name)]
        assert hall.application_name.startswith("unioncore-desktop ")  # this login's own tag

    def test_two_sign_ons_on_one_book_in_one_transaction_arrive_once(self, listener, recorder, hall,
                                                                     book_and_member):
        book, members = book_and_member
        with hall.session() as session:
            for n, member in enumerate(members):
                session.execute(text("INSERT INTO registrations (member_id, book_id, tier, apn) "
                                     "VALUES (:m, :b, 1, :apn)"), {"m": member, "b": book, "apn": 100 + n})
            session.commit()
        assert [(c.table, c.op, c.key) for c in recorder.next_batch()] == [("registrations", "I", str(book))]
        assert recorder.no_more_batches(within=0.3)


def test_a_dispatch_profile_change_names_the_member(listener, recorder, other):
    """0020: qualified books, skills and exclusions announce the member whose profile changed."""
    member = other.execute(text("INSERT INTO members (card_number, first_name, last_name, classification) "
                                "VALUES ('7000401', 'Kim', 'Lee', 'journeyman') RETURNING id")).scalar_one()
    employer = other.execute(text("INSERT INTO employers (name) VALUES ('Bright Co') RETURNING id")).scalar_one()
    other.execute(text("INSERT INTO member_skills (member_id, name) VALUES (:m, 'OSHA 30')"), {"m": member})
    other.execute(text("INSERT INTO member_exclusions (member_id, employer_id, reason) VALUES (:m, :e, 'x')"),
                  {"m": member, "e": employer})
    seen: list[tuple[str, str | None]] = []
    while len(seen) < 2:
        seen += [(c.table, c.key) for c in recorder.next_batch() if c.table.startswith("member_")]
    assert seen == [("member_skills", str(member)), ("member_exclusions", str(member))]
    assert {table_kinds()[table] for table, _key in seen} == {"member_profile"}


def test_dues_setup_tables_notify_once_per_statement_with_no_key(listener, recorder, other):
    other.execute(text("INSERT INTO dues_rates (classification, effective_from, amount) VALUES "
                       "('journeyman', DATE '2030-01-01', 80), ('apprentice_1', DATE '2030-01-01', 40), "
                       "('retiree', DATE '2030-01-01', 10)"))
    batch = recorder.next_batch()
    assert [(c.table, c.op, c.key) for c in batch] == [("dues_rates", "I", None)]
    assert recorder.no_more_batches(within=0.3)


def test_the_hall_set_up_tables_notify(listener, recorder, other):
    """Offices by id; the calendar, the settings and the contract codes once per statement (a year's federal
    holidays arrive as one change)."""
    office = other.execute(text("INSERT INTO offices (code, name) VALUES ('NOTIFY_T', 'Notify') RETURNING id")).scalar()
    assert [(c.table, c.op, c.key) for c in recorder.next_batch()] == [("offices", "I", str(office))]
    other.execute(text("INSERT INTO holidays (day, name) VALUES (DATE '2031-01-01', 'A'), (DATE '2031-01-02', 'B')"))
    assert [(c.table, c.op, c.key) for c in recorder.next_batch()] == [("holidays", "I", None)]
    other.execute(text("UPDATE app_settings SET value = 'Hall', version = version + 1 WHERE key = 'hall_name'"))
    assert [(c.table, c.op, c.key) for c in recorder.next_batch()] == [("app_settings", "U", None)]
    other.execute(text("INSERT INTO contract_codes (code, description) VALUES ('NOTIFY_T', 'Notify')"))
    assert [(c.table, c.op, c.key) for c in recorder.next_batch()] == [("contract_codes", "I", None)]
    assert recorder.no_more_batches(within=0.3)


def test_the_listener_reconnects_with_a_password_changed_meanwhile(hall: HallConnection):
    from psycopg.conninfo import conninfo_to_dict

    listener = hall.listener(lambda _changes: None)
    assert conninfo_to_dict(listener.conninfo).get("password") is None
    hall.use_password("a brand new secret")  # what File, Change password does after the server took it
    assert conninfo_to_dict(listener.conninfo)["password"] == "a brand new secret"


def test_the_change_kinds_name_the_key_each_trigger_sends(connection):
    """domain/changes.py says what every kind's ids are; the live board and local commands both go by it, so it
    must be what the notify triggers send (a labor request change names its book, a bid its request)."""
    rows = connection.execute(text("""
        SELECT c.relname, encode(t.tgargs, 'escape') AS args, (t.tgtype & 1) = 1 AS per_row
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
        WHERE p.proname = 'uc_notify_change' AND NOT t.tgisinternal
    """)).all()
    sent = {table: args.split("\\000")[0] if per_row else None for table, args, per_row in rows}
    kinds = table_kinds()
    assert len(sent) >= 13 and set(sent) <= set(kinds)
    assert {table: KINDS[kinds[table]].tables[table] for table in sent} == sent
    for name, kind in KINDS.items():
        keys = {column for column in kind.tables.values() if column is not None}
        assert len(keys) <= 1, name
        assert bool(kind.ids) == bool(keys), name


def test_role_and_password_changes_notify_as_the_staff_row_with_what_changed(listener, recorder, databases, database,
                                                                           hall: HallConnection):
    """uc_audit_staff announces what lives in the catalog, so another workstation's staff list reloads and the
    person whose password was reset hears of it; deactivation updates the row itself."""
    admin = databases.engine(database, databases.make_staff(database, "admin"))
    assert {(c.table, c.what) for c in recorder.next_batch()} == {("staff", None), ("staff", "roles")}  # created
    login = hall.facts.user
    with admin.begin() as conn:
        staff_id = conn.execute(text("SELECT id FROM staff WHERE login = :l"), {"l": login}).scalar_one()
        conn.execute(text("SELECT uc_set_staff_roles(:l, ARRAY['dispatcher', 'manager'])"), {"l": login})
    batch = recorder.next_batch()
    assert [(c.table, c.op, c.key, c.what) for c in batch] == [("staff", "U", str(staff_id), "roles")]
    assert {table_kinds()[c.table] for c in batch} == {"staff"} and batch[0].by != login
    with admin.begin() as conn:
        conn.execute(text("SELECT uc_reset_staff_password(:l, :v)"),
                     {"l": login, "v": "SCRAM-SHA-256$4096:c2FsdHNhbHQ=$" + "A" * 43 + "=:" + "B" * 43 + "="})
    assert [(c.key, c.what) for c in recorder.next_batch()] == [(str(staff_id), "password")]
    with admin.begin() as conn:
        conn.execute(text("SELECT uc_deactivate_staff(:l)"), {"l": login})
    assert [(c.table, c.key, c.what) for c in recorder.next_batch()] == [("staff", str(staff_id), None)]
