"""A book's effective-dated rule settings: the history and what is in force, scheduling new settings, the
validation of every field, and that settings already in force never change."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta

import pytest
from sqlalchemy import text

from unioncore_desktop.domain.errors import DomainError, NotFound, StaleRecord, ValidationError
from unioncore_desktop.domain.queries.book_rules import (
    DEFAULTS_LABEL,
    book_rules_history,
    book_rules_view,
    rules_in_force,
)
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.rules.book_rules import DEFAULT_RULES, RuleSet
from unioncore_desktop.domain.services.book_rules import (
    cancel_scheduled_book_rules,
    edit_scheduled_book_rules,
    rule_set_errors,
    schedule_book_rules,
)
from unioncore_desktop.domain.services.referral_context import rules_for
from unioncore_desktop.seed.referral_world import make_book


@pytest.fixture
def session(session_factory):
    """A session on the test's connection, for the read side."""
    return session_factory()


@pytest.fixture
def today(connection) -> date:
    return connection.execute(text("SELECT uc_hall_today()")).scalar_one()


def add_rules(connection, book_id: int, effective_from: date, **values) -> int:
    columns = ["book_id", "effective_from", *values]
    return connection.execute(text(
        f"INSERT INTO book_rules ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)}) RETURNING id"),
        {"book_id": book_id, "effective_from": effective_from, **values}).scalar_one()


def next_monday(day: date) -> date:
    return day + timedelta(days=7 - day.weekday())


@pytest.fixture
def book(connection, today) -> dict[str, int]:
    """A book with settings long past, settings in force since ten days ago, and settings scheduled a week out."""
    book_id = make_book(connection, "RULES_T", effective_from=today - timedelta(days=400), resign_days=30)
    rows = connection.execute(text("SELECT id FROM book_rules WHERE book_id = :b"), {"b": book_id}).scalars().all()
    return {"book": book_id, "past": rows[0],
            "in_force": add_rules(connection, book_id, today - timedelta(days=10), resign_days=45),
            "scheduled": add_rules(connection, book_id, today + timedelta(days=7), resign_days=60,
                                   bidding_enabled=True)}


def test_history_is_newest_first_with_states_periods_and_who_made_each_row(uow, session, connection, book, today):
    history = book_rules_history(session, book["book"])
    assert [(r.id, r.state, r.rules.resign_days) for r in history] == [
        (book["scheduled"], "scheduled", 60), (book["in_force"], "in_force", 45), (book["past"], "past", 30)]
    assert [r.effective_until for r in history] == [None, today + timedelta(days=6), today - timedelta(days=11)]
    assert [r.editable for r in history] == [True, False, False]
    assert history[0].state_label == "Scheduled" and history[1].state_label == "In force"
    login = connection.execute(text("SELECT session_user")).scalar_one()
    assert {r.created_by for r in history} == {login}  # not a staff member: the login itself
    assert all(r.created_at is not None and r.changed_by is None for r in history)


def test_rules_in_force_today_and_the_defaults_for_a_book_without_settings(uow, session, connection, book, today):
    current = rules_in_force(session, book["book"])
    assert (current.rules_id, current.rules.resign_days, current.is_default) == (book["in_force"], 45, False)
    assert current.source == f"Settings from {today - timedelta(days=10):%Y-%m-%d}"
    assert rules_in_force(session, book["book"], today + timedelta(days=7)).rules_id == book["scheduled"]

    bare = connection.execute(text(
        "INSERT INTO books (code, name, classification, morning_slot) VALUES ('BARE', 'BARE', 'inside', '09:00') "
        "RETURNING id")).scalar_one()
    defaults = rules_in_force(session, bare)
    assert defaults.is_default and defaults.rules == DEFAULT_RULES and defaults.source == DEFAULTS_LABEL
    view = book_rules_view(session, bare)
    assert view.history == [] and view.in_force.is_default and view.book_name == "BARE"


