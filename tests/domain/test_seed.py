"""The demo seed: deterministic, set-based, searchable, and refused on a production database."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.errors import DomainError
from unioncore_desktop.domain.queries.members import search_members
from unioncore_desktop.seed.demo import mark_environment, seed_demo, seed_stress


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
