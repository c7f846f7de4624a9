"""Excel export for any table view: typed cells, so staff can sort, sum and filter dates and money in Excel."""

from __future__ import annotations

import contextlib
import itertools
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from unioncore_desktop.reports.base import DEFAULT_TIME_ZONE, ReportContext

Kind = Literal["text", "int", "decimal", "date", "datetime", "bool"]
KINDS: tuple[Kind, ...] = ("text", "int", "decimal", "date", "datetime", "bool")

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DECIMAL_FORMAT = "#,##0.00"

MIN_WIDTH = 6
MAX_WIDTH = 50
# Write-only mode must know column widths before the first row streams out, so widths come from the
# header and this many leading rows.
WIDTH_SAMPLE_ROWS = 1000
MAX_CELL_TEXT = 32_767  # Excel's limit per cell
# A string starting with one of these is what a spreadsheet would run as a formula (OWASP's CSV injection list);
# every such string is stored as text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="E6EAEF")
_HEADER_ALIGN = Alignment(vertical="center")


@dataclass(frozen=True, slots=True)
class XlsxColumn:
    """One exported column: its header and the cell type every value in it is written as."""

    header: str
    kind: Kind = "text"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}; expected one of {', '.join(KINDS)}")


def sheet_name(title: str) -> str:
    """`title` made into a legal worksheet name (31 characters, none of []:*?/\\)."""
    name = " ".join(title.translate(_SHEET_NAME_FORBIDDEN).split()).strip("'")
    return (name or "Export")[:31]


def clean_text(value: str) -> str:
    """`value` as a cell can hold it: without the control characters Excel refuses, cut to Excel's limit."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL_TEXT]


def text_cell(ws: WriteOnlyWorksheet, value: Any) -> Cell:
    """The one guard for every cell written in the workbook (data, headers, the About sheet): a string is
    cleaned, and one that starts like a formula (= + - @, tab, carriage return) is stored as text with Excel's
    quote prefix, so it neither runs on opening nor becomes a formula when someone edits the cell. Other
    values come back as they are."""
    if not isinstance(value, str):
        return WriteOnlyCell(ws, value)
    text = clean_text(value)
    cell = WriteOnlyCell(ws, text)
    if text.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


class _CellWriter:
    """Turns raw row values into typed write-only cells for one column kind."""

    def __init__(self, ws: WriteOnlyWorksheet, kind: Kind, zone: ZoneInfo) -> None:
        self.ws = ws
        self.kind = kind
        self.zone = zone
        self.number_format = {"date": DATE_FORMAT, "datetime": DATETIME_FORMAT,
                              "decimal": DECIMAL_FORMAT}.get(kind)

    def value(self, raw: Any) -> Any:
        """The Python value openpyxl should store, typed for this column's kind."""
        if raw is None or (isinstance(raw, str) and not raw):
            return None
        kind = self.kind
        if kind == "text":
            return clean_text(raw if isinstance(raw, str) else str(raw))
        if kind == "int":
            whole = int(raw)
            if isinstance(raw, (float, Decimal)) and raw != whole:
                raise ValueError(f"{raw} is not a whole number")
            return whole
        if kind == "decimal":
            if isinstance(raw, (Decimal, float, int)) and not isinstance(raw, bool):
                return raw
            return Decimal(str(raw))
        if kind == "bool":
            return bool(raw)
        if kind == "datetime":
            if isinstance(raw, datetime):
                return self._naive_local(raw)
            if isinstance(raw, date):
                return datetime.combine(raw, time())
            raise TypeError(f"expected a datetime, got {type(raw).__name__}")
        # date
        if isinstance(raw, datetime):
            return self._naive_local(raw).date()
        if isinstance(raw, date):
            return raw
        raise TypeError(f"expected a date, got {type(raw).__name__}")

    def _naive_local(self, value: datetime) -> datetime:
        # Excel has no time zones: write the hall's wall-clock time, which is what staff read on screen.
        if value.tzinfo is not None:
            value = value.astimezone(self.zone).replace(tzinfo=None)
        return value

    def cell(self, raw: Any) -> Any:
        value = self.value(raw)
        if value is None:
            return None
        if self.number_format is not None:
            cell = WriteOnlyCell(self.ws, value)
            cell.number_format = self.number_format
            return cell
        if self.kind == "text" and value.startswith(FORMULA_PREFIXES):
            # A name or note starting with '=' must stay text, never become a live formula; other text is
            # written as the plain string (no cell object per value).
            return text_cell(self.ws, value)
        return value


