"""Employer check-off remittances: reading employers' files, matching, the review queue, and posting that
balances to the check and never posts twice."""

from __future__ import annotations

import csv
import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.errors import DomainError, ValidationError
from unioncore_desktop.domain.queries.remittances import (
    column_mapping,
    missing_from_remittance,
    remittance_review,
)
from unioncore_desktop.domain.rules import remittance as rules
from unioncore_desktop.domain.services.remittances import (
    cancel_remittance,
    import_remittance,
    payment_key,
    post_remittance,
    resolve_line,
    save_column_mapping,
)
from unioncore_desktop.domain.uow import UnitOfWork

pytestmark = pytest.mark.commits  # the services' own COMMIT runs, as at the hall

PERIOD = date(2025, 3, 1)
D = Decimal

# card, first, last, classification
MEMBERS = [
    ("7100010", "John", "Smith", "journeyman"),
    ("7100011", "María", "Peña", "journeyman"),
    ("0712345", "Kenji", "Watanabe", "apprentice_3"),
    ("7100013", "Aisha", "Okafor", "foreman"),
    ("7100014", "Robert", "Jones", "journeyman"),
    ("7100015", "Christopher", "Lindqvist", "journeyman"),
]
RATES = {"journeyman": "75.00", "foreman": "85.00", "apprentice_3": "45.00"}
MAPPING = {"card_number": "Member #", "name": "Employee Name", "amount": "Dues Withheld", "hours": "Hrs"}


# --- pure rules ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "amount", "problem"), [
    ("$1,234.50", D("1234.50"), False),
    ("(12.00)", D("-12.00"), False),
    ("12.00-", D("-12.00"), False),
    (" $ 75 ", D("75.00"), False),
    ("-$3.00", D("-3.00"), False),
    ("1.234,50", D("1234.50"), False),
    (75.0, D("75.00"), False),
    (D("85"), D("85.00"), False),
    ("", None, False),
    (None, None, False),
    ("N/A", None, True),
    (45.005, D("45.01"), True),
])
def test_money_is_read_the_way_payroll_systems_print_it(raw, amount, problem):
    value, why = rules.parse_money(raw)
    assert value == amount
    assert (why is not None) is problem


@pytest.mark.parametrize(("headers", "expected"), [
    (["Member #", "Employee Name", "SSN", "Hrs", "Dues Withheld"],
     {"card_number": "Member #", "name": "Employee Name", "amount": "Dues Withheld", "hours": "Hrs"}),
    (["Card No.", "Last, First", "Hours Worked", "Amount"],
     {"card_number": "Card No.", "name": "Last, First", "amount": "Amount", "hours": "Hours Worked"}),
    (["Emp ID", "Name", "Gross Wages", "Total Dues"],
     {"card_number": "Emp ID", "name": "Name", "amount": "Total Dues", "hours": None}),
    (["Union No", "Worker", "Check-off"],
     {"card_number": "Union No", "name": "Worker", "amount": "Check-off", "hours": None}),
])
def test_column_mapping_is_guessed_from_header_words(headers, expected):
    assert rules.guess_mapping(headers) == expected


def test_remembered_mapping_wins_where_its_columns_still_exist():
    headers = ["Card", "Full Name", "Deduction", "Hours"]
    remembered = {"card_number": "Card", "name": "Full Name", "amount": "Deduction", "hours": None}
    assert rules.mapping_for(headers, remembered) == remembered  # hours deliberately left unmapped stays so
    renamed = ["Card", "Employee", "Dues", "Hours"]
    assert rules.mapping_for(renamed, remembered) == {"card_number": "Card", "name": "Employee", "amount": "Dues",
                                                      "hours": None}


