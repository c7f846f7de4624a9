"""Report presets against PostgreSQL: names checked (empty, duplicate ignoring case, per report), one default per
report, rename, keep new parameters, delete, stale and vanished presets; relative days read back against the
hall's today; and the report-run log's filters, newest first in the hall's days, as each login may read it."""

from __future__ import annotations

from datetime import date, datetime, timedelta, UTC

import pytest
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from unioncore_desktop.domain.error_texts import PRESET_NAME_MISSING, PRESET_NAME_TAKEN
from unioncore_desktop.domain.errors import NotFound, StaleRecord, ValidationError
from unioncore_desktop.domain.queries.report_presets import my_presets
from unioncore_desktop.domain.queries.report_runs import OTHER_PRINTS, RunLogFilter, run_log
from unioncore_desktop.domain.rules.report_presets import anchor_for, describe_kept, preset_name_errors, resolve
from unioncore_desktop.domain.services import report_presets as services
from unioncore_desktop.domain.services.report_runs import start_report
from unioncore_desktop.domain.uow import UnitOfWork

# --- rules ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, taken, keeping, expected", [
    ("", [], None, PRESET_NAME_MISSING),
    ("   ", ["x"], None, PRESET_NAME_MISSING),
    ("Wire books", ["wire BOOKS "], None, PRESET_NAME_TAKEN),
    ("Wire books", ["Wire books"], "Wire books", None),  # renamed to itself
    ("WIRE books", ["Wire books"], "Wire books", None),  # only the case changes
    ("Other", ["Wire books", "Other"], "Wire books", PRESET_NAME_TAKEN),
    ("x" * 81, [], None, "A preset's name is at most 80 characters."),
])
def test_preset_names(name, taken, keeping, expected):
    assert preset_name_errors(name, taken, keeping=keeping).get("name") == expected


TODAY = date(2026, 12, 3)
FIRST = date(2026, 12, 1)


@pytest.mark.parametrize("value, today, month, start, kept", [
    (TODAY, TODAY, False, False, "today"),
    (TODAY - timedelta(days=1), TODAY, False, False, "yesterday"),
    (FIRST, TODAY, False, True, "month_start"),
    (date(2026, 11, 1), TODAY, False, True, "last_month_start"),
    (date(2026, 11, 30), TODAY, False, False, "last_month_end"),
    (date(2026, 1, 1), TODAY, False, True, "year_start"),
    (date(2026, 11, 17), TODAY, False, False, None),  # no anchor: kept as the date itself
    # on the 1st, a range's first day means the month and its last day means today
    (FIRST, FIRST, False, True, "month_start"),
    (FIRST, FIRST, False, False, "today"),
    (FIRST, TODAY, True, False, "month_start"),
    (date(2026, 1, 1), TODAY, True, True, "year_start"),
    (date(2025, 1, 1), date(2026, 1, 20), True, True, "last_year_start"),
    (date(2025, 12, 1), date(2026, 1, 20), True, False, "last_month_start"),
])
def test_a_date_is_kept_as_the_anchor_it_falls_on(value, today, month, start, kept):
    assert anchor_for(value, today, month=month, start=start) == kept
    if kept is not None:
        assert resolve(kept, today) == value


def test_kept_dates_read_back_on_a_later_day():
    later = date(2027, 3, 15)
    assert resolve("today", later) == later
    assert resolve("month_start", later) == date(2027, 3, 1)
    assert resolve("last_month_start", date(2027, 1, 10)) == date(2026, 12, 1)
    assert resolve("last_month_end", date(2027, 3, 15)) == date(2027, 2, 28)
    assert resolve("2026-11-17", later) == date(2026, 11, 17)
    assert describe_kept("month_start") == "the 1st of this month"
    assert describe_kept("month_start", month=True) == "this month"
    assert describe_kept("2026-11-01", month=True) == "November 2026"
    with pytest.raises(ValueError):
        resolve("next tuesday", later)


# --- the service --------------------------------------------------------------------------------------------------


def _names(uow: UnitOfWork, report: str) -> list[tuple[str, bool]]:
    with uow:
        return [(p.name, p.is_default) for p in my_presets(uow.session).of(report)]


