"""Synthetic exports of a hall's old system, of realistic shape and size, for the import and its tests: a
LaborPower-style member list, employers with their contract links, worksites and contacts, the out-of-work books
in list order (tier, then APN; one APN on a member's three Wire books, duplicate APNs kept), twenty years of
employment history, each member's dues paid-through month and balance, and an Access member list whose headers
no suggestion recognizes (mapped once by hand).

Deterministic: the same seed writes the same rows, and the CSVs the same bytes (gzip without a timestamp), so the
files shipped in resources/sample_exports/ are this module's output:

    python -m unioncore_desktop.seed.sample_exports [DIRECTORY]
"""

from __future__ import annotations

import csv
import gzip
import io
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from unioncore_desktop.seed.books import DEMO_BOOKS
from unioncore_desktop.domain.rules.employers import normalized_name
from unioncore_desktop.seed.names import (
    CITIES,
    EMPLOYER_SUFFIXES,
    EMPLOYER_WORDS,
    FIRST_NAMES,
    LAST_NAMES,
    REGIONS,
    STREETS,
)

SEED = 20261203
EXCEL_EPOCH = date(1899, 12, 30)
AS_OF = date(2026, 11, 30)           # the day the old system printed its reports
CONTRACTS = ("WIREPERSON", "SOUND & COMM", "RESIDENTIAL", "STOCKPERSON", "LT FXT MAINT", "GROUP MARINE",
             "GROUP TV & APPL", "MARKET RECOVERY")
CLASS_CODES = (("JW", 70), ("FM", 6), ("APP1", 3), ("APP2", 3), ("APP3", 3), ("APP4", 3), ("APP5", 3),
               ("RET", 8), ("HON", 1))
REASONS = ("RIF", "Laid Off", "Quit", "Short Call", "Contract End", "Discharged", "Turnaround", "Under Scale")
EXPORTS_DIR = Path(__file__).resolve().parents[2] / "resources" / "sample_exports"  # where the shipped ones are
FILES = {"members": "members.csv", "employers": "employers.csv.gz", "registrations": "registrations.csv",
         "employment": "employment.csv.gz", "dues": "dues.csv", "access_members": "access_members.xlsx"}

MEMBER_HEADERS = ("Card #", "Last Name", "First Name", "MI", "Class", "Status", "Card Type", "Home Local",
                  "Address", "City", "ST", "Zip", "Home Phone", "Cell Phone", "E-Mail", "DOB", "Init Date")
EMPLOYER_HEADERS = ("Employer", "Address", "City", "State", "Zip", "Phone", "Contract", "Effective", "Expires",
                    "Jobsite", "Jobsite Address", "Jobsite City", "Region", "Contact", "Title", "Contact Phone",
                    "Contact Email")
REGISTRATION_HEADERS = ("Book", "Tier", "APN", "Card No", "Name", "Registered", "Last Re-sign", "Marks", "Exempt",
                        "Exempt From", "Exempt Until")
DUES_HEADERS = ("Card No", "Paid Thru", "Balance")
MONTHLY_RATES = {"JW": 75, "FM": 85, "APP1": 35, "APP2": 40, "APP3": 45, "APP4": 50, "APP5": 55, "RET": 25,
                 "HON": 0}
EMPLOYMENT_HEADERS = ("Card No", "Employer", "Start Date", "End Date", "Class", "Reason", "Days", "Hours")
# the Access list: nothing here names its field in words an export of another system would use
ACCESS_HEADERS = ("MbrKey", "Fam", "Giv", "Wage Grp", "Sts", "Tel 1", "Mail To")


@dataclass(frozen=True, slots=True)
class SampleMember:
    card: str
    last: str
    first: str
    middle: str
    class_code: str
    status: str
    card_type: str
    home_local: str
    address: str
    city: str
    state: str
    postal: str
    phone: str
    mobile: str
    email: str
    born: date
    initiated: date