def _display_length(value: Any, kind: Kind) -> int:
    if value is None:
        return 0
    if kind == "date":
        return 10
    if kind == "datetime":
        return 16
    if kind == "decimal":
        try:
            return len(f"{Decimal(str(value)):,.2f}")
        except ArithmeticError:
            return len(str(value))
    if kind == "int":
        return len(str(value))
    if kind == "bool":
        return 5
    text = str(value)
    return max((len(line) for line in text.splitlines()), default=0)


def _widths(columns: Sequence[XlsxColumn], sample: Sequence[Sequence[Any]]) -> list[float]:
    widths = []
    for i, column in enumerate(columns):
        longest = max([len(column.header) + 2]  # room for the autofilter button
                      + [_display_length(row[i] if i < len(row) else None, column.kind) for row in sample])
        widths.append(float(min(max(longest + 2, MIN_WIDTH), MAX_WIDTH)))
    return widths


def export_table(path: str | os.PathLike[str], *, title: str, columns: Sequence[XlsxColumn],
                 rows: Iterable[Sequence[Any]], context: ReportContext | None = None,
                 time_zone: str | None = None) -> Path:
    """Write `rows` as a typed, filterable sheet to `path` (plus an "About" sheet when `context` is given).

    Timezone-aware datetimes are written as naive wall-clock time in `time_zone`, else the context's
    zone, else the hall default.
    """
    if not columns:
        raise ValueError("an export needs at least one column")
    zone = ZoneInfo(time_zone or (context.time_zone if context else DEFAULT_TIME_ZONE))
    target = Path(path)

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_name(title))
    row_iter: Iterator[Sequence[Any]] = iter(rows)
    sample = list(itertools.islice(row_iter, WIDTH_SAMPLE_ROWS))
    for i, width in enumerate(_widths(columns, sample), start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    header = []
    for column in columns:
        cell = text_cell(ws, column.header)
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _HEADER_ALIGN
        header.append(cell)
    ws.append(header)

    writers = [_CellWriter(ws, column.kind, zone) for column in columns]
    count = 0
    try:
        for count, row in enumerate(itertools.chain(sample, row_iter), start=1):
            ws.append(_typed_row(writers, columns, row, count))
    except BaseException:
        # Finish the half-written sheet stream so no generator is left to fail later; nothing is saved.
        with contextlib.suppress(Exception):
            ws.close()
        raise
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"

    if context is not None:
        _about_sheet(wb, context, title, count)
    wb.properties.title = title
    wb.properties.creator = context.run_by if context else None
    wb.save(target)
    return target


def _typed_row(writers: Sequence[_CellWriter], columns: Sequence[XlsxColumn], row: Sequence[Any],
               number: int) -> list[Any]:
    if len(row) != len(columns):
        raise ValueError(f"row {number} has {len(row)} values for {len(columns)} columns")
    try:
        return [writer.cell(value) for writer, value in zip(writers, row, strict=True)]
    except (TypeError, ValueError, ArithmeticError) as exc:
        bad = next(i for i, (w, v) in enumerate(zip(writers, row, strict=True)) if not _converts(w, v))
        raise ValueError(f"row {number}, column {columns[bad].header!r}: {exc}") from exc


def _converts(writer: _CellWriter, value: Any) -> bool:
    try:
        writer.value(value)
    except (TypeError, ValueError, ArithmeticError):
        return False
    return True


def _about_sheet(wb: Workbook, context: ReportContext, title: str, count: int) -> None:
    about = wb.create_sheet("About")
    about.column_dimensions["A"].width = 18
    about.column_dimensions["B"].width = min(max([40] + [len(v) + 2 for _, v in context.parameters]), 100)
    bold = Font(bold=True)

    def line(name: str, value: Any, number_format: str | None = None) -> None:
        key = text_cell(about, name)
        key.font = bold
        cell = text_cell(about, value)
        if number_format:
            cell.number_format = number_format
        cell.alignment = Alignment(horizontal="left")
        about.append([key, cell])

    line("Hall", context.hall_name)
    line("Report", context.title if context.title else title)
    for name, value in context.parameters:
        line(name, value)
    line("As of", context.as_of_label)
    line("Run by", context.run_by)
    line("Rows", count, "#,##0")


__all__ = ["KINDS", "Kind", "XlsxColumn", "export_table", "sheet_name"]
