"""Excel export reopened with openpyxl: typed cells, header, frozen pane, filter, widths and the About sheet."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from unioncore_desktop.reports.xlsx import XlsxColumn, export_table, sheet_name

COLUMNS = [
    XlsxColumn("Card", "text"),
    XlsxColumn("Name", "text"),
    XlsxColumn("Months behind", "int"),
    XlsxColumn("Balance", "decimal"),
    XlsxColumn("Paid through", "date"),
    XlsxColumn("Last payment", "datetime"),
    XlsxColumn("On a book", "bool"),
]
ROWS = [
    ("7464416", "Garcia, Maria Q.", 3, Decimal("1234.50"), date(2026, 8, 31),
     datetime(2026, 11, 21, 16, 14, tzinfo=UTC), True),
    ("A22555555", "=HYPERLINK(\"http://x\")", 0, Decimal("0.00"), date(2026, 11, 30), None, False),
    ("0001234", None, 12, Decimal("-15.25"), None, datetime(2026, 7, 1, 15, 0, tzinfo=UTC), None),
]


@pytest.fixture
def workbook(tmp_path, context):
    path = export_table(tmp_path / "arrears.xlsx", title="Arrears list", columns=COLUMNS, rows=ROWS,
                        context=context)
    return load_workbook(path)


def test_header_frozen_and_filtered(workbook):
    ws = workbook["Arrears list"]
    assert [c.value for c in ws[1]] == [c.header for c in COLUMNS]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:G4"
    assert ws.max_row == 4


def test_cells_are_typed(workbook):
    ws = workbook["Arrears list"]
    card, _name, months, balance, paid, _last, on_book = ws[2]
    assert card.data_type == "s" and card.value == "7464416"  # leading zeros and letters stay text
    assert ws["A4"].value == "0001234"
    assert type(months.value) is int and months.value == 3
    assert isinstance(balance.value, (int, float)) and balance.value == pytest.approx(1234.5)
    assert balance.number_format == "#,##0.00"
    assert ws["D4"].value == pytest.approx(-15.25)
    assert paid.is_date and paid.value.date() == date(2026, 8, 31) and paid.number_format == "yyyy-mm-dd"
    assert on_book.value is True and ws["G3"].value is False


def test_aware_datetimes_become_hall_wall_clock(workbook):
    ws = workbook["Arrears list"]
    assert ws["F2"].is_date and ws["F2"].value == datetime(2026, 11, 21, 8, 14)  # PST
    assert ws["F4"].value == datetime(2026, 7, 1, 8, 0)  # PDT
    assert ws["F2"].value.tzinfo is None


def test_text_that_looks_like_a_formula_stays_text(workbook):
    cell = workbook["Arrears list"]["B3"]
    assert cell.data_type == "s"
    assert cell.value == "=HYPERLINK(\"http://x\")"


def test_empty_values_are_blank_cells(workbook):
    ws = workbook["Arrears list"]
    assert ws["B4"].value is None and ws["E4"].value is None and ws["F3"].value is None


def test_column_widths_follow_content_within_bounds(tmp_path):
    rows = [("x", "y" * 500, 1)]
    path = export_table(tmp_path / "w.xlsx", title="Widths",
                        columns=[XlsxColumn("A", "text"), XlsxColumn("Long", "text"), XlsxColumn("Count", "int")],
                        rows=rows)
    ws = load_workbook(path)["Widths"]
    widths = {letter: ws.column_dimensions[letter].width for letter in "ABC"}
    assert 6 <= widths["A"] < widths["B"] <= 50
    assert widths["C"] >= len("Count")


def test_about_sheet(workbook, context):
    about = workbook["About"]
    values = {row[0]: row[1] for row in about.iter_rows(values_only=True)}
    assert values["Hall"] == "IBEW Local 46 Hiring Hall"
    assert values["Report"] == "Member Roster"
    assert values["Status"] == "active"
    assert values["Classification"] == "all"
    assert values["As of"] == "2026-11-21 08:14 PST"
    assert values["Run by"] == "jdoe"
    assert values["Rows"] == 3
    assert workbook.sheetnames == ["Arrears list", "About"]


def test_without_context_there_is_one_sheet(tmp_path):
    path = export_table(tmp_path / "plain.xlsx", title="Members: active/all", columns=COLUMNS[:1], rows=[])
    wb = load_workbook(path)
    assert wb.sheetnames == ["Members active all"]
    ws = wb.active
    assert ws.auto_filter.ref == "A1:A1" and ws.freeze_panes == "A2"


def test_rows_from_a_generator_longer_than_the_width_sample(tmp_path):
    rows = ((i, Decimal(i) / 4) for i in range(2500))
    path = export_table(tmp_path / "long.xlsx", title="Long", rows=rows,
                        columns=[XlsxColumn("N", "int"), XlsxColumn("Amount", "decimal")])
    wb = load_workbook(path, read_only=True)
    values = list(wb["Long"].iter_rows(min_row=2, values_only=True))
    wb.close()  # read-only workbooks keep the file open until closed
    assert len(values) == 2500 and values[-1] == (2499, pytest.approx(624.75))


def test_row_of_the_wrong_length_is_refused(tmp_path):
    with pytest.raises(ValueError, match="row 2 has 1 values for 2 columns"):
        export_table(tmp_path / "bad.xlsx", title="Bad", rows=[(1, 2), (3,)],
                     columns=[XlsxColumn("A", "int"), XlsxColumn("B", "int")])


def test_fractional_value_in_an_int_column_is_refused(tmp_path):
    with pytest.raises(ValueError, match="column 'Months'"):
        export_table(tmp_path / "bad.xlsx", title="Bad", rows=[(Decimal("2.5"),)],
                     columns=[XlsxColumn("Months", "int")])


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown column kind"):
        XlsxColumn("Amount", "money")  # type: ignore[arg-type]


@pytest.mark.parametrize(("title", "expected"), [
    ("Dues summary by period", "Dues summary by period"),
    ("Arrears [2026]: members/books?", "Arrears 2026 members books"),
    ("A" * 40, "A" * 31),
    ("", "Export"),
])
def test_sheet_name(title, expected):
    assert sheet_name(title) == expected


def test_value_of_the_wrong_type_names_row_and_column(tmp_path):
    with pytest.raises(ValueError, match="row 1, column 'Paid through'"):
        export_table(tmp_path / "bad.xlsx", title="Bad", rows=[(1, "next week")],
                     columns=[XlsxColumn("Months", "int"), XlsxColumn("Paid through", "date")])
    assert not (tmp_path / "bad.xlsx").exists()


FORMULA_LIKE = ["=cmd|' /C calc'!A0", "+1+2", "-2+3", "@SUM(1)", "\t=1+1", "\r=1+1"]


def test_no_string_anywhere_in_the_workbook_becomes_a_formula(tmp_path):
    from unioncore_desktop.reports.base import ReportContext

    context = ReportContext(hall_name="=HYPERLINK(\"http://evil\",\"Local 46\")", title="@SUM(1)",
                            parameters=[("Member", "=cmd|' /C calc'!A0"), ("=Param", "+1+2")],
                            as_of=datetime(2026, 11, 21, 16, 14, tzinfo=UTC), run_by="=jdoe")
    columns = [XlsxColumn("=Card", "text"), XlsxColumn("-Name", "text"), XlsxColumn("Due", "decimal")]
    rows = [(value, value, Decimal("1.00")) for value in FORMULA_LIKE]
    path = export_table(tmp_path / "injected.xlsx", title="=Export", columns=columns, rows=rows, context=context)
    book = load_workbook(path)
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert cells and not [cell.coordinate for cell in cells if cell.data_type == "f"]
    strings = {cell.value for cell in cells if isinstance(cell.value, str)}
    # XML reads every carriage return back as a line feed; the text is otherwise as typed
    assert {"=Card", "-Name", *(value.replace("\r", "\n") for value in FORMULA_LIKE)} <= strings
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True)}
    assert about["Hall"] == "=HYPERLINK(\"http://evil\",\"Local 46\")"
    assert about["Report"] == "@SUM(1)"
    assert about["Member"] == "=cmd|' /C calc'!A0" and about["=Param"] == "+1+2"
    assert about["Run by"] == "=jdoe" and about["Rows"] == len(FORMULA_LIKE)
    # Excel keeps them text even when someone edits the cell
    assert all(cell.quotePrefix for cell in cells if isinstance(cell.value, str) and cell.value[0] in "=+-@\t\n")
