"""Importing a hall's records from its old system, against PostgreSQL under a real admin login: sample exports in
(dry run first), every book in the source's order and the comparison saying so, a second import changing nothing,
a file with other headers mapped by hand once and then remembered, bad rows rejected with their reasons and nothing
written when the import is refused or fails, and each import one transaction."""

from __future__ import annotations

import csv
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from unioncore_desktop import cli
from unioncore_desktop.db.connection import HallConnection, connect
from unioncore_desktop.db.profile import ConnectionProfile
from unioncore_desktop.domain.actions import imports as actions
from unioncore_desktop.domain.errors import DomainError, PermissionDenied, ValidationError
from unioncore_desktop.domain.rules import imports as rules
from unioncore_desktop.seed import sample_exports as samples
from unioncore_desktop.seed.books import insert_books

SOURCE = "LaborPower"
ORDER = ("members", "employers", "registrations", "employment")  # dues has its own test


@pytest.fixture(scope="module")
def small_exports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A slice of the sample hall's shape: 300 members, 60 employers, 300 places, 3,000 jobs."""
    hall = samples.build(members=300, employers=60, registrations=300, employment=3_000)
    return samples.write(tmp_path_factory.mktemp("exports"), hall)


@dataclass
class ImportHall:
    admin: HallConnection
    admin_login: str
    admin_url: str
    owner: Engine
    login: object

    def count(self, table: str, where: str = "true") -> int:
        with self.owner.connect() as conn:
            return conn.execute(text(f"SELECT count(*) FROM {table} WHERE {where}")).scalar_one()


@pytest.fixture
def hall(databases) -> Iterator[ImportHall]:
    name = databases.create()
    with databases.engine(name).begin() as conn:
        insert_books(conn)
    opened: list[HallConnection] = []

    def login(role: str) -> tuple[HallConnection, str]:
        user = databases.make_staff(name, role)
        connection = connect(ConnectionProfile.from_url(databases.server.url(name, user)))
        opened.append(connection)
        return connection, user

    admin, admin_login = login("admin")
    url = databases.server.url(name, admin_login).replace("postgresql+psycopg://", "postgresql://", 1)
    yield ImportHall(admin, admin_login, url, databases.engine(name), login)
    for connection in opened:
        connection.close()


def import_all(hall: ImportHall, files: dict[str, Path]) -> dict[str, actions.ImportResult]:
    return {entity: actions.import_file(hall.admin, entity, files[entity], SOURCE).value for entity in ORDER}


def test_the_sample_exports_import_after_a_dry_run_that_writes_nothing(hall, small_exports):
    preview = actions.open_file(hall.admin, "members", small_exports["members"], SOURCE)
    assert preview.mapping_origin == "suggested" and preview.row_count == 300
    assert preview.mapping["card_number"] == "Card #" and preview.mapping["date_of_birth"] == "DOB"

    dry = actions.dry_run(hall.admin, "members", small_exports["members"], SOURCE)
    assert (dry.status, dry.created, dry.updated, dry.unchanged, dry.rejected) == ("dry_run", 300, 0, 0, 0)
    assert [e.row for e in dry.examples["created"]] == [2, 3, 4, 5, 6]
    assert ("Card number", samples.member_rows(samples.build(300, 60, 300, 3_000))[0][0]) \
        in dry.examples["created"][0].cells
    assert hall.count("members") == 0 and hall.count("import_runs") == 0

    results = import_all(hall, small_exports)
    assert all(r.status == "imported" and r.rejected == 0 for r in results.values()), \
        {e: r.rejections[:3] for e, r in results.items()}
    assert results["members"].created == hall.count("members") == 300
    assert results["employers"].created == hall.count("employers") == 60
    assert results["employers"].parts["contracts_created"] == hall.count("employer_contracts")
    assert results["registrations"].created == hall.count("registrations") == 300
    assert results["employment"].created == hall.count("employment_history", "source = 'import'") == 3_000
    assert hall.count("import_stage_members") == hall.count("import_stage_employment") == 0
    with hall.owner.connect() as conn:
        who = conn.execute(text("SELECT DISTINCT db_user FROM audit_log WHERE table_name IN "
                                "('members', 'registrations', 'employment_history', 'import_runs')")).scalars().all()
        assert who == [hall.admin_login]  # every row audited under the admin's own login
        runs = conn.execute(text("SELECT entity, run_by FROM import_runs ORDER BY id")).all()
    assert runs == [(entity, hall.admin_login) for entity in ORDER]
    assert hall.count("audit_log", "table_name = 'import_runs'") == 4
    # employment history: one audit row for the run (its rows are too many to audit one by one), the trigger on again
    with hall.owner.connect() as conn:
        audit = conn.execute(text("SELECT new_values FROM audit_log WHERE table_name = 'employment_history'")).all()
        enabled = conn.execute(text("SELECT tgenabled FROM pg_trigger "
                                    "WHERE tgname = 'employment_history_audit'")).scalar_one()
    assert len(audit) == 1 and audit[0].new_values["created"] == 3_000 and enabled == "O"


