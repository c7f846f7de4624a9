"""Registration services against PostgreSQL: sign-on (R5) with one APN per visit, re-sign (R7), resign,
exemptions (R14), re-registration (R6), roll-offs, and the activity row every change leaves."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from unioncore_desktop.domain.errors import (
    DomainError,
    NotFound,
    StaleRecord,
    ValidationError,
)
from unioncore_desktop.domain.models import Registration
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.rules.apn import excel_serial
from unioncore_desktop.domain.rules.calendar import add_months
from unioncore_desktop.domain.rules.registration import office_errors
from unioncore_desktop.domain.services.registrations import (
    end_exemption,
    re_sign,
    reregister,
    resign,
    roll_off_all_books,
    sign_on,
    start_exemption,
)
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.seed.books import insert_books


def add_member(conn, card: str, *, qualified: dict[str, int] | None = None, status: str = "active",
               last: str = "Quinn") -> int:
    member_id = conn.execute(text(
        "INSERT INTO members (card_number, first_name, last_name, classification, status) "
        "VALUES (:c, 'Pat', :l, 'journeyman', :s) RETURNING id"), {"c": card, "l": last, "s": status}).scalar_one()
    for code, tier in (qualified or {}).items():
        conn.execute(text("INSERT INTO member_qualified_books (member_id, book_code, tier) VALUES (:m, :b, :t)"),
                     {"m": member_id, "b": code, "t": tier})
    return member_id


WIRE = {"WIRE_SEATTLE": 1, "WIRE_BREMERTON": 1, "WIRE_PT_ANGELES": 1}


@pytest.fixture
def books(connection) -> dict[str, int]:
    return insert_books(connection)


@pytest.fixture
def today(connection) -> date:
    with Session(bind=connection) as session:
        return hall_clock(session).today


def activity(connection, registration_id: int) -> list[str]:
    return list(connection.execute(text(
        "SELECT action FROM registration_activity WHERE registration_id = :r ORDER BY id"),
        {"r": registration_id}).scalars())


def server_now(connection) -> datetime:
    return connection.execute(text("SELECT now()")).scalar_one()


def backdate(connection, registration_id: int, **values) -> int:
    """Move a registration into the past (as the drop run and re-sign tests need); returns its new version."""
    sets = ", ".join(f"{k} = :{k}" for k in values)
    return connection.execute(text(f"UPDATE registrations SET {sets}, version = version + 1 WHERE id = :id "
                                   "RETURNING version"), {"id": registration_id, **values}).scalar_one()


# --- sign-on ------------------------------------------------------------------------------------------------

def test_apn_is_the_excel_serial_of_the_day():
    assert excel_serial(date(2025, 8, 11)) == 45880


def test_one_visit_on_three_books_shares_one_apn_and_the_next_visit_gets_the_next_hundredth(
        uow, connection, books, today):
    first = add_member(connection, "7000001", qualified=WIRE)
    second = add_member(connection, "7000002", qualified={"WIRE_SEATTLE": 2})
    office = connection.execute(text("SELECT min(id) FROM offices")).scalar_one()
    rows = sign_on(uow, member_id=first, book_ids=[books["WIRE_SEATTLE"], books["WIRE_BREMERTON"],
                                                    books["WIRE_PT_ANGELES"]], method="in_person", office_id=office)
    serial = Decimal(excel_serial(today))
    assert {r.apn for r in rows} == {serial + Decimal("0.01")}
    assert [r.book_code for r in rows] == ["WIRE_SEATTLE", "WIRE_BREMERTON", "WIRE_PT_ANGELES"]
    assert all(r.status == "registered" and r.tier == 1 and r.resign_due_on == today + timedelta(days=30)
               for r in rows)
    (other,) = sign_on(uow, member_id=second, book_ids=[books["WIRE_SEATTLE"]], method="email")
    assert other.apn == serial + Decimal("0.02") and other.tier == 2 and other.position == 2
    assert all(activity(connection, r.id) == ["sign_on"] for r in [*rows, other])


def test_rolled_off_registrations_still_hold_their_hundredth(uow, connection, books, today):
    first = add_member(connection, "7000001", qualified=WIRE)
    second = add_member(connection, "7000002", qualified=WIRE)
    (row,) = sign_on(uow, member_id=first, book_ids=[books["WIRE_SEATTLE"]], method="email")
    resign(uow, registration_id=row.id, expected_version=row.version)
    (again,) = sign_on(uow, member_id=second, book_ids=[books["WIRE_SEATTLE"]], method="email")
    assert again.apn == Decimal(excel_serial(today)) + Decimal("0.02")


def test_second_live_registration_on_a_book_is_refused_with_a_clear_message(uow, connection, books):
    member = add_member(connection, "7000001", qualified=WIRE)
    sign_on(uow, member_id=member, book_ids=[books["WIRE_SEATTLE"]], method="email")
    with pytest.raises(ValidationError, match="already has a live registration on WIRE SEATTLE") as info:
        sign_on(uow, member_id=member, book_ids=[books["WIRE_BREMERTON"], books["WIRE_SEATTLE"]], method="email")
    assert info.value.field == "book"
    assert connection.execute(text("SELECT count(*) FROM registrations WHERE member_id = :m"),
                              {"m": member}).scalar_one() == 1


def test_the_database_index_refuses_a_second_live_registration_too(uow, connection, books):
    member = add_member(connection, "7000001", qualified=WIRE)
    (row,) = sign_on(uow, member_id=member, book_ids=[books["WIRE_SEATTLE"]], method="email")
    with uow, pytest.raises(ValidationError, match="already has a live registration on this book"):
        uow.session.add(Registration(member_id=member, book_id=books["WIRE_SEATTLE"], tier=1, apn=row.apn))
        uow.flush()


@pytest.mark.parametrize("qualified, tiers, field, message", [
    ({}, None, "book", "not qualified for the WIRE SEATTLE book"),
    ({"WIRE_BREMERTON": 1}, None, "book", "not qualified for the WIRE SEATTLE book"),
    ({"WIRE_SEATTLE": 2}, {"WIRE_SEATTLE": 1}, "tier", "at tier 2 or lower, not tier 1"),
])
def test_only_books_and_tiers_the_member_is_qualified_for(uow, connection, books, qualified, tiers, field, message):
    member = add_member(connection, "7000001", qualified=qualified)
    with pytest.raises(ValidationError, match=message) as info:
        sign_on(uow, member_id=member, book_ids=[books["WIRE_SEATTLE"]],
                tiers={books[c]: t for c, t in (tiers or {}).items()}, method="email")
    assert info.value.field == field


def test_a_lower_priority_tier_may_be_chosen(uow, connection, books):
    member = add_member(connection, "7000001", qualified={"WIRE_SEATTLE": 1})
    (row,) = sign_on(uow, member_id=member, book_ids=[books["WIRE_SEATTLE"]], tiers={books["WIRE_SEATTLE"]: 3},
                     method="email")
    assert row.tier == 3


@pytest.mark.parametrize("status", ["inactive", "suspended", "retired"])
def test_only_active_members_sign_on(uow, connection, books, status):
    member = add_member(connection, "7000001", qualified=WIRE, status=status)
    with pytest.raises(ValidationError, match=f"is {status}") as info:
        sign_on(uow, member_id=member, book_ids=[books["WIRE_SEATTLE"]], method="email")
    assert info.value.field == "member"


def test_sign_on_validates_method_and_books(uow, connection, books):
    member = add_member(connection, "7000001", qualified=WIRE)
    with pytest.raises(ValidationError) as info:
        sign_on(uow, member_id=member, book_ids=[books["WIRE_SEATTLE"]], method="pigeon")
    assert info.value.field == "method"
    with pytest.raises(ValidationError, match="at least one book"):
        sign_on(uow, member_id=member, book_ids=[], method="email")
    with pytest.raises(NotFound):
        sign_on(uow, member_id=999_999, book_ids=[books["WIRE_SEATTLE"]], method="email")


def test_an_in_person_sign_on_names_its_office_when_the_hall_has_several(uow, connection, books):
    """R1: in person is stamped with the office; e-mail, fax and web come to no office."""
    member = add_member(connection, "7000001", qualified=WIRE)
    assert connection.execute(text("SELECT count(*) FROM offices")).scalar_one() == 2  # the demo hall's two
    with pytest.raises(ValidationError, match="Choose the office the member came to") as info:
        sign_on(uow, member_id=member, book_ids=[books["WIRE_SEATTLE"]], method="in_person")
    assert info.value.field == "office_id"
    for method in ("email", "fax", "web"):
        assert office_errors(method, None, 2) == {}
    assert office_errors("in_person", None, 1) == {} and office_errors("in_person", None, 0) == {}
    office = connection.execute(text("SELECT min(id) FROM offices")).scalar_one()
    (row,) = sign_on(uow, member_id=member, book_ids=[books["WIRE_SEATTLE"]], method="in_person", office_id=office)
    assert row.method == "in_person" and row.office_id == office
    resign(uow, registration_id=row.id, expected_version=row.version)
    connection.execute(text("DELETE FROM offices WHERE id <> :o"), {"o": office})
    (again,) = sign_on(uow, member_id=member, book_ids=[books["WIRE_SEATTLE"]], method="in_person")
    assert again.office_id is None  # one office: nothing to choose between


def test_two_workstations_signing_on_at_once_get_different_hundredths(databases):
    name = databases.create()
    engine = databases.engine(name, pool_size=4)
    with engine.begin() as conn:
        books = insert_books(conn)
        members = [add_member(conn, f"70000{i:02d}", qualified=WIRE) for i in range(10)]
    factory = sessionmaker(engine, expire_on_commit=False)
    barrier = threading.Barrier(2)
    results: list = []
    errors: list = []

    def workstation(mine: list[int]) -> None:
        try:
            for member_id in mine:
                barrier.wait(timeout=10)
                results.extend(sign_on(UnitOfWork(factory), member_id=member_id,
                                       book_ids=[books["WIRE_SEATTLE"], books["WIRE_BREMERTON"]], method="email"))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=workstation, args=(members[i::2],)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    apns_by_member: dict[int, set[Decimal]] = {}
    for row in results:
        apns_by_member.setdefault(row.member_id, set()).add(row.apn)
    assert all(len(apns) == 1 for apns in apns_by_member.values())  # one APN per visit, on both books
    visit_apns = sorted(next(iter(a)) for a in apns_by_member.values())
    assert len(set(visit_apns)) == 10
    hundredths = sorted(int((a - int(a)) * 100) for a in visit_apns)
    assert hundredths == list(range(1, 11))


# --- re-sign, resign, exemptions ---------------------------------------------------------------------------

def test_re_sign_keeps_the_apn_and_moves_the_due_date(uow, connection, books, today):
    member = add_member(connection, "7000001", qualified=WIRE)
    (row,) = sign_on(uow, member_id=member, book_ids=[books["WIRE_SEATTLE"]], method="email")
    version = backdate(connection, row.id, resign_due_on=today + timedelta(days=2))
    after = re_sign(uow, registration_id=row.id, expected_version=version)
    assert after.apn == row.apn and after.registered_at == row.registered_at
    assert (after.last_resign_on, after.resign_due_on) == (today, today + timedelta(days=30))
    assert activity(connection, row.id) == ["sign_on", "re_sign"]
    before = connection.execute(text(
        "SELECT before ->> 'resign_due_on', after ->> 'resign_due_on' FROM registration_activity "
        "WHERE registration_id = :r AND action = 're_sign'"), {"r": row.id}).one()
    assert before == ((today + timedelta(days=2)).isoformat(), (today + timedelta(days=30)).isoformat())


def test_re_sign_with_an_old_version_is_stale(uow, connection, books):
    member = add_member(connection, "7000001", qualified=WIRE)
    (row,) = sign_on(uow, member_id=member, book_ids=[books["WIRE_SEATTLE"]], method="email")
    re_sign(uow, registration_id=row.id, expected_version=row.version)
    with pytest.raises(StaleRecord) as info:
        re_sign(uow, registration_id=row.id, expected_version=row.version)
    assert info.value.current.version == row.version + 1


def test_a_missed_re_sign_is_refused_and_left_to_the_drop_run(uow, connection, books, today):
    member = add_member(connection, "7000001", qualified=WIRE)
    (row,) = sign_on(uow, member_id=member, book_ids=[books["WIRE_SEATTLE"]], method="email")
    version = backdate(connection, row.id, resign_due_on=today - timedelta(days=1))
    with pytest.raises(DomainError, match="was missed") as info:
        re_sign(uow, registration_id=row.id, expected_version=version)
    assert info.value.field == "resign_due_on"
    # on the due day itself the re-sign still counts
    version = backdate(connection, row.id, resign_due_on=today)
    assert re_sign(uow, registration_id=row.id, expected_version=version).resign_due_on == today + timedelta(days=30)


@pytest.mark.parametrize("status", ["rolled_off", "resigned"])
def test_re_sign_is_refused_once_off_the_book(uow, connection, books, status):
    member = add_member(connection, "7000001", qualified=WIRE)
    (row,) = sign_on(uow, member_id=member, book_ids=[books["WIRE_SEATTLE"]], method="email")
    if status == "resigned":
        row = resign(uow, registration_id=row.id, expected_version=row.version)
    else:
        with uow:
            roll_off_all_books(uow.session, member, "check_marks", date(2026, 1, 5))
            uow.commit()
    version = connection.execute(text("SELECT version FROM registrations WHERE id = :i"), {"i": row.id}).scalar_one()
    with pytest.raises(DomainError, match=f"registration that is {status.replace('_', ' ')}"):
        re_sign(uow, registration_id=row.id, expected_version=version)


def test_resign_takes_the_member_off_the_book_and_allows_a_new_sign_on(uow, connection, books, today):
    member = add_member(connection, "7000001", qualified=WIRE)
    (row,) = sign_on(uow, member_id=member, book_ids=[books["WIRE_SEATTLE"]], method="email")
    gone = resign(uow, registration_id=row.id, expected_version=row.version, note=" moving away ")
    assert (gone.status, gone.rolled_off_on, gone.roll_off_reason, gone.position) == ("resigned", today, None, None)
    assert connection.execute(text("SELECT note FROM registration_activity WHERE action = 'resign'")).scalar_one() \
        == "moving away"
    (again,) = sign_on(uow, member_id=member, book_ids=[books["WIRE_SEATTLE"]], method="email")
    assert again.apn > row.apn


@pytest.mark.parametrize("reason, end, extended, expected_end", [
    ("traveling", None, False, "cap"),
    ("under_scale", None, False, "cap"),
    ("military", None, False, None),
    ("jury_duty", "start+10", False, "start+10"),
    ("traveling", "cap+30", True, "cap+30"),
])
def test_exemption_caps(uow, connection, books, today, reason, end, extended, expected_end):
    member = add_member(connection, "7000001", qualified=WIRE)
    (row,) = sign_on(uow, member_id=member, book_ids=[books["WIRE_SEATTLE"]], method="email")
    start = today
    cap = add_months(start, 6) - timedelta(days=1)
    dates = {"cap": cap, "start+10": start + timedelta(days=10), "cap+30": cap + timedelta(days=30), None: None}
    row = start_exemption(uow, registration_id=row.id, expected_version=row.version, reason=reason, start=start,
                          end=dates[end], extended=extended)
    assert (row.exemption_reason, row.exemption_start, row.exemption_end) == (reason, start, dates[expected_end])
    assert row.resign_due_on is None
    assert activity(connection, row.id) == ["sign_on", "exempt_start"]


def test_a_capped_exemption_past_its_cap_needs_the_extension_flag(uow, connection, books, today):
    member = add_member(connection, "7000001", qualified=WIRE)
    (row,) = sign_on(uow, member_id=member, book_ids=[books["WIRE_SEATTLE"]], method="email")
    with pytest.raises(ValidationError, match="at most 6 months") as info:
        start_exemption(uow, registration_id=row.id, expected_version=row.version, reason="traveling",
                        start=today, end=add_months(today, 7))
    assert info.value.field == "exemption_end"
    with pytest.raises(ValidationError) as info:
        start_exemption(uow, registration_id=row.id, expected_version=row.version, reason="vacation", start=today)
    assert info.value.field == "exemption_reason"
    with pytest.raises(ValidationError, match="on or after the day it starts"):
        start_exemption(uow, registration_id=row.id, expected_version=row.version, reason="medical",
                        start=today + timedelta(days=3))


def test_ending_an_exemption_restarts_the_re_sign_clock_from_the_end_date(uow, connection, books, today):
    member = add_member(connection, "7000001", qualified=WIRE)
    (row,) = sign_on(uow, member_id=member, book_ids=[books["WIRE_SEATTLE"]], method="email")
    version = backdate(connection, row.id, registered_at=server_now(connection) - timedelta(days=40))
    row = start_exemption(uow, registration_id=row.id, expected_version=version, reason="medical",
                          start=today - timedelta(days=20))
    with pytest.raises(DomainError, match="already exempt"):
        start_exemption(uow, registration_id=row.id, expected_version=row.version, reason="military", start=today)
    with pytest.raises(ValidationError, match="before it starts"):
        end_exemption(uow, registration_id=row.id, expected_version=row.version, end_on=today - timedelta(days=30))
    ended = end_exemption(uow, registration_id=row.id, expected_version=row.version, end_on=today - timedelta(days=2))
    assert ended.exemption_reason is None and ended.resign_due_on == today + timedelta(days=28)
    assert ended.apn == row.apn
    assert activity(connection, row.id) == ["sign_on", "exempt_start", "exempt_end"]
    with pytest.raises(DomainError, match="not exempt"):
        end_exemption(uow, registration_id=row.id, expected_version=ended.version)


# --- R6 re-registration and roll-offs ----------------------------------------------------------------------

def test_reregistration_gives_a_new_apn_before_the_deadline_and_is_refused_after_it(uow, connection, books, today):
    member = add_member(connection, "7000001", qualified=WIRE)
    rows = sign_on(uow, member_id=member, book_ids=[books["WIRE_SEATTLE"], books["WIRE_BREMERTON"]], method="email")
    for row in rows:
        backdate(connection, row.id, status="awaiting_reregistration", apn=Decimal("45000.07"),
                 reregister_by=server_now(connection) + timedelta(days=1))
    again = reregister(uow, member_id=member, method="email")
    assert {r.status for r in again} == {"registered"}
    assert len({r.apn for r in again}) == 1 and again[0].apn > Decimal(excel_serial(today))
    assert all(activity(connection, r.id) == ["sign_on", "reregistered"] for r in again)
    with pytest.raises(DomainError, match="no registration awaiting"):
        reregister(uow, member_id=member, method="email")

    for row in rows:
        backdate(connection, row.id, status="awaiting_reregistration",
                 reregister_by=server_now(connection) - timedelta(minutes=1))
    with pytest.raises(DomainError, match=r"deadline .* has passed"):
        reregister(uow, member_id=member, method="email")


def test_roll_off_all_books_takes_every_live_registration_and_writes_activity(uow, connection, books, today):
    member = add_member(connection, "7000001", qualified={**WIRE, "TRADESHOW": 1})
    rows = sign_on(uow, member_id=member, book_ids=[books["WIRE_SEATTLE"], books["TRADESHOW"]], method="email")
    resign(uow, registration_id=rows[1].id, expected_version=rows[1].version)
    with uow:
        ids = roll_off_all_books(uow.session, member, "quit", today, "quit Harbor Electric")
        uow.commit()
    assert ids == [rows[0].id]
    status = connection.execute(text("SELECT status, roll_off_reason, rolled_off_on FROM registrations WHERE id = :i"),
                                {"i": rows[0].id}).one()
    assert tuple(status) == ("rolled_off", "quit", today)
    assert activity(connection, rows[0].id) == ["sign_on", "roll_off"]
