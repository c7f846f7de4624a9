"""RowTableModel: Qt's model contract, roles, in-model sorting, row replacement, export and painting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QTableView
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from unioncore_desktop.gui.itemmodels.base import Column, RowRole, RowTableModel
from unioncore_desktop.gui.itemmodels.formatting import (
    format_bool,
    format_date,
    format_datetime,
    format_label,
    format_money,
)

ARREARS = QColor("#b91c1c")


@dataclass(frozen=True, slots=True)
class MemberRow:
    id: int
    name: str
    classification: str
    initiated: date | None
    balance: Decimal
    last_dispatch: datetime | None
    active: bool
    referrals: int


class MembersModel(RowTableModel[MemberRow]):
    columns = (
        Column("name", "Name"),
        Column("classification", "Classification", formatter=format_label),
        Column("initiated", "Initiated", kind="date"),
        Column("balance", "Balance", kind="decimal",
               foreground=lambda row: ARREARS if row.balance < 0 else None,
               tooltip=lambda row: "In arrears" if row.balance < 0 else None),
        Column("last_dispatch", "Last dispatch", kind="datetime"),
        Column("active", "Active", kind="bool"),
        Column("referrals", "Referrals", kind="int"),
    )


ROWS = [
    MemberRow(1, "Okafor, Ada", "journeyman", date(2011, 5, 2), Decimal("0.00"), None, True, 4),
    MemberRow(2, "baker, Tom", "apprentice_3", None, Decimal("-42.50"), datetime(2024, 3, 1, 14, 30, tzinfo=UTC),
              True, 1),
    MemberRow(3, "Alvarez, Rosa", "foreman", date(1998, 1, 15), Decimal("120.00"), None, False, 9),
    MemberRow(4, "Chen, Li", "apprentice_1", None, Decimal("0.00"), None, True, 0),
    MemberRow(5, "Dubois, Marc", "journeyman", date(2011, 5, 2), Decimal("7.5"), None, True, 2),
]
INITIATED = 2


def names(model: RowTableModel[MemberRow]) -> list[str]:
    return [row.name for row in model.rows]


@pytest.fixture
def model() -> MembersModel:
    return MembersModel(ROWS)


class TestContract:
    def test_model_tester_through_every_change(self, qtmodeltester: ModelTester, model: MembersModel) -> None:
        qtmodeltester.check(model)
        model.sort(INITIATED, Qt.SortOrder.DescendingOrder)
        model.replace_row(MemberRow(2, "Baker, Tom", "apprentice_4", None, Decimal("0"), None, True, 1))
        model.set_rows(ROWS[:2])
        model.sort(-1)
        model.set_rows([])

    def test_model_tester_on_an_empty_model(self, qtmodeltester: ModelTester) -> None:
        qtmodeltester.check(MembersModel())

    def test_header_is_horizontal_only_and_never_falls_back(self, model: MembersModel) -> None:
        assert model.headerData(0, Qt.Orientation.Horizontal) == "Name"
        assert model.headerData(3, Qt.Orientation.Horizontal, Qt.ItemDataRole.TextAlignmentRole) == (
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        assert model.headerData(0, Qt.Orientation.Vertical) is None
        assert model.headerData(99, Qt.Orientation.Horizontal) is None
        assert model.headerData(0, Qt.Orientation.Horizontal, Qt.ItemDataRole.DecorationRole) is None


class TestRoles:
    def test_display_is_formatted_and_edit_is_raw(self, model: MembersModel) -> None:
        baker = model.index(1, 0).row()
        assert model.data(model.index(baker, 1)) == "Apprentice 3"
        assert model.data(model.index(baker, 1), Qt.ItemDataRole.EditRole) == "apprentice_3"
        assert model.data(model.index(baker, 3)) == "-42.50"
        assert model.data(model.index(4, 3)) == "7.50"
        assert model.data(model.index(0, 2)) == "2011-05-02"
        assert model.data(model.index(1, 2)) == ""
        assert model.data(model.index(0, 5)) == "Yes"

    def test_custom_roles(self, model: MembersModel) -> None:
        index = model.index(1, 0)
        assert model.data(index, RowRole.ROW_ID) == 2
        assert model.data(index, RowRole.ROW) is ROWS[1]
        assert model.data(index, RowRole.SORT_KEY) == "baker, tom"
        assert Qt.ItemDataRole.UserRole + 1 == RowRole.ROW_ID

    def test_status_roles_and_alignment(self, model: MembersModel) -> None:
        assert model.data(model.index(1, 3), Qt.ItemDataRole.ForegroundRole) == ARREARS
        assert model.data(model.index(1, 3), Qt.ItemDataRole.ToolTipRole) == "In arrears"
        assert model.data(model.index(0, 3), Qt.ItemDataRole.ForegroundRole) is None
        assert model.data(model.index(0, 6), Qt.ItemDataRole.TextAlignmentRole) == (
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        assert model.data(model.index(0, 0), Qt.ItemDataRole.TextAlignmentRole) == (
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

    def test_rows_are_read_only_and_selectable(self, model: MembersModel) -> None:
        flags = model.flags(model.index(0, 0))
        assert flags & Qt.ItemFlag.ItemIsSelectable
        assert not flags & Qt.ItemFlag.ItemIsEditable
        assert model.flags(QModelIndex()) == Qt.ItemFlag.NoItemFlags


class TestSorting:
    def test_date_ascending_puts_empty_last_and_keeps_ties_in_load_order(self, model: MembersModel) -> None:
        model.sort(INITIATED, Qt.SortOrder.AscendingOrder)
        assert names(model) == ["Alvarez, Rosa", "Okafor, Ada", "Dubois, Marc", "baker, Tom", "Chen, Li"]

    def test_date_descending_still_puts_empty_last(self, model: MembersModel) -> None:
        model.sort(INITIATED, Qt.SortOrder.DescendingOrder)
        assert names(model) == ["Okafor, Ada", "Dubois, Marc", "Alvarez, Rosa", "baker, Tom", "Chen, Li"]

    def test_text_sorts_without_regard_to_case(self, model: MembersModel) -> None:
        model.sort(0, Qt.SortOrder.AscendingOrder)
        assert names(model)[:2] == ["Alvarez, Rosa", "baker, Tom"]

    def test_money_sorts_by_value(self, model: MembersModel) -> None:
        model.sort(3, Qt.SortOrder.AscendingOrder)
        assert [row.balance for row in model.rows] == sorted(row.balance for row in ROWS)

    def test_column_minus_one_restores_load_order(self, model: MembersModel) -> None:
        model.sort(0, Qt.SortOrder.DescendingOrder)
        model.sort(-1, Qt.SortOrder.AscendingOrder)
        assert list(model.rows) == ROWS

    def test_new_rows_keep_the_current_sort(self, model: MembersModel) -> None:
        model.sort(6, Qt.SortOrder.DescendingOrder)
        model.set_rows(list(reversed(ROWS)))
        assert [row.referrals for row in model.rows] == [9, 4, 2, 1, 0]

    def test_persistent_index_follows_its_row(self, model: MembersModel) -> None:
        chen = QPersistentModelIndex(model.index(3, 0))
        model.sort(0, Qt.SortOrder.AscendingOrder)
        assert model.row_at(chen) is ROWS[3]
        assert chen.row() == 2

    def test_sort_key_override(self) -> None:
        class ByLength(RowTableModel[MemberRow]):
            columns = (Column("name", "Name", sort_key=lambda row: len(row.name)),)

        model = ByLength(ROWS)
        model.sort(0)
        assert names(model)[0] == "Chen, Li"


class TestRowAccess:
    def test_row_at_and_by_id(self, model: MembersModel) -> None:
        assert model.row_at(model.index(2, 4)) is ROWS[2]
        assert model.row_at(QModelIndex()) is None
        assert model.row_by_id(5) is ROWS[4]
        assert model.row_by_id(99) is None
        assert model.index_for_id(4, 1) == model.index(3, 1)
        assert not model.index_for_id(99).isValid()

    def test_replace_row_signals_that_row_only(self, qtbot: QtBot, model: MembersModel) -> None:
        model.sort(0, Qt.SortOrder.AscendingOrder)
        paid = MemberRow(2, "baker, Tom", "apprentice_3", None, Decimal("0.00"), None, True, 1)

        with qtbot.waitSignal(model.dataChanged, timeout=0) as blocker:
            assert model.replace_row(paid)

        top_left, bottom_right = blocker.args[:2]
        assert (top_left.row(), top_left.column()) == (1, 0)
        assert (bottom_right.row(), bottom_right.column()) == (1, len(MembersModel.columns) - 1)
        assert model.row_by_id(2) is paid
        model.sort(-1)
        assert model.rows[1] is paid

    def test_replace_unknown_row_is_refused(self, model: MembersModel) -> None:
        assert not model.replace_row(MemberRow(42, "Nobody", "journeyman", None, Decimal(0), None, True, 0))


class TestExport:
    def test_columns_declare_their_kind(self, model: MembersModel) -> None:
        assert model.export_columns() == [
            ("Name", "text"), ("Classification", "text"), ("Initiated", "date"), ("Balance", "decimal"),
            ("Last dispatch", "datetime"), ("Active", "bool"), ("Referrals", "int"),
        ]

    def test_rows_are_typed_values_in_view_order(self, model: MembersModel) -> None:
        model.sort(INITIATED, Qt.SortOrder.AscendingOrder)
        rows = model.export_rows()

        assert [row[0] for row in rows] == names(model)
        baker = rows[3]
        assert baker == ("baker, Tom", "Apprentice 3", None, Decimal("-42.50"),
                         datetime(2024, 3, 1, 14, 30, tzinfo=UTC), True, 1)
        assert type(rows[0][2]) is date
        assert type(rows[0][3]) is Decimal
        assert type(rows[0][6]) is int


class TestFormatting:
    @pytest.mark.parametrize(("value", "text"), [
        (Decimal("1234.5"), "1,234.50"),
        (Decimal("0.005"), "0.01"),
        (Decimal("-12"), "-12.00"),
        (3, "3.00"),
        (None, ""),
    ])
    def test_money(self, value: Decimal | int | None, text: str) -> None:
        assert format_money(value) == text

    @pytest.mark.parametrize(("value", "text"), [
        ("apprentice_3", "Apprentice 3"),
        ("short_call_end", "Short call end"),
        ("BA", "BA"),
        (None, ""),
    ])
    def test_vocabulary_label(self, value: str | None, text: str) -> None:
        assert format_label(value) == text

    def test_dates(self) -> None:
        assert format_date(date(2024, 2, 29)) == "2024-02-29"
        moment = datetime(2024, 3, 1, 14, 30, tzinfo=UTC)
        assert format_datetime(moment) == moment.astimezone().strftime("%Y-%m-%d %H:%M")
        assert format_datetime(datetime(2024, 3, 1, 9, 5)) == "2024-03-01 09:05"
        assert format_bool(False) == "No"


class TestPainting:
    def test_view_survives_repeated_repaints(self, qtbot: QtBot, model: MembersModel) -> None:
        # Guards the PySide6 6.12 / Python 3.11 abort in headerData, which only shows when a header paints.
        view = QTableView()
        qtbot.addWidget(view)
        view.setModel(model)
        view.setSortingEnabled(True)
        view.resize(800, 300)
        view.show()
        qtbot.waitExposed(view)
        header = view.horizontalHeader()

        for i in range(200):
            view.viewport().repaint()
            header.viewport().repaint()
            if i % 20 == 0:
                view.sortByColumn(i % len(MembersModel.columns), Qt.SortOrder.AscendingOrder)
                qtbot.wait(1)

        assert header.count() == len(MembersModel.columns)
