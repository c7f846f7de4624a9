"""A hall's exports from its old system as pure functions: read a CSV (plain or .gz) or .xlsx of any size, suggest
which column is which target field from its header, and read each row into the values the staging tables take,
or into the reasons it is rejected (row number, field, a sentence).

Exports differ from hall to hall (LaborPower reports, Access and Excel member lists): headers are matched after
normalizing ("Card #", "CARD_NO" and "card no." are all `cardno`) against each field's synonyms. Each row is
checked here against the same limits and vocabularies the tables' CHECK constraints hold, so a bad row is named
with its reason instead of failing the whole import in the database. Nothing here touches the database.
"""

from __future__ import annotations

import csv
import gc
import gzip
import hashlib
import io
import itertools
import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from unioncore_desktop.domain.rules.remittance import cell_text, fold, parse_money
from unioncore_desktop.domain.vocab import (
    CARD_NUMBER_PATTERN,
    CARD_TYPES,
    CLASSIFICATIONS,
    EMAIL_PATTERN,
    EXEMPTION_REASONS,
    MEMBER_STATUSES,
    REGISTRATION_METHODS,
    TERMINATION_REASONS,
)

SUPPORTED_SUFFIXES = (".csv", ".txt", ".csv.gz", ".txt.gz", ".xlsx", ".xlsm")
HEADER_SCAN_ROWS = 10
MAX_ROWS = 2_000_000         # far above any hall's history; keeps a damaged file from filling memory
EXCEL_EPOCH = date(1899, 12, 30)
EXAMPLES = 5                 # rows shown per outcome in a dry run


class ImportFileError(ValueError):
    """The file cannot be read as an export; the message says why in the admin's words."""


# --- the targets -------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Field:
    """A target field: its label, whether a row needs it, how a cell is read, and the headers that name it."""

    name: str
    label: str
    kind: str                      # text, card, date, month, decimal, money, int, choice, email
    required: bool = False
    length: int | None = None
    choices: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()


def _f(name: str, label: str, kind: str = "text", *synonyms: str, required: bool = False, length: int | None = None,
       choices: tuple[str, ...] = ()) -> Field:
    return Field(name, label, kind, required, length, choices, (name.replace("_", ""), *synonyms))


CARD = _f("card_number", "Card number", "card", "cardno", "cardnum", "card", "memberno", "membernumber", "memberid",
          "member", "unionno", "unioncard", "cardnbr", "mbrno", "mbrnum", "regno", required=True, length=12)