def test_a_manager_schedules_only_what_changes_and_the_rest_carries_over(uow, session, connection, book, today):
    monday = next_monday(today + timedelta(days=7))  # after the scheduled row, so it carries that row's values
    row = schedule_book_rules(uow, book_id=book["book"], effective_from=monday, check_marks_allowed=4,
                              request_cutoff=time(14, 0))
    assert row.state == "scheduled" and row.effective_from == monday and row.version == 1
    assert (row.rules.check_marks_allowed, row.rules.request_cutoff) == (4, time(14, 0))
    assert (row.rules.resign_days, row.rules.bidding_enabled) == (60, True)  # from the settings before it
    assert rules_for(session, book["book"], monday) == row.rules
    assert rules_for(session, book["book"], monday - timedelta(days=1)).check_marks_allowed == 3
    assert [r.id for r in book_rules_view(session, book["book"]).scheduled] == [row.id, book["scheduled"]]


def test_settings_from_today_are_in_force_at_once_and_a_whole_rule_set_can_be_given(uow, session, book, today):
    wanted = replace(DEFAULT_RULES, resign_days=21, max_days_on_book=365, arrears_hold=True)
    row = schedule_book_rules(uow, book_id=book["book"], effective_from=today, rules=wanted)
    assert row.state == "in_force" and row.rules == replace(wanted, effective_from=today)
    assert row.editable is False
    history = book_rules_history(session, book["book"])
    assert [r.state for r in history] == ["scheduled", "in_force", "past", "past"]


def test_scheduling_is_refused_for_a_past_date_a_taken_date_a_missing_book_and_unknown_names(uow, book, today):
    with pytest.raises(ValidationError) as info:
        schedule_book_rules(uow, book_id=book["book"], effective_from=today - timedelta(days=1), resign_days=40)
    assert list(info.value.errors) == ["effective_from"]
    assert f"today ({today:%Y-%m-%d}) or later" in info.value.errors["effective_from"]
    with pytest.raises(ValidationError, match="already has settings from"):
        schedule_book_rules(uow, book_id=book["book"], effective_from=today + timedelta(days=7))
    with pytest.raises(NotFound):
        schedule_book_rules(uow, book_id=999_999, effective_from=today)
    with pytest.raises(TypeError, match="resign_dayz"):
        schedule_book_rules(uow, book_id=book["book"], effective_from=today, resign_dayz=3)


def test_every_wrong_field_is_reported_at_once(uow, book, today):
    with pytest.raises(ValidationError) as info:
        schedule_book_rules(uow, book_id=book["book"], effective_from=today + timedelta(days=3), resign_days=0,
                            check_marks_allowed=0, short_call_max_days=5, short_call_free_days=6,
                            bid_opens=time(7, 0), bid_closes=time(7, 0), request_cutoff=None)
    assert info.value.errors == {
        "resign_days": "Re-sign every 1 to 365 days.",
        "check_marks_allowed": "The mark that rolls a member off is the 1st to the 20th.",
        "short_call_free_days": "Calls that do not count cannot be longer than a short call (5 business days).",
        "request_cutoff": "Give a time as HH:MM.",
        "bid_closes": "Bidding must close at another time than it opens.",
    }


TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(("changes", "field"), [
    ({"effective_from": TODAY}, None),
    ({"effective_from": TODAY - timedelta(days=1)}, "effective_from"),
    ({"effective_from": TODAY + timedelta(days=365 * 5)}, None),
    ({"effective_from": TODAY + timedelta(days=365 * 6)}, "effective_from"),
    ({"effective_from": None}, "effective_from"),
    ({"resign_days": 1}, None), ({"resign_days": 365}, None),
    ({"resign_days": 0}, "resign_days"), ({"resign_days": 366}, "resign_days"),
    ({"resign_days": "30"}, "resign_days"), ({"resign_days": True}, "resign_days"),
    ({"resign_grace_days": 0}, None), ({"resign_grace_days": -1}, "resign_grace_days"),
    ({"check_marks_allowed": 1}, None), ({"check_marks_allowed": 0}, "check_marks_allowed"),
    ({"short_call_max_days": 3, "short_call_free_days": 3}, None),
    ({"short_call_max_days": 3, "short_call_free_days": 4}, "short_call_free_days"),
    ({"short_call_free_days": 0}, None), ({"short_call_free_days": -1}, "short_call_free_days"),
    ({"short_call_max_days": 0, "short_call_free_days": 0}, "short_call_max_days"),
    ({"short_call_restorations": 0}, None), ({"short_call_restorations": -1}, "short_call_restorations"),
    ({"reregister_business_days": 0}, "reregister_business_days"),
    ({"exemption_cap_months": 0}, "exemption_cap_months"), ({"exemption_cap_months": 61}, "exemption_cap_months"),
    ({"by_name_ban_days": 0}, None), ({"by_name_ban_days": -1}, "by_name_ban_days"),
    ({"max_days_on_book": None}, None), ({"max_days_on_book": 1}, None),
    ({"max_days_on_book": 0}, "max_days_on_book"),
    ({"bid_checkin_by": "15:00"}, "bid_checkin_by"),
    ({"bid_opens": time(17, 30), "bid_closes": time(17, 30)}, "bid_closes"),
    ({"arrears_hold": 1}, "arrears_hold"),
])
def test_field_boundaries(changes, field):
    errors = rule_set_errors(replace(RuleSet(effective_from=TODAY), **changes), today=TODAY)
    assert list(errors) == ([field] if field else [])


def test_a_scheduled_rule_set_is_edited_moved_and_cancelled(uow, session, connection, book, today):
    moved = today + timedelta(days=14)
    row = edit_scheduled_book_rules(uow, rules_id=book["scheduled"], expected_version=1, effective_from=moved,
                                    resign_days=50)
    assert (row.effective_from, row.rules.resign_days, row.rules.bidding_enabled, row.version) == (
        moved, 50, True, 2)
    login = connection.execute(text("SELECT session_user")).scalar_one()
    assert row.changed_by == login and row.changed_at is not None
    with pytest.raises(ValidationError) as info:
        edit_scheduled_book_rules(uow, rules_id=book["scheduled"], expected_version=2,
                                  effective_from=today - timedelta(days=10))
    assert "effective_from" in info.value.errors  # neither into the past nor onto another row's date
    cancelled = cancel_scheduled_book_rules(uow, rules_id=book["scheduled"], expected_version=2)
    assert cancelled.effective_from == moved
    assert [r.id for r in book_rules_history(session, book["book"])] == [book["in_force"],
                                                                                         book["past"]]
    with pytest.raises(NotFound):
        cancel_scheduled_book_rules(uow, rules_id=book["scheduled"], expected_version=2)


def test_a_stale_edit_is_refused_and_names_the_current_row(uow, book):
    edit_scheduled_book_rules(uow, rules_id=book["scheduled"], expected_version=1, resign_days=55)
    with pytest.raises(StaleRecord) as info:
        edit_scheduled_book_rules(uow, rules_id=book["scheduled"], expected_version=1, resign_days=70)
    assert info.value.current.rules.resign_days == 55 and info.value.current.version == 2
    with pytest.raises(StaleRecord):
        cancel_scheduled_book_rules(uow, rules_id=book["scheduled"], expected_version=1)


@pytest.mark.parametrize("which", ["in_force", "past"])
def test_settings_in_force_or_past_can_never_be_edited_or_cancelled(uow, connection, book, which):
    with pytest.raises(DomainError, match="already in force") as info:
        edit_scheduled_book_rules(uow, rules_id=book[which], expected_version=1, resign_days=31)
    assert info.value.field == "effective_from"
    with pytest.raises(DomainError, match="already in force"):
        cancel_scheduled_book_rules(uow, rules_id=book[which], expected_version=1)
    assert connection.execute(text("SELECT resign_days, version FROM book_rules WHERE id = :i"),
                              {"i": book[which]}).one() == ((45, 1) if which == "in_force" else (30, 1))


def test_a_scheduled_row_whose_day_has_come_is_in_force(uow, session, connection, book, today):
    assert hall_clock(session).today == today
    later = book_rules_history(session, book["book"], today=today + timedelta(days=7))
    assert [r.state for r in later] == ["in_force", "past", "past"]
