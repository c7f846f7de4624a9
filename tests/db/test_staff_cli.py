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
