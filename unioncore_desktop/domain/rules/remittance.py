"""Employer check-off lists as pure functions: read a spreadsheet or CSV, find its header row, guess which column
is which, read each line's card number, name, amount and hours, and judge names and amounts.

Employers send whatever their payroll system prints: a title row or two above the headers, "$1,234.50" or
"(12.00)" for money, "SMITH, JOHN" for John Smith, a TOTAL row at the bottom. Nothing here touches the database,
so the same rules serve the import service, the wizard's preview and the tests.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

CENT = Decimal("0.01")
FIELDS = ("card_number", "name", "amount", "hours")
REQUIRED_FIELDS = ("card_number", "amount")
FIELD_LABELS = {"card_number": "Card number", "name": "Name", "amount": "Amount", "hours": "Hours"}
MAX_LINE_AMOUNT = Decimal("1000.00")     # more than any month's dues times a few months: surely a typo
HEADER_SCAN_ROWS = 20                    # title rows above the header are skipped, up to this many
SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".csv", ".txt")

# What a file may hold. An employer's check-off list is a few hundred members at most; these bounds are far
# above any real list and keep a damaged or hostile file from filling memory or the database's columns.
MAX_FILE_BYTES = 20 * 2 ** 20            # 20 MB on disk, checked before the file is read
MAX_UNPACKED_BYTES = 30 * 2 ** 20        # a workbook's parts unpacked (sheets, shared strings): no zip bombs
MAX_ROWS = 5_000                         # lines of a CSV, rows of a sheet (blank, title and TOTAL rows count)
MAX_COLUMNS = 100
MAX_CELL_CHARS = 1_000
MAX_LINE_CHARS = MAX_COLUMNS * MAX_CELL_CHARS   # one CSV record, quoted line breaks included
# Amounts the database can hold: remittance_lines.amount, payments.amount and remittances.check_amount are all
# numeric(12, 2) (at most 9,999,999,999.99). A line is bounded a hundred times lower, so that the members'
# ledgers, which add up payments, keep room; the check may use the whole column.
LINE_AMOUNT_LIMIT = Decimal("99999999.99")
CHECK_AMOUNT_LIMIT = Decimal("9999999999.99")
HOURS_LIMIT = Decimal("1000000")         # remittance_lines.hours is numeric(8, 2); hours are below this

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")   # no PostgreSQL text column (nor UTF-8) holds these
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_ROUNDABLE = Decimal("1e20")             # amounts below this round to cents within a Decimal's 28 digits

# Header words per field, most specific first; a header is normalised (lower case, letters and digits) first.
_HEADER_HINTS: dict[str, tuple[str, ...]] = {
    "card_number": ("cardnumber", "cardno", "card", "membernumber", "memberno", "memberid", "member",
                    "unionno", "unionnumber", "ubano", "localid", "badge", "employeeid", "empid", "empno", "id"),
    "name": ("employeename", "membername", "fullname", "lastfirst", "firstlast", "name", "employee", "worker"),
    "amount": ("duesamount", "duesdeducted", "dueswithheld", "checkoff", "deduction", "dues", "amount",
               "withheld", "total", "amt"),
    "hours": ("hoursworked", "hours", "hrs", "hour"),
}
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "v"}


class RemittanceFileError(ValueError):
    """The file cannot be read as a remittance list; the message says why in the clerk's words."""


