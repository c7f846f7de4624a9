"""`unioncore backup`, `restore` and `reset` on the real server, with the pg_dump and pg_restore they find: a backup
restores whole into an empty database and passes `db check`; a restore refuses a hall's database and a newer
schema; a failed backup leaves no file; reset empties only a demo or test database."""

from __future__ import annotations

import os
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from unioncore_desktop import cli
from unioncore_desktop.db import backup, migrate, pg_tools
from unioncore_desktop.domain.errors import DomainError
from unioncore_desktop.seed.demo import mark_environment, seed_quick


def libpq(databases, name: str, user: str | None = None) -> str:
    return databases.server.url(name, user).replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.fixture
def run(capsys):
    def run(*argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def hall(databases) -> str:
    """A clone with the small demo hall in it."""
    name = databases.create()
    assert seed_quick(databases.engine(name))
    return name


def counts(databases, name: str) -> dict[str, int]:
    with databases.engine(name).connect() as conn:
        return backup.table_counts(conn)


def test_a_backup_restores_whole_into_an_empty_database(databases, hall, run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("--url", libpq(databases, hall), "backup")
    assert code == 0 and "written in" in out and "(schema " in out
    [made] = tmp_path.iterdir()  # the default name, here, and nothing left beside it
    assert made.name.startswith(f"unioncore-{hall}-") and made.suffix == ".dump"

    target = databases.create_empty()
    code, out, err = run("restore", str(made), "--url", libpq(databases, target))
    assert code == 0, err
    assert f"restored into {target}" in out and "staff login" not in out
    assert counts(databases, target) == counts(databases, hall)
    assert counts(databases, target)["members"] > 0
    # the same check an admin runs, TEMP and schema public closed again included
    assert run("--url", libpq(databases, target), "db", "check")[0:2] == (0, f"database at {migrate.head_revision()}; "
                                                                             "no drift\n")


def test_restore_refuses_a_database_that_is_not_empty(databases, hall, run, tmp_path):
    made = backup.backup(databases.engine(hall), tmp_path)
    occupied = databases.create()
    before = counts(databases, occupied)
    code, _, err = run("restore", str(made.path), "--url", libpq(databases, occupied))
    assert code == 2 and "is not empty" in err and "never overwrites a hall" in err
    assert counts(databases, occupied) == before


def test_restore_refuses_a_backup_from_a_newer_schema(databases, run, tmp_path):
    newer = databases.create()
    with databases.engine(newer).begin() as conn:  # as the superuser: what a later build's migration would leave
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    made = backup.backup(databases.engine(newer), tmp_path)
    assert made.revision == "9999"
    target = databases.create_empty()
    code, _, err = run("restore", str(made.path), "--url", libpq(databases, target))
    assert code == 2 and "schema 9999, newer than this UnionCore's" in err
    with databases.engine(target).connect() as conn:
        assert backup._objects_in(conn) == 0

    (tmp_path / "notes.dump").write_text("not a backup")
    code, _, err = run("restore", str(tmp_path / "notes.dump"), "--url", libpq(databases, target))
    assert code == 2 and "Reading" in err and "not appear to be a valid archive" in err
    code, _, err = run("restore", str(tmp_path / "missing.dump"), "--url", libpq(databases, target))
    assert code == 2 and "There is no backup file" in err


def test_verify_restores_a_good_backup_into_a_scratch_database_and_drops_it(databases, hall, run, tmp_path):
    """db check must pass; the integrity checks report what the hall itself holds (here a member entered twice)
    without failing the backup."""
    with databases.engine(hall).begin() as conn:
        conn.execute(text("""
            INSERT INTO members (card_number, first_name, last_name, classification, date_of_birth)
            SELECT '9990001', first_name, last_name, classification, date_of_birth FROM members
            WHERE date_of_birth IS NOT NULL ORDER BY id LIMIT 1"""))
    code, out, err = run("--url", libpq(databases, hall), "backup", "--to", str(tmp_path / "nightly.dump"),
                         "--verify", "--keep-days", "14")
    assert code == 0, out + err
    assert "db check: clean" in out and "\nverified\n" in out and "removed 0 backup(s) older than 14 days" in out
    assert "integrity: 1 check(s) found something" in out and "  duplicate_members_name: 1 (" in out
    with databases.engine(hall).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM pg_database WHERE datname LIKE 'uc\\_verify\\_%'")).scalar() == 0
    # the same, for a file made earlier
    assert run("restore", str(tmp_path / "nightly.dump"), "--verify", "--url", libpq(databases, "postgres"))[0] == 0


def test_keep_days_removes_only_this_databases_old_backups(tmp_path):
    names = ("unioncore-hall-20261101-0200.dump", "unioncore-hall-20261125-0200.dump",
             "unioncore-hall-2-20261101-0200.dump", "unioncore-other-20261101-0200.dump",
             "unioncore-hall-20261101-0200.dump.txt", "hall.dump")
    for name in names:
        (tmp_path / name).write_bytes(b"")
    made = tmp_path / "unioncore-hall-20261203-0200.dump"
    made.write_bytes(b"")
    removed = backup.prune(made, "hall", 14, now=datetime(2026, 12, 3, 2, 5))
    assert [path.name for path in removed] == ["unioncore-hall-20261101-0200.dump"]
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted({*names, made.name} - {removed[0].name})


def test_an_older_backup_is_restored_and_brought_to_this_build(databases, run, tmp_path):
    older = databases.create_empty()
    previous = ScriptDirectory.from_config(migrate.alembic_config()).get_revision(migrate.head_revision()).down_revision
    migrate.upgrade(databases.engine(older), previous)
    made = backup.backup(databases.engine(older), tmp_path)
    target = databases.create_empty()
    code, out, _ = run("restore", str(made.path), "--url", libpq(databases, target))
    assert code == 0 and f"(schema {previous}, upgraded to {migrate.head_revision()})" in out
    assert run("--url", libpq(databases, target), "db", "check")[0] == 0


def test_a_failed_backup_leaves_no_file(databases, run, tmp_path):
    """A dispatcher may not read the dues ledger: pg_dump stops part way, and nothing that looks like a backup
    is left behind."""
    name = databases.create()
    dispatcher = databases.make_staff(name, "dispatcher")
    code, _, err = run("--url", libpq(databases, name, dispatcher), "backup", "--to", str(tmp_path))
    assert code == 2 and "Backing up" in err and "permission denied" in err
    assert list(tmp_path.iterdir()) == []


def test_restore_names_the_staff_logins_the_server_lacks(databases, run, tmp_path):
    name = databases.create()
    login = databases.make_staff(name, "manager+dues_clerk", "Robin Restore")
    made = backup.backup(databases.engine(name), tmp_path)
    admin = databases.server.admin_engine()
    with admin.connect() as conn:  # as on a new server
        conn.execute(text(f'DROP ROLE "{login}"'))
    admin.dispose()
    target = databases.create_empty()
    with databases.engine(target).begin() as conn:  # some servers put extensions in every new database
        conn.execute(text("CREATE EXTENSION pg_trgm"))
    code, out, _ = run("restore", str(made.path), "--url", libpq(databases, target))
    assert code == 0
    assert f"staff add {login} --role dues_clerk --role manager --full-name 'Robin Restore'" in out


def test_the_schema_owner_restores_without_being_a_superuser(databases, hall, run, tmp_path):
    """As at a hall: the owner may create databases and roles and is no superuser. The groups already on this
    server were made by another role, so the restore says which grant staff administration still needs."""
    made = backup.backup(databases.engine(hall), tmp_path)
    owner = f"t_owner_{uuid.uuid4().hex[:8]}"
    target = databases.create_empty()
    admin = databases.server.admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{owner}" LOGIN CREATEDB CREATEROLE'))
        databases.server.roles_created.append(owner)
        conn.execute(text(f'ALTER DATABASE "{target}" OWNER TO "{owner}"'))
        major = pg_tools.server_major(conn)
    admin.dispose()
    code, out, err = run("restore", str(made.path), "--url", libpq(databases, target, owner))
    assert code == 0, err
    if major >= 16:
        assert f"GRANT uc_admin, uc_dispatcher, uc_dues_clerk, uc_manager TO {owner} WITH ADMIN OPTION" in out
    assert counts(databases, target) == counts(databases, hall)
    assert run("--url", libpq(databases, target, owner), "db", "check")[0] == 0


def test_an_older_pg_dump_is_refused_in_one_sentence(monkeypatch):
    monkeypatch.setattr(pg_tools, "candidates", lambda name: [pg_tools.Tool(Path("/usr/bin/pg_dump"), 15)])
    with pytest.raises(DomainError, match=r"is version 15 and the server runs PostgreSQL 18; an older pg_dump "
                                          r"refuses a newer server: install the PostgreSQL 18 client programs"):
        pg_tools.find("pg_dump", 18)


def test_the_server_own_major_version_is_preferred(monkeypatch):
    tools = [pg_tools.Tool(Path("a/pg_dump"), 19), pg_tools.Tool(Path("b/pg_dump"), 18),
             pg_tools.Tool(Path("c/pg_dump"), 20)]
    monkeypatch.setattr(pg_tools, "candidates", lambda name: tools)
    assert pg_tools.find("pg_dump", 18).path == Path("b/pg_dump")
    assert pg_tools.find("pg_dump", 17).path == Path("b/pg_dump")  # else the nearest newer


@pytest.mark.skipif(os.name == "nt", reason="a shell script stands in for the program")
def test_the_folder_named_by_the_environment_is_searched_first(monkeypatch, tmp_path):
    fake = tmp_path / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 99.1'\n")
    fake.chmod(0o755)
    monkeypatch.setenv(pg_tools.TOOLS_ENV, str(tmp_path))
    assert pg_tools.candidates("pg_dump")[0] == pg_tools.Tool(fake, 99)
    assert pg_tools.find("pg_dump", 99).path == fake


def test_reset_empties_a_test_database_and_refuses_production(databases, hall, run):
    code, out, _ = run("--url", libpq(databases, hall), "reset")
    assert code == 0 and "still marked test" in out
    assert counts(databases, hall)["members"] == 0
    assert run("--url", libpq(databases, hall), "db", "check")[0] == 0
    # seed --quick fills it again, in a smoke test's time
    code, out, _ = run("--url", libpq(databases, hall), "seed", "--quick")
    assert code == 0 and "small demo hall seeded" in out

    with databases.engine(hall).begin() as conn:
        mark_environment(conn, "production")
    code, _, err = run("reset", "--url", libpq(databases, hall))
    assert code == 2 and "is marked 'production'; reset empties only a database marked 'demo' or 'test'" in err
    assert counts(databases, hall)["members"] > 0


def test_reset_refuses_a_database_that_cannot_say_what_it_is(databases, run):
    code, _, err = run("reset", "--url", libpq(databases, databases.create_empty()))
    assert code == 2 and "does not say it is a demo or test database" in err
