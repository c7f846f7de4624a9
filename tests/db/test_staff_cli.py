"""`unioncore staff …`: the admin command line adds, re-roles, deactivates and resets staff logins through the
same guarded database functions the app uses."""

from __future__ import annotations

import io
import uuid

import pytest
from sqlalchemy import text

from unioncore_desktop import cli


@pytest.fixture
def run(databases, monkeypatch, capsys):
    name = databases.create()
    admin = databases.make_staff(name, "admin")
    url = databases.server.url(name, admin).replace("postgresql+psycopg://", "postgresql://", 1)

    def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = cli.main(["--url", url, *argv])
        out, err = capsys.readouterr()
        return code, out, err

    run.owner = databases.engine(name)
    run.roles_created = databases.server.roles_created
    return run


def test_staff_lifecycle_from_the_command_line(run):
    login = f"t_cli_{uuid.uuid4().hex[:8]}"
    run.roles_created.append(login)
    assert run("staff", "add", login, "--role", "dispatcher", "--full-name", "Casey Cli", "--password-stdin",
               stdin="a good password\n")[0] == 0
    assert run("staff", "roles", login, "--role", "dispatcher", "--role", "dues_clerk")[0] == 0
    code, out, _ = run("staff", "list")
    assert code == 0 and login in out and "dispatcher, dues_clerk" in out
    assert run("staff", "reset-password", login, "--password-stdin", stdin="another password\n")[0] == 0
    assert run("staff", "deactivate", login)[0] == 0
    with run.owner.connect() as conn:
        assert conn.execute(text("SELECT rolcanlogin FROM pg_roles WHERE rolname = :l"), {"l": login}).scalar() is False
    assert run("staff", "reactivate", login)[0] == 0
    with run.owner.connect() as conn:
        assert conn.execute(text("SELECT rolcanlogin FROM pg_roles WHERE rolname = :l"), {"l": login}).scalar()


@pytest.mark.parametrize("argv, stdin, says", [
    (("staff", "roles", "uc_dispatcher", "--role", "admin"), "", "reserved"),
    (("staff", "add", "t_short_pw", "--role", "dispatcher", "--password-stdin"), "short\n", "at least 8"),
    (("staff", "reset-password", "nobody_here"), "", "--password-stdin"),
])
def test_refusals_are_one_sentence_and_a_non_zero_exit(run, argv, stdin, says):
    code, _, err = run(*argv, stdin=stdin)
    assert code == 2 and says in err and "Traceback" not in err


def test_setup_prints_the_checklist_and_says_by_its_exit_whether_the_hall_is_ready(run):
    """An admin's first look at an empty hall: the steps, which are missing, and an exit of 1 until all are done."""
    code, out, _ = run("setup")
    assert code == 1
    assert "[ ] Hall name, address, phone and time zone: Missing or invalid: address, phone" in out
    assert "[ ] Staff logins: a manager and a dispatcher" in out
    assert "step(s) missing before the first morning referral." in out.splitlines()[-1]


def test_requests_expire_from_cron_as_a_dispatcher_once(databases, monkeypatch, capsys):
    from datetime import timedelta

    from unioncore_desktop.seed.referral_world import make_book, make_employer, make_request

    name = databases.create()
    owner = databases.engine(name)
    with owner.begin() as conn:
        today = conn.execute(text("SELECT uc_hall_today()")).scalar_one()
        employer, _ = make_employer(conn, "Cron Electric")
        due = make_request(conn, make_book(conn, "CRON_EXP", expire_unfilled=True), employer,
                           referral_date=today - timedelta(days=1))
    clerk_url, dispatcher_url = (databases.server.url(name, databases.make_staff(name, role)).replace(
        "postgresql+psycopg://", "postgresql://", 1) for role in ("dues_clerk", "dispatcher"))
    assert cli.main(["--url", clerk_url, "requests", "expire"]) == 2  # a clerk's login may not
    assert "not allowed" in capsys.readouterr().err
    assert cli.main(["--url", dispatcher_url, "requests", "expire"]) == 0
    with owner.connect() as conn:
        number = conn.execute(text("SELECT number FROM labor_requests WHERE id = :r"), {"r": due}).scalar_one()
    assert capsys.readouterr().out.splitlines() == [f"{number} expired", "1 request expired"]
    assert cli.main(["--url", dispatcher_url, "requests", "expire"]) == 0
    assert capsys.readouterr().out.splitlines() == ["0 requests expired"]
