"""The demo seed: deterministic, set-based, searchable, and refused on a production database."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.errors import DomainError
from unioncore_desktop.domain.queries.members import search_members
from unioncore_desktop.seed.demo import demo_staff_current, ensure_demo_staff, mark_environment, seed_demo, seed_stress


def test_small_demo_seed_is_searchable_and_runs_once(databases):
    name = databases.create()
    engine = databases.engine(name)
    assert seed_demo(engine, members=300, employers=40, jobs_per_member=5)
    assert not seed_demo(engine)  # already seeded: nothing added
    with engine.connect() as conn:
        counts = conn.execute(text("SELECT (SELECT count(*) FROM members), (SELECT count(*) FROM employers),"
                                   " (SELECT count(*) FROM employment_history), (SELECT count(*) FROM staff)")).one()
    assert counts[0] == 300 and counts[1] == 40 and counts[2] > 1000 and counts[3] == 4
    with Session(engine) as session:
        assert search_members(session, "Jonh Smth")[0].card_number == "7464416"
    assert seed_stress(engine, members=500) == 500
    with Session(engine) as session:
        assert search_members(session, "Jonh Smth")[0].card_number == "7464416"


def test_seeding_a_production_database_needs_force(databases):
    name = databases.create()
    engine = databases.engine(name)
    with engine.begin() as conn:
        mark_environment(conn, "production")
    with pytest.raises(DomainError, match="production"):
        seed_demo(engine, members=10, employers=5, jobs_per_member=1)
    assert seed_demo(engine, members=10, employers=5, jobs_per_member=1, force=True)


def test_the_demo_staff_are_read_as_current_until_a_login_lacks_what_ensure_demo_staff_gives(databases):
    """The demo's every start skips ensure_demo_staff (four audited writes) only when it would change nothing."""
    engine = databases.engine(databases.create())
    with engine.begin() as conn:
        assert not demo_staff_current(conn)  # no staff rows yet
        ensure_demo_staff(conn)
        assert demo_staff_current(conn)
    for change in ("REVOKE uc_dues_clerk FROM demo_manager", "ALTER ROLE demo_admin NOLOGIN",
                   "UPDATE staff SET active = false, version = version + 1 WHERE login = 'demo_clerk'",
                   "UPDATE staff SET full_name = 'Someone Else', version = version + 1 WHERE login = 'demo_clerk'"):
        with engine.connect() as conn:
            conn.execute(text(change))
            assert not demo_staff_current(conn), change
            ensure_demo_staff(conn)
            assert demo_staff_current(conn), change
            conn.rollback()  # the logins are the server's: other tests' databases share them
    engine.dispose()
