"""The live board: another workstation's commit reaches an open list through LiveUpdates, and the list's refresh
keeps the user's selection, scroll position and sort. How soon it arrives is measured by bench/live_updates.py."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt, QThread
from PySide6.QtWidgets import QApplication, QTableView
from pytestqt.qtbot import QtBot
from sqlalchemy import Engine, text

from unioncore_desktop.db.connection import HallConnection, connect
from unioncore_desktop.db.notify import Change
from unioncore_desktop.db.profile import ConnectionProfile
from unioncore_desktop.gui import events
from unioncore_desktop.gui.itemmodels.base import Column, RowTableModel
from unioncore_desktop.gui.live import TABLE_KINDS, LiveUpdates, group_by_kind
from unioncore_desktop.gui.widgets import view_state
from unioncore_desktop.gui.widgets.table_panel import TablePanel

BOOK_SIZE = 200
WAIT = 10_000  # ms: a generous bound for a loaded machine; the latency itself is a bench figure


@dataclass(frozen=True, slots=True)
class QueueRow:
    id: int
    name: str
    apn: Decimal


class QueueModel(RowTableModel[QueueRow]):
    columns = (Column("name", "Name"), Column("apn", "APN", kind="decimal"))


def rows_from(ids: range | list[int]) -> list[QueueRow]:
    return [QueueRow(i, f"Member {i:04d}", Decimal(i)) for i in ids]


def top_id(panel: TablePanel) -> int:
    model = panel.model()
    assert model is not None
    row = model.row_at(model.index(panel.view.rowAt(0), 0))
    assert row is not None
    return row.id


def selected_ids(panel: TablePanel) -> list[int]:
    return [row.id for row in panel.selected_rows()]


def click_row(qtbot: QtBot, view: QTableView, position: int) -> None:
    rect = view.visualRect(view.model().index(position, 0))
    assert view.viewport().rect().contains(rect.center()), "the row to click is not on screen"
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


@pytest.fixture
def panel(qtbot: QtBot) -> TablePanel:
    widget = TablePanel("live-test", QueueModel(rows_from(range(1, BOOK_SIZE + 1))))
    qtbot.addWidget(widget)
    widget.resize(500, 360)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


# --- the board over a real server -------------------------------------------------------------------------


@dataclass
class Hall:
    hall: HallConnection
    other: Engine  # another workstation, as another dispatcher
    admin: Engine
    book_id: int
    spare_members: list[int]

    def queue(self) -> list[QueueRow]:
        """The book's queue as a books screen would load it."""
        with self.hall.session() as session:
            result = session.execute(text(
                "SELECT r.id, m.last_name AS name, r.apn FROM registrations r JOIN members m ON m.id = r.member_id "
                "WHERE r.book_id = :b AND r.status = 'registered' ORDER BY r.tier, r.apn"), {"b": self.book_id})
            return [QueueRow(row.id, row.name, row.apn) for row in result]

    def sign_on(self, *apns: int) -> None:
        with self.other.begin() as conn:
            for member, apn in zip(self.spare_members, apns, strict=False):
                conn.execute(text("INSERT INTO registrations (member_id, book_id, tier, apn) VALUES (:m, :b, 1, :a)"),
                             {"m": member, "b": self.book_id, "a": apn})