@dataclass(frozen=True, slots=True)
class SampleHall:
    members: tuple[SampleMember, ...]
    employers: tuple[tuple[str, ...], ...]        # rows of the employer export (one per contract link)
    employer_names: tuple[str, ...]
    registrations: tuple[tuple[str, ...], ...]    # rows in list order: book by book, tier, APN
    employment: tuple[tuple[str, ...], ...]
    access_members: tuple[tuple[str, ...], ...]


def _us(day: date) -> str:
    return f"{day.month}/{day.day}/{day.year}"


def _phone(rng: random.Random) -> str:
    return f"({rng.choice(('206', '253', '360', '425'))}) {rng.randint(200, 999)}-{rng.randint(0, 9999):04d}"


def _members(rng: random.Random, count: int) -> list[SampleMember]:
    classes = [code for code, weight in CLASS_CODES for _ in range(weight)]
    cards: set[str] = set()
    members: list[SampleMember] = []
    while len(members) < count:
        card = (str(rng.randint(1_000_000, 9_999_999)) if rng.random() < 0.93
                else f"A{rng.randint(10_000_000, 99_999_999)}")
        if card in cards:
            continue
        cards.add(card)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        city, state, zip3 = rng.choice(CITIES)
        born = date(1955, 1, 1) + timedelta(days=rng.randint(0, 365 * 45))
        initiated = born + timedelta(days=365 * rng.randint(18, 35) + rng.randint(0, 364))
        class_code = rng.choice(classes)
        status = "Retired" if class_code == "RET" else rng.choice(("Active",) * 18 + ("Inactive", "Suspended"))
        members.append(SampleMember(
            card=card, last=last.upper(), first=first.upper(), middle=rng.choice("ABCDEJKLMRST ") .strip(),
            class_code=class_code, status=status,
            card_type="APP" if class_code.startswith("APP") else rng.choice(("A",) * 12 + ("BA", "CE", "CW")),
            home_local="" if rng.random() < 0.95 else str(rng.choice((48, 77, 112, 191, 483))),
            address=f"{rng.randint(100, 29999)} {rng.choice(STREETS)}", city=city, state=state,
            postal=f"{zip3}{rng.randint(0, 99):02d}", phone=_phone(rng),
            mobile=_phone(rng) if rng.random() < 0.7 else "",
            email=f"{first.lower()}.{last.lower()}{rng.randint(1, 999)}@example.net" if rng.random() < 0.6 else "",
            born=born, initiated=min(initiated, AS_OF)))
    return members


def _employers(rng: random.Random, count: int) -> tuple[list[tuple[str, ...]], list[str]]:
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        name = f"{rng.choice(EMPLOYER_WORDS)} {rng.choice(EMPLOYER_SUFFIXES)}"
        if rng.random() < 0.4:
            name = f"{rng.choice(EMPLOYER_WORDS)} {name}"
        key = normalized_name(name)  # "Harbor Electric Inc" and "Harbor Electric Co" are one name to a hall
        if key in seen:
            continue
        seen.add(key)
        names.append(name)
    rows: list[tuple[str, ...]] = []
    for name in names:
        city, state, zip3 = rng.choice(CITIES)
        address = f"{rng.randint(100, 29999)} {rng.choice(STREETS)}"
        phone = _phone(rng)
        links = rng.choice((1, 1, 1, 2, 2, 3))
        codes = ["WIREPERSON", *rng.sample(CONTRACTS[1:], links - 1)] if rng.random() < 0.85 \
            else rng.sample(CONTRACTS[1:], links)
        site_city = rng.choice(REGIONS)
        contact_first, contact_last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        for i, code in enumerate(codes):
            effective = date(rng.randint(2008, 2024), rng.choice((1, 6, 9)), 1)
            expires = "" if rng.random() < 0.6 else _us(date(effective.year + 3, effective.month, 1) - timedelta(1))
            first_row = i == 0
            rows.append((
                name, address if first_row else "", city if first_row else "", state if first_row else "",
                f"{zip3}{rng.randint(0, 99):02d}" if first_row else "", phone if first_row else "", code,
                _us(effective), expires,
                f"{name.split()[0]} Yard {site_city}" if first_row else "",
                f"{rng.randint(100, 9999)} {rng.choice(STREETS)}" if first_row else "",
                site_city if first_row else "", site_city if first_row else "",
                f"{contact_first} {contact_last}" if first_row else "", "Superintendent" if first_row else "",
                _phone(rng) if first_row else "",
                f"{contact_first.lower()}@{name.split()[0].lower()}.example.com" if first_row else ""))
    return rows, names


