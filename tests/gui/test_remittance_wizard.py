"""The remittance wizard over a real PostgreSQL, driven through its real widgets with a threaded task runner."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QWizard
from sqlalchemy import text

from unioncore_desktop.db.connection import connect
from unioncore_desktop.db.profile import ConnectionProfile
from unioncore_desktop.gui.dues.remittance_wizard import RemittanceWizard, open_remittance_wizard
from unioncore_desktop.gui.itemmodels.remittances import STATUS_COLOURS

WAIT = 10_000
MEMBERS = [("7100010", "John", "Smith"), ("7100011", "Maria", "Pena"), ("7100014", "Robert", "Jones"),
           ("7100015", "Christopher", "Lindqvist")]


@pytest.fixture
def hall_db(databases):
    name = databases.create()
    with databases.engine(name).begin() as conn:
        employer = conn.execute(text("INSERT INTO employers (name, city) VALUES ('ACME Electric', 'Tacoma') "
                                     "RETURNING id")).scalar_one()
        conn.execute(text("INSERT INTO employers (name) VALUES ('Bolt Brothers')"))
        conn.execute(text("INSERT INTO dues_rates (classification, effective_from, amount) "
                          "VALUES ('journeyman', DATE '2020-01-01', 75)"))
        for card, first, last in MEMBERS:
            member = conn.execute(text("INSERT INTO members (card_number, first_name, last_name, classification) "
                                       "VALUES (:c, :f, :l, 'journeyman') RETURNING id"),
                                  {"c": card, "f": first, "l": last}).scalar_one()
            if card == "7100015":  # worked for ACME in March, not on its list
                conn.execute(text("INSERT INTO employment_history (member_id, employer_id, started_on) "
                                  "VALUES (:m, :e, DATE '2025-02-03')"), {"m": member, "e": employer})
    return name, databases


@pytest.fixture
def clerk_hall(hall_db, runner):
    name, databases = hall_db
    user = databases.make_staff(name, "dues_clerk", "Test Clerk")
    hall = connect(ConnectionProfile.from_url(databases.server.url(name, user)))
    yield hall
    runner.shutdown(wait=True)
    hall.close()


def write_list(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ACME Electric check-off"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


LIST_ROWS = [["7100010", "SMITH, JOHN", "$75.00"], ["7100011", "Pena, Maria", "75"],
             ["7100014", "Jones, Bob", "75.00"], ["9999999", "Nobody, Known", "75.00"]]


@pytest.fixture
def wizard(qtbot, parent_widget, runner, clerk_hall) -> RemittanceWizard:
    w = open_remittance_wizard(parent_widget, runner, clerk_hall)
    qtbot.addWidget(w)
    return w


def fill_source(qtbot, wizard: RemittanceWizard, path: Path, *, check: str = "5001", amount: str = "225.00") -> None:
    page = wizard.source_page
    page.search_employers("acme")
    qtbot.waitUntil(lambda: wizard.employer_id is not None, timeout=WAIT)
    assert wizard.employer_name == "ACME Electric"
    page.set_file(path)
    qtbot.waitUntil(lambda: wizard.table is not None, timeout=WAIT)
    qtbot.keyClicks(page.check_number_edit, check)
    qtbot.keyClicks(page.check_amount_edit, amount)
    page.period_edit.setDate(QDate(2025, 3, 1))
    assert page.isComplete()


def to_review(qtbot, wizard: RemittanceWizard) -> None:
    wizard.next()
    assert wizard.currentId() == RemittanceWizard.PAGE_MAPPING
    wizard.next()  # imports, then moves on by itself
    qtbot.waitUntil(lambda: wizard.currentId() == RemittanceWizard.PAGE_REVIEW, timeout=WAIT)
    qtbot.waitUntil(lambda: wizard.review_page.missing_model.rowCount() == 1, timeout=WAIT)


def resolve(qtbot, wizard: RemittanceWizard, line_no: int, *, find: str | None = None, note: str = "",
            exclude: bool = False) -> None:
    page = wizard.review_page
    page.select_line(line_no)
    if find is not None:
        qtbot.keyClicks(page.member_edit, find)
        qtbot.waitUntil(lambda: page.member_combo.count() == 1, timeout=WAIT)
    if note:
        qtbot.keyClicks(page.note_edit, note)
    before = wizard.review
    qtbot.mouseClick(page.exclude_button if exclude else page.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.review is not before and not page._busy, timeout=WAIT)


def test_import_review_resolve_and_post(qtbot, wizard, tmp_path, hall_db):
    path = write_list(tmp_path / "acme.xlsx", ["Member #", "Employee Name", "Dues Withheld"], LIST_ROWS)
    fill_source(qtbot, wizard, path)
    wizard.next()
    mapping = wizard.mapping_page.mapping()
    assert mapping == {"card_number": "Member #", "name": "Employee Name", "amount": "Dues Withheld", "hours": None}
    assert wizard.mapping_page.preview.rowCount() == 4
    to_review(qtbot, wizard)
    page = wizard.review_page
    assert [(r.line_no, r.match_status) for r in page.model.rows] == [
        (1, "matched"), (2, "matched"), (3, "name_mismatch"), (4, "unknown_card")]
    status_column = [c.key for c in page.model.columns].index("match_status")
    assert page.model.data(page.model.index(3, status_column), Qt.ItemDataRole.ForegroundRole) == \
        STATUS_COLOURS["unknown_card"]
    assert page.missing_model.rows[0].card_number == "7100015"
    assert not page.isComplete() and not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    assert page.current_line().line_no == 3  # the first line waiting for review is selected

    resolve(qtbot, wizard, 3, note="Bob is Robert")  # accept the card's member despite the name
    resolve(qtbot, wizard, 4, exclude=True, note="Not our member; employer to refund")
    assert wizard.review.open_count == 0 and page.isComplete()

    wizard.next()
    post = wizard.post_page
    assert post.difference_label.text() == "0.00" and post.post_button.isEnabled()
    assert not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    qtbot.mouseClick(post.post_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.review.header.status == "posted", timeout=WAIT)
    assert "Posted 3 payments totalling 225.00" in post.result_label.text()
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled() and not post.post_button.isEnabled()
    name, databases = hall_db
    with databases.engine(name).connect() as conn:
        rows = conn.execute(text("SELECT method, reference, amount FROM payments ORDER BY id")).all()
    assert rows == [("payroll_deduction", "5001", Decimal("75.00"))] * 3


def test_an_unbalanced_remittance_cannot_post(qtbot, wizard, tmp_path, hall_db):
    path = write_list(tmp_path / "acme.xlsx", ["Member #", "Employee Name", "Dues Withheld"], LIST_ROWS)
    fill_source(qtbot, wizard, path, amount="300.00")
    wizard.next()
    to_review(qtbot, wizard)
    resolve(qtbot, wizard, 3, note="Bob is Robert")
    resolve(qtbot, wizard, 4, exclude=True, note="Not ours")
    wizard.next()
    post = wizard.post_page
    assert post.difference_label.text() == "75.00"
    assert not post.post_button.isEnabled() and "does not balance" in post.result_label.text()
    name, databases = hall_db
    with databases.engine(name).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM payments")).scalar_one() == 0


def test_column_mapping_is_remembered_for_the_employer(qtbot, wizard, parent_widget, runner, clerk_hall,
                                                       tmp_path):
    header = ["Member #", "Employee Name", "Col C"]  # nothing says Col C holds the dues
    path = write_list(tmp_path / "acme.xlsx", header, [row[:3] for row in LIST_ROWS])
    fill_source(qtbot, wizard, path)
    wizard.next()
    mapping_page = wizard.mapping_page
    assert mapping_page.mapping()["amount"] is None and not mapping_page.isComplete()
    assert "dues" in mapping_page.problem_label.text().lower() or "amount" in mapping_page.problem_label.text()
    mapping_page.set_mapping({"amount": "Col C"})
    assert mapping_page.isComplete()
    to_review(qtbot, wizard)

    second = open_remittance_wizard(parent_widget, runner, clerk_hall)
    qtbot.addWidget(second)
    next_month = write_list(tmp_path / "acme-april.xlsx", header, [row[:3] for row in LIST_ROWS])
    fill_source(qtbot, second, next_month, check="5002")
    qtbot.waitUntil(lambda: second.remembered_mapping is not None, timeout=WAIT)
    second.next()
    assert second.mapping_page.mapping()["amount"] == "Col C"


def test_an_unreadable_file_is_reported_not_crashed_on(qtbot, wizard, tmp_path):
    bad = tmp_path / "scan.xlsx"
    bad.write_bytes(b"%PDF-1.4 not a workbook")
    wizard.source_page.set_file(bad)
    qtbot.waitUntil(lambda: "cannot be opened" in wizard.source_page.file_label.text(), timeout=WAIT)
    assert wizard.table is None and not wizard.source_page.isComplete()


def test_a_draft_can_be_resumed_at_the_review(qtbot, wizard, parent_widget, runner, clerk_hall, tmp_path):
    path = write_list(tmp_path / "acme.xlsx", ["Member #", "Employee Name", "Dues Withheld"], LIST_ROWS)
    fill_source(qtbot, wizard, path)
    wizard.next()
    to_review(qtbot, wizard)
    resumed = open_remittance_wizard(parent_widget, runner, clerk_hall, remittance_id=wizard.remittance_id)
    qtbot.addWidget(resumed)
    assert resumed.currentId() == RemittanceWizard.PAGE_REVIEW
    qtbot.waitUntil(lambda: resumed.review_page.model.rowCount() == 4, timeout=WAIT)
    qtbot.waitUntil(lambda: resumed.review_page.missing_model.rowCount() == 1, timeout=WAIT)
    assert resumed.review_page.current_line().line_no == 3
    assert date(2025, 3, 1) == resumed.review.header.period