def test_every_book_lists_in_the_source_order_and_the_comparison_says_so(hall, small_exports):
    import_all(hall, small_exports)
    comparison = actions.book_order(hall.admin)
    assert comparison.agrees and len(comparison.books) >= 8
    with open(small_exports["registrations"], newline="") as f:
        source = list(csv.reader(f))[1:]
    for book in comparison.books:
        cards = [row[3] for row in source if row[0] == book.book_name]
        assert [line.queue_card for line in book.lines] == cards
        assert book.source_count == book.queue_count == len(cards)

    # a place moved behind the book's back: the comparison finds the first place where they part
    moved = comparison.books[0]
    with hall.owner.begin() as conn:
        conn.execute(text("UPDATE registrations SET apn = apn + 1000, version = version + 1 "
                          "WHERE book_id = :b AND member_id = (SELECT id FROM members WHERE card_number = :c)"),
                     {"b": moved.book_id, "c": moved.lines[0].source_card})
    again = actions.book_order(hall.admin)
    changed = next(b for b in again.books if b.book_id == moved.book_id)
    assert not again.agrees and changed.first_difference == 1


def test_importing_the_same_files_again_changes_nothing(hall, small_exports):
    import_all(hall, small_exports)
    audited = hall.count("audit_log")
    second = import_all(hall, small_exports)
    for entity, result in second.items():
        assert (result.created, result.updated, result.rejected) == (0, 0, 0), entity
        assert not result.changes_anything and result.unchanged > 0
    assert hall.count("audit_log") == audited + 4  # only the four runs' own rows


def test_a_file_with_other_headers_is_mapped_by_hand_once_and_then_remembered(hall, small_exports):
    path = small_exports["access_members"]
    preview = actions.open_file(hall.admin, "members", path, "Access")
    assert preview.headers == samples.ACCESS_HEADERS and preview.header_row == 2
    assert actions.mapping_errors("members", preview.headers, preview.mapping)  # no suggestion serves
    by_hand = {"card_number": "MbrKey", "last_name": "Fam", "first_name": "Giv", "classification": "Wage Grp",
               "status": "Sts", "phone": "Tel 1", "email": "Mail To"}
    assert actions.mapping_errors("members", preview.headers, by_hand) == {}
    first = actions.import_file(hall.admin, "members", path, "Access", by_hand).value
    assert (first.status, first.created, first.rejected) == ("imported", preview.row_count, 0)

    again = actions.open_file(hall.admin, "members", path, "Access")
    assert again.mapping_origin == "remembered" and again.mapping["classification"] == "Wage Grp"
    second = actions.import_file(hall.admin, "members", path, "Access").value  # no mapping given: remembered
    assert (second.created, second.updated, second.unchanged) == (0, 0, preview.row_count)
    assert actions.open_file(hall.admin, "members", path, "Another hall's Access").mapping_origin == "other_source"


def write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def test_bad_rows_are_rejected_with_reasons_and_a_refused_import_writes_nothing(hall, tmp_path):
    path = write(tmp_path / "members.csv", [
        "Card #,Last Name,First Name,Class,DOB,E-Mail",
        "7000001,SMITH,ANN,JW,1/2/1980,ann@example.net",
        "7000002,JONES,,JW,,",
        "X-1,BROWN,BOB,JW,,",
        "7000004,GREEN,GIL,Plumber,,",
        "7000005,WHITE,WES,JW,31/31/1980,",
        "7000001,SMITH,ANNE,JW,,",
        "7000007,BLACK,BEA,APP2,,not-an-email",
    ])
    result = actions.import_file(hall.admin, "members", path, SOURCE).value
    assert result.status == "refused" and result.created == 1
    assert [(r.row, r.field) for r in result.rejections] == [
        (3, "first_name"), (4, "card_number"), (5, "classification"), (6, "date_of_birth"), (7, "card_number"),
        (8, "email")]
    assert result.rejections[0].sentence() == "Row 3: the first name is missing."
    assert "'Plumber' is not one of" in result.rejections[2].reason
    assert result.rejections[4].reason == "card number 7000001 is also on row 2"
    assert hall.count("members") == 0 and hall.count("import_runs") == 0

    accepted = actions.import_file(hall.admin, "members", path, SOURCE, accept_rejected=True).value
    assert (accepted.status, accepted.created, accepted.rejected) == ("imported", 1, 6)
    assert hall.count("members") == 1
    kept = actions.run_rejections(hall.admin, accepted.run_id)
    assert [r["row"] for r in kept] == [3, 4, 5, 6, 7, 8]