ENTITY_FIELDS: dict[str, tuple[Field, ...]] = {
    "members": (
        CARD,
        _f("first_name", "First name", "text", "first", "firstname", "fname", "givenname", "forename", length=60),
        _f("middle_name", "Middle name", "text", "middle", "mi", "middleinitial", "mname", length=60),
        _f("last_name", "Last name", "text", "last", "lastname", "lname", "surname", "familyname", length=60),
        _f("full_name", "Name (Last, First)", "text", "name", "membername", "fullname", "lastfirst", length=180),
        _f("suffix", "Suffix", "text", "sfx", "namesuffix", length=10),
        _f("classification", "Classification", "choice", "class", "classif", "classcode", "membertype", "trade",
           "clas", required=True, choices=CLASSIFICATIONS),
        _f("status", "Status", "choice", "memberstatus", "stat", choices=MEMBER_STATUSES),
        _f("card_type", "Card type", "choice", "cardtype", "type", "ctype", choices=CARD_TYPES),
        _f("home_local", "Home local", "text", "homelocal", "local", "localno", "travelerlocal", length=10),
        _f("address_line1", "Address", "text", "address", "address1", "addr", "addr1", "street", "streetaddress",
           "mailingaddress", length=120),
        _f("address_line2", "Address line 2", "text", "address2", "addr2", "apt", "suite", length=120),
        _f("city", "City", "text", "town", length=60),
        _f("state", "State", "text", "st", "province", length=2),
        _f("postal_code", "ZIP", "text", "zip", "zipcode", "postal", "postcode", length=10),
        _f("phone", "Phone", "text", "homephone", "phone1", "telephone", "tel", "phonenumber", length=20),
        _f("mobile_phone", "Mobile phone", "text", "mobile", "cell", "cellphone", "phone2", "mobilephone",
           length=20),
        _f("email", "E-mail", "email", "emailaddress", "mail", length=120),
        _f("date_of_birth", "Date of birth", "date", "dob", "birthdate", "birthday", "born", "dateofbirth"),
        _f("initiation_date", "Initiation date", "date", "initiated", "initdate", "initiation", "dateinitiated",
           "joined", "joindate"),
    ),
    "employers": (
        _f("name", "Employer name", "text", "employer", "employername", "company", "companyname", "contractor",
           "contractorname", "firm", required=True, length=120),
        _f("address_line1", "Address", "text", "address", "address1", "addr", "street", length=120),
        _f("city", "City", "text", length=60),
        _f("state", "State", "text", "st", length=2),
        _f("postal_code", "ZIP", "text", "zip", "zipcode", "postal", length=10),
        _f("phone", "Phone", "text", "telephone", "tel", "mainphone", "officephone", length=20),
        _f("email", "E-mail", "email", "emailaddress", length=120),
        _f("contract_code", "Contract code", "text", "contract", "agreement", "contractcode", "cba", length=30),
        _f("contract_effective", "Contract effective", "date", "effective", "effectivedate", "effectiveon",
           "contractstart", "signed", "signedon"),
        _f("contract_expires", "Contract expires", "date", "expires", "expiration", "expirationdate",
           "contractend", "expireson"),
        _f("worksite_name", "Worksite", "text", "worksite", "jobsite", "site", "project", length=120),
        _f("worksite_address", "Worksite address", "text", "siteaddress", "jobsiteaddress", length=120),
        _f("worksite_city", "Worksite city", "text", "sitecity", "jobsitecity", length=60),
        _f("worksite_region", "Worksite region", "text", "region", "siteregion", "area", length=40),
        _f("contact_name", "Contact", "text", "contact", "contactperson", "contactname", length=120),
        _f("contact_title", "Contact title", "text", "title", "contacttitle", length=80),
        _f("contact_phone", "Contact phone", "text", "contactphone", "contacttel", length=20),
        _f("contact_email", "Contact e-mail", "email", "contactemail", length=120),
    ),
    "registrations": (
        CARD,
        _f("book", "Book", "text", "bookname", "bookcode", "list", "outofworklist", "oowbook", required=True,
           length=60),
        _f("tier", "Tier", "int", "bookno", "booknumber", "booktier", "level", "priority", required=True),
        _f("apn", "APN", "decimal", "applicantprioritynumber", "prioritynumber", "appno", "seq", required=True),
        _f("registered_on", "Registered", "date", "registered", "registereddate", "regdate", "signed", "signedon",
           "signondate", "dateregistered"),
        _f("last_resign_on", "Last re-sign", "date", "lastresign", "resigned", "resigndate", "lastresigned",
           "lastsigned"),
        _f("check_marks", "Check marks", "int", "marks", "checkmarks", "strikes", "turndowns"),
        _f("exemption_reason", "Exemption", "choice", "exempt", "exemption", "exemptreason",
           choices=EXEMPTION_REASONS),
        _f("exemption_start", "Exempt from", "date", "exemptstart", "exemptfrom", "exemptionstart"),
        _f("exemption_end", "Exempt until", "date", "exemptend", "exemptuntil", "exemptionend", "exemptthru"),
        _f("method", "Method", "choice", "signonmethod", "how", choices=REGISTRATION_METHODS),
    ),
    "employment": (
        CARD,
        _f("employer", "Employer", "text", "employername", "company", "contractor", "shop", required=True,
           length=120),
        _f("started_on", "Start date", "date", "start", "startdate", "started", "hired", "hiredate",
           "dispatchdate", "from", required=True),
        _f("ended_on", "End date", "date", "end", "enddate", "ended", "terminated", "termdate", "to", "thru"),
        _f("job_class", "Job class", "text", "class", "jobclass", "classification", "position", length=40),
        _f("termination_reason", "Termination reason", "choice", "reason", "termreason", "termination",
           choices=TERMINATION_REASONS),
        _f("days_worked", "Days worked", "int", "days", "daysworked"),
        _f("hours_worked", "Hours worked", "decimal", "hours", "hoursworked", "hrs"),
    ),
    "dues": (
        CARD,
        _f("paid_through", "Paid through", "month", "paidthru", "paidthrough", "paidto", "duespaidthru",
           "duespaidthrough", "ptd", "paidthroughmonth", "lastmonthpaid", required=True),
        _f("balance", "Balance", "money", "bal", "baldue", "balancedue", "amountdue", "owed", "duesbalance",
           "duesowed", required=True),
    ),
}
ENTITIES = tuple(ENTITY_FIELDS)
ENTITY_LABELS = {"members": "Members", "employers": "Employers with contracts, worksites and contacts",
                 "registrations": "Book registrations", "employment": "Employment history",
                 "dues": "Dues paid-through and balance (opening entries)"}

# what an old system writes for a vocabulary value, normalized, beside the value itself
_CHOICE_ALIASES: dict[str, dict[str, str]] = {
    "classification": {"jw": "journeyman", "jman": "journeyman", "journeyman": "journeyman", "jmn": "journeyman",
                       "inside": "journeyman", "fm": "foreman", "foreman": "foreman", "ret": "retiree",
                       "retired": "retiree", "hon": "honorary", "app1": "apprentice_1", "app2": "apprentice_2",
                       "app3": "apprentice_3", "app4": "apprentice_4", "app5": "apprentice_5",
                       "appr1": "apprentice_1", "appr2": "apprentice_2", "appr3": "apprentice_3",
                       "appr4": "apprentice_4", "appr5": "apprentice_5"},
    "status": {"a": "active", "act": "active", "i": "inactive", "inact": "inactive", "s": "suspended",
               "susp": "suspended", "r": "retired", "ret": "retired", "d": "deceased", "dec": "deceased"},
    "termination_reason": {"reductioninforce": "rif", "layoff": "laid_off", "laidoff": "laid_off",
                           "shortcall": "short_call_end", "shortcallend": "short_call_end", "fired": "discharged",
                           "discharge": "discharged", "quit": "quit", "voluntaryquit": "quit",
                           "endofcontract": "contract_end", "underscale": "under_scale", "turnaround": "turnaround"},
    "exemption_reason": {"mil": "military", "unionbusiness": "union_business", "travel": "traveling",
                         "traveler": "traveling", "med": "medical", "jury": "jury_duty", "juryduty": "jury_duty",
                         "salt": "salting", "underscale": "under_scale"},
    "method": {"inperson": "in_person", "walkin": "in_person", "mail": "email", "online": "web"},
}