@dataclass(frozen=True, slots=True)
class Table:
    """A sheet as text: the header row and the rows under it, each with its row number in the file."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    row_numbers: tuple[int, ...]
    header_row: int          # 1-based row of the headers in the file
    sheet: str | None = None

    def preview(self, count: int = 8) -> tuple[tuple[str, ...], ...]:
        return self.rows[:count]


@dataclass(frozen=True, slots=True)
class ParsedLine:
    """One line of the list as read; `problems` are what could not be read (the line still counts)."""

    line_no: int
    row_number: int
    card_number: str | None
    name: str | None
    amount: Decimal | None
    hours: Decimal | None
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ParsedList:
    lines: tuple[ParsedLine, ...]
    stated_total: Decimal | None     # the amount on a TOTAL row, when the employer printed one
    error: str | None = None         # why the list cannot be imported as it stands (a line the database cannot hold)

    @property
    def total(self) -> Decimal:
        return sum((line.amount or Decimal("0.00") for line in self.lines), Decimal("0.00"))


# --- reading files -------------------------------------------------------------------------------------------

def read_table(path: str | Path) -> Table:
    """The first sheet of an .xlsx, or a .csv in whatever dialect it was written, with its header row found.

    Whatever the file holds, the answer is a Table or a RemittanceFileError whose message names the problem
    (and the line or row where there is one): a damaged workbook, a file past the size, row, column or cell
    limits above, a NUL byte. The limits are checked while reading, so a huge file is never read whole."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise RemittanceFileError(f"{path.name} is not an Excel workbook (.xlsx) or a CSV file.")
    if not path.is_file():
        raise RemittanceFileError(f"{path.name} does not exist.")
    data = _read_bytes(path)
    if suffix in (".xlsx", ".xlsm"):
        raw, sheet = _xlsx_rows(data, path.name)
        return table_from_rows(raw, sheet=sheet)
    raw, numbers = _csv_rows(data)
    return table_from_rows(raw, row_numbers=numbers)


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, refused before reading when it is larger than a remittance list can be."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise RemittanceFileError(f"{path.name} is {size / 2 ** 20:,.1f} MB; a remittance list file is at most "
                                      f"{MAX_FILE_BYTES // 2 ** 20} MB.")
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)  # the file may have grown since it was measured
    except OSError as exc:
        raise RemittanceFileError(f"{path.name} cannot be read ({exc.strerror or exc}).") from None
    if len(data) > MAX_FILE_BYTES:
        raise RemittanceFileError(f"{path.name} is larger than {MAX_FILE_BYTES // 2 ** 20} MB; a remittance list "
                                  f"file is at most {MAX_FILE_BYTES // 2 ** 20} MB.")
    return data


def _too_many_rows(noun: str) -> RemittanceFileError:
    return RemittanceFileError(f"The file has more than {MAX_ROWS:,} {noun}s; a remittance list is at most "
                               f"{MAX_ROWS:,} {noun}s.")


def _check_cell(text: str, where: str, column: int) -> None:
    """Refuse a cell longer than MAX_CELL_CHARS, or holding a NUL or half a surrogate pair (no database text
    column can store those)."""
    if len(text) > MAX_CELL_CHARS:
        raise RemittanceFileError(f"{where}, column {_column_letter(column)} holds {len(text):,} characters; a cell "
                                  f"of a remittance list holds at most {MAX_CELL_CHARS:,}.")
    if _UNSTORABLE.search(text):
        raise RemittanceFileError(f"{where}, column {_column_letter(column)} holds a NUL or other character that "
                                  "is not text; save the list again from the payroll program.")


def _damaged(name: str) -> RemittanceFileError:
    return RemittanceFileError(f"{name} cannot be opened as an Excel workbook; it may be damaged or cut short.")


def _xlsx_rows(data: bytes, name: str) -> tuple[list[list[str]], str]:
    import openpyxl  # imported here: only the import needs it, and it is slow to load

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            # the sizes the archive declares bound what reading it can produce: zipfile stops at them
            unpacked = sum(info.file_size for info in archive.infolist())
    except Exception:  # noqa: BLE001 - any failure to read the archive's directory means the same to the clerk
        raise _damaged(name) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise RemittanceFileError(f"{name} unpacks to {unpacked / 2 ** 20:,.0f} MB; a remittance workbook unpacks "
                                  f"to at most {MAX_UNPACKED_BYTES // 2 ** 20} MB.")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl fails in many ways (XML, zlib, KeyError...) on a damaged file
        raise _damaged(name) from None
    try:
        sheet = next((ws for ws in book.worksheets if ws.sheet_state == "visible"), book.worksheets[0])
        # The dimension a file declares may say anything (A1:XFD1048576): ignore it, so rows are neither padded
        # to it nor read past the last one. Each row is then as wide as its last cell (at most 16,384 columns
        # in a valid workbook), and is refused or cut to MAX_COLUMNS before the next is read.
        sheet.reset_dimensions()
        rows: list[list[str]] = []
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS:
                raise _too_many_rows("row")
            where = f"Row {number}"
            beyond = next((i for i, value in enumerate(row[MAX_COLUMNS:], MAX_COLUMNS) if cell_text(value)), None)
            if beyond is not None:
                raise RemittanceFileError(f"{where} has something in column {_column_letter(beyond)}; a remittance "
                                          f"list has at most {MAX_COLUMNS} columns (A to "
                                          f"{_column_letter(MAX_COLUMNS - 1)}).")
            texts = [cell_text(value) for value in row[:MAX_COLUMNS]]
            for column, text in enumerate(texts):
                _check_cell(text, where, column)
            rows.append(texts)
        return rows, sheet.title
    except RemittanceFileError:
        raise
    except Exception:  # noqa: BLE001 - a sheet's XML can be cut short or malformed anywhere
        raise _damaged(name) from None
    finally:
        with contextlib.suppress(Exception):
            book.close()


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):  # Excel's "Unicode text"
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise RemittanceFileError("The file starts like UTF-16 text but cannot be read as such; save the list "
                                      "again from the payroll program as CSV or .xlsx.") from None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")  # decodes every byte