@pytest.mark.parametrize(("listed", "first", "last", "same"), [
    ("SMITH, JOHN", "John", "Smith", True),
    ("John Q. Smith Jr.", "John", "Smith", True),
    ("Pena, Jose", "José", "Peña", True),
    ("PEÑA MARIA", "Maria", "Pena", True),
    ("Garcia Lopez, Maria", "Maria", "Garcia-Lopez", True),
    ("Chris Lindqvist", "Christopher", "Lindqvist", True),
    ("Lindqvist, C.", "Christopher", "Lindqvist", True),
    ("", "John", "Smith", True),
    ("Smith, Robert", "John", "Smith", False),
    ("Jones, John", "John", "Smith", False),
    ("John Smithers", "John", "Smith", False),
])
def test_names_compare_across_order_case_and_accents(listed, first, last, same):
    assert rules.names_match(listed, first, last) is same


@pytest.mark.parametrize(("amount", "rate", "odd"), [
    (D("75.00"), D("75.00"), False),
    (D("80.00"), D("75.00"), False),       # within half a month's dues
    (D("150.00"), D("75.00"), True),        # two months: worth a look
    (D("0.00"), D("75.00"), True),
    (D("-75.00"), D("75.00"), True),
    (D("5000.00"), None, True),
    (D("60.00"), None, False),
    (D("25.00"), D("0.00"), True),          # honorary members owe nothing
])
def test_amount_oddities(amount, rate, odd):
    assert (rules.amount_problem(amount, expected_monthly=rate) is not None) is odd


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_xlsx_with_title_rows_numeric_cards_and_a_total_row(tmp_path):
    path = write_xlsx(tmp_path / "acme.xlsx", [
        ["ACME Electric — union dues remittance"],
        ["Pay period", "March 2025"],
        [],
        ["Member #", "Employee Name", "Hrs", "Dues Withheld"],
        [7100010, "SMITH, JOHN", 160, 75],
        ["71-00011", "Peña, María", "", "$75.00"],
        [None, None, None, None],
        ["7100013", "Okafor, Aisha", 150.5, "(12.00)"],
        ["7100014", "Jones, Robert", 40, "N/A"],
        [None, "TOTAL", None, 138],
    ])
    table = rules.read_table(path)
    assert table.headers == ("Member #", "Employee Name", "Hrs", "Dues Withheld") and table.header_row == 4
    parsed = rules.parse_lines(table, rules.guess_mapping(table.headers))
    assert [(ln.line_no, ln.card_number, ln.amount, ln.hours) for ln in parsed.lines] == [
        (1, "7100010", D("75.00"), D("160.00")), (2, "7100011", D("75.00"), None),
        (3, "7100013", D("-12.00"), D("150.50")), (4, "7100014", None, D("40.00"))]
    assert parsed.lines[3].problems == ("'N/A' is not an amount",) and parsed.lines[3].row_number == 9
    assert parsed.stated_total == D("138.00")