def fields_of(entity: str) -> tuple[Field, ...]:
    try:
        return ENTITY_FIELDS[entity]
    except KeyError:
        raise ImportFileError(f"There is no import of {entity!r}; choose one of {', '.join(ENTITIES)}.") from None


# --- headers and mappings ----------------------------------------------------------------------------------

def normalize_header(header: str) -> str:
    """Lower case, accents and everything but letters and digits dropped: "Card #" and "CARD_NO." -> cardno."""
    squashed = re.sub(r"[^a-z0-9]", "", fold(header))
    return squashed.replace("number", "no") if squashed.endswith("number") and squashed != "number" else squashed


def header_signature(headers: Sequence[str]) -> str:
    """Which layout a file has: the hash of its normalized headers in order. The same export of the same system
    has the same signature every time, so a mapping made once by hand is found again."""
    joined = "|".join(normalize_header(h) for h in headers)
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def suggest_mapping(entity: str, headers: Sequence[str]) -> dict[str, str | None]:
    """field -> header the file most likely holds it in (None: no column found); each header used once.

    A header equal to a field's name or a synonym (after normalizing) wins; a header that starts with a
    synonym of four letters or more comes after; fields are served in declaration order."""
    normalized = [normalize_header(h) for h in headers]
    mapping: dict[str, str | None] = {}
    used: set[int] = set()
    for fld in fields_of(entity):
        synonyms = [normalize_header(s) for s in fld.synonyms]
        found = next((i for s in synonyms for i, n in enumerate(normalized) if n == s and i not in used), None)
        if found is None:
            found = next((i for s in synonyms if len(s) >= 4 for i, n in enumerate(normalized)
                          if i not in used and n.startswith(s)), None)
        mapping[fld.name] = headers[found] if found is not None else None
        if found is not None:
            used.add(found)
    return mapping


def mapping_errors(entity: str, headers: Sequence[str], mapping: Mapping[str, str | None]) -> dict[str, str]:
    """field -> why the mapping cannot be used: an unknown field, a header not in the file, a header chosen
    twice, a required field left out (a member's name may come as first and last name or as one column)."""
    fields = {f.name: f for f in fields_of(entity)}
    errors: dict[str, str] = {}
    for name in mapping:
        if name not in fields:
            errors[name] = f"{name!r} is not a field of the {entity} import."
    chosen = [h for h in mapping.values() if h]
    for name, header in mapping.items():
        if header and header not in headers:
            errors.setdefault(name, f"The file has no column named {header!r}.")
        elif header and chosen.count(header) > 1:
            errors.setdefault(name, f"The column {header!r} is chosen for more than one field.")
    for fld in fields.values():
        if fld.required and not mapping.get(fld.name):
            errors.setdefault(fld.name, f"Choose the column that holds the {fld.label.lower()}.")
    if entity == "members" and not mapping.get("full_name"):
        for name in ("first_name", "last_name"):
            if not mapping.get(name):
                errors.setdefault(name, f"Choose the column that holds the {fields[name].label.lower()}, "
                                        "or one column with the whole name.")
    return errors


# --- reading files -----------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SourceTable:
    """A sheet as text: its header row and the rows under it, each with its row number in the file."""

    name: str
    headers: tuple[str, ...]
    rows: list[tuple[str, ...]]
    row_numbers: list[int]
    header_row: int

    def preview(self, count: int = 8) -> tuple[tuple[str, ...], ...]:
        return tuple(self.rows[:count])


def is_supported(path: str | Path) -> bool:
    return str(path).lower().endswith(SUPPORTED_SUFFIXES)


def read_source(path: str | Path) -> SourceTable:
    """The first sheet of a workbook or a CSV (compressed or not), its header row found among the first rows."""
    with no_collection():
        table, rest = open_source(path)
        for _ in rest:
            pass
    return table


def open_source(path: str | Path) -> tuple[SourceTable, Iterator[None]]:
    """read_source's table with its header row found and its rows still coming: each step of the iterator reads
    more of them into it (an import checks and writes the first rows while the next are read). A file that cannot
    be read fails here, or in a step when the damage is further in."""
    path = Path(path)
    lowered = path.name.lower()
    if not is_supported(path):
        raise ImportFileError(f"{path.name} is not a CSV file (.csv, .csv.gz) or an Excel workbook (.xlsx).")
    if not path.is_file():
        raise ImportFileError(f"{path.name} does not exist.")
    if lowered.endswith((".xlsx", ".xlsm")):
        return _table(path.name, _slices(_xlsx_rows(path)))
    return _table(path.name, _csv_slices(path))