def _sniff(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        csv.reader([], dialect)  # the sniffer can guess a dialect the reader refuses
    except (csv.Error, TypeError, ValueError):
        return csv.excel
    return dialect


def _csv_rows(data: bytes) -> tuple[list[list[str]], list[int]]:
    """The rows of a CSV and the line each starts on. Lines are read one by one, each bounded, so a line with
    no end or a quoted cell that runs on for megabytes is refused without being held whole."""
    content = _decode(data)
    nul = content.find("\x00")
    if nul >= 0:
        line = len(_LINE_BREAK.findall(content, 0, nul)) + 1
        raise RemittanceFileError(f"Line {line} holds a NUL character, so the file is not a plain-text CSV list; "
                                  "save it again from the payroll program as CSV or .xlsx.")
    stream = io.StringIO(content, newline="")
    read = {"lines": 0, "record_start": 1, "record_chars": 0}

    def lines() -> Iterator[str]:
        while line := stream.readline(MAX_LINE_CHARS + 1):
            read["lines"] += 1
            if read["lines"] > MAX_ROWS:
                raise _too_many_rows("line")
            read["record_chars"] += len(line)
            if read["record_chars"] > MAX_LINE_CHARS:
                raise RemittanceFileError(
                    f"Line {read['record_start']} is longer than {MAX_LINE_CHARS:,} characters; a line of a "
                    f"remittance list holds at most {MAX_COLUMNS} cells of {MAX_CELL_CHARS:,} characters.")
            yield line

    rows: list[list[str]] = []
    numbers: list[int] = []
    reader = csv.reader(lines(), _sniff(content[:8192]))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise RemittanceFileError(f"Line {read['record_start']} cannot be read as CSV ({exc}).") from None
        where = f"Line {read['record_start']}"
        numbers.append(read["record_start"])
        read["record_start"], read["record_chars"] = read["lines"] + 1, 0
        cells = [cell.strip() for cell in row]
        if len(cells) > MAX_COLUMNS and any(cells[MAX_COLUMNS:]):
            raise RemittanceFileError(f"{where} has more than {MAX_COLUMNS} cells; a remittance list has at most "
                                      f"{MAX_COLUMNS} columns.")
        cells = cells[:MAX_COLUMNS]
        for column, text in enumerate(cells):
            _check_cell(text, where, column)
        rows.append(cells)
    return rows, numbers


def cell_text(value: object) -> str:
    """A cell as the clerk would read it: whole numbers without '.0' (card numbers stored as numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        shown = repr(value)
        if "e" in shown and math.isfinite(value):  # 1e+300 and 1.5e-07 written out, so they read as amounts
            return format(Decimal(shown), "f")
        return shown
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def table_from_rows(raw: Sequence[Sequence[str]], *, sheet: str | None = None,
                    row_numbers: Sequence[int] | None = None) -> Table:
    """Find the header row (the first of the top rows that reads like headers) and square up the rows under it.
    Rows are numbered 1, 2, 3... unless `row_numbers` says otherwise (a CSV's quoted cell can span lines)."""
    numbers = row_numbers if row_numbers is not None else range(1, len(raw) + 1)
    numbered = [(n, [c.strip() for c in row]) for n, row in zip(numbers, raw, strict=True)]
    numbered = [(n, row) for n, row in numbered if any(row)]
    if not numbered:
        raise RemittanceFileError("The file is empty.")
    header_at = detect_header([row for _, row in numbered[:HEADER_SCAN_ROWS]])
    header_row, headers = numbered[header_at]
    width = max(len(row) for _, row in numbered[header_at:])
    headers = _unique_headers(headers + [""] * (width - len(headers)))
    body = numbered[header_at + 1:]
    rows = tuple(tuple(row + [""] * (width - len(row))) for _, row in body)
    return Table(tuple(headers), rows, tuple(n for n, _ in body), header_row, sheet)


def detect_header(rows: Sequence[Sequence[str]]) -> int:
    """Index of the header row: the first row naming a card-number or amount column with at least two filled
    cells; failing that, the first row with at least two cells that are text, not numbers."""
    for i, row in enumerate(rows):
        filled = [c for c in row if c]
        if len(filled) >= 2 and any(_field_for(c) in ("card_number", "amount") for c in filled):
            return i
    for i, row in enumerate(rows):
        filled = [c for c in row if c]
        if len(filled) >= 2 and sum(1 for c in filled if parse_money(c)[0] is None) >= 2:
            return i
    return 0


def _unique_headers(headers: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, header in enumerate(headers):
        label = header or f"Column {_column_letter(i)}"
        if label in seen:
            seen[label] += 1
            label = f"{label} ({seen[label]})"
        else:
            seen[label] = 1
        out.append(label)
    return out


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- column mapping ------------------------------------------------------------------------------------------

def _squash(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(header))


def _scores(header: str) -> list[tuple[int, str]]:
    """(score, field) for every field the header could name; lower is better, exact words beat substrings."""
    squashed = _squash(header)
    found = []
    if squashed:
        for field, hints in _HEADER_HINTS.items():
            for rank, hint in enumerate(hints):
                hint = hint.replace(" ", "")
                if squashed == hint:
                    found.append((rank, field))
                    break
                if len(hint) >= 3 and hint in squashed:
                    found.append((100 + rank, field))
                    break
    return found


def _field_for(header: str) -> str | None:
    scores = _scores(header)
    return min(scores)[1] if scores else None


def guess_mapping(headers: Sequence[str]) -> dict[str, str | None]:
    """Field -> header, from the header words ("Member #", "Employee Name", "Dues Withheld", "Hrs")."""
    scored = sorted((score, column, field) for column, header in enumerate(headers)
                    for score, field in _scores(header))
    mapping: dict[str, str | None] = dict.fromkeys(FIELDS)
    used: set[int] = set()
    for _score, column, field in scored:
        if mapping[field] is None and column not in used:
            mapping[field] = headers[column]
            used.add(column)
    return mapping


def mapping_for(headers: Sequence[str], remembered: Mapping[str, str | None] | None) -> dict[str, str | None]:
    """The remembered mapping where its headers are still in the file; guesses fill the rest."""
    guessed = guess_mapping(headers)
    if not remembered:
        return guessed
    chosen: dict[str, str | None] = {}
    for field in FIELDS:
        header = remembered.get(field)
        chosen[field] = header if header in headers else None
    taken = {h for h in chosen.values() if h}
    for field in FIELDS:
        if chosen[field] is None and remembered.get(field) is None and field in remembered:
            continue  # the clerk deliberately left this field unmapped
        if chosen[field] is None and guessed[field] not in taken:
            chosen[field] = guessed[field]
            if guessed[field]:
                taken.add(guessed[field])  # type: ignore[arg-type]
    return chosen


def mapping_errors(headers: Sequence[str], mapping: Mapping[str, str | None]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for field in REQUIRED_FIELDS:
        if not mapping.get(field):
            errors[field] = f"Choose the column that holds the {FIELD_LABELS[field].lower()}."
    for field in FIELDS:
        header = mapping.get(field)
        if header and header not in headers:
            errors.setdefault(field, f"The file has no column named {header!r}.")
    chosen = [mapping.get(f) for f in FIELDS if mapping.get(f)]
    for field in FIELDS:
        header = mapping.get(field)
        if header and chosen.count(header) > 1:
            errors.setdefault(field, f"The column {header!r} is chosen for more than one field.")
    return errors


# --- reading lines -------------------------------------------------------------------------------------------

def parse_money(value: object) -> tuple[Decimal | None, str | None]:
    """(amount, problem): "$1,234.50", "(12.00)" and "12.00-" read as money; blank is (None, None).

    Never raises, whatever the digits: an amount of 1e20 or more (too large to round to cents within a
    Decimal's 28 digits) comes back as read, and every caller bounds amounts to what its column holds."""
    if value is None:
        return None, None
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return _cents(Decimal(value), str(value))
    if isinstance(value, float):
        return _cents(Decimal(repr(value)), repr(value))
    text = str(value).strip()
    if not text or text in ("-", "--"):
        return None, None
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    if text.endswith("-"):
        negative, text = True, text[:-1].strip()
    if text.upper().endswith("CR"):
        negative, text = True, text[:-2].strip()
    text = _without_currency(text).replace("$", "").strip()
    if text.startswith("-"):
        negative, text = not negative, text[1:].strip()
    text = text.replace(" ", "").replace("\u00a0", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})*,\d{1,2}", text):  # 1.234,50: a European-format workbook
        text = text.replace(".", "").replace(",", ".")
    text = text.replace(",", "")
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+", text):
        return None, f"{_brief(str(value).strip())!r} is not an amount"
    amount = Decimal(text)
    return _cents(-amount if negative else amount, str(value).strip())


def _without_currency(text: str) -> str:
    """Without a leading USD / US$ / $ or a trailing USD (string tests: a regex for the trailing one backtracks
    over long runs of spaces)."""
    upper = text.upper()
    for sign in ("USD", "US$", "$"):
        if upper.startswith(sign):
            text = text[len(sign):].lstrip()
            break
    if text.upper().endswith("USD"):
        text = text[:-3].rstrip()
    return text


def _cents(amount: Decimal, shown: str) -> tuple[Decimal | None, str | None]:
    shown = _brief(shown)
    if not amount.is_finite():
        return None, f"{shown!r} is not an amount"
    if abs(amount) >= _ROUNDABLE:
        return amount, None  # too large to round to cents, and refused by every limit: callers bound amounts
    rounded = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if abs(rounded - amount) > Decimal("0.000001"):
        return rounded, f"{shown} was rounded to {rounded}"
    return rounded, None


def _brief(text: str) -> str:
    """A cell as a message quotes it: long ones cut short."""
    return text if len(text) <= 30 else f"{text[:27]}…"


def parse_hours(value: object) -> tuple[Decimal | None, str | None]:
    text = cell_text(value).replace(",", "")
    if not text:
        return None, None
    try:
        hours = Decimal(text)
    except InvalidOperation:
        return None, f"hours {_brief(text)!r} are not a number"
    if not hours.is_finite() or hours < 0 or hours >= HOURS_LIMIT:
        return None, f"hours {_brief(text)!r} are not plausible"
    rounded = hours.quantize(CENT, rounding=ROUND_HALF_UP)
    if rounded >= HOURS_LIMIT:  # 999999.995 rounds up past what the column holds
        return None, f"hours {_brief(text)!r} are not plausible"
    return rounded, None


def normalize_card(value: object) -> str | None:
    """A card number as members.card_number stores it: upper case, no spaces, dashes or dots."""
    text = re.sub(r"[\s\-./#]", "", cell_text(value)).upper()
    return text or None


def _is_total_row(cells: Iterable[str]) -> bool:
    return any(re.match(r"(?i)^\s*(grand\s+)?totals?\b", c) for c in cells if c)


def parse_lines(table: Table, mapping: Mapping[str, str | None]) -> ParsedList:
    """The list's lines, numbered from 1 in file order. Blank rows are skipped; a TOTAL row without a card
    number is kept aside as the employer's stated total, not a line.

    An amount beyond LINE_AMOUNT_LIMIT is one the database cannot hold: the line keeps it as a problem (the
    preview counts it) and `error` names the first such line, so the import refuses the list."""
    errors = mapping_errors(table.headers, mapping)
    if errors:
        raise RemittanceFileError(next(iter(errors.values())))
    position = {field: table.headers.index(header) for field, header in mapping.items() if header}

    def cell(row: Sequence[str], field: str) -> str:
        return row[position[field]] if field in position else ""

    lines: list[ParsedLine] = []
    stated_total: Decimal | None = None
    error: str | None = None
    for row, row_number in zip(table.rows, table.row_numbers, strict=True):
        if not any(row):
            continue
        card = normalize_card(cell(row, "card_number"))
        if card is None and _is_total_row(row):
            stated_total = parse_money(cell(row, "amount"))[0]
            if stated_total is not None and abs(stated_total) > CHECK_AMOUNT_LIMIT:
                stated_total = None
            continue
        problems: list[str] = []
        amount, problem = parse_money(cell(row, "amount"))
        if amount is not None and abs(amount) > LINE_AMOUNT_LIMIT:
            problem = (f"the amount {_brief(cell(row, 'amount'))} is larger than a remittance line can hold "
                       f"(at most {LINE_AMOUNT_LIMIT:,} either way)")
            amount = None
            if error is None:
                where = f"Line {row_number}" if table.sheet is None else f"Row {row_number}"
                error = f"{where}: {problem}."
        if problem:
            problems.append(problem)
        elif amount is None:
            problems.append("no amount")
        hours, problem = parse_hours(cell(row, "hours")) if "hours" in position else (None, None)
        if problem:
            problems.append(problem)
        if card is None:
            problems.append("no card number")
        elif len(card) > 40:
            problems.append("the card number is too long")
            card = card[:40]
        name = " ".join(cell(row, "name").split())[:120] or None
        lines.append(ParsedLine(len(lines) + 1, row_number, card, name, amount, hours, tuple(problems)))
    return ParsedList(tuple(lines), stated_total, error)


# --- judging lines -------------------------------------------------------------------------------------------

def fold(text: str) -> str:
    """Lower case without accents: 'Peña' and 'PENA' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[^a-z0-9]+", fold(text).replace("'", "")) if t and t not in _SUFFIXES]


def split_list_name(name: str) -> tuple[list[str], list[str]]:
    """(surname tokens, given tokens) for "LAST, FIRST M"; ([], all tokens) when there is no comma."""
    if "," in name:
        last, _, given = name.partition(",")
        return _tokens(last), _tokens(given)
    return [], _tokens(name)


def names_match(list_name: str | None, first_name: str, last_name: str, middle_name: str | None = None) -> bool:
    """Does the name on the employer's list belong to this member? Order ("LAST, FIRST" or "First Last"),
    case, accents, hyphens, middle names and initials, and short forms (Chris/Christopher) are tolerated.
    A list without names cannot mismatch."""
    if not list_name or not list_name.strip():
        return True
    surname, given = split_list_name(list_name)
    words = surname + given
    last = _tokens(last_name)
    first = _tokens(first_name)
    if not last or not first:
        return False
    joined_last = "".join(last)
    if surname:
        last_ok = "".join(surname) == joined_last or all(t in surname for t in last)
    else:  # "De La Cruz" on the list for DeLaCruz on the card, or the reverse
        last_ok = all(t in words for t in last) or any(
            "".join(words[i:j]) == joined_last for i in range(len(words)) for j in range(i + 1, len(words) + 1))
    if not last_ok:
        return False
    candidates = given if surname else [w for w in words if w not in last] or words
    return any(_given_matches(word, first[0]) for word in candidates)


def _given_matches(word: str, first: str) -> bool:
    if word == first:
        return True
    if len(word) == 1:
        return first.startswith(word)
    shorter, longer = sorted((word, first), key=len)
    return len(shorter) >= 3 and longer.startswith(shorter)


def amount_problem(amount: Decimal | None, *, expected_monthly: Decimal | None, months: int = 1,
                   maximum: Decimal = MAX_LINE_AMOUNT) -> str | None:
    """Why the amount looks wrong, or None. Far from expected means off by more than half a month's dues from
    `months` months of the member's rate (the rate in force for the remittance's month)."""
    if amount is None:
        return "no amount"
    if amount <= 0:
        return f"the amount {amount:,.2f} is not positive"
    if amount > maximum:
        return f"{amount:,.2f} is more than the {maximum:,.2f} a line may plausibly hold"
    if expected_monthly is None:
        return None
    if expected_monthly == 0:
        return f"{amount:,.2f} was deducted, but the member's classification owes no dues"
    expected = expected_monthly * months
    if abs(amount - expected) > expected_monthly / 2:
        return f"{amount:,.2f} is far from the expected {expected:,.2f} ({expected_monthly:,.2f} a month)"
    return None