def test_registrations_and_employment_name_what_they_cannot_find(hall, tmp_path):
    write(tmp_path / "m.csv", ["Card #,Last Name,First Name,Class", "7000001,SMITH,ANN,JW"])
    actions.import_file(hall.admin, "members", tmp_path / "m.csv", SOURCE)
    registrations = write(tmp_path / "r.csv", [
        "Book,Tier,APN,Card No", "WIRE SEATTLE,1,45880.01,7000001", "WIRE SEATTLE,1,45880.02,7000001",
        "PLUMBING,1,45880.01,7000001", "TRADESHOW,5,45880.01,7000001", "TRADESHOW,1,45880.011,7000001",
        "TRADESHOW,1,45880.01,7999999"])
    result = actions.dry_run(hall.admin, "registrations", registrations, SOURCE)
    assert [(r.row, r.field, r.reason) for r in result.rejections] == [
        (3, "book", "card number 7000001 is on WIRE SEATTLE on row 2 already"),
        (4, "book", "there is no book 'PLUMBING'"),
        (5, "tier", "tier 5 is not 1 to 4"),
        (6, "apn", "APN: '45880.011' has more than 2 decimals"),
        (7, "card_number", "no member with card number 7999999 is on file")]
    employment = write(tmp_path / "e.csv", ["Card No,Employer,Start Date", "7000001,Nobody Electric,1/2/2020"])
    refused = actions.import_file(hall.admin, "employment", employment, SOURCE).value
    assert refused.rejections[0].reason == "no employer named 'Nobody Electric' is on file"


def test_the_whole_import_is_one_transaction_that_fails_as_a_whole(hall, tmp_path):
    """A row the checks let through but the database refuses (a contract period overlapping another of the same
    code) fails the import, and the employers written before it in the same run are gone with it."""
    path = write(tmp_path / "employers.csv", [
        "Employer,Contract,Effective,Expires",
        "Alpha Electric,WIREPERSON,1/1/2020,",
        "Beta Electric,WIREPERSON,1/1/2020,12/31/2022",
        "Beta Electric,WIREPERSON,1/1/2021,",
    ])
    with pytest.raises(DomainError) as raised:
        actions.import_file(hall.admin, "employers", path, SOURCE)
    assert raised.value.message == "Two periods of the same contract overlap."
    assert hall.count("employers") == hall.count("employer_contracts") == hall.count("import_runs") == 0


def test_only_admins_import_even_with_plain_sql(hall, small_exports):
    clerk, _ = hall.login("dues_clerk")
    with pytest.raises(PermissionDenied):
        actions.import_file(clerk, "members", small_exports["members"], SOURCE)
    manager, _ = hall.login("manager")
    with manager.engine.begin() as conn, pytest.raises(Exception, match="permission denied for function"):
        conn.execute(text("SELECT uc_import_members(gen_random_uuid())"))
    assert hall.count("members") == 0


def test_a_file_that_cannot_be_read_is_named(hall, tmp_path):
    with pytest.raises(ValidationError) as raised:
        actions.open_file(hall.admin, "members", tmp_path / "nothing.pdf", SOURCE)
    assert "not a CSV file" in raised.value.errors["path"]
    broken = tmp_path / "broken.csv.gz"
    broken.write_bytes(b"not gzip at all")
    with pytest.raises(ValidationError, match="cannot be read"):
        actions.open_file(hall.admin, "members", broken, SOURCE)
    cut = tmp_path / "cut.csv.gz"
    rows = "".join(f"{i * 7919 % 100003},N{i * 104729 % 9973}\n" for i in range(5000))
    cut.write_bytes(gzip.compress(f"Card #,Last Name\n{rows}".encode())[:2000])
    with pytest.raises(ValidationError, match="cannot be read"):
        actions.open_file(hall.admin, "members", cut, SOURCE)
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(ValidationError, match="cannot be opened as an Excel workbook"):
        actions.open_file(hall.admin, "members", damaged, SOURCE)


@pytest.mark.parametrize("header, field", [
    ("Card #", "card_number"), ("CARD_NO", "card_number"), ("Member Number", "card_number"),
    ("Last Name", "last_name"), ("DOB", "date_of_birth"), ("E-Mail", "email"), ("Init Date", "initiation_date"),
    ("Zip", "postal_code"), ("Class", "classification"),
])
def test_headers_are_suggested_from_their_normalized_synonyms(header, field):
    assert rules.suggest_mapping("members", [header, "Something else"])[field] == header


@pytest.mark.parametrize("text_, expected", [
    ("2024-03-01", "2024-03-01"), ("3/1/2024", "2024-03-01"), ("3/1/24", "2024-03-01"), ("45352", "2024-03-01"),
    ("2024-03-01 00:00:00", "2024-03-01"),
])
def test_dates_are_read_in_the_shapes_old_systems_write(text_, expected):
    assert rules.read_date(text_).isoformat() == expected