@contextmanager
def no_collection() -> Iterator[None]:
    """Python's cycle collector paused: reading a file keeps every row it makes, so a collection finds nothing among
    them, and the collections a big file's rows set off cost a third of reading it."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


SLICE_ROWS = 10_000  # rows a step of open_source reads
_Slice = tuple[Sequence[int], list[list[str]]]  # row numbers and their rows' cells


def _slices(numbered: Iterator[tuple[int, list[str]]]) -> Iterator[_Slice]:
    while True:
        part = list(itertools.islice(numbered, SLICE_ROWS))
        if not part:
            return
        yield [number for number, _ in part], [cells for _, cells in part]


def _csv_slices(path: Path) -> Iterator[_Slice]:
    try:
        if path.name.lower().endswith(".gz"):
            with gzip.open(path, "rb") as f:
                data = f.read()
        else:
            data = path.read_bytes()
    except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
        raise ImportFileError(f"{path.name} cannot be read ({exc}).") from None
    text = _decode(data)
    if "\x00" in text:
        raise ImportFileError(f"{path.name} holds NUL characters, so it is not a plain-text CSV file.")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    return _csv_parts(path.name, text, dialect)


def _csv_parts(name: str, text: str, dialect: type[csv.Dialect] | csv.Dialect) -> Iterator[_Slice]:
    """The rows a slice at a time, each slice read by csv in C. A row's number is the line it ends on: while no cell
    has run over a line, row n is line n; after one, the rest is read again a row at a time to number it."""
    lines = text.replace("\r\n", "\n")
    quoted = any(char and char in text for char in (dialect.quotechar, dialect.escapechar))
    if not quoted and not dialect.skipinitialspace and "\r" not in lines:
        # no quotes: a line is a row and its cells are what lies between delimiters, which str.split finds faster
        split = lines.split("\n")
        if split and not split[-1]:
            split.pop()  # the last line's end
        for at in range(0, len(split), SLICE_ROWS):
            part = split[at:at + SLICE_ROWS]
            yield range(at + 1, at + len(part) + 1), [line.split(dialect.delimiter) for line in part]
        return
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    done = 0
    try:
        while True:
            rows = list(itertools.islice(reader, SLICE_ROWS))
            if not rows:
                return
            if reader.line_num != done + len(rows):
                break
            yield range(done + 1, done + len(rows) + 1), rows
            done += len(rows)
        reader = csv.reader(io.StringIO(text, newline=""), dialect)
        for _ in itertools.islice(reader, done):
            pass
        yield from _slices((reader.line_num, row) for row in reader)
    except csv.Error as exc:
        raise ImportFileError(f"Line {reader.line_num} of {name} cannot be read as CSV ({exc}).") from None


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    import openpyxl  # imported here: only workbooks need it, and it is slow to load

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl fails in many ways on a damaged file
        raise ImportFileError(f"{path.name} cannot be opened as an Excel workbook; it may be damaged.") from None
    try:
        sheet = next((ws for ws in book.worksheets if ws.sheet_state == "visible"), book.worksheets[0])
        sheet.reset_dimensions()
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        number = 0
        while True:
            try:
                number, row = next(rows)
            except StopIteration:
                return
            except Exception:  # noqa: BLE001 - a sheet's XML can be cut short or malformed anywhere
                raise ImportFileError(f"{path.name} cannot be read past row {number}; it may be damaged.") from None
            yield number, [cell_text(value) for value in row]
    finally:
        book.close()


def _head(slices: Iterator[_Slice]) -> tuple[list[tuple[int, list[str]]], _Slice]:
    """The first non-blank rows (stripped, with their numbers), where the header is looked for, and what was left of
    the slice they ended in."""
    head: list[tuple[int, list[str]]] = []
    for numbers, rows in slices:
        for k, row in enumerate(rows):
            cells = [c.strip() for c in row]
            if any(cells):
                head.append((numbers[k], cells))
            if len(head) >= HEADER_SCAN_ROWS:
                return head, (numbers[k + 1:], rows[k + 1:])
    return head, ([], [])


def _table(name: str, slices: Iterator[_Slice]) -> tuple[SourceTable, Iterator[None]]:
    head, left = _head(slices)
    if not head:
        raise ImportFileError(f"{name} is empty.")
    at = _header_index([cells for _, cells in head])
    header_row, headers = head[at]
    width = len(headers)
    table = SourceTable(name, tuple(_unique(headers)), [], [], header_row)
    rows_out, numbers_out = table.rows, table.row_numbers

    def add(numbered: Iterable[tuple[int, list[str]]]) -> None:
        for number, cells in numbered:
            if len(cells) != width:
                if not any(cells):
                    continue
                cells = (cells + [""] * width)[:width] if len(cells) < width or not any(cells[width:]) else cells
            elif not any(cells):
                continue
            if len(rows_out) >= MAX_ROWS:
                raise ImportFileError(f"{name} has more than {MAX_ROWS:,} rows.")
            rows_out.append(tuple(cells))
            numbers_out.append(number)

    add(head[at + 1:])

    def rest() -> Iterator[None]:
        for numbers, rows in itertools.chain((left,), slices):
            # every row full width and none blank (an export's usual shape): the slice at once, in C
            if len(rows_out) + len(rows) <= MAX_ROWS and set(map(len, rows)) <= {width} and all(map(any, rows)):
                rows_out.extend(map(tuple, rows))
                numbers_out.extend(numbers)
            else:
                add(zip(numbers, rows, strict=True))
            yield

    return table, rest()


def _header_index(rows: Sequence[Sequence[str]]) -> int:
    """The first row that names at least two known fields; failing that, the first with two or more cells."""
    known = {normalize_header(s) for fields in ENTITY_FIELDS.values() for f in fields for s in f.synonyms}
    for i, row in enumerate(rows):
        if sum(1 for c in row if c and normalize_header(c) in known) >= 2:
            return i
    return next((i for i, row in enumerate(rows) if sum(1 for c in row if c) >= 2), 0)


def _unique(headers: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, header in enumerate(headers):
        label = header or f"Column {i + 1}"
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out


# --- reading cells -----------------------------------------------------------------------------------------

class CellError(ValueError):
    """Why one cell cannot be used: a sentence about the value, without the row (the caller adds it)."""


_CARD_CLEAN = re.compile(r"[\s\-./#]")
_CARD_OK = re.compile(CARD_NUMBER_PATTERN)
_EMAIL_OK = re.compile(EMAIL_PATTERN)


def read_card(text: str) -> str:
    card = _CARD_CLEAN.sub("", text).upper()
    if not _CARD_OK.match(card):
        raise CellError(f"{text!r} is not a card number (4 to 12 letters and digits)")
    return card


@lru_cache(maxsize=65_536)
def read_date(text: str) -> date:
    """ISO (2024-03-01), US (3/1/2024, 3/1/24), an Excel day serial (45352) or a timestamp's date."""
    value = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T].*", value):
            return date.fromisoformat(value[:10])
        match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})", value)
        if match:
            month, day, year = (int(g) for g in match.groups())
            if year < 100:
                year += 2000 if year < 50 else 1900
            return date(year, month, day)
        if re.fullmatch(r"\d{5}(\.0+)?", value):
            return EXCEL_EPOCH + timedelta(days=int(float(value)))
    except ValueError:
        pass
    raise CellError(f"{text!r} is not a date")


