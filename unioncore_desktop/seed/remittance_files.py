"""A demo employer check-off list built from the demo hall itself, so its card numbers and names match real
members: the employer with the most members working in the month, their dues at their rates, and three lines
for the review queue (a mistyped card, a nickname, an amount ten times too large).

`unioncore seed --remittance-file PATH` writes one (.xlsx or .csv) for the database it is pointed at; the files
in resources/remittances/ were written this way from a freshly seeded demo hall.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Connection, text

from unioncore_desktop.domain.errors import DomainError
from unioncore_desktop.domain.queries.fragments import dues_rate_in_force

NICKNAMES = {"robert": "Bob", "william": "Bill", "james": "Jim", "richard": "Dick", "michael": "Mike",
             "elizabeth": "Liz", "margaret": "Peggy", "joseph": "Joe", "thomas": "Tom", "daniel": "Dan"}
DEFAULT_RATE = Decimal("75.00")


@dataclass(frozen=True, slots=True)
class DemoLine:
    card_number: str
    name: str
    hours: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class DemoRemittance:
    employer_id: int
    employer_name: str
    period: date
    check_number: str
    lines: tuple[DemoLine, ...]

    @property
    def check_amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))


def build_demo_remittance(conn: Connection, *, period: date | None = None, employer_id: int | None = None,
                          size: int = 25) -> DemoRemittance:
    """The list an employer would send for `period` (default: this month)."""
    if period is None:
        period = conn.execute(text("SELECT date_trunc('month', current_date)::date")).scalar_one()
    period = period.replace(day=1)
    working = """
        SELECT DISTINCT h.member_id FROM employment_history AS h
        WHERE h.employer_id = e.id AND h.started_on < (CAST(:p AS date) + interval '1 month')
          AND (h.ended_on IS NULL OR h.ended_on >= CAST(:p AS date))
    """
    if employer_id is None:
        employer_id = conn.execute(text(f"""
            SELECT e.id FROM employers AS e
            ORDER BY (SELECT count(*) FROM ({working}) AS w) DESC, e.id LIMIT 1
        """), {"p": period}).scalar()
    if employer_id is None:
        raise DomainError("The database has no employers; seed the demo hall first.")
    employer_name = conn.execute(text("SELECT name FROM employers WHERE id = :e"), {"e": employer_id}).scalar_one()
    rows = list(conn.execute(text(f"""
        SELECT m.card_number, m.first_name, m.last_name, {dues_rate_in_force("m.classification", ":p")} AS rate
        FROM employers AS e
        JOIN LATERAL ({working}) AS w ON true
        JOIN members AS m ON m.id = w.member_id
        WHERE e.id = :e AND m.status = 'active'
        ORDER BY m.card_number
        LIMIT :n
    """), {"e": employer_id, "p": period, "n": size}).all())
    if len(rows) < size:  # a small employer: fill up with active members so the demo list is not trivial
        rows += conn.execute(text(f"""
            SELECT m.card_number, m.first_name, m.last_name, {dues_rate_in_force("m.classification", ":p")}
            FROM members AS m WHERE m.status = 'active' AND m.card_number <> ALL(CAST(:cards AS text[]))
              AND m.classification NOT IN ('retiree', 'honorary')
            ORDER BY m.id LIMIT :n
        """), {"p": period, "cards": [r[0] for r in rows], "n": size - len(rows)}).all()
    if len(rows) < 4:
        raise DomainError("The database has too few active members for a demo remittance.")
    lines = []
    for i, (card, first, last, rate) in enumerate(rows):
        amount = rate if rate is not None and rate > 0 else DEFAULT_RATE
        name = f"{last.upper()}, {first.upper()}" if i % 3 == 0 else f"{first} {last}"
        hours = Decimal(120 + (i * 37) % 60)
        if i == 3:  # the employer's payroll knows this member by a nickname or an initial
            nickname = NICKNAMES.get(first.lower())
            name = f"{nickname} {last}" if nickname else f"{last}, {_other_first_name(first)}"
        elif i == 7:  # a transposed digit: no member has this card
            card = _mistyped(conn, card)
        elif i == 11:  # ten months keyed instead of one
            amount = amount * 10
        lines.append(DemoLine(card, name, hours, amount))
    check_number = f"{40000 + employer_id * 7 % 9973}-{period:%y%m}"
    return DemoRemittance(employer_id, employer_name, period, check_number, tuple(lines))


def _other_first_name(first: str) -> str:
    return "Pat" if first.lower() != "pat" else "Sam"


def _mistyped(conn: Connection, card: str) -> str:
    """The card with two neighbouring characters swapped (or a digit added) that belongs to nobody."""
    candidates = [card[:i - 1] + card[i] + card[i - 1] + card[i + 1:] for i in range(len(card) - 1, 0, -1)
                  if card[i] != card[i - 1]] + [card + str(d) for d in range(10)]
    taken = set(conn.execute(text("SELECT card_number FROM members WHERE card_number = ANY(CAST(:c AS text[]))"),
                             {"c": candidates}).scalars())
    return next(c for c in candidates if c not in taken)


def write_remittance_file(remittance: DemoRemittance, path: str | Path) -> Path:
    """Write the list as an employer's payroll office would: .xlsx with a title block and a TOTAL row, or a
    semicolon-separated .csv."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f, delimiter=";")
            writer.writerow(["Card No", "Employee", "Hrs", "Union Dues"])
            for line in remittance.lines:
                writer.writerow([line.card_number, line.name, f"{line.hours}", f"${line.amount:,.2f}"])
        return path
    if path.suffix.lower() != ".xlsx":
        raise DomainError("Write the remittance file as .xlsx or .csv.")
    import openpyxl

    from openpyxl.worksheet.worksheet import Worksheet

    book = openpyxl.Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook opens on its one worksheet
    sheet.title = "Check-off"
    sheet.append([f"{remittance.employer_name} — union dues check-off"])
    sheet.append(["Pay period", remittance.period.strftime("%B %Y"), "Check", remittance.check_number])
    sheet.append([])
    sheet.append(["Member #", "Employee Name", "Hours", "Dues Withheld"])
    for line in remittance.lines:
        card: object = int(line.card_number) if line.card_number.isdigit() else line.card_number
        sheet.append([card, line.name, float(line.hours), float(line.amount)])
    sheet.append([None, "TOTAL", None, float(remittance.check_amount)])
    for row in sheet.iter_rows(min_row=5, min_col=4, max_col=4):
        for cell in row:
            cell.number_format = '"$"#,##0.00'
    sheet.column_dimensions["B"].width = 28
    book.save(path)
    return path