def test_the_command_line_imports_maps_by_hand_and_compares(hall, small_exports, capsys):
    def run(*argv: str) -> tuple[int, str]:
        code = cli.main(["--url", hall.admin_url, *argv])
        return code, capsys.readouterr().out

    code, out = run("import", "members", str(small_exports["members"]), "--dry-run")
    assert code == 0 and "Dry run (nothing written)" in out and "created 300" in out and "Card # -> card_number" in out
    assert hall.count("members") == 0
    code, out = run("import", "members", str(small_exports["members"]))
    assert code == 0 and "created 300, updated 0, unchanged 0, rejected 0" in out
    access = str(small_exports["access_members"])
    code, out = run("import", "members", access, "--source", "Access", "--map", "MbrKey=card_number", "--map",
                    "Fam=last_name", "--map", "Giv=first_name", "--map", "Wage Grp=classification", "--json")
    assert code == 0 and json.loads(out)["status"] == "imported"
    code, out = run("import", "members", access, "--source", "Access", "--dry-run")
    assert code == 0 and "columns (remembered)" in out and "created 0, updated 0" in out
    for entity in ORDER[1:]:
        assert run("import", entity, str(small_exports[entity]))[0] == 0
    code, out = run("import", "compare")
    assert code == 0 and "WIRE SEATTLE: agrees" in out
    code, out = run("import", "compare", "--json")
    assert code == 0 and json.loads(out)["agrees"] is True


def test_the_full_sample_exports_import_once_and_then_change_nothing(hall):
    """The shipped exports: 4,000 members, 850 employers, 4,000 places, 150,000 jobs, each book in source order."""
    files = {entity: samples.EXPORTS_DIR / samples.FILES[entity] for entity in ORDER}
    first = import_all(hall, files)
    assert {e: (r.created, r.rejected) for e, r in first.items()} == {
        "members": (4_000, 0), "employers": (850, 0), "registrations": (first["registrations"].created, 0),
        "employment": (150_000, 0)}
    assert 3_900 <= first["registrations"].created <= 4_100  # about one place per member, as a hall has
    assert actions.book_order(hall.admin).agrees
    second = import_all(hall, files)
    assert not any(r.changes_anything for r in second.values())
    # the imported hall passes the cross-table checks: places against dispatches, duplicates and the rest
    from sqlalchemy.orm import Session

    from unioncore_desktop.domain.queries.integrity import integrity_report

    with Session(hall.owner) as session:
        report = integrity_report(session)
    assert report.clean, [(c.name, c.count, c.examples) for c in report.checks if c.count]


def test_dues_standing_becomes_opening_entries_in_the_ledger(hall, small_exports):
    """Paid through a month with a balance: a charge of nothing for that month, what is owed as the months after
    it at the member's rate, a credit as a payment; the ledger then says the same, and a second import nothing."""
    with hall.owner.begin() as conn:
        conn.execute(text("INSERT INTO dues_rates (classification, effective_from, amount) VALUES "
                          "('journeyman', '2020-01-01', 75), ('foreman', '2020-01-01', 85), "
                          "('apprentice_1', '2020-01-01', 35), ('apprentice_2', '2020-01-01', 40), "
                          "('apprentice_3', '2020-01-01', 45), ('apprentice_4', '2020-01-01', 50), "
                          "('apprentice_5', '2020-01-01', 55), ('retiree', '2020-01-01', 25), "
                          "('honorary', '2020-01-01', 0)"))
    actions.import_file(hall.admin, "members", small_exports["members"], SOURCE)
    dry = actions.dry_run(hall.admin, "dues", small_exports["dues"], SOURCE)
    assert (dry.created, dry.rejected) == (300, 0) and hall.count("dues_charges") == 0
    result = actions.import_file(hall.admin, "dues", small_exports["dues"], SOURCE).value
    assert result.created == 300 and result.parts["charges_created"] == hall.count("dues_charges")
    with hall.owner.connect() as conn:  # the kept totals every balance reads follow the imported entries
        assert conn.execute(text("SELECT count(*) FROM dues_charge_ledger AS l LEFT JOIN dues_charge_totals AS t "
                                 "USING (charge_id) WHERE (t.owed, t.paid) IS DISTINCT FROM (l.owed, l.paid)")
                            ).scalar_one() == 0
    with open(small_exports["dues"], newline="") as f:
        source = {row[0]: row for row in list(csv.reader(f))[1:]}
    with hall.owner.connect() as conn:
        ledger = {card: (paid_through, balance) for card, paid_through, balance in conn.execute(text(
            "SELECT m.card_number, s.paid_through, s.balance FROM dues_member_standing AS s "
            "JOIN members AS m ON m.id = s.member_id"))}
    for card, (_, month, shown) in source.items():
        paid_through, balance = ledger[card]
        expected = rules.read_money(shown)
        assert balance == expected, card
        if expected >= 0:
            assert f"{paid_through.month}/{paid_through.year}" == month, card
    again = actions.import_file(hall.admin, "dues", small_exports["dues"], SOURCE).value
    assert (again.created, again.unchanged, again.rejected, again.changes_anything) == (0, 300, 0, False)
    # a member whose ledger moved on since is left alone, with the reason
    with open(small_exports["dues"], newline="") as f:
        rows = list(csv.reader(f))
    rows[1][2] = "$999.00"
    changed = small_exports["dues"].with_name("dues_changed.csv")
    changed.write_text("\n".join(",".join(f'"{c}"' for c in row) for row in rows) + "\n")
    refused = actions.dry_run(hall.admin, "dues", changed, SOURCE)
    assert [(r.row, r.field) for r in refused.rejections] == [(2, "balance")]
    assert "already holds other entries" in refused.rejections[0].reason