_MONTHS = {name: number for number, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")), start=1) for name in names}
MONEY_LIMIT = Decimal("99999999.99")    # what a member's ledger can hold (numeric(12, 2)), a hundred times lower


def read_month(text: str) -> date:
    """A month as its first day: 11/2026, 2026-11, Nov 2026, November 2026, or any date in it."""
    value = text.strip()
    match = re.fullmatch(r"(\d{1,2})[/-](\d{4})", value) or re.fullmatch(r"(\d{4})-(\d{1,2})", value)
    try:
        if match:
            first, second = (int(g) for g in match.groups())
            year, month = (second, first) if first <= 12 and second > 12 else (first, second)
            return date(year, month, 1)
        words = re.fullmatch(r"([A-Za-z]+)\.?\s+(\d{4})", value)
        if words and words.group(1).lower() in _MONTHS:
            return date(int(words.group(2)), _MONTHS[words.group(1).lower()], 1)
        return read_date(value).replace(day=1)
    except (ValueError, CellError):
        raise CellError(f"{text!r} is not a month") from None


def read_money(text: str) -> Decimal:
    amount, problem = parse_money(text)
    if problem is not None or amount is None:
        raise CellError(problem or f"{text!r} is not an amount")
    if abs(amount) > MONEY_LIMIT:
        raise CellError(f"{amount:,.2f} is more than a member's ledger holds")
    return amount


def read_decimal(text: str, places: int) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").replace("$", ""))
    except InvalidOperation:
        raise CellError(f"{text!r} is not a number") from None
    if not value.is_finite():
        raise CellError(f"{text!r} is not a number")
    quantum = Decimal(1).scaleb(-places)
    if value != value.quantize(quantum):
        raise CellError(f"{text!r} has more than {places} decimals")
    return value.quantize(quantum)


def read_int(text: str) -> int:
    cleaned = text.replace(",", "")
    if re.fullmatch(r"-?\d+(\.0+)?", cleaned):
        return int(float(cleaned)) if "." in cleaned else int(cleaned)
    raise CellError(f"{text!r} is not a whole number")


def read_choice(fld: Field, text: str) -> str:
    key = normalize_header(text)
    found = _choices(fld.name, fld.choices).get(key)
    if found is None:
        raise CellError(f"{text!r} is not one of {', '.join(fld.choices)}")
    return found


@lru_cache(maxsize=64)
def _choices(name: str, choices: tuple[str, ...]) -> dict[str, str]:
    """Normalized spelling -> value: the vocabulary's own words and what old systems write for them."""
    return {**_CHOICE_ALIASES.get(name, {}), **{normalize_header(choice): choice for choice in choices}}


def _cell_reader(fld: Field) -> Callable[[str], object]:
    if fld.kind == "card":
        return read_card
    if fld.kind == "date":
        return read_date
    if fld.kind == "month":
        return read_month
    if fld.kind == "money":
        return read_money
    if fld.kind == "int":
        return read_int
    if fld.kind == "decimal":
        return lambda text: read_decimal(text, 2)
    if fld.kind == "choice":
        return lambda text: read_choice(fld, text)
    length = fld.length or 1000

    def read_text(text: str) -> str:
        if len(text) > length:
            raise CellError(f"{text[:30]!r}… is longer than {length} characters")
        if fld.kind == "email" and not _EMAIL_OK.match(text):
            raise CellError(f"{text!r} is not an e-mail address")
        return text

    return read_text


# --- reading rows ------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Rejection:
    """A row that will not be imported: its row number in the file, the field, and why (a sentence)."""

    row: int
    field: str
    reason: str

    def sentence(self) -> str:
        return f"Row {self.row}: {self.reason}."


@dataclass(slots=True)
class ReadRows:
    """The rows that passed, as field -> value dicts with their row numbers, and the rejected ones."""

    rows: list[dict[str, object]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


def read_rows(entity: str, table: SourceTable, mapping: Mapping[str, str | None]) -> ReadRows:
    """Every row of the table read under `mapping` (checked first: a bad mapping is an ImportFileError), with
    each row's checks of its own (cells, required fields, dates in order); checks across rows and against what
    is on file come later."""
    readers = _readers(entity, table, mapping)
    check = _ROW_CHECKS.get(entity)
    out = ReadRows()
    for cells, number in zip(table.rows, table.row_numbers, strict=True):
        read = _read_row(readers, check, cells, number)
        if type(read) is Rejection:
            out.rejected.append(read)
        else:
            out.rows.append(cast("dict[str, object]", read))
            out.row_numbers.append(number)
    return out


_Readers = list[tuple[Field, int, "_Cells"]]


def _readers(entity: str, table: SourceTable, mapping: Mapping[str, str | None]) -> _Readers:
    """Each mapped field with its column and its cells' memo, in the order fields are checked."""
    errors = mapping_errors(entity, table.headers, mapping)
    if errors:
        raise ImportFileError(next(iter(errors.values())))
    return [(f, table.headers.index(str(mapping[f.name])), _Cells(_cell_reader(f)))
            for f in fields_of(entity) if mapping.get(f.name)]


def _read_row(readers: _Readers, check: Callable[[int, dict[str, object]], Rejection | None] | None,
              cells: Sequence[str], number: int) -> dict[str, object] | Rejection:
    """One row as field -> value, or the first reason it is rejected (fields in order, then the entity's check)."""
    values: dict[str, object] = {}
    for fld, index, memo in readers:
        value = memo[cells[index] if index < len(cells) else ""]
        if value is None:
            if fld.required:
                return Rejection(number, fld.name, f"the {fld.label.lower()} is missing")
        elif type(value) is CellError:
            return Rejection(number, fld.name, f"{fld.label}: {value}")
        else:
            values[fld.name] = value
    problem = check(number, values) if check is not None else None
    return values if problem is None else problem


class _Cells(dict[str, object]):
    """A reader's answers kept per cell text (an export repeats its cards, employers, dates and codes thousands of
    times): blank is None, a cell that cannot be read is its CellError. Looked up as a dict, so a cell seen before
    costs no Python call."""

    __slots__ = ("reader",)

    def __init__(self, reader: Callable[[str], object]) -> None:
        super().__init__()
        self.reader = reader

    def __missing__(self, raw: str) -> object:
        text = raw.strip()
        value: object = None
        if text:
            try:
                value = self.reader(text)
            except CellError as exc:
                value = exc
        if len(self) < 200_000:
            self[raw] = value
        return value


EMPLOYMENT_VALUES = ("job_class", "started_on", "ended_on", "termination_reason", "days_worked", "hours_worked")
_NO_HOURS = Decimal("1000000")


Batch = tuple[Sequence[int], list[str], list[str], list[str]]  # row numbers, cards, employer names, values as text


def read_employment(table: SourceTable, mapping: Mapping[str, str | None], as_text: Callable[[object], str],
                    rejected: list[Rejection], more: Iterator[None] | None = None) -> Iterator[Batch]:
    """The employment rows of the table in the file's order, a batch at a time, as read_rows would read them: their
    row numbers, cards, employer names and EMPLOYMENT_VALUES (each made text by `as_text`, joined by tabs), each a
    list in the rows' order; a row read_rows rejects goes to `rejected` instead, with the same sentence. `more` is
    open_source's rest of the table, read whenever the rows before it are used up.

    Employment history is the bulk of a hall's records (hundreds of thousands of rows), and this is its hot loop.
    Each distinct cell of a column is read, checked as far as it can be alone and made text once. A batch is then
    read a column at a time, in C (zip and map over the memos): when no cell of it fails and no job in it ends
    before it starts, which is an export's usual shape, its rows are taken whole; otherwise it is read row by row,
    and a row that fails is read again by read_rows' own code, which names the reason."""
    readers = _readers("employment", table, mapping)
    check = _ROW_CHECKS["employment"]
    by_name = {fld.name: (index, memo) for fld, index, memo in readers}
    unmapped = _Cells(lambda text: None)

    def column(name: str, fits: Callable[[Any], bool] = lambda value: value is not None) -> tuple[int, _Texts]:
        index, memo = by_name.get(name, (by_name["card_number"][0], unmapped))  # unmapped: blank, any cell will do
        return index, _Texts(memo, as_text, fits)

    def optional(test: Callable[[Any], bool] = lambda value: True) -> Callable[[Any], bool]:
        return lambda value: value is None or test(value)

    columns = [column("card_number"), column("employer"), column("job_class", optional()), column("started_on"),
               column("ended_on", optional()), column("termination_reason", optional()),
               column("days_worked", optional(lambda value: value >= 0)),
               column("hours_worked", optional(lambda value: 0 <= value < _NO_HOURS))]
    width = 1 + max(index for _, index, _ in readers)
    for rows, numbers in _as_read(table, more or iter(())):
        if min(map(len, rows)) >= width:
            cells = list(zip(*rows, strict=False))
            answers = [list(map(texts.__getitem__, cells[index])) for index, texts in columns]
            starts, ends = answers[3], answers[4]
            if (all(texts.bad.isdisjoint(cells[index]) for index, texts in columns)
                    and not any(end[0] is not None and end[0] < start[0] for start, end in zip(starts, ends,
                                                                                               strict=True))):
                yield (numbers, [answer[0] for answer in answers[0]], [answer[0] for answer in answers[1]],
                       list(map("\t".join, zip(*([answer[1] for answer in column] for column in answers[2:]),
                                               strict=True))))
                continue
        yield _read_by_row(rows, numbers, columns, readers, check, rejected, as_text)


def _read_by_row(rows: list[tuple[str, ...]], numbers: list[int], columns: list[tuple[int, _Texts]],
                 readers: _Readers, check: Callable[[int, dict[str, object]], Rejection | None],
                 rejected: list[Rejection], as_text: Callable[[object], str]) -> Batch:
    """A batch of read_employment's that some row of fails: row by row."""
    out: Batch = ([], [], [], [])
    out_numbers, cards, employers, values = cast("list[int]", out[0]), out[1], out[2], out[3]
    width = 1 + max(index for index, _ in columns)
    for cells, number in zip(rows, numbers, strict=True):
        if len(cells) >= width:
            answers = [texts[cells[index]] for index, texts in columns]
            started, ended = answers[3], answers[4]
            if all(answer is not _BAD for answer in answers) and (ended[0] is None or ended[0] >= started[0]):
                out_numbers.append(number)
                cards.append(answers[0][0])
                employers.append(answers[1][0])
                values.append("\t".join([answer[1] for answer in answers[2:]]))
                continue
        read = _read_row(readers, check, cells, number)  # names the reason (or reads a row doubted above)
        if type(read) is Rejection:
            rejected.append(read)
        else:
            row = cast("dict[str, object]", read)
            out_numbers.append(number)
            cards.append(cast("str", row["card_number"]))
            employers.append(cast("str", row["employer"]))
            values.append("\t".join(as_text(row.get(name)) for name in EMPLOYMENT_VALUES))
    return out


def _as_read(table: SourceTable, more: Iterator[None]) -> Iterator[tuple[list[tuple[str, ...]], list[int]]]:
    """The table's rows with their numbers, a batch at a time, reading more of it whenever those read so far are
    used up."""
    done = 0
    while True:
        upto = len(table.rows)
        if upto > done:
            yield table.rows[done:upto], table.row_numbers[done:upto]
        done = upto
        if next(more, _END) is _END and len(table.rows) == done:
            return


_END = object()
# a cell that cannot be read, or that its column's check refuses, in a _Texts answer: no value, as a blank cell has
# none (so a required cell's check refuses both), and itself (so an optional one's tells them apart)
_BAD: tuple[Any, str] = tuple([None, ""])  # type: ignore[assignment]


class _Texts(dict[str, Any]):
    """raw cell -> (its value, that value as text), with None for a blank cell's value; _BAD for a cell that cannot
    be read or that `fits` refuses (a blank one too, where the column needs a value). `bad` holds those cells."""

    __slots__ = ("as_text", "bad", "cells", "fits")

    def __init__(self, cells: _Cells, as_text: Callable[[object], str], fits: Callable[[Any], bool]) -> None:
        super().__init__()
        self.cells = cells
        self.as_text = as_text
        self.fits = fits
        self.bad: set[str] = set()

    def __missing__(self, raw: str) -> Any:
        value = self.cells[raw]
        answer: Any = _BAD
        if type(value) is not CellError and self.fits(value):
            answer = (value, self.as_text(value))
        else:
            self.bad.add(raw)
        self[raw] = answer
        return answer


def split_full_name(name: str) -> tuple[str, str, str | None]:
    """(first, last, middle) from "LAST, FIRST M" or "First M Last"."""
    if "," in name:
        last, _, given = name.partition(",")
        parts = given.split()
        first = parts[0] if parts else ""
        middle = " ".join(parts[1:]) or None
        return first, last.strip(), middle
    parts = name.split()
    if len(parts) == 1:
        return "", parts[0], None
    return parts[0], parts[-1], " ".join(parts[1:-1]) or None


def _member_check(number: int, values: dict[str, object]) -> Rejection | None:
    full = values.pop("full_name", None)
    if isinstance(full, str) and not (values.get("first_name") and values.get("last_name")):
        first, last, middle = split_full_name(full)
        values.setdefault("first_name", first[:60])
        values.setdefault("last_name", last[:60])
        if middle and "middle_name" not in values:
            values["middle_name"] = middle[:60]
    for name, label in (("first_name", "first name"), ("last_name", "last name")):
        if not str(values.get(name) or "").strip():
            return Rejection(number, name, f"the {label} is missing")
    birth, initiation = values.get("date_of_birth"), values.get("initiation_date")
    if isinstance(birth, date) and birth < date(1900, 1, 1):
        return Rejection(number, "date_of_birth", f"the date of birth {birth:%m/%d/%Y} is before 1900")
    if isinstance(birth, date) and isinstance(initiation, date) and initiation < birth:
        return Rejection(number, "initiation_date", "the initiation date is before the date of birth")
    state = values.get("state")
    if isinstance(state, str):
        values["state"] = state.upper()
    return None


def _employer_check(number: int, values: dict[str, object]) -> Rejection | None:
    if not str(values.get("name") or "").strip():
        return Rejection(number, "name", "the employer name is missing")
    effective, expires = values.get("contract_effective"), values.get("contract_expires")
    if values.get("contract_code") and not isinstance(effective, date):
        return Rejection(number, "contract_effective", "a contract needs the date it took effect")
    if isinstance(effective, date) and isinstance(expires, date) and expires < effective:
        return Rejection(number, "contract_expires", "the contract expires before it takes effect")
    for name in ("state",):
        value = values.get(name)
        if isinstance(value, str):
            values[name] = value.upper()
    if isinstance(values.get("contract_code"), str):
        values["contract_code"] = str(values["contract_code"]).upper()
    return None


def _registration_check(number: int, values: dict[str, object]) -> Rejection | None:
    tier = values.get("tier")
    if not isinstance(tier, int) or not 1 <= tier <= 4:
        return Rejection(number, "tier", f"tier {tier} is not 1 to 4")
    apn = values.get("apn")
    if not isinstance(apn, Decimal) or apn <= 0 or apn >= Decimal("100000000"):
        return Rejection(number, "apn", f"APN {apn} is not a positive number of at most 8 digits and 2 decimals")
    if "registered_on" not in values:
        values["registered_on"] = EXCEL_EPOCH + timedelta(days=int(apn))  # the APN's whole part is the day
    marks = values.get("check_marks", 0)
    if not isinstance(marks, int) or not 0 <= marks <= 10:
        return Rejection(number, "check_marks", f"{marks} check marks are not 0 to 10")
    reason, start, end = values.get("exemption_reason"), values.get("exemption_start"), values.get("exemption_end")
    if reason is not None and start is None:
        return Rejection(number, "exemption_start", "an exemption needs the date it started")
    if reason is None and (start is not None or end is not None):
        return Rejection(number, "exemption_reason", "exemption dates are given without a reason")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        return Rejection(number, "exemption_end", "the exemption ends before it starts")
    book = values.get("book")
    values["book"] = str(book).strip()
    return None


def _employment_check(number: int, values: dict[str, object]) -> Rejection | None:
    started, ended = values.get("started_on"), values.get("ended_on")
    if isinstance(started, date) and isinstance(ended, date) and ended < started:
        return Rejection(number, "ended_on", "the job ends before it starts")
    for name, label in (("days_worked", "days worked"), ("hours_worked", "hours worked")):
        value = values.get(name)
        if value is not None and value < 0:  # type: ignore[operator]
            return Rejection(number, name, f"{label} are negative")
    hours = values.get("hours_worked")
    if isinstance(hours, Decimal) and hours >= Decimal("1000000"):
        return Rejection(number, "hours_worked", f"{hours} hours are more than a job can hold")
    return None


_ROW_CHECKS: dict[str, Callable[[int, dict[str, object]], Rejection | None]] = {
    "members": _member_check, "employers": _employer_check, "registrations": _registration_check,
    "employment": _employment_check,
}


def name_key(name: str) -> str:
    """An employer's name as imports match it: case, spacing and punctuation aside."""
    return " ".join(re.sub(r"[^a-z0-9&]+", " ", fold(name)).split())