@pytest.fixture
def hall(databases) -> Iterator[Hall]:
    name = databases.create()
    with databases.engine(name).begin() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_proc WHERE proname = 'uc_notify_change'")).scalar()
        if not exists:
            pytest.skip("migration 0003 does not define uc_notify_change yet")
        book_id = conn.execute(text("INSERT INTO books (code, name, classification, morning_slot) "
                                    "VALUES ('INSIDE_1', 'Inside Wireman Book 1', 'journeyman', '08:00') "
                                    "RETURNING id")).scalar_one()
        conn.execute(text("INSERT INTO members (card_number, first_name, last_name, classification) "
                          "SELECT (7100000 + n)::text, 'Pat', 'Member ' || lpad(n::text, 4, '0'), 'journeyman' "
                          "FROM generate_series(1, :n) AS n"), {"n": BOOK_SIZE + 2})
        conn.execute(text("INSERT INTO registrations (member_id, book_id, tier, apn) "
                          "SELECT id, :b, 1, 1000 + id FROM members WHERE card_number::int - 7100000 <= :n"),
                     {"b": book_id, "n": BOOK_SIZE})
        spare = list(conn.execute(text("SELECT id FROM members WHERE card_number::int - 7100000 > :n ORDER BY id"),
                                  {"n": BOOK_SIZE}).scalars())
    desk_one = databases.make_staff(name, "dispatcher", "Desk One")
    desk_two = databases.make_staff(name, "dispatcher", "Desk Two")
    connection = connect(ConnectionProfile.from_url(databases.server.url(name, desk_one)))
    yield Hall(connection, databases.engine(name, desk_two), databases.engine(name), book_id, spare)
    connection.close()


@pytest.fixture
def live(qtbot: QtBot, hall: Hall) -> Iterator[LiveUpdates]:
    updates = LiveUpdates(hall.hall.listener)
    with qtbot.waitSignal(updates.state_changed, timeout=5000) as blocker:
        updates.start()
    assert blocker.args == [True]
    yield updates
    updates.stop()


class BookScreen:
    """The part of a books screen that matters here: it reloads its queue when its book changes."""

    def __init__(self, hall: Hall, panel: TablePanel) -> None:
        self.hall = hall
        self.panel = panel
        self.reloaded_on_gui_thread: list[bool] = []
        panel.reload(hall.queue())

    def on_data_changed(self, kind: str, ids: list, _initiator: object) -> None:
        if kind == "registration" and (not ids or self.hall.book_id in ids):
            self.reloaded_on_gui_thread.append(QThread.currentThread() is QApplication.instance().thread())
            self.panel.reload(self.hall.queue())


def test_a_sign_on_elsewhere_refreshes_the_book_keeping_selection_and_scroll(qtbot, connect, hall, live, panel):
    screen = BookScreen(hall, panel)
    connect(events.hub().data_changed, screen.on_data_changed)
    view = panel.view
    view.verticalScrollBar().setValue(120)
    click_row(qtbot, view, 124)
    chosen, top, value = selected_ids(panel), top_id(panel), view.verticalScrollBar().value()
    assert len(chosen) == 1 and top == panel.model().rows[120].id

    with qtbot.waitSignal(events.hub().data_changed, timeout=WAIT,
                          check_params_cb=lambda kind, _ids, _by: kind == "registration") as blocker:
        hall.sign_on(5, 6)  # both at the head of the queue, above everything on screen
    assert blocker.args == ["registration", [hall.book_id], None]

    assert screen.reloaded_on_gui_thread == [True]
    assert panel.model().rowCount() == BOOK_SIZE + 2
    assert selected_ids(panel) == chosen and panel.current_row().id == chosen[0]
    assert top_id(panel) == top
    assert view.verticalScrollBar().value() == value + 2  # the two new rows pushed everything down


def test_a_lost_listener_reconnects_and_asks_every_screen_to_refresh(qtbot, connect, hall, live):
    states: list[bool] = []
    refreshed: list[tuple[str, list]] = []
    announced: list[bool] = []  # what the status bar's indicator and the morning board hear
    connect(live.state_changed, states.append)
    connect(events.hub().connection_state_changed, announced.append)
    connect(events.hub().data_changed, lambda kind, ids, _by: refreshed.append((kind, ids)))
    pid = live._listener.backend_pid
    with hall.admin.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
    qtbot.waitUntil(lambda: states == [False, True], timeout=10_000)
    assert announced == [False, True]
    assert sorted(refreshed) == sorted((kind, []) for kind in set(TABLE_KINDS.values()))


def test_after_stop_nothing_more_is_emitted(qtbot, hall, live):
    live.stop()
    assert not live.running
    with qtbot.assertNotEmitted(events.hub().data_changed, wait=500):
        hall.sign_on(7)