def test_a_duplicate_apn_keeps_the_source_order_whatever_the_member_ids(hall, tmp_path):
    write(tmp_path / "m.csv", ["Card #,Last Name,First Name,Class", *(f"700000{i},M{i},Pat,JW" for i in range(1, 5))])
    actions.import_file(hall.admin, "members", tmp_path / "m.csv", SOURCE)
    # three places share APN 45880.01 on WIRE SEATTLE, listed against the order of their member ids
    path = write(tmp_path / "r.csv", ["Book,Tier,APN,Card No,Marks", "WIRE SEATTLE,1,45880.01,7000004,0",
                                      "WIRE SEATTLE,1,45880.01,7000002,1", "WIRE SEATTLE,1,45880.01,7000003,0",
                                      "WIRE SEATTLE,2,45870.01,7000001,3"])
    result = actions.import_file(hall.admin, "registrations", path, SOURCE, accept_rejected=True).value
    assert [(r.row, r.reason) for r in result.rejections] == [
        (5, "3 check marks: WIRE SEATTLE rolls a member off at 3")]
    book = actions.book_order(hall.admin).books[0]
    assert book.agrees and [line.queue_card for line in book.lines] == ["7000004", "7000002", "7000003"]
    assert hall.count("check_marks") == 1
    with hall.owner.connect() as conn:
        apns = conn.execute(text("SELECT DISTINCT apn FROM registrations")).scalars().all()
    assert [str(apn) for apn in apns] == ["45880.01"]


def test_a_changed_source_row_updates_what_is_on_file_and_the_audit_says_how(hall, tmp_path):
    members = write(tmp_path / "m.csv", ["Card #,Last Name,First Name,Class,Home Phone",
                                         "7000001,SMITH,ANN,JW,206-555-0101", "7000002,JONES,BO,FM,"])
    employers = write(tmp_path / "e.csv", ["Employer,Contract,Effective", "Alpha Electric,WIREPERSON,1/1/2020"])
    jobs = write(tmp_path / "j.csv", ["Card No,Employer,Start Date,End Date,Reason",
                                      "7000001,Alpha Electric,1/2/2020,3/4/2020,RIF",
                                      "7000001,ALPHA ELECTRIC,1/2/2020,,",  # the same start twice: two jobs
                                      "7000002,Alpha Electric,5/6/2021,6/7/2021,Quit"])
    places = write(tmp_path / "r.csv", ["Book,Tier,APN,Card No", "TRADESHOW,1,45880.01,7000001"])
    for entity, path in (("members", members), ("employers", employers), ("employment", jobs),
                         ("registrations", places)):
        assert actions.import_file(hall.admin, entity, path, SOURCE).value.created > 0
    write(members, ["Card #,Last Name,First Name,Class,Home Phone", "7000001,SMITH,ANN,JW,206-555-0199",
                    "7000002,JONES,BO,FM,"])  # a blank phone keeps the one on file (none here)
    write(jobs, ["Card No,Employer,Start Date,End Date,Reason", "7000001,Alpha Electric,1/2/2020,3/4/2020,RIF",
                 "7000001,Alpha Electric,1/2/2020,2/2/2021,Laid off", "7000002,Alpha Electric,5/6/2021,6/7/2021,Quit"])
    write(places, ["Book,Tier,APN,Card No", "TRADESHOW,2,45880.01,7000001"])
    changed = {entity: actions.import_file(hall.admin, entity, path, SOURCE).value
               for entity, path in (("members", members), ("employment", jobs), ("registrations", places))}
    assert {e: (r.created, r.updated, r.unchanged) for e, r in changed.items()} == {
        "members": (0, 1, 1), "employment": (0, 1, 2), "registrations": (0, 1, 0)}
    assert changed["members"].examples["updated"][0].changes == ("Phone",)
    assert changed["employment"].examples["updated"][0].changes == ("End date", "Termination reason")
    assert [e.row for e in changed["registrations"].examples["updated"]] == [2]
    with hall.owner.connect() as conn:
        phone = conn.execute(text("SELECT changed_fields, new_values ->> 'phone' FROM audit_log "
                                  "WHERE table_name = 'members' AND action = 'UPDATE'")).one()
        job_audit = conn.execute(text("SELECT action, old_values, new_values, changed_fields FROM audit_log "
                                      "WHERE table_name = 'employment_history' ORDER BY id")).all()
        tier = conn.execute(text("SELECT tier, status FROM registrations")).one()
        activity = conn.execute(text("SELECT note FROM registration_activity ORDER BY id")).scalars().all()
    assert phone == (["phone"], "206-555-0199")
    # the first run's rows in its one audit row; the update in the trigger's own, before and after
    assert [a.action for a in job_audit] == ["INSERT", "UPDATE"] and job_audit[0].new_values["created"] == 3
    update = job_audit[1]
    assert update.changed_fields == ["ended_on", "termination_reason"]
    assert (update.old_values["ended_on"], update.new_values["ended_on"]) == (None, "2021-02-02")
    assert update.new_values["termination_reason"] == "laid_off"
    assert tuple(tier) == (2, "registered")
    assert activity == ["Imported from the hall's previous system.",
                        "Place set as the hall's previous system lists it."]


