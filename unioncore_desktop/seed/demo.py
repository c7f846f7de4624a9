"""The demo hall: ~4,000 members, ~850 employers, 20 years of employment history, holidays and demo staff."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Engine, text

from unioncore_desktop.domain.errors import DomainError

# The generators (seed.generate, .books, .dues and the models and services beneath them) load in the functions that
# seed: the demo's every start and the log-in dialog read this module, and only a first start seeds.

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoStaff:
    login: str
    full_name: str
    roles: tuple[str, ...]


# Groups do not inherit each other's rights: the demo's business manager also dispatches and posts dues, as in a
# small hall, so the default demo login reaches every screen; the others show one job each.
DEMO_STAFF = (
    DemoStaff("demo_dispatcher", "Dana Ortiz", ("dispatcher",)),
    DemoStaff("demo_clerk", "Chris Lindqvist", ("dues_clerk",)),
    DemoStaff("demo_manager", "Morgan Patel", ("manager", "dispatcher", "dues_clerk")),
    DemoStaff("demo_admin", "Alex Kim", ("admin",)),
)
DEMO_HALL_NAME = "Cascade Electrical Workers Hiring Hall (demo)"
DEMO_HALL_ADDRESS = "2700 First Avenue South, Seattle WA 98134"
DEMO_HALL_PHONE = "(206) 555-0146"
DEMO_DUES_MONTHS = 24       # monthly dues periods up to the current month
DEMO_DUES_OPEN_MONTHS = 2   # the newest months are still open; older ones are closed

# a few fixed members so the demo always has someone to find by a misspelled name
NAMED_MEMBERS = (
    ("7464416", "John", "Smith", "journeyman"),
    ("A22555555", "Maria", "Garcia", "foreman"),
    ("7100001", "Kenji", "Watanabe", "apprentice_3"),
    ("7100002", "Aisha", "Okafor", "journeyman"),
)


def environment(conn: Connection) -> str:
    return conn.execute(text("SELECT value FROM app_settings WHERE key = 'environment'")).scalar() or "production"


def refuse_production(conn: Connection, force: bool) -> None:
    if environment(conn) == "production" and not force:
        raise DomainError("This database is marked as production; seeding it needs --force.")


def mark_environment(conn: Connection, value: str) -> None:
    conn.execute(text("UPDATE app_settings SET value = :v, version = version + 1 WHERE key = 'environment'"),
                 {"v": value})


def is_seeded(conn: Connection) -> bool:
    return conn.execute(text("SELECT EXISTS (SELECT 1 FROM members)")).scalar_one()


def demo_staff_current(conn: Connection) -> bool:
    """Whether every demo login can log in, is active staff under its name and holds its groups: what
    `ensure_demo_staff` would leave as it is (it only ever adds groups), read in one statement."""
    return conn.execute(text("""
        SELECT count(*) = :n
        FROM unnest(CAST(:logins AS text[]), CAST(:names AS text[]), CAST(:groups AS text[])) AS d(login, name, groups)
        JOIN pg_catalog.pg_roles AS r ON r.rolname = d.login AND r.rolcanlogin
        JOIN staff AS s ON s.login = d.login AND s.full_name = d.name AND s.active
        WHERE NOT EXISTS (SELECT FROM unnest(string_to_array(d.groups, ' ')) AS g(role)
                          WHERE NOT pg_has_role(d.login, 'uc_' || g.role, 'MEMBER'))
    """), {"n": len(DEMO_STAFF), "logins": [s.login for s in DEMO_STAFF], "names": [s.full_name for s in DEMO_STAFF],
           "groups": [" ".join(s.roles) for s in DEMO_STAFF]}).scalar_one()


def ensure_demo_staff(conn: Connection) -> None:
    for staff in DEMO_STAFF:
        # no password: the demo server is reached through its private socket
        conn.execute(text("SELECT uc_create_staff(:login, :name, :roles, NULL)"),
                     {"login": staff.login, "name": staff.full_name, "roles": list(staff.roles)})


def _after_bulk_members(conn: Connection) -> None:
    """What the triggers and defaults would have done for rows inserted with triggers off."""
    conn.execute(text("SELECT setval(pg_get_serial_sequence('members', 'id'), max(id)) FROM members"))
    conn.execute(text("SELECT uc_refresh_name_terms()"))


def seed_demo(engine: Engine, *, members: int = 4000, employers: int = 850, jobs_per_member: int = 40,
              force: bool = False, today: date | None = None) -> bool:
    """Seed the demo hall once; returns False when the database already has members."""
    from unioncore_desktop.seed import generate
    from unioncore_desktop.seed.books import seed_books
    from unioncore_desktop.seed.dues import seed_dues
    from unioncore_desktop.seed.generate import timed

    with engine.begin() as conn:
        refuse_production(conn, force)
        if is_seeded(conn):
            return False
        generate.bulk_mode(conn)
        with timed("members"):
            conn.execute(text("""
                INSERT INTO members (card_number, first_name, last_name, classification, phone, city, state,
                                     date_of_birth, initiation_date)
                SELECT c, f, l, k, '(206) 555-01' || lpad(n::text, 2, '0'), 'Seattle', 'WA',
                       DATE '1980-03-14' + n::int * 400, DATE '2004-09-01' + n::int * 200
                FROM unnest(CAST(:cards AS text[]), CAST(:firsts AS text[]), CAST(:lasts AS text[]),
                            CAST(:classes AS text[])) WITH ORDINALITY AS t(c, f, l, k, n)
            """), {"cards": [m[0] for m in NAMED_MEMBERS], "firsts": [m[1] for m in NAMED_MEMBERS],
                   "lasts": [m[2] for m in NAMED_MEMBERS], "classes": [m[3] for m in NAMED_MEMBERS]})
            generate.members(conn, members - len(NAMED_MEMBERS))
            generate.skills(conn, today or _hall_today(conn))
        with timed("employers"):
            generate.employers(conn, employers)
        with timed("employment history"):
            generate.employment(conn, jobs_per_member, today=today)
        generate.holidays(conn, range((today or date.today()).year - 2, (today or date.today()).year + 3))
        with timed("books, registrations and dispatch history"):
            seed_books(conn, today=today)
        conn.execute(text("UPDATE app_settings SET value = :name, version = version + 1 WHERE key = 'hall_name'"),
                     {"name": DEMO_HALL_NAME})
        conn.execute(text("UPDATE app_settings SET value = CASE key WHEN 'hall_address' THEN :address ELSE :phone END, "
                          "version = version + 1 WHERE key IN ('hall_address', 'hall_phone')"),
                     {"address": DEMO_HALL_ADDRESS, "phone": DEMO_HALL_PHONE})
        _after_bulk_members(conn)
        with timed("dues"):
            seed_dues(conn, today=today or _hall_today(conn), months=DEMO_DUES_MONTHS,
                      open_months=DEMO_DUES_OPEN_MONTHS)
    with engine.begin() as conn:
        ensure_demo_staff(conn)
        conn.execute(text("ANALYZE"))
    return True


# `seed --quick`: the demo hall's every kind of row at a smoke test's size (a second or so, where --demo takes minutes)
QUICK_MEMBERS, QUICK_EMPLOYERS, QUICK_JOBS_PER_MEMBER = 150, 20, 4


def seed_quick(engine: Engine, *, force: bool = False, today: date | None = None) -> bool:
    """A small demo hall, once; returns False when the database already has members."""
    return seed_demo(engine, members=QUICK_MEMBERS, employers=QUICK_EMPLOYERS, jobs_per_member=QUICK_JOBS_PER_MEMBER,
                     force=force, today=today)


def _hall_today(conn: Connection) -> date:
    return conn.execute(text("SELECT uc_hall_today()")).scalar_one()


def seed_stress(engine: Engine, *, members: int = 10_000, force: bool = False) -> int:
    """Add `members` more synthetic members (for benchmarks); returns how many were added."""
    from unioncore_desktop.seed import generate

    with engine.begin() as conn:
        refuse_production(conn, force)
        generate.bulk_mode(conn)
        start = conn.execute(text("SELECT coalesce(max(id), 0) + 1 FROM members")).scalar_one()
        added = generate.members(conn, members, start=start, card_base=20_000_000)
        _after_bulk_members(conn)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE members"))
    return added