def test_csv_in_another_dialect_and_encoding(tmp_path):
    path = tmp_path / "list.csv"
    with path.open("w", encoding="cp1252", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(["Card No.", "Last, First", "Hours Worked", "Amount"])
        writer.writerow(["7100011", "Peña, María", "120", "1.234,50"])
        writer.writerow(["0712345", "Watanabe, Kenji", "", "$45.00"])
    table = rules.read_table(path)
    parsed = rules.parse_lines(table, rules.guess_mapping(table.headers))
    assert [(ln.card_number, ln.name, ln.amount) for ln in parsed.lines] == [
        ("7100011", "Peña, María", D("1234.50")), ("0712345", "Watanabe, Kenji", D("45.00"))]


def test_unreadable_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "not.xlsx"
    bad.write_text("this is not a workbook")
    with pytest.raises(rules.RemittanceFileError, match="cannot be opened"):
        rules.read_table(bad)
    with pytest.raises(rules.RemittanceFileError, match="not an Excel"):
        rules.read_table(tmp_path / "list.pdf")


# --- against the database ------------------------------------------------------------------------------------

@pytest.fixture
def hall(connection) -> dict[str, int]:
    ids = {}
    for name in ("ACME Electric", "Bolt Brothers"):
        ids[name] = connection.execute(text("INSERT INTO employers (name) VALUES (:n) RETURNING id"),
                                       {"n": name}).scalar_one()
    for card, first, last, cls in MEMBERS:
        ids[card] = connection.execute(text(
            "INSERT INTO members (card_number, first_name, last_name, classification) VALUES (:c, :f, :l, :k) "
            "RETURNING id"), {"c": card, "f": first, "l": last, "k": cls}).scalar_one()
    for cls, amount in RATES.items():
        connection.execute(text("INSERT INTO dues_rates (classification, effective_from, amount) "
                                "VALUES (:c, DATE '2020-01-01', :a)"), {"c": cls, "a": amount})
    return ids


def acme_file(tmp_path: Path, *, extra: list[list[object]] = ()) -> Path:
    return write_xlsx(tmp_path / "acme-march.xlsx", [
        ["ACME Electric check-off, March 2025"],
        ["Member #", "Employee Name", "Hrs", "Dues Withheld"],
        ["7100010", "SMITH, JOHN", 160, "$75.00"],                 # matched
        ["7100011", "Pena, Maria", 152, 75],                       # matched despite accents
        [712345, "Watanabe, Kenji", 80, "45.00"],                  # matched: Excel lost the leading zero
        ["7100013", "Okafor, Aisha", 160, "$850.00"],              # amount odd (rate 85)
        ["7100014", "Jones, Bob", 120, "75.00"],                   # name mismatch
        ["9999999", "Nobody, Known", 40, "75.00"],                 # unknown card
        *extra,
    ])


def do_import(uow: UnitOfWork, hall, path: Path, *, check_amount: str = "1195.00", check_number: str = "10442",
              **kwargs):
    return import_remittance(uow, employer_id=hall["ACME Electric"], period=PERIOD, check_number=check_number,
                             check_amount=check_amount, path=path, mapping=MAPPING, **kwargs)


def statuses(review) -> list[tuple[int, str]]:
    return [(line.line_no, line.match_status) for line in review.lines]


def test_import_matches_by_card_and_queues_the_rest_for_review(uow, hall, tmp_path):
    summary = do_import(uow, hall, acme_file(tmp_path))
    assert statuses(summary.review) == [(1, "matched"), (2, "matched"), (3, "matched"), (4, "amount_odd"),
                                        (5, "name_mismatch"), (6, "unknown_card")]
    assert (summary.line_count, summary.matched, summary.in_review) == (6, 3, 3)
    lines = summary.review.lines
    assert lines[2].member_id == hall["0712345"] and lines[2].card_number == "712345"
    assert "far from the expected 85.00" in lines[3].note
    assert "Jones, Bob" in lines[4].note and lines[4].member_id == hall["7100014"]
    assert "no member has card 9999999" in lines[5].note and lines[5].member_id is None
    assert summary.lines_total == D("1195.00") and summary.review.posting_total == D("195.00")
    assert not summary.review.can_post


def test_mapping_is_remembered_per_employer(uow, hall, tmp_path, session_factory):
    do_import(uow, hall, acme_file(tmp_path))
    with session_factory() as session:
        assert column_mapping(session, hall["ACME Electric"]) == MAPPING
        assert column_mapping(session, hall["Bolt Brothers"]) is None
    changed = dict(MAPPING, hours=None)
    save_column_mapping(uow, employer_id=hall["ACME Electric"], mapping=changed)
    with session_factory() as session:
        assert column_mapping(session, hall["ACME Electric"]) == changed
        version = session.execute(text("SELECT version FROM remittance_column_maps WHERE employer_id = :e"),
                                  {"e": hall["ACME Electric"]}).scalar_one()
    save_column_mapping(uow, employer_id=hall["ACME Electric"], mapping=changed)  # unchanged: no new version
    with session_factory() as session:
        assert session.execute(text("SELECT version FROM remittance_column_maps WHERE employer_id = :e"),
                               {"e": hall["ACME Electric"]}).scalar_one() == version


def test_a_check_cannot_be_imported_twice_unless_the_draft_is_replaced(uow, hall, tmp_path):
    first = do_import(uow, hall, acme_file(tmp_path))
    with pytest.raises(ValidationError) as refused:
        do_import(uow, hall, acme_file(tmp_path))
    assert "already imported" in refused.value.errors["check_number"]
    again = do_import(uow, hall, acme_file(tmp_path), replaces=first.remittance_id)
    assert again.remittance_id != first.remittance_id
    assert cancel_remittance(uow, remittance_id=again.remittance_id).status == "cancelled"


def test_missing_mapping_and_bad_header_fields_are_refused(uow, hall, tmp_path):
    with pytest.raises(ValidationError) as refused:
        import_remittance(uow, employer_id=hall["ACME Electric"], period=PERIOD, check_number="",
                          check_amount="abc", path=acme_file(tmp_path), mapping=dict(MAPPING, amount=None))
    assert set(refused.value.errors) == {"check_number", "check_amount"}
    with pytest.raises(ValidationError) as refused:
        import_remittance(uow, employer_id=hall["ACME Electric"], period=PERIOD, check_number="1",
                          check_amount="10", path=acme_file(tmp_path), mapping=dict(MAPPING, amount=None))
    assert "amount" in refused.value.errors
    with pytest.raises(ValidationError) as refused:
        import_remittance(uow, employer_id=hall["ACME Electric"], period=PERIOD, check_number="1",
                          check_amount="10", path=acme_file(tmp_path), mapping=dict(MAPPING, hours="Overtime"))
    assert "no column named 'Overtime'" in refused.value.errors["hours"]


def resolve_queue(uow: UnitOfWork, hall, review) -> None:
    by_no = {line.line_no: line for line in review.lines}
    resolve_line(uow, line_id=by_no[4].id, member_id=hall["7100013"], amount="85.00",
                 note="Payroll confirmed $85 by phone; check corrected below")
    resolve_line(uow, line_id=by_no[5].id, member_id=hall["7100014"], note="Bob is Robert Jones")
    resolve_line(uow, line_id=by_no[6].id, member_id=hall["7100015"], note="Card typo; Chris Lindqvist")


def test_a_remittance_that_does_not_balance_cannot_post(uow, hall, tmp_path):
    summary = do_import(uow, hall, acme_file(tmp_path), check_amount="430.00")
    with pytest.raises(ValidationError, match="review queue"):
        post_remittance(uow, remittance_id=summary.remittance_id)
    resolve_queue(uow, hall, summary.review)
    with uow:
        review = remittance_review(uow.session, summary.remittance_id)
    assert review.open_count == 0 and review.posting_total == D("430.00") and review.balanced
    # a check that does not match what would post
    other = do_import(uow, hall, acme_file(tmp_path), check_amount="1195.00", check_number="10443")
    resolve_queue(uow, hall, other.review)
    with pytest.raises(ValidationError) as refused:
        post_remittance(uow, remittance_id=other.remittance_id)
    assert "does not balance" in refused.value.errors["check_amount"]
    with uow:
        assert uow.session.execute(text("SELECT count(*) FROM payments")).scalar_one() == 0
        assert remittance_review(uow.session, other.remittance_id).header.status == "draft"


def test_posting_links_payments_in_one_balanced_batch_and_a_retry_posts_nothing(uow, hall, tmp_path):
    summary = do_import(uow, hall, acme_file(tmp_path), check_amount="430.00")
    resolve_queue(uow, hall, summary.review)
    posted = post_remittance(uow, remittance_id=summary.remittance_id)
    assert (posted.payment_count, posted.total, posted.already_posted) == (6, D("430.00"), False)
    with uow:
        s = uow.session
        review = remittance_review(s, summary.remittance_id)
        assert review.header.status == "posted" and review.header.batch_id == posted.batch_id
        assert all(line.payment_id is not None and line.receipt_number for line in review.lines)
        payments = s.execute(text("""
            SELECT p.member_id, p.amount, p.method, p.reference, p.batch_id, p.idempotency_key, l.line_no
            FROM remittance_lines l JOIN payments p ON p.id = l.payment_id
            WHERE l.remittance_id = :r ORDER BY l.line_no"""), {"r": summary.remittance_id}).all()
        assert {(p.method, p.reference, p.batch_id) for p in payments} == {("payroll_deduction", "10442",
                                                                            posted.batch_id)}
        assert [p.idempotency_key for p in payments] == [payment_key(summary.remittance_id, n) for n in range(1, 7)]
        assert [p.member_id for p in payments] == [hall[c] for c in ("7100010", "7100011", "0712345", "7100013",
                                                                     "7100014", "7100015")]
        batch = s.execute(text("SELECT status, deposit_total FROM payment_batches WHERE id = :b"),
                          {"b": posted.batch_id}).one()
        assert tuple(batch) == ("closed", D("430.00"))
    again = post_remittance(uow, remittance_id=summary.remittance_id)
    assert again.already_posted and again.batch_id == posted.batch_id and again.payment_count == 6
    assert [r.payment_id for r in again.receipts] == [r.payment_id for r in posted.receipts]
    with uow:
        assert uow.session.execute(text("SELECT count(*) FROM payments")).scalar_one() == 6
    with pytest.raises(DomainError, match="can no longer change"):
        resolve_line(uow, line_id=summary.review.lines[0].id, exclude=True, note="too late")


def test_excluded_lines_do_not_post_and_exclusion_needs_a_reason(uow, hall, tmp_path):
    summary = do_import(uow, hall, acme_file(tmp_path), check_amount="270.00")
    by_no = {line.line_no: line for line in summary.review.lines}
    with pytest.raises(ValidationError) as refused:
        resolve_line(uow, line_id=by_no[6].id, exclude=True)
    assert "note" in refused.value.errors
    with pytest.raises(ValidationError) as refused:
        resolve_line(uow, line_id=by_no[6].id)
    assert "member" in refused.value.errors
    for n in (4, 6):
        resolve_line(uow, line_id=by_no[n].id, exclude=True, note="Not ours; employer will reissue")
    line = resolve_line(uow, line_id=by_no[5].id, member_id=hall["7100014"], note="Bob is Robert",
                        version=by_no[5].version)
    assert line.match_status == "resolved" and line.note.endswith("Bob is Robert")
    posted = post_remittance(uow, remittance_id=summary.remittance_id)
    assert posted.payment_count == 4 and posted.total == D("270.00")


def test_missing_members_are_those_who_worked_there_that_month_without_a_line(uow, hall, tmp_path, connection):
    acme = hall["ACME Electric"]
    jobs = [("7100010", date(2025, 1, 5), None),              # on the list
            ("7100015", date(2025, 2, 1), date(2025, 3, 10)),  # worked part of March, not on the list
            ("7100014", date(2024, 6, 1), date(2025, 2, 28))]  # left before March
    for card, started, ended in jobs:
        connection.execute(text("INSERT INTO employment_history (member_id, employer_id, started_on, ended_on) "
                                "VALUES (:m, :e, :s, :x)"), {"m": hall[card], "e": acme, "s": started, "x": ended})
    connection.execute(text("INSERT INTO employment_history (member_id, employer_id, started_on) "
                            "VALUES (:m, :e, DATE '2025-03-02')"), {"m": hall["7100013"], "e": hall["Bolt Brothers"]})
    with uow:
        before = missing_from_remittance(uow.session, acme, PERIOD)
    assert [(m.card_number, m.source) for m in before] == [("7100015", "employment"), ("7100010", "employment")]
    do_import(uow, hall, acme_file(tmp_path))
    with uow:
        after = missing_from_remittance(uow.session, acme, date(2025, 3, 17))
    assert [(m.card_number, m.name, m.ended_on) for m in after] == [("7100015", "Lindqvist, Christopher",
                                                                      date(2025, 3, 10))]


# --- real commits: two workstations post the same remittance at once -----------------------------------------

def test_two_workstations_posting_at_once_post_each_line_once(databases, tmp_path):
    name = databases.create()
    owner = databases.engine(name)
    with owner.begin() as conn:
        employer = conn.execute(text("INSERT INTO employers (name) VALUES ('ACME Electric') RETURNING id")).scalar_one()
        conn.execute(text("INSERT INTO dues_rates (classification, effective_from, amount) "
                          "VALUES ('journeyman', DATE '2020-01-01', 75)"))
        for card, first, last, _cls in MEMBERS[:2]:
            conn.execute(text("INSERT INTO members (card_number, first_name, last_name, classification) "
                              "VALUES (:c, :f, :l, 'journeyman')"), {"c": card, "f": first, "l": last})
    clerk = databases.make_staff(name, "dues_clerk")
    engine = databases.engine(name, clerk)

    def factory() -> Session:
        return Session(bind=engine, expire_on_commit=False)

    path = write_xlsx(tmp_path / "two.xlsx", [["Card", "Name", "Dues"], ["7100010", "John Smith", 75],
                                              ["7100011", "Maria Pena", 75]])
    summary = import_remittance(UnitOfWork(factory), employer_id=employer, period=PERIOD, check_number="77",
                                check_amount="150", path=path, mapping={"card_number": "Card", "name": "Name",
                                                                        "amount": "Dues"})
    assert summary.matched == 2
    results, errors = [], []
    barrier = threading.Barrier(2)

    def post() -> None:
        barrier.wait()
        try:
            results.append(post_remittance(UnitOfWork(factory), remittance_id=summary.remittance_id))
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert sorted(r.already_posted for r in results) == [False, True]
    with owner.connect() as conn:
        assert conn.execute(text("SELECT count(*), sum(amount) FROM payments")).one() == (2, D("150.00"))
        assert conn.execute(text("SELECT count(*) FROM payment_batches")).scalar_one() == 1


# --- the demo file -------------------------------------------------------------------------------------------

def test_demo_remittance_file_matches_the_demo_hall_and_walks_through_review(databases, tmp_path):
    from unioncore_desktop.cli import main
    from unioncore_desktop.seed.demo import seed_demo
    from unioncore_desktop.seed.remittance_files import build_demo_remittance

    name = databases.create()
    engine = databases.engine(name)
    seed_demo(engine, members=300, employers=20, jobs_per_member=6)
    url = databases.server.url(name)
    for suffix in ("xlsx", "csv"):
        assert main(["--url", url, "seed", "--remittance-file", str(tmp_path / f"demo.{suffix}")]) == 0
    with engine.connect() as conn:
        demo = build_demo_remittance(conn)
    assert len(demo.lines) == 25
    uow = UnitOfWork(lambda: Session(bind=engine, expire_on_commit=False))
    for suffix, check in (("xlsx", "D-1"), ("csv", "D-2")):
        path = tmp_path / f"demo.{suffix}"
        table = rules.read_table(path)
        summary = import_remittance(uow, employer_id=demo.employer_id, period=demo.period, check_number=check,
                                    check_amount=demo.check_amount, path=path,
                                    mapping=rules.guess_mapping(table.headers))
        assert summary.stated_total in (None, demo.check_amount)
        counts = {s: summary.review.count(s) for s in ("matched", "unknown_card", "name_mismatch", "amount_odd")}
        assert counts == {"matched": 22, "unknown_card": 1, "name_mismatch": 1, "amount_odd": 1}
        if suffix == "xlsx":  # accept the nickname and the ten months, find the mistyped card's member, post
            lines = {line.match_status: line for line in summary.review.lines}
            member = _member_named(engine, lines["unknown_card"].name)  # the clerk finds them by name
            resolve_line(uow, line_id=lines["unknown_card"].id, member_id=member, note="Card mistyped by payroll")
            resolve_line(uow, line_id=lines["name_mismatch"].id, member_id=lines["name_mismatch"].member_id,
                         note="Payroll uses a nickname")
            resolve_line(uow, line_id=lines["amount_odd"].id, member_id=lines["amount_odd"].member_id,
                         note="Paid ten months ahead")
            posted = post_remittance(uow, remittance_id=summary.remittance_id)
            assert posted.payment_count == 25 and posted.total == demo.check_amount


def _member_named(engine, listed: str) -> int:
    with engine.connect() as conn:
        for member_id, first, last in conn.execute(text("SELECT id, first_name, last_name FROM members")):
            if rules.names_match(listed, first, last):
                return member_id
    raise AssertionError(f"no member is called {listed}")