def test_a_workbook_with_dates_and_a_semicolon_csv_in_cp1252_read_alike(hall, tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Card No", "Surname", "First Name", "Class", "DOB"])
    sheet.append([7000001, "Peña", "José", "Journeyman", datetime(1980, 1, 2)])
    book.save(tmp_path / "members.xlsx")
    (tmp_path / "members.csv").write_bytes("Card No;Surname;First Name;Class;DOB\r\n"
                                           "7000001;Peña;José;JW;01/02/1980\r\n".encode("cp1252"))
    from_xlsx = actions.dry_run(hall.admin, "members", tmp_path / "members.xlsx", "Excel")
    from_csv = actions.dry_run(hall.admin, "members", tmp_path / "members.csv", "Excel")
    for result in (from_xlsx, from_csv):
        assert (result.created, result.rejected) == (1, 0), result.rejections
        assert ("Last name", "Peña") in result.examples["created"][0].cells
    assert ("Date of birth", "1980-01-02") in from_xlsx.examples["created"][0].cells


def test_employment_written_in_parts_matches_as_if_in_one(hall, tmp_path):
    """The server writes employment history while the file is still read: a part whose members have no imported
    history is written at once, and once a part holds a member with history from before the run the rest waits for
    the last call. Whatever the parts, the outcome is the file's: a job staged after its twin (same member, employer
    and day) in an earlier part is a second job, not the first one found again."""
    write(tmp_path / "m.csv", ["Card #,Last Name,First Name,Class", "7000001,SMITH,ANN,JW", "7000002,JONES,BO,FM"])
    write(tmp_path / "e.csv", ["Employer", "Alpha Electric"])
    write(tmp_path / "j.csv", ["Card No,Employer,Start Date,End Date", "7000001,Alpha Electric,1/2/2020,3/4/2020"])
    for entity, name in (("members", "m.csv"), ("employers", "e.csv"), ("employment", "j.csv")):
        actions.import_file(hall.admin, entity, tmp_path / name, SOURCE)
    columns = "run_id, line_no, member_id, employer_id, started_on, ended_on"
    staged = (f"INSERT INTO import_stage_employment ({columns}) SELECT :run, :line, m.id, e.id, :start, :end "
              "FROM members AS m, employers AS e WHERE m.card_number = :card")
    run = "7d9c2a34-55d1-4a54-9d0c-0c1f4b1e6a01"
    with hall.owner.begin() as conn:
        def part(rows: list[tuple[int, str, str, str | None]], last: bool) -> dict:
            for line, card, start, end in rows:
                conn.execute(text(staged), {"run": run, "line": line, "card": card, "start": start, "end": end})
            return conn.execute(text("SELECT uc_import_employment(:run, :last)"),
                                {"run": run, "last": last}).scalar_one()

        first = part([(2, "7000002", "2021-05-06", None)], last=False)  # no history: written at once
        second = part([(3, "7000002", "2021-05-06", "2021-06-07"), (4, "7000001", "2020-01-02", "2020-05-04")],
                      last=False)  # 7000001 has history: waits
        last = part([], last=True)
    assert (first["created"], second["created"], second["updated"]) == (1, 0, 0)
    assert (last["created"], last["updated"], last["unchanged"]) == (1, 1, 0)
    assert last["examples"]["updated"] == [{"line": 4, "fields": ["ended_on"]}]
    assert hall.count("employment_history") == 3 and hall.count("import_stage_employment") == 0
    with hall.owner.connect() as conn:
        audit = conn.execute(text("SELECT action, new_values FROM audit_log WHERE table_name = 'employment_history' "
                                  "AND row_key = :key ORDER BY id"), {"key": f"import {run}"}).all()
        enabled = conn.execute(text("SELECT tgenabled FROM pg_trigger "
                                    "WHERE tgname = 'employment_history_audit'")).scalar_one()
    assert [a.new_values["created"] for a in audit] == [1, 1] and enabled == "O"

    # the same rows as one file, imported again in parts of a row: nothing changes
    write(tmp_path / "j.csv", ["Card No,Employer,Start Date,End Date", "7000002,Alpha Electric,5/6/2021,",
                               "7000002,Alpha Electric,5/6/2021,6/7/2021", "7000001,Alpha Electric,1/2/2020,5/4/2020"])
    from unioncore_desktop.domain.services import imports as services

    parts = services.PART_ROWS
    services.PART_ROWS = 1
    try:
        again = actions.import_file(hall.admin, "employment", tmp_path / "j.csv", SOURCE).value
    finally:
        services.PART_ROWS = parts
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_a_large_employment_file_in_parts_is_one_transaction_and_one_outcome(hall, small_exports):
    """3,000 jobs in parts of 100 rows: the counts and examples are the file's, the refused run writes nothing."""
    for entity in ("members", "employers"):
        actions.import_file(hall.admin, entity, small_exports[entity], SOURCE)
    from unioncore_desktop.domain.services import imports as services

    parts = services.PART_ROWS
    services.PART_ROWS = 100
    try:
        dry = actions.dry_run(hall.admin, "employment", small_exports["employment"], SOURCE)
        assert (dry.created, dry.rejected, [e.row for e in dry.examples["created"]]) == (3_000, 0, [2, 3, 4, 5, 6])
        assert hall.count("employment_history") == hall.count("audit_log", "table_name = 'employment_history'") == 0
        done = actions.import_file(hall.admin, "employment", small_exports["employment"], SOURCE).value
        again = actions.import_file(hall.admin, "employment", small_exports["employment"], SOURCE).value
    finally:
        services.PART_ROWS = parts
    assert (done.created, again.created, again.updated, again.unchanged) == (3_000, 0, 0, 3_000)
    assert hall.count("employment_history", "source = 'import'") == 3_000
    with hall.owner.connect() as conn:
        created = conn.execute(text("SELECT sum((new_values ->> 'created')::int), count(DISTINCT row_key) "
                                    "FROM audit_log WHERE table_name = 'employment_history'")).one()
    assert tuple(created) == (3_000, 1)  # every created row in its run's audit rows


def test_a_file_is_numbered_by_lines_whichever_slice_a_cell_runs_over_lines_in(tmp_path):
    """Rows are read in slices; a row's number is the line it ends on, after a cell that runs over lines too."""
    rows = [f"7000001,Alpha Electric,1/2/2020,,{i}" for i in range(rules.SLICE_ROWS + 5)]
    rows[rules.SLICE_ROWS + 1] = '7000001,"Alpha\nElectric",1/2/2020,,x'
    path = write(tmp_path / "j.csv", ["Card No,Employer,Start Date,End Date,Note", *rows])
    table = rules.read_source(path)
    assert len(table.rows) == rules.SLICE_ROWS + 5
    assert table.row_numbers[rules.SLICE_ROWS + 1] == rules.SLICE_ROWS + 4  # header, then the row's two lines
    assert table.row_numbers[-1] == rules.SLICE_ROWS + 7
    assert table.rows[rules.SLICE_ROWS + 1][1] == "Alpha\nElectric"


def test_an_employment_file_damaged_past_its_first_rows_is_named_and_writes_nothing(hall, tmp_path):
    write(tmp_path / "m.csv", ["Card #,Last Name,First Name,Class", "7000001,SMITH,ANN,JW"])
    write(tmp_path / "e.csv", ["Employer", "Alpha Electric"])
    for entity, name in (("members", "m.csv"), ("employers", "e.csv")):
        actions.import_file(hall.admin, entity, tmp_path / name, SOURCE)
    rows = [f"7000001,Alpha Electric,1/2/2020,{i}" for i in range(3 * rules.SLICE_ROWS)]
    rows[2 * rules.SLICE_ROWS] = '7000001,"' + "x" * 200_000 + '",1/2/2020,'  # past csv's field limit
    path = write(tmp_path / "j.csv", ["Card No,Employer,Start Date,Days", *rows])
    with pytest.raises(ValidationError, match="cannot be read as CSV"):
        actions.import_file(hall.admin, "employment", path, SOURCE)
    assert hall.count("employment_history") == hall.count("import_stage_employment") == 0
    assert hall.count("audit_log", "table_name = 'employment_history'") == 0


@pytest.mark.parametrize("owner_sets_replication_role", [True, False])
def test_the_employment_import_holds_its_foreign_keys_however_it_writes(hall, tmp_path, owner_sets_replication_role):
    """New rows go in with the table's triggers off for that statement when the function's owner may set
    session_replication_role, and the function checks their keys itself; otherwise only the audit trigger is off and
    the keys are checked row by row. Either way a staged row naming no member or employer fails the run, the
    trigger is on again, and the rows are audited in the run's row."""
    if not owner_sets_replication_role:
        from unioncore_desktop.db import sql_sources

        body = sql_sources.text_as_of("functions/uc_import_employment.sql", None)
        may = ("(SELECT r.rolsuper FROM pg_roles AS r WHERE r.rolname = current_user)",
               "current_setting('server_version_num')::integer >= 150000")
        assert all(text_ in body for text_ in may)
        with hall.owner.begin() as conn:  # as under an owner that is no superuser and holds no SET on it
            conn.exec_driver_sql(body.replace(may[0], "false").replace(may[1], "false"))
    write(tmp_path / "m.csv", ["Card #,Last Name,First Name,Class", "7000001,SMITH,ANN,JW"])
    write(tmp_path / "e.csv", ["Employer", "Alpha Electric"])
    write(tmp_path / "j.csv", ["Card No,Employer,Start Date", "7000001,Alpha Electric,1/2/2020",
                               "7000001,Alpha Electric,1/2/2021"])
    for entity, name in (("members", "m.csv"), ("employers", "e.csv"), ("employment", "j.csv")):
        assert actions.import_file(hall.admin, entity, tmp_path / name, SOURCE).value.rejected == 0
    assert hall.count("employment_history") == 2
    assert hall.count("audit_log", "table_name = 'employment_history' AND new_values ->> 'created' = '2'") == 1
    for member, employer, constraint in (("999999", "e.id", "fk_employment_history_member_id_members"),
                                         ("m.id", "999999", "fk_employment_history_employer_id_employers")):
        with pytest.raises(Exception, match=constraint), hall.owner.begin() as conn:
            conn.execute(text("INSERT INTO import_stage_employment (run_id, line_no, member_id, employer_id, "
                              f"started_on) SELECT gen_random_uuid(), 2, {member}, {employer}, '2022-01-01' "
                              "FROM members AS m, employers AS e"))
            conn.execute(text("SELECT uc_import_employment(run_id) FROM import_stage_employment"))
    with hall.owner.connect() as conn:
        enabled = conn.execute(text("SELECT tgenabled FROM pg_trigger "
                                    "WHERE tgname = 'employment_history_audit'")).scalar_one()
        role = conn.execute(text("SHOW session_replication_role")).scalar_one()
        triggers = conn.execute(text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                                     "AND tgrelid = 'employment_history'::regclass ORDER BY 1")).scalars().all()
    assert (enabled, role) == ("O", "origin") and hall.count("employment_history") == 2
    # the new rows skip every trigger on the table in replica mode: one added later must be weighed there
    assert triggers == ["employment_history_audit", "employment_history_version"]