def test_changes_group_by_kind_with_numeric_keys():
    changes = [Change("registrations", "I", "7", "a", None), Change("dispatches", "I", "7", "a", None),
               Change("registrations", "U", "7", "b", None), Change("registrations", "D", "9", "b", None),
               Change("offer_lines", "I", "1", "a", None), Change("bids", "I", "x-1", "a", None)]
    assert group_by_kind(changes) == {"registration": [7, 9], "dispatch": [7], "bid": ["x-1"]}
    assert TABLE_KINDS["labor_requests"] == "labor_request"
    assert group_by_kind([Change("book_rules", "I", "3", "a", None)]) == {"book_rules": [3]}


# --- keeping the user's place -----------------------------------------------------------------------------


class TestReload:
    def test_the_top_row_gone_leaves_the_next_one_on_top(self, qtbot, panel):
        panel.view.verticalScrollBar().setValue(50)
        click_row(qtbot, panel.view, 55)
        assert top_id(panel) == 51
        panel.reload(rows_from([i for i in range(1, BOOK_SIZE + 1) if i not in (51, 52, 10)]))
        assert top_id(panel) == 53
        assert selected_ids(panel) == [56]

    def test_the_sort_and_a_multi_row_selection_stay(self, qtbot, panel):
        panel.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        panel.view.verticalScrollBar().setValue(30)
        click_row(qtbot, panel.view, 32)
        rect = panel.view.visualRect(panel.model().index(35, 0))
        qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier,
                         pos=rect.center())
        before, top = selected_ids(panel), top_id(panel)
        assert len(before) == 4
        panel.reload(rows_from(range(1, BOOK_SIZE + 41)))
        header = panel.view.horizontalHeader()
        assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (0, Qt.SortOrder.DescendingOrder)
        assert panel.model().rows[0].id == BOOK_SIZE + 40
        assert selected_ids(panel) == before and top_id(panel) == top
        assert panel.current_row().id == before[-1]

    def test_per_pixel_scrolling_keeps_a_half_hidden_top_row_half_hidden(self, panel):
        view = panel.view
        view.setVerticalScrollMode(QTableView.ScrollMode.ScrollPerPixel)
        view.verticalScrollBar().setValue(view.rowHeight(0) * 40 + 7)
        assert view.rowViewportPosition(view.rowAt(0)) == -7
        top = top_id(panel)
        panel.reload(rows_from(range(-4, BOOK_SIZE + 1)))
        assert top_id(panel) == top and view.rowViewportPosition(view.rowAt(0)) == -7

    def test_scrolled_to_the_end_it_stays_on_the_same_rows_when_many_arrive_above(self, panel):
        bar = panel.view.verticalScrollBar()
        bar.setValue(bar.maximum())
        top = top_id(panel)
        panel.reload(rows_from(range(-99, BOOK_SIZE + 1)))
        assert top_id(panel) == top

    def test_when_no_row_on_screen_survives_the_scroll_value_stays(self, panel):
        panel.view.verticalScrollBar().setValue(60)
        panel.reload(rows_from(range(1000, 1000 + BOOK_SIZE)))
        assert panel.view.verticalScrollBar().value() == 60
        assert selected_ids(panel) == []

    def test_a_row_that_left_is_no_longer_selected(self, qtbot, panel):
        click_row(qtbot, panel.view, 2)
        panel.reload(rows_from([1, 2, 4]))
        assert selected_ids(panel) == [] and panel.current_row() is None

    def test_plain_set_rows_still_starts_afresh(self, qtbot, panel):
        click_row(qtbot, panel.view, 2)
        panel.model().set_rows(rows_from(range(1, 10)))
        assert selected_ids(panel) == []

    def test_an_empty_table_has_nothing_to_keep(self, panel):
        model = panel.model()
        model.set_rows([])
        assert view_state.capture(panel.view, model) is None
        panel.reload(rows_from(range(1, 5)))
        assert model.rowCount() == 4 and selected_ids(panel) == []
