"""A staff member's report presets are theirs alone, and the run log shows a login its own runs (a manager
everyone's): tried in plain SQL under real logins, as someone with psql and their own password would."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import Engine, exc, text

PRESET = ("INSERT INTO report_presets (report, name, parameters, is_default) "
          "VALUES (:r, :n, CAST(:p AS jsonb), :d) RETURNING id")


@pytest.fixture
def hall(databases):
    name = databases.create()

    def login(role: str) -> tuple[str, Engine]:
        user = databases.make_staff(name, role)
        return user, databases.engine(name, user)

    alice, bob, clerk, manager, admin = (login(r) for r in ("dispatcher", "dispatcher", "dues_clerk", "manager",
                                                            "admin"))
    with alice[1].begin() as conn:
        mine = conn.execute(text(PRESET), {"r": "resign_due", "n": "Wire books, 14 days", "p": '{"days": 14}',
                                           "d": True}).scalar_one()
    return {"alice": alice, "bob": bob, "clerk": clerk, "manager": manager, "admin": admin, "preset": mine,
            "owner": databases.engine(name)}


def _refused(engine: Engine, statement: str, params: dict | None = None) -> BaseException:
    with engine.connect() as conn, pytest.raises(exc.DBAPIError) as info, conn.begin():
        conn.execute(text(statement), params or {})
    return info.value.orig or info.value


def _scalar(engine: Engine, statement: str, params: dict | None = None):
    with engine.begin() as conn:
        return conn.execute(text(statement), params or {}).scalar()


def test_another_staff_member_neither_sees_nor_changes_nor_deletes_a_preset(hall):
    _, bob = hall["bob"]
    assert _scalar(bob, "SELECT count(*) FROM report_presets") == 0
    assert _scalar(bob, "SELECT count(*) FROM report_presets WHERE id = :i", {"i": hall["preset"]}) == 0
    with bob.begin() as conn:
        renamed = conn.execute(text("UPDATE report_presets SET name = 'mine now', version = version + 1 "
                                    "WHERE id = :i"), {"i": hall["preset"]}).rowcount
        deleted = conn.execute(text("DELETE FROM report_presets WHERE true")).rowcount
    assert (renamed, deleted) == (0, 0)
    # not even by taking a group's role: the rows go by the login, not the role in use
    with bob.begin() as conn:
        conn.execute(text("SET LOCAL ROLE uc_dispatcher"))
        assert conn.execute(text("SELECT count(*) FROM report_presets")).scalar() == 0
    alice, owner_engine = hall["alice"][0], hall["owner"]
    assert _scalar(owner_engine, "SELECT owner || ':' || name || ':' || version FROM report_presets") == \
        f"{alice}:Wire books, 14 days:1"


def test_a_preset_cannot_be_made_for_or_handed_to_someone_else(hall):
    alice, _ = hall["alice"]
    bob_login, bob = hall["bob"]
    error = _refused(bob, "INSERT INTO report_presets (owner, report, name, parameters) "
                          "VALUES (:o, 'resign_due', 'planted', '{}')", {"o": alice})
    assert isinstance(error, psycopg.errors.InsufficientPrivilege) and "row-level security" in str(error)
    _, alice_engine = hall["alice"]
    error = _refused(alice_engine, "UPDATE report_presets SET owner = :o, version = version + 1", {"o": bob_login})
    assert isinstance(error, psycopg.errors.InsufficientPrivilege)  # no UPDATE on the owner column at all
    error = _refused(alice_engine, "UPDATE report_presets SET report = 'arrears', version = version + 1")
    assert isinstance(error, psycopg.errors.InsufficientPrivilege)


def test_one_default_per_report_and_one_name_per_report_even_in_plain_sql(hall):
    _, alice = hall["alice"]
    error = _refused(alice, PRESET, {"r": "resign_due", "n": "Second", "p": "{}", "d": True})
    assert error.diag.constraint_name == "ux_report_presets_owner_report_default"
    error = _refused(alice, PRESET, {"r": "resign_due", "n": "Wire books, 14 days", "p": "{}", "d": False})
    assert error.diag.constraint_name == "uq_report_presets_owner_report_name"
    error = _refused(alice, PRESET, {"r": "resign_due", "n": "  ", "p": "{}", "d": False})
    assert error.diag.constraint_name == "ck_report_presets_name_present"
    # bob may use the same name and be his own default: the rules are per owner
    _, bob = hall["bob"]
    with bob.begin() as conn:
        conn.execute(text(PRESET), {"r": "resign_due", "n": "Wire books, 14 days", "p": "{}", "d": True})


def test_the_audit_trail_shows_a_preset_only_to_its_owner(hall):
    _, alice = hall["alice"]
    _, bob = hall["bob"]
    _, manager = hall["manager"]
    trail = "SELECT count(*) FROM audit_trail WHERE table_name = 'report_presets'"
    assert _scalar(alice, trail) == 1
    assert _scalar(bob, trail) == 0
    assert _scalar(manager, trail) == 0  # the manager's own trail; the raw audit_log stays the manager's
    assert _scalar(manager, "SELECT count(*) FROM audit_log WHERE table_name = 'report_presets'") == 1


def test_an_admin_has_no_presets_at_all(hall):
    _, admin = hall["admin"]
    assert isinstance(_refused(admin, "SELECT * FROM report_presets"), psycopg.errors.InsufficientPrivilege)


LOG_RUN = "INSERT INTO report_runs (title, kind, parameters, report) VALUES (:t, 'pdf', '{}', :r)"


def test_each_login_reads_its_own_runs_a_manager_everyones_and_none_is_logged_under_another_name(hall):
    for who, title in (("alice", "Day Book"), ("bob", "Open Requests"), ("clerk", "Arrears List"),
                       ("admin", "Staff list")):
        with hall[who][1].begin() as conn:
            conn.execute(text(LOG_RUN), {"t": title, "r": None})
    runs = "SELECT string_agg(title, ',' ORDER BY title) FROM report_runs"
    assert _scalar(hall["alice"][1], runs) == "Day Book"
    assert _scalar(hall["clerk"][1], runs) == "Arrears List"
    assert _scalar(hall["admin"][1], runs) == "Staff list"
    assert _scalar(hall["manager"][1], runs) == "Arrears List,Day Book,Open Requests,Staff list"
    error = _refused(hall["bob"][1], "INSERT INTO report_runs (title, kind, parameters, run_by) "
                                     "VALUES ('Dues summary', 'pdf', '{}', :o)", {"o": hall["alice"][0]})
    assert isinstance(error, psycopg.errors.InsufficientPrivilege) and "row-level security" in str(error)
    # and the log stays append-only for everyone, the manager too
    error = _refused(hall["manager"][1], "DELETE FROM report_runs")
    assert isinstance(error, psycopg.errors.InsufficientPrivilege)
