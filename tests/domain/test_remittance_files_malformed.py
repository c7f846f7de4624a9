"""Malformed employer lists: every damaged, oversized or out-of-range file ends in one sentence naming the
problem, and nothing is written. The reading limits are checked while reading, so huge files stop early."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError
from sqlalchemy import text

from unioncore_desktop.domain.errors import ValidationError
from unioncore_desktop.domain.rules import remittance as rules
from unioncore_desktop.domain.services.remittances import import_remittance

pytestmark = pytest.mark.commits  # the services' own COMMIT runs, as at the hall

PERIOD = date(2025, 3, 1)
MAPPING = {"card_number": "Card", "name": "Name", "amount": "Dues"}
SHEET = "xl/worksheets/sheet1.xml"
SHEET_HEAD = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
SHEET_TAIL = b"</sheetData></worksheet>"


# --- building files ------------------------------------------------------------------------------------------

def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def good_rows() -> list[list[object]]:
    return [["Card", "Name", "Dues"], ["7100010", "Smith, John", 75], ["7100011", "Pena, Maria", "75.00"]]


def good_xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    book = openpyxl.Workbook()
    for row in good_rows():
        book.active.append(row)
    book.save(buffer)
    return buffer.getvalue()


def rewrite_xlsx(path: Path, *, replace: dict[str, bytes | Callable[[], Iterable[bytes]]]) -> Path:
    """A valid workbook with some parts replaced: by bytes, or streamed from chunks (so a huge part is never
    built in memory here either)."""
    source = zipfile.ZipFile(io.BytesIO(good_xlsx_bytes()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name in source.namelist():
            part = replace.get(name, source.read(name))
            if isinstance(part, bytes):
                out.writestr(name, part)
            else:
                with out.open(name, "w", force_zip64=True) as stream:
                    for chunk in part():
                        stream.write(chunk)
    return path


def inline(row: int, column: str, value: str) -> bytes:
    return f'<c r="{column}{row}" t="inlineStr"><is><t>{value}</t></is></c>'.encode()


def header_row() -> bytes:
    return b'<row r="1">' + inline(1, "A", "Card") + inline(1, "B", "Name") + inline(1, "C", "Dues") + b"</row>"


def sheet_head(dimension: str) -> bytes:
    """The start of a sheet as Excel writes it: the dimension it claims, then the rows."""
    return SHEET_HEAD.replace(b"<sheetData>", f'<dimension ref="{dimension}"/><sheetData>'.encode())


def million_rows() -> Iterable[bytes]:
    """A million rows of one number each (rows and cells may leave out their references: 26 MB unpacked)."""
    yield sheet_head("A1:C1000000") + header_row()
    chunk = b"<row><c><v>7</v></c></row>" * 10_000
    for _ in range(100):
        yield chunk
    yield SHEET_TAIL


def far_row() -> Iterable[bytes]:
    """A header, and one cell in the sheet's last row, under a dimension claiming every cell there is."""
    yield sheet_head("A1:XFD1048576") + header_row() + b'<row r="1048576"><c r="A1048576"><v>7</v></c></row>'
    yield SHEET_TAIL


def huge_cell() -> Iterable[bytes]:
    """One cell of 60 MB: the shape of a 1.2 GB cell, small enough to write in a test."""
    yield SHEET_HEAD + header_row() + b'<row r="2"><c r="B2" t="inlineStr"><is><t>'
    chunk = b"x" * 2 ** 20
    for _ in range(60):
        yield chunk
    yield b"</t></is></c></row>" + SHEET_TAIL


def write_csv(path: Path, content: str | bytes) -> Path:
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return path