def test_employment_rows_read_a_batch_at_a_time_are_read_rows_own(tmp_path):
    """read_employment takes a batch whole when nothing in it fails, and row by row otherwise; either way its rows
    and rejections are read_rows'."""
    from unioncore_desktop.domain.driver_sql import copy_text

    good = ["7000001,Alpha Electric,1/2/2020,3/4/2020,Wireman,RIF,10,80.5",
            "7000002,Beta\\Tab Electric,2020-01-02,,,,,"]
    bad = ["X-1,Alpha Electric,1/2/2020,,,,,", ",Alpha Electric,1/2/2020,,,,,", "7000001,,1/2/2020,,,,,",
           "7000001,Alpha Electric,31/31/2020,,,,,", "7000001,Alpha Electric,1/2/2020,1/1/2020,,,,",
           "7000001,Alpha Electric,1/2/2020,,,Fired?,,", "7000001,Alpha Electric,1/2/2020,,,,-1,",
           "7000001,Alpha Electric,1/2/2020,,,,,1000000", "7000001,Alpha Electric,1/2/2020,,," + "x" * 41 + ",,"]
    header = "Card No,Employer,Start Date,End Date,Class,Reason,Days,Hours"
    for name, lines in (("clean.csv", good * 3), ("mixed.csv", [*good, *bad, *good])):
        table = rules.read_source(write(tmp_path / name, [header, *lines]))
        mapping = rules.suggest_mapping("employment", table.headers)
        expected = rules.read_rows("employment", table, mapping)
        rejected: list[rules.Rejection] = []
        batches = list(rules.read_employment(table, mapping, copy_text, rejected))
        assert rejected == expected.rejected and (name == "clean.csv") == (not rejected)
        assert [n for numbers, *_ in batches for n in numbers] == expected.row_numbers
        assert [c for _, cards, *_ in batches for c in cards] == [v["card_number"] for v in expected.rows]
        assert [e for *_, employers, _ in batches for e in employers] == [v["employer"] for v in expected.rows]
        assert [v for *_, values in batches for v in values] == [
            "\t".join(copy_text(v.get(field)) for field in rules.EMPLOYMENT_VALUES) for v in expected.rows]


