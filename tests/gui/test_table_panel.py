"""TablePanel: debounced search, toolbar signals, row count, busy label and saved layout."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from unioncore_desktop.gui.itemmodels.base import Column, RowTableModel
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.widgets.table_panel import SEARCH_DELAY_MS, TablePanel

QUIET_MS = SEARCH_DELAY_MS * 2


@dataclass(frozen=True, slots=True)
class BookRow:
    id: int
    position: int
    name: str
    signed_on: date


class BookModel(RowTableModel[BookRow]):
    columns = (
        Column("position", "Position", kind="int"),
        Column("name", "Name"),
        Column("signed_on", "Signed on", kind="date"),
    )


# Loaded in book order, which is not alphabetical.
ROWS = [
    BookRow(11, 1, "Zimmer, Kay", date(2024, 1, 3)),
    BookRow(12, 2, "Abbott, Lee", date(2024, 1, 9)),
    BookRow(13, 3, "Moreno, Ana", date(2024, 2, 1)),
]


@pytest.fixture
def panel(qtbot: QtBot) -> TablePanel:
    widget = TablePanel("book-1", BookModel(ROWS))
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def names(panel: TablePanel) -> list[str]:
    model = panel.model()
    assert model is not None
    return [row.name for row in model.rows]


class TestSearch:
    def test_fast_typing_searches_once(self, qtbot: QtBot, panel: TablePanel) -> None:
        with qtbot.waitSignal(panel.search_changed, timeout=2000) as blocker:
            qtbot.keyClicks(panel.search_edit, "abbott")
        assert blocker.args == ["abbott"]
        with qtbot.assertNotEmitted(panel.search_changed, wait=QUIET_MS):
            pass

    def test_text_is_trimmed(self, qtbot: QtBot, panel: TablePanel) -> None:
        with qtbot.waitSignal(panel.search_changed, timeout=2000) as blocker:
            qtbot.keyClicks(panel.search_edit, "  lee ")
        assert blocker.args == ["lee"]

    def test_typing_back_to_the_same_text_is_not_a_new_search(self, qtbot: QtBot, panel: TablePanel) -> None:
        with qtbot.waitSignal(panel.search_changed, timeout=2000):
            qtbot.keyClicks(panel.search_edit, "mor")
        with qtbot.assertNotEmitted(panel.search_changed, wait=QUIET_MS):
            qtbot.keyClicks(panel.search_edit, "e")
            qtbot.keyClick(panel.search_edit, Qt.Key.Key_Backspace)

    def test_enter_searches_at_once_even_unchanged(self, qtbot: QtBot, panel: TablePanel) -> None:
        with qtbot.waitSignal(panel.search_changed, timeout=2000):
            qtbot.keyClicks(panel.search_edit, "kay")
        with qtbot.waitSignal(panel.search_changed, timeout=50) as blocker:
            qtbot.keyClick(panel.search_edit, Qt.Key.Key_Return)
        assert blocker.args == ["kay"]

    def test_busy_label_follows_the_slot(self, panel: TablePanel) -> None:
        assert not panel.busy_label.isVisible()
        panel.set_busy(True)
        assert panel.busy_label.isVisible()
        panel.set_busy(False)
        assert not panel.busy_label.isVisible()


class TestToolbar:
    def test_export_button(self, qtbot: QtBot, panel: TablePanel) -> None:
        with qtbot.waitSignal(panel.export_requested, timeout=0):
            qtbot.mouseClick(panel.export_button, Qt.MouseButton.LeftButton)

    def test_print_button(self, qtbot: QtBot, panel: TablePanel) -> None:
        with qtbot.waitSignal(panel.print_requested, timeout=0):
            qtbot.mouseClick(panel.print_button, Qt.MouseButton.LeftButton)


class TestTable:
    def test_starts_in_load_order_and_sorts_through_the_model(self, panel: TablePanel) -> None:
        assert names(panel) == ["Zimmer, Kay", "Abbott, Lee", "Moreno, Ana"]
        panel.view.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        assert names(panel) == ["Abbott, Lee", "Moreno, Ana", "Zimmer, Kay"]

    def test_clicking_a_header_three_times_returns_to_load_order(self, qtbot: QtBot, panel: TablePanel) -> None:
        header = panel.view.horizontalHeader()
        seen = []
        for _ in range(3):
            position = QPoint(header.sectionViewportPosition(1) + 5, 5)
            qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=position)
            seen.append(names(panel))
        assert seen == [
            ["Abbott, Lee", "Moreno, Ana", "Zimmer, Kay"],
            ["Zimmer, Kay", "Moreno, Ana", "Abbott, Lee"],
            ["Zimmer, Kay", "Abbott, Lee", "Moreno, Ana"],
        ]

    def test_row_count_follows_the_model(self, panel: TablePanel) -> None:
        model = panel.model()
        assert model is not None
        assert panel.row_count_label.text() == "3 rows"
        model.set_rows(ROWS[:1])
        assert panel.row_count_label.text() == "1 row"
        model.set_rows([])
        assert panel.row_count_label.text() == "0 rows"

    def test_selection_gives_rows(self, panel: TablePanel) -> None:
        panel.view.sortByColumn(1, Qt.SortOrder.AscendingOrder)
        assert panel.select_id(13)
        assert panel.selected_rows() == [ROWS[2]]
        assert panel.current_row() == ROWS[2]
        assert not panel.select_id(99)

    def test_activating_a_row_reports_it(self, qtbot: QtBot, panel: TablePanel) -> None:
        panel.select_id(12)
        panel.view.setFocus()
        with qtbot.waitSignal(panel.row_activated, timeout=500) as blocker:
            qtbot.keyClick(panel.view, Qt.Key.Key_Return)
        assert blocker.args == [ROWS[1]]

    def test_view_is_read_only_with_row_selection(self, panel: TablePanel) -> None:
        view = panel.view
        assert view.editTriggers() == view.EditTrigger.NoEditTriggers
        assert view.selectionBehavior() == view.SelectionBehavior.SelectRows
        assert view.isSortingEnabled()
        assert not view.verticalHeader().isVisible()
        assert view.horizontalHeader().stretchLastSection()


class TestSavedState:
    def test_layout_and_search_round_trip(self, qtbot: QtBot, ui_settings: UiSettings) -> None:
        first = TablePanel("book-1", BookModel(ROWS), settings=ui_settings)
        qtbot.addWidget(first)
        first.view.horizontalHeader().resizeSection(1, 233)
        first.view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        first.set_search_text("moreno")
        first.save_state()

        second = TablePanel("book-1", BookModel(ROWS), settings=UiSettings("dispatcher1"))
        qtbot.addWidget(second)
        with qtbot.waitSignal(second.search_changed, timeout=2000) as blocker:
            second.restore_state()

        header = second.view.horizontalHeader()
        assert header.sectionSize(1) == 233
        assert blocker.args == ["moreno"]

    def test_a_saved_sort_is_not_restored_so_a_book_opens_in_queue_order(
            self, qtbot: QtBot, ui_settings: UiSettings) -> None:
        """Sorted by card number (here: date) before the restart, the book still opens in queue order."""
        first = TablePanel("book-1", BookModel(ROWS), settings=ui_settings)
        qtbot.addWidget(first)
        first.view.sortByColumn(2, Qt.SortOrder.DescendingOrder)
        first.save_state()

        second = TablePanel("book-1", BookModel(ROWS), settings=UiSettings("dispatcher1"))
        qtbot.addWidget(second)
        second.restore_state()
        assert second.view.horizontalHeader().sortIndicatorSection() == -1
        assert names(second) == ["Zimmer, Kay", "Abbott, Lee", "Moreno, Ana"]

    def test_without_settings_state_calls_do_nothing(self, panel: TablePanel) -> None:
        panel.save_state()
        panel.restore_state()
        assert panel.search_text() == ""


def test_a_detail_table_opens_in_load_order_too(qtbot: QtBot) -> None:
    """A record's grid (simple_table) shows rows as the query ordered them until a header is clicked."""
    from unioncore_desktop.gui.widgets.simple_table import simple_table

    model = BookModel([ROWS[1], ROWS[0], ROWS[2]])
    view = simple_table(model)
    qtbot.addWidget(view)
    view.show()
    assert [row.name for row in model.rows] == ["Abbott, Lee", "Zimmer, Kay", "Moreno, Ana"]
    view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert [row.position for row in model.rows] == [3, 2, 1]