def cut_in_half(path: Path) -> Path:
    data = good_xlsx_bytes()
    path.write_bytes(data[:len(data) // 2])
    return path


def truncated_part(name: str) -> Callable[[Path], Path]:
    def build(path: Path) -> Path:
        whole = zipfile.ZipFile(io.BytesIO(good_xlsx_bytes())).read(name)
        return rewrite_xlsx(path, replace={name: whole[:len(whole) // 2]})
    return build


def sparse_file(path: Path, size: int) -> Path:
    with path.open("wb") as f:
        f.truncate(size)
    return path


HEAD = "Card,Name,Dues\n"

# (file name, builder, phrase the one sentence must hold)
MALFORMED: list[tuple[str, Callable[[Path], Path], str]] = [
    ("half.xlsx", cut_in_half, "half.xlsx cannot be opened as an Excel workbook; it may be damaged or cut short."),
    ("workbook-cut.xlsx", truncated_part("xl/workbook.xml"), "cannot be opened as an Excel workbook"),
    ("sheet-cut.xlsx", truncated_part(SHEET), "cannot be opened as an Excel workbook"),
    ("wide-cell.csv", lambda p: write_csv(p, HEAD + "7100010," + "x" * 130_000 + ",75\n"),
     "Line 2 is longer than 100,000 characters"),
    ("quoted-run-on.csv", lambda p: write_csv(p, HEAD + '7100010,"' + "x" * 40_000 + "\n" + "y" * 70_000 + '",75\n'),
     "Line 2 is longer than 100,000 characters"),
    ("nul.csv", lambda p: write_csv(p, HEAD.encode() + b"7100010,Smi\x00th,75\n"), "Line 2 holds a NUL character"),
    ("twelve-digits.csv", lambda p: write_csv(p, HEAD + "7100010,Smith,75\n7100011,Pena,123456789012\n"),
     "Line 3: the amount 123456789012 is larger than a remittance line can hold (at most 99,999,999.99"),
    ("twenty-seven-digits.csv", lambda p: write_csv(p, HEAD + "7100010,Smith,123456789012345678901234567.89\n"),
     "Line 2: the amount 123456789012345678901234567.89 is larger than a remittance line can hold"),
    ("refund-too-large.csv", lambda p: write_csv(p, HEAD + "7100010,Smith,(123456789012)\n"),
     "Line 2: the amount (123456789012) is larger than a remittance line can hold"),
    ("twelve-digits.xlsx", lambda p: write_xlsx(p, [*good_rows(), ["7100012", "Okafor", 123456789012]]),
     "Row 4: the amount 123456789012 is larger than a remittance line can hold"),
    ("float-too-large.xlsx", lambda p: write_xlsx(p, [*good_rows(), ["7100012", "Okafor", 1e300]]),
     "Row 4: the amount 100000000000000000000000000… is larger than a remittance line can hold"),
    ("million.csv", lambda p: write_csv(p, HEAD + "7100010,Smith,75\n" * 1_000_000),
     "The file has more than 5,000 lines; a remittance list is at most 5,000 lines."),
    ("million.xlsx", lambda p: rewrite_xlsx(p, replace={SHEET: million_rows}),
     "The file has more than 5,000 rows; a remittance list is at most 5,000 rows."),
    ("far-row.xlsx", lambda p: rewrite_xlsx(p, replace={SHEET: far_row}), "more than 5,000 rows"),
    ("oversized.csv", lambda p: sparse_file(p, 21 * 2 ** 20), "oversized.csv is 21.0 MB; a remittance list file is "
                                                              "at most 20 MB."),
    ("huge-cell.xlsx", lambda p: rewrite_xlsx(p, replace={SHEET: huge_cell}),
     "huge-cell.xlsx unpacks to 60 MB; a remittance workbook unpacks to at most 30 MB."),
    ("long-cell.xlsx", lambda p: write_xlsx(p, [*good_rows(), ["7100012", "O" * 1500, 75]]),
     "Row 4, column B holds 1,500 characters; a cell of a remittance list holds at most 1,000."),
    ("long-cell.csv", lambda p: write_csv(p, HEAD + "7100010,Smith,75\n7100011," + "P" * 1500 + ",75\n"),
     "Line 3, column B holds 1,500 characters"),
    ("wide.xlsx", lambda p: write_xlsx(p, [*good_rows(), ["7100012", "Okafor", 75] + [None] * 100 + ["note"]]),
     "Row 4 has something in column CZ; a remittance list has at most 100 columns (A to CV)."),
    ("wide.csv", lambda p: write_csv(p, HEAD + "7100010,Smith,75" + "," * 120 + "note\n"),
     "Line 2 has more than 100 cells"),
]


# --- the pure reader -----------------------------------------------------------------------------------------

def read(path: Path) -> rules.ParsedList:
    table = rules.read_table(path)
    return rules.parse_lines(table, rules.mapping_for(table.headers, MAPPING))


@pytest.mark.parametrize(("name", "build", "phrase"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_the_reader_names_the_problem_in_one_sentence(tmp_path, name, build, phrase):
    path = build(tmp_path / name)
    try:
        parsed = read(path)
    except rules.RemittanceFileError as exc:
        message = str(exc)
    else:
        assert parsed.error is not None, "a malformed list must not read as a good one"
        message = parsed.error
    assert phrase in message
    assert message.endswith(".") and message.count(". ") == 0 and "\n" not in message  # one sentence


def test_a_list_at_the_limits_still_reads(tmp_path):
    path = write_csv(tmp_path / "full.csv", HEAD + "7100010,Smith,99999999.99\n" * (rules.MAX_ROWS - 1))
    parsed = read(path)
    assert len(parsed.lines) == rules.MAX_ROWS - 1 and parsed.error is None
    assert parsed.lines[-1].amount == rules.LINE_AMOUNT_LIMIT and parsed.lines[-1].row_number == rules.MAX_ROWS
    cell = write_xlsx(tmp_path / "cell.xlsx", [*good_rows(), ["7100012", "O" * rules.MAX_CELL_CHARS, -99999999.99]])
    assert read(cell).lines[-1].amount == -rules.LINE_AMOUNT_LIMIT


def test_csv_line_numbers_count_lines_not_records(tmp_path):
    path = write_csv(tmp_path / "quoted.csv", HEAD + '7100010,"Smith,\nJohn",75\n7100011,Pena,123456789012\n')
    assert read(path).error.startswith("Line 4: the amount 123456789012")


def test_a_utf16_list_from_excel_reads(tmp_path):
    path = tmp_path / "unicode.txt"
    path.write_bytes("Card\tName\tDues\r\n7100011\tPeña, María\t75.00\r\n".encode("utf-16"))
    assert [(line.name, line.amount) for line in read(path).lines] == [("Peña, María", 75)]


@pytest.mark.parametrize(("raw", "hours", "problem"), [
    ("999999.99", "999999.99", False),
    ("999999.995", None, True),     # rounds past what remittance_lines.hours holds
    ("1" * 40, None, True),
])
def test_hours_stay_within_their_column(raw, hours, problem):
    value, why = rules.parse_hours(raw)
    assert value == (None if hours is None else Decimal(hours)) and (why is not None) is problem


@pytest.mark.parametrize("raw", ["1" * 27, "9" * 400, "1" * 30 + ".999", "(" + "1" * 40 + ")"])
def test_money_of_any_length_never_raises(raw):
    amount, _problem = rules.parse_money(raw)
    assert amount is not None and abs(amount) > rules.CHECK_AMOUNT_LIMIT


# --- against the database: nothing is written ----------------------------------------------------------------

@pytest.fixture
def employer(connection) -> int:
    connection.execute(text("INSERT INTO members (card_number, first_name, last_name, classification) "
                            "VALUES ('7100010', 'John', 'Smith', 'journeyman')"))
    return connection.execute(text("INSERT INTO employers (name) VALUES ('ACME Electric') RETURNING id")).scalar_one()


def written(connection) -> tuple[int, int]:
    return (connection.execute(text("SELECT count(*) FROM remittances")).scalar_one(),
            connection.execute(text("SELECT count(*) FROM remittance_lines")).scalar_one())


def refused(uow, employer: int, path: Path, *, check_amount: object = "150.00") -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        import_remittance(uow, employer_id=employer, period=PERIOD, check_number="10442",
                          check_amount=check_amount, path=path, mapping=MAPPING)
    return caught.value


@pytest.mark.parametrize(("name", "build", "phrase"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_list_is_refused_and_nothing_is_written(uow, employer, connection, tmp_path, name, build,
                                                             phrase):
    error = refused(uow, employer, build(tmp_path / name))
    assert set(error.errors) == {"path"} and phrase in error.message
    assert written(connection) == (0, 0)


@pytest.mark.parametrize(("amount", "phrase"), [
    ("10000000000.00", "The check amount is larger than a remittance can hold (at most 9,999,999,999.99)."),
    ("$10,000,000,000", "The check amount is larger than a remittance can hold"),
    ("1" * 27, "The check amount is larger than a remittance can hold"),
    ("1" * 60 + ".00", "The check amount is larger than a remittance can hold"),
    ("NaN", "Enter the check amount in dollars and cents."),
    ("Infinity", "Enter the check amount in dollars and cents."),
    ("1e999999999", "Enter the check amount in dollars and cents."),
    ("12.345", "Enter the check amount in dollars and cents."),
    ("-5", "The check amount must be more than zero."),
])
def test_a_check_amount_the_column_cannot_hold_is_refused(uow, employer, connection, tmp_path, amount, phrase):
    error = refused(uow, employer, write_xlsx(tmp_path / "good.xlsx", good_rows()), check_amount=amount)
    assert error.errors == {"check_amount": phrase} or phrase in error.errors["check_amount"]
    assert written(connection) == (0, 0)


def test_the_largest_amounts_the_columns_hold_are_written(uow, employer, connection, tmp_path):
    path = write_csv(tmp_path / "largest.csv", HEAD + "7100010,Smith,99999999.99\n7100011,Pena,-99999999.99\n")
    summary = import_remittance(uow, employer_id=employer, period=PERIOD, check_number="10442",
                                check_amount="9999999999.99", path=path, mapping=MAPPING)
    assert summary.check_amount == rules.CHECK_AMOUNT_LIMIT and summary.line_count == 2
    assert written(connection) == (1, 2)


# --- fuzzing the pure reader: it reads a file or names the problem, nothing else --------------------------------

FUZZ = settings(max_examples=200, deadline=None, database=None,  # no example files left in the working tree
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def read_or_refuse(path: Path) -> None:
    try:
        table = rules.read_table(path)
    except rules.RemittanceFileError as exc:
        assert str(exc).strip()
        return
    mapping = rules.guess_mapping(table.headers)
    try:
        parsed = rules.parse_lines(table, mapping)
    except rules.RemittanceFileError:  # no card or amount column to map: the wizard asks the clerk
        assert rules.mapping_errors(table.headers, mapping)
        return
    for line in parsed.lines:
        assert line.amount is None or abs(line.amount) <= rules.LINE_AMOUNT_LIMIT
        assert line.card_number is None or len(line.card_number) <= 40
        assert line.name is None or len(line.name) <= 120


@FUZZ
@given(data=st.binary(max_size=2048), suffix=st.sampled_from([".csv", ".xlsx"]))
def test_arbitrary_bytes_are_read_or_refused(tmp_path, data, suffix):
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    read_or_refuse(path)


cells = st.one_of(st.text(max_size=20), st.from_regex(r"\(?-?\$?[0-9]{0,40}(\.[0-9]{0,6})?\)?", fullmatch=True),
                  st.sampled_from(["NaN", "Infinity", "-inf", "sNaN", "1e999999", "TOTAL", '"', "\r", "\x00"]))


@FUZZ
@given(rows=st.lists(st.lists(cells, max_size=6), max_size=12), delimiter=st.sampled_from([",", ";", "\t", "|"]))
def test_arbitrary_csv_text_is_read_or_refused(tmp_path, rows, delimiter):
    content = "\n".join(delimiter.join(row) for row in [["Card", "Name", "Dues"], *rows])
    path = tmp_path / "fuzz.csv"
    path.write_text(content, encoding="utf-8", errors="surrogatepass")
    read_or_refuse(path)


GOOD_XLSX = good_xlsx_bytes()


@FUZZ
@given(edits=st.lists(st.tuples(st.integers(0, len(GOOD_XLSX) - 1), st.integers(0, 255)), min_size=1, max_size=8),
       cut=st.none() | st.integers(0, len(GOOD_XLSX)))
def test_mutated_workbooks_are_read_or_refused(tmp_path, edits, cut):
    data = bytearray(GOOD_XLSX)
    for offset, byte in edits:
        data[offset] = byte
    path = tmp_path / "fuzz.xlsx"
    path.write_bytes(bytes(data[:cut]))
    read_or_refuse(path)


GOOD_PARTS = {name: zipfile.ZipFile(io.BytesIO(GOOD_XLSX)).read(name)
              for name in zipfile.ZipFile(io.BytesIO(GOOD_XLSX)).namelist()}


@FUZZ
@given(name=st.sampled_from(sorted(GOOD_PARTS)), drop=st.booleans(),
       edits=st.lists(st.tuples(st.integers(0, 10 ** 5), st.binary(max_size=8)), min_size=1, max_size=6))
def test_workbooks_with_mutated_parts_are_read_or_refused(tmp_path, name, drop, edits):
    """The same, inside the archive: one part's XML edited (or the part left out), the zip itself sound."""
    part = bytearray(GOOD_PARTS[name])
    for offset, replacement in edits:
        offset %= max(len(part), 1)
        part[offset:offset + len(replacement)] = replacement
    path = tmp_path / "parts.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for other, content in GOOD_PARTS.items():
            if other != name:
                archive.writestr(other, content)
            elif not drop:
                archive.writestr(name, bytes(part))
    read_or_refuse(path)


@FUZZ
@given(values=st.lists(st.one_of(st.none(), st.integers(-10 ** 30, 10 ** 30), st.floats(), st.text(max_size=30)),
                       min_size=1, max_size=12))
def test_workbooks_with_arbitrary_cells_are_read_or_refused(tmp_path, values):
    rows = good_rows() + [values[i:i + 3] for i in range(0, len(values), 3)]
    try:
        path = write_xlsx(tmp_path / "cells.xlsx", rows)
    except (ValueError, TypeError, IllegalCharacterError):  # openpyxl refuses some values when writing
        return
    read_or_refuse(path)