def test_an_employment_batch_with_unknown_cards_and_employers_keeps_its_good_rows(hall, tmp_path):
    write(tmp_path / "m.csv", ["Card #,Last Name,First Name,Class", "7000001,SMITH,ANN,JW"])
    write(tmp_path / "e.csv", ["Employer", "Alpha Electric"])
    for entity, name in (("members", "m.csv"), ("employers", "e.csv")):
        actions.import_file(hall.admin, entity, tmp_path / name, SOURCE)
    jobs = write(tmp_path / "j.csv", ["Card No,Employer,Start Date", "7000001,Alpha Electric,1/2/2020",
                                      "7999999,Alpha Electric,1/2/2020", "7000001,Nobody Electric,1/2/2020",
                                      "7000001,Nobody Electric,1/3/2020", "7000001,alpha electric,1/2/2021"])
    dry = actions.dry_run(hall.admin, "employment", jobs, SOURCE)
    assert (dry.created, [e.row for e in dry.examples["created"]]) == (2, [2, 6])
    assert [(r.row, r.field, r.reason) for r in dry.rejections] == [
        (3, "card_number", "no member with card number 7999999 is on file"),
        (4, "employer", "no employer named 'Nobody Electric' is on file"),
        (5, "employer", "no employer named 'Nobody Electric' is on file")]