def test_save_rename_default_and_delete(uow):
    first = services.save_preset(uow, report="resign_due", name="  Wire books, 14 days ",
                                 parameters={"days": 14, "day": "today"}, is_default=True)
    assert (first.name, first.parameters, first.is_default) == ("Wire books, 14 days", {"days": 14, "day": "today"},
                                                                True)
    second = services.save_preset(uow, report="resign_due", name="Week", parameters={"days": 7}, is_default=True)
    assert _names(uow, "resign_due") == [("Week", True), ("Wire books, 14 days", False)]  # one default
    services.save_preset(uow, report="day_book", name="Week", parameters={})  # another report: its own names
    with pytest.raises(ValidationError) as taken:
        services.save_preset(uow, report="resign_due", name="wire books, 14 DAYS", parameters={})
    assert taken.value.errors == {"name": PRESET_NAME_TAKEN}
    with pytest.raises(ValidationError) as empty:
        services.save_preset(uow, report="resign_due", name=" ", parameters={})
    assert empty.value.errors == {"name": PRESET_NAME_MISSING}

    with uow:  # the second default took the first's place: that changed the first
        first = next(p for p in my_presets(uow.session).presets if p.id == first.id)
    renamed = services.rename_preset(uow, preset_id=first.id, name="Two weeks", expected_version=first.version)
    assert renamed.version == first.version + 1
    with pytest.raises(ValidationError):
        services.rename_preset(uow, preset_id=first.id, name="WEEK", expected_version=renamed.version)
    with pytest.raises(StaleRecord):
        services.rename_preset(uow, preset_id=first.id, name="Fortnight", expected_version=first.version)
    kept = services.update_parameters(uow, preset_id=first.id, parameters={"days": 15},
                                      expected_version=renamed.version)
    assert kept.parameters == {"days": 15}
    back = services.set_default(uow, preset_id=first.id, expected_version=kept.version)
    assert _names(uow, "resign_due") == [("Two weeks", True), ("Week", False)]
    services.set_default(uow, preset_id=back.id, is_default=False, expected_version=back.version)
    assert _names(uow, "resign_due") == [("Two weeks", False), ("Week", False)]

    # "Two weeks" becoming the default changed "Week" once
    gone = services.delete_preset(uow, preset_id=second.id, expected_version=second.version + 1)
    assert gone.name == "Week"
    with pytest.raises(NotFound):
        services.delete_preset(uow, preset_id=second.id)
    assert _names(uow, "resign_due") == [("Two weeks", False)]


@pytest.fixture
def staff(databases):
    """A dispatcher, a dues clerk and a manager of one hall, each with a unit of work of their own login."""
    name = databases.create()
    logins = {}
    for role in ("dispatcher", "dues_clerk", "manager"):
        login = databases.make_staff(name, role, full_name=f"The {role}")
        logins[role] = (login, UnitOfWork(sessionmaker(databases.engine(name, login), expire_on_commit=False)))
    return logins


def test_a_login_lists_only_its_own_presets(staff):
    _, dispatcher = staff["dispatcher"]
    _, manager = staff["manager"]
    services.save_preset(dispatcher, report="day_book", name="Yesterday", parameters={"day": "yesterday"})
    with manager:
        assert my_presets(manager.session).presets == ()
    with pytest.raises(NotFound):  # the dispatcher's preset does not exist for the manager
        services.delete_preset(manager, preset_id=_names_ids(dispatcher)[0])
    assert len(_names_ids(dispatcher)) == 1


def _names_ids(uow: UnitOfWork) -> list[int]:
    with uow:
        return [p.id for p in my_presets(uow.session).presets]


# --- the run log ------------------------------------------------------------------------------------------------


def _backdate(databases_engine, title: str, when: datetime) -> None:
    with databases_engine.begin() as conn:
        conn.execute(text("ALTER TABLE report_runs DISABLE TRIGGER report_runs_append_only"))
        conn.execute(text("UPDATE report_runs SET run_at = :w WHERE title = :t"), {"w": when, "t": title})
        conn.execute(text("ALTER TABLE report_runs ENABLE TRIGGER report_runs_append_only"))


def test_the_run_log_newest_first_filtered_by_days_at_the_hall_login_and_report(staff, databases):
    d_login, dispatcher = staff["dispatcher"]
    c_login, clerk = staff["dues_clerk"]
    _, manager = staff["manager"]
    start_report(dispatcher, title="Day Book — 2026-12-01", kind="pdf", parameters=[("Day", "2026-12-01")],
                 report="day_book")
    start_report(clerk, title="Arrears List", kind="xlsx", parameters=[("Standing", "all")], report="arrears")
    start_report(dispatcher, title="Member roster", kind="pdf", parameters=[])
    # the hall is in Los Angeles: 07:30 UTC on the 2nd is still the 1st there
    owner = databases.engine(databases.created[-1])
    _backdate(owner, "Day Book — 2026-12-01", datetime(2026, 12, 2, 7, 30, tzinfo=UTC))
    _backdate(owner, "Arrears List", datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    _backdate(owner, "Member roster", datetime(2026, 12, 3, 9, 0, tzinfo=UTC))

    with manager:
        log = run_log(manager.session, RunLogFilter())
        assert [r.title for r in log.rows] == ["Member roster", "Arrears List", "Day Book — 2026-12-01"]
        assert log.rows[1].staff_name == "The dues_clerk" and log.rows[1].parameters_text == "Standing: all"
        assert (d_login, "The dispatcher") in log.staff and (c_login, "The dues_clerk") in log.staff
        assert not log.limited
        first = run_log(manager.session, RunLogFilter(start=date(2026, 12, 1), end=date(2026, 12, 1)))
        assert [r.title for r in first.rows] == ["Day Book — 2026-12-01"]
        assert [r.title for r in run_log(manager.session, RunLogFilter(run_by=c_login)).rows] == ["Arrears List"]
        assert [r.title for r in run_log(manager.session, RunLogFilter(report="day_book")).rows] == [
            "Day Book — 2026-12-01"]
        assert [r.title for r in run_log(manager.session, RunLogFilter(report=OTHER_PRINTS)).rows] == [
            "Member roster"]
        limited = run_log(manager.session, RunLogFilter(), limit=2)
        assert len(limited.rows) == 2 and limited.limited
    with dispatcher:  # a dispatcher reads only their own runs
        assert [r.title for r in run_log(dispatcher.session, RunLogFilter()).rows] == [
            "Member roster", "Day Book — 2026-12-01"]