def _registrations(rng: random.Random, members: Sequence[SampleMember], count: int) -> list[tuple[str, ...]]:
    """List order per book: tier, then APN; the old system prints duplicate APNs in sign-on order."""
    working = [m for m in members if m.status == "Active" and m.class_code != "RET"]
    rng.shuffle(working)
    wire = [b.name for b in DEMO_BOOKS if b.name.startswith("WIRE")]
    others = [b.name for b in DEMO_BOOKS if not b.name.startswith("WIRE")]
    by_book: dict[str, list[tuple[int, Decimal, int, SampleMember, date]]] = {}
    made = 0
    sequence = 0
    used_hundredths: dict[int, int] = {}
    for member in working:
        if made >= count:
            break
        day = AS_OF - timedelta(days=rng.randint(0, 540))
        serial = (day - EXCEL_EPOCH).days
        # one APN per visit; now and then the old system handed out a hundredth twice (duplicates are kept)
        hundredth = used_hundredths.get(serial, 0) + (0 if rng.random() < 0.03 and serial in used_hundredths else 1)
        used_hundredths[serial] = hundredth
        apn = Decimal(serial) + Decimal(hundredth) / 100
        books = wire if member.class_code in ("JW", "FM") and rng.random() < 0.8 else [rng.choice(others)]
        if len(books) == 3 and rng.random() < 0.2:
            books = books[:1]
        for book in books:
            tier = 1 if rng.random() < 0.75 else rng.choice((2, 2, 3, 4))
            sequence += 1
            by_book.setdefault(book, []).append((tier, apn, sequence, member, day))
            made += 1
    rows: list[tuple[str, ...]] = []
    for book in [b.name for b in DEMO_BOOKS]:
        for tier, apn, _, member, day in sorted(by_book.get(book, []), key=lambda r: (r[0], r[1], r[2])):
            resigned = day + timedelta(days=30 * ((AS_OF - day).days // 30)) if (AS_OF - day).days >= 30 else None
            exempt = rng.random() < 0.03
            exempt_from = day + timedelta(days=rng.randint(0, 60)) if exempt else None
            rows.append((book, str(tier), f"{apn:.2f}", member.card, f"{member.last}, {member.first}", _us(day),
                         _us(resigned) if resigned else "", str(rng.choice((0,) * 8 + (1, 1, 2))),
                         rng.choice(("Medical", "Military", "Traveling", "Union Business")) if exempt else "",
                         _us(exempt_from) if exempt_from else "", ""))
    return rows


def _employment(rng: random.Random, members: Sequence[SampleMember], employers: Sequence[str],
                count: int) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    per_member = count // len(members)
    extra = count - per_member * len(members)
    for index, member in enumerate(members):
        jobs = per_member + (1 if index < extra else 0)
        start = max(member.initiated, date(2006, 1, 1))
        span = max((AS_OF - start).days, jobs)
        step = span / jobs
        for job in range(jobs):
            began = start + timedelta(days=int(job * step) + rng.randint(0, max(int(step) // 3, 0)))
            open_job = job == jobs - 1 and rng.random() < 0.3
            days = max(1, min(int(step) - 1, rng.randint(2, 120)))
            ended = None if open_job else began + timedelta(days=days)
            employer = rng.choice(employers)
            rows.append((member.card, employer.upper() if rng.random() < 0.1 else employer, _us(began),
                         _us(ended) if ended else "", "Journeyman Wireman" if member.class_code != "FM" else "Foreman",
                         "" if ended is None else rng.choice(REASONS), "" if ended is None else str(days),
                         "" if ended is None else f"{days * 8 * 5 / 7:.2f}"))
    return rows


def build(members: int = 4_000, employers: int = 850, registrations: int = 4_000,
          employment: int = 150_000, seed: int = SEED) -> SampleHall:
    rng = random.Random(seed)
    people = _members(rng, members)
    employer_rows, names = _employers(rng, employers)
    access = [(m.card, m.last.title(), m.first.title(), m.class_code, m.status[0], m.phone, m.email)
              for m in people[:150]]
    travelers = _members(random.Random(seed + 1), 50)
    access += [(m.card, m.last.title(), m.first.title(), "JW", "A", m.phone, m.email) for m in travelers
               if m.card not in {p.card for p in people}]
    return SampleHall(tuple(people), tuple(employer_rows), tuple(names),
                      tuple(_registrations(rng, people, registrations)),
                      tuple(_employment(rng, people, names, employment)), tuple(access))


def dues_rows(hall: SampleHall, seed: int = SEED) -> list[tuple[str, ...]]:
    """Paid through this month or up to five months behind, the balance what those months owe at the member's
    rate; one in twenty paid a month ahead beyond it (a credit)."""
    rng = random.Random(seed + 2)
    rows: list[tuple[str, ...]] = []
    for member in hall.members:
        behind = rng.choice((0, 0, 0, 0, 0, 1, 1, 2, 3, 5))
        month = AS_OF.replace(day=1)
        for _ in range(behind):
            month = (month - timedelta(days=1)).replace(day=1)
        rate = MONTHLY_RATES[member.class_code]
        balance = -rate if behind == 0 and rate and rng.random() < 0.05 else behind * rate
        shown = f"(${-balance:,.2f})" if balance < 0 else f"${balance:,.2f}"
        rows.append((member.card, f"{month.month}/{month.year}", shown))
    return rows


def member_rows(hall: SampleHall) -> list[tuple[str, ...]]:
    return [(m.card, m.last, m.first, m.middle, m.class_code, m.status, m.card_type, m.home_local, m.address,
             m.city, m.state, m.postal, m.phone, m.mobile, m.email, _us(m.born), _us(m.initiated))
            for m in hall.members]


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def write_csv(path: Path, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> Path:
    data = csv_bytes(headers, rows)
    if path.name.endswith(".gz"):
        data = gzip.compress(data, compresslevel=9, mtime=0)
    path.write_bytes(data)
    return path


def write_xlsx(path: Path, headers: Sequence[str], rows: Iterable[Sequence[str]]) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Members"
    sheet.append(["Member list exported from Access"])  # a title row above the headers, as Access writes it
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    book.properties.created = book.properties.modified = datetime(2026, 11, 30)
    book.save(path)
    return path


def write(directory: Path, hall: SampleHall | None = None) -> dict[str, Path]:
    """Every sample export into `directory`; entity -> path."""
    hall = hall or build()
    directory.mkdir(parents=True, exist_ok=True)
    return {
        "members": write_csv(directory / FILES["members"], MEMBER_HEADERS, member_rows(hall)),
        "employers": write_csv(directory / FILES["employers"], EMPLOYER_HEADERS, hall.employers),
        "registrations": write_csv(directory / FILES["registrations"], REGISTRATION_HEADERS, hall.registrations),
        "employment": write_csv(directory / FILES["employment"], EMPLOYMENT_HEADERS, hall.employment),
        "dues": write_csv(directory / FILES["dues"], DUES_HEADERS, dues_rows(hall)),
        "access_members": write_xlsx(directory / FILES["access_members"], ACCESS_HEADERS, hall.access_members),
    }


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else EXPORTS_DIR
    for entity, written in write(target).items():
        print(f"{entity}: {written} ({written.stat().st_size:,} bytes)")
