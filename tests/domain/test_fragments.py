"""The shared SQL fragments say in SQL what the rules say in Python: the same queue order, the same hall's day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.queries.book_rules import rules_in_force
from unioncore_desktop.domain.queries.fragments import (
    HALL_TODAY,
    HALL_ZONE,
    book_rules_in_force,
    dues_rate_in_force,
    dues_rate_row_in_force,
    dues_rates_in_force,
    hall_date,
    queue_binds,
    queue_order,
    queue_params,
    queue_place,
)
from unioncore_desktop.domain.rules.queue import QueueKey, in_queue_order, queue_key
from unioncore_desktop.seed.referral_world import make_book, make_member, register


def test_queue_order_names_the_key_columns_in_order() -> None:
    assert queue_order("g") == "g.tier, g.apn, g.registered_at, g.member_id"
    assert queue_place("o") == "(o.tier, o.apn, o.registered_at, o.member_id)"
    assert queue_binds("upto") == "(:upto_tier, :upto_apn, :upto_registered_at, :upto_member_id)"
    at = datetime(2026, 3, 2, 17, tzinfo=UTC)
    assert queue_params("upto", queue_key(2, Decimal("1.50"), at, 7)) == {
        "upto_tier": 2, "upto_apn": Decimal("1.50"), "upto_registered_at": at, "upto_member_id": 7}


def test_sql_and_python_put_a_book_in_the_same_order(connection: Connection) -> None:
    """Tiers before APNs, repeated APNs by registration time, then member id: whatever the insertion order."""
    book = make_book(connection, "FRAG_ORDER")
    start = datetime(2026, 1, 5, 16, tzinfo=UTC)
    places = [(2, "100.00", 0), (1, "300.00", 1), (1, "100.00", 3), (1, "100.00", 2), (1, "100.00", 2),
              (3, "50.00", 0), (1, "200.00", 0)]
    for i, (tier, apn, hours) in enumerate(places):
        register(connection, make_member(connection, f"Order{i}"), book, tier=tier, apn=apn,
                 registered_at=start + timedelta(hours=hours))
    rows = connection.execute(text(
        f"SELECT g.* FROM registrations g WHERE g.book_id = :b ORDER BY {queue_order('g')}"), {"b": book}).all()
    assert len(rows) == len(places)
    assert rows == in_queue_order(rows)
    above = connection.execute(text(f"""
        SELECT g.id, (SELECT count(*) FROM registrations o WHERE o.book_id = g.book_id
                      AND {queue_place('o')} < {queue_place('g')})
        FROM registrations g WHERE g.book_id = :b"""), {"b": book}).all()
    assert sorted(above, key=lambda r: r[1]) == [(r.id, i) for i, r in enumerate(rows)]
    bound: QueueKey = queue_key(rows[3].tier, rows[3].apn, rows[3].registered_at, rows[3].member_id)
    down_to = connection.execute(text(f"""
        SELECT g.id FROM registrations g WHERE g.book_id = :b AND {queue_place('g')} <= {queue_binds('upto')}
        ORDER BY {queue_order('g')}"""), {"b": book, **queue_params("upto", bound)}).scalars().all()
    assert down_to == [r.id for r in rows[:4]]


def test_the_hall_day_follows_the_hall_zone_as_uc_hall_today_does(connection: Connection) -> None:
    instant = "TIMESTAMPTZ '2026-03-02 11:00+00'"  # 03:00 on the 2nd in Los Angeles, 01:00 on the 3rd in Kiritimati
    zone, day, now_day, today = connection.execute(text(
        f"SELECT {HALL_ZONE}, {hall_date(instant)}, {hall_date('now()')}, {HALL_TODAY}")).one()
    assert (zone, day) == ("America/Los_Angeles", date(2026, 3, 2)) and now_day == today
    connection.execute(text("UPDATE app_settings SET value = 'Pacific/Kiritimati', version = version + 1 "
                            "WHERE key = 'time_zone'"))
    zone, day, now_day, today = connection.execute(text(
        f"SELECT {HALL_ZONE}, {hall_date(instant)}, {hall_date('now()')}, {HALL_TODAY}")).one()
    assert (zone, day) == ("Pacific/Kiritimati", date(2026, 3, 3)) and now_day == today


def test_rules_in_force_take_the_newest_row_on_or_before_the_day(connection: Connection,
                                                                 session_factory: Callable[[], Session]) -> None:
    book = make_book(connection, "FRAG_RULES", effective_from=date(2000, 1, 1), check_marks_allowed=3)
    connection.execute(text("INSERT INTO book_rules (book_id, effective_from, check_marks_allowed) "
                            "VALUES (:b, DATE '2030-06-01', 5)"), {"b": book})
    for day, marks in ((date(2030, 5, 31), 3), (date(2030, 6, 1), 5), (date(2031, 1, 1), 5)):
        row = connection.execute(text(book_rules_in_force(":b", ":d")), {"b": book, "d": day}).mappings().one()
        assert row["check_marks_allowed"] == marks
        assert rules_in_force(session_factory(), book, day).rules.check_marks_allowed == marks
    assert connection.execute(text(book_rules_in_force(":b", "DATE '1999-12-31'")), {"b": book}).first() is None


def test_dues_rates_in_force_agree_one_classification_or_all(connection: Connection) -> None:
    """The scalar, the row and the all-classifications form pick the same rate: the newest on or before the month."""
    connection.execute(text("DELETE FROM dues_rates WHERE classification IN ('foreman', 'retiree')"))
    connection.execute(text("""
        INSERT INTO dues_rates (classification, effective_from, amount) VALUES
            ('foreman', DATE '2031-01-01', 50), ('foreman', DATE '2031-07-01', 55), ('retiree', DATE '2031-03-01', 5)
    """))
    for month, foreman, retiree in ((date(2030, 12, 1), None, None), (date(2031, 1, 1), 50, None),
                                    (date(2031, 6, 1), 50, 5), (date(2031, 7, 1), 55, 5)):
        scalar = connection.execute(text(
            f"SELECT {dues_rate_in_force(':c', ':m')}"), {"c": "foreman", "m": month}).scalar()
        row = connection.execute(text(
            f"SELECT r.amount FROM ({dues_rate_row_in_force(':c', ':m')}) AS r"), {"c": "foreman", "m": month}).scalar()
        every = dict(connection.execute(text(
            f"SELECT r.classification, r.amount FROM ({dues_rates_in_force(':m')}) AS r"), {"m": month}).all())
        assert scalar == row == every.get("foreman") == (None if foreman is None else Decimal(foreman))
        assert every.get("retiree") == (None if retiree is None else Decimal(retiree))