class TestLoadingAndCopy:
    def test_an_empty_list_says_loading_until_rows_arrive(self, qtbot: QtBot) -> None:
        model = BookModel([])
        panel = TablePanel("book-1", model)
        qtbot.addWidget(panel)
        assert panel.row_count_label.text() == "Loading…"
        model.set_rows([])
        assert panel.row_count_label.text() == "0 rows"
        panel.set_busy(True)
        assert panel.row_count_label.text() == "Loading…"
        model.set_rows(ROWS)
        panel.set_busy(False)
        assert panel.row_count_label.text() == "3 rows"

    def test_ctrl_c_and_the_context_menu_copy_the_selected_rows(self, qtbot: QtBot, panel: TablePanel) -> None:
        from PySide6.QtGui import QAction, QGuiApplication

        from unioncore_desktop.gui.widgets import copy_rows

        panel.view.selectRow(0)
        panel.view.selectionModel().select(panel.model().index(2, 0),  # type: ignore[union-attr]
                                           panel.view.selectionModel().SelectionFlag.Select
                                           | panel.view.selectionModel().SelectionFlag.Rows)
        panel.view.setFocus()
        QGuiApplication.clipboard().clear()
        qtbot.keyClick(panel.view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
        lines = QGuiApplication.clipboard().text().splitlines()
        assert lines[0] == "Position\tName\tSigned on"
        assert [line.split("\t")[1] for line in lines[1:]] == ["Zimmer, Kay", "Moreno, Ana"]
        assert panel.view.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu
        copy = panel.view.findChild(QAction, copy_rows.COPY_ACTION)
        assert copy is not None and copy in panel.view.actions()
