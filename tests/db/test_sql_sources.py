"""The database holds to its SQL sources (migrations/sql/) and its CHECKs to the models: every function, trigger and
view has one file and every file an object, and an edit on either side without a migration is reported by name."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import text

from unioncore_desktop.db import migrate, sql_sources
from unioncore_desktop.paths import migrations_dir


def _copy(tmp_path: Path) -> Path:
    """A private copy of the sources to edit."""
    return Path(shutil.copytree(sql_sources.sources_dir(), tmp_path / "sql"))


def _edit(path: Path, old: str, new: str) -> None:
    source = path.read_text()
    assert old in source, f"{path.name} no longer holds {old!r}: pick another edit"
    path.write_text(source.replace(old, new, 1))


def test_the_database_is_what_its_sources_and_models_define(connection):
    assert sql_sources.drift(connection) == []


def test_every_object_has_one_source_and_every_source_an_object(connection):
    found = sql_sources.catalog(connection)
    assert found.problems == []
    assert sorted(found.live.keys() - found.defined.keys()) == [], "objects with no source"
    assert sorted(found.defined.keys() - found.live.keys()) == [], "sources whose object the database lacks"
    counts = Counter(kind for kind, _ in found.live)
    assert counts["function"] >= 30 and counts["view"] >= 4 and counts["trigger"] >= 100 and counts["CHECK"] >= 90
    for (kind, name), item in found.defined.items():  # a file is named after its function, view or table
        expected = {"function": f"functions/{name.split('(')[0]}.sql", "view": f"views/{name}.sql",
                    "trigger": f"triggers/{name.split(' on ')[-1]}.sql", "CHECK": "the models"}[kind]
        assert item.source == expected, (kind, name)


def test_the_sources_live_beside_the_migrations():
    assert sql_sources.sources_dir() == migrations_dir() / "sql"
    names = sql_sources.source_names()
    assert names[0].startswith("functions/") and names[-1].startswith("triggers/")
    assert {name.split("/")[0] for name in names} == set(sql_sources.KINDS)


def test_a_function_edited_without_a_migration_is_reported_by_name(connection, tmp_path):
    sources = _copy(tmp_path)
    _edit(sources / "functions" / "uc_dispatch_fills_request.sql", "delta := -1;", "delta := -2;")
    assert sql_sources.drift(connection, sources, checks=False) == [
        "function uc_dispatch_fills_request() differs from functions/uc_dispatch_fills_request.sql: "
        "the database has 'delta := -1;', the source 'delta := -2;'"]


def _what(lines: list[str]) -> list[str]:
    """Each line up to its detail (a quote of PostgreSQL's rendering, which may vary between versions)."""
    return [line.split(": ")[0] for line in lines]


def test_every_kind_of_edit_to_the_files_is_reported(connection, tmp_path):
    sources = _copy(tmp_path)
    _edit(sources / "functions" / "uc_audit.sql", "SECURITY DEFINER ", "")
    _edit(sources / "views" / "member_standing.sql", ", paid_through FROM", " FROM")
    _edit(sources / "triggers" / "dispatches.sql", "UPDATE OF status", "UPDATE OF status, note")
    (sources / "views" / "audit_trail.sql").unlink()
    (sources / "functions" / "uc_unmigrated.sql").write_text(
        "CREATE OR REPLACE FUNCTION uc_unmigrated() RETURNS integer\n"
        "LANGUAGE sql IMMUTABLE SET search_path = public, pg_temp AS $$ SELECT 1 $$;\n")
    (sources / "functions" / "uc_broken.sql").write_text("CREATE OR REPLACE FUNCTION uc_broken( RETURNS;\n")
    lines = sql_sources.drift(connection, sources, checks=False)
    assert _what(lines) == [
        "functions/uc_broken.sql does not run",
        "function uc_audit() differs from functions/uc_audit.sql",
        "function uc_unmigrated() (functions/uc_unmigrated.sql) is not in the database",
        "trigger dispatches_fill_request on dispatches differs from triggers/dispatches.sql",
        "view audit_trail is in the database but not in a source",
        "view member_standing differs from views/member_standing.sql",
    ]
    assert lines[1].endswith("only the database has 'SECURITY DEFINER'")


def test_every_kind_of_edit_to_the_database_is_reported(connection):
    immutable = sql_sources.read("functions/uc_audit_log_immutable.sql")
    sql_sources.execute(connection, immutable.replace("cannot be changed", "may not be changed"))
    connection.execute(text("ALTER FUNCTION uc_post_payment(uuid, integer, numeric, text, text, integer, date) "
                            "RESET search_path"))
    connection.execute(text("DROP TRIGGER members_audit ON members"))
    connection.execute(text("CREATE TRIGGER members_audit_again AFTER DELETE ON members "
                            "FOR EACH ROW EXECUTE FUNCTION uc_audit('id')"))
    connection.execute(text("CREATE OR REPLACE VIEW member_standing AS SELECT member_id, standing, months_behind, "
                            "paid_through, balance FROM dues_member_standing"))
    connection.execute(text("ALTER TABLE members DROP CONSTRAINT ck_members_notes_length, "
                            "ADD CONSTRAINT ck_members_notes_length CHECK (length(notes) <= 5000), "
                            "ADD CONSTRAINT ck_members_unmodelled CHECK (card_number <> '')"))
    lines = sql_sources.drift(connection)
    assert _what(lines) == [
        "CHECK ck_members_notes_length on members differs from the models",
        "CHECK ck_members_unmodelled on members is in the database but not in the models",
        "function uc_audit_log_immutable() differs from functions/uc_audit_log_immutable.sql",
        "function uc_post_payment(uuid,integer,numeric,text,text,integer,date) differs from "
        "functions/uc_post_payment.sql",
        "trigger members_audit on members (triggers/members.sql) is not in the database",
        "trigger members_audit_again on members is in the database but not in a source",
        "view member_standing differs from views/member_standing.sql",
    ]
    assert "5000" in lines[0] and "may not be changed" in lines[2] and "search_path" in lines[3]


def test_a_login_that_may_not_create_a_schema_is_told_the_sources_were_not_compared(connection):
    connection.execute(text("SET LOCAL ROLE uc_dispatcher"))
    lines = sql_sources.drift(connection)
    assert len(lines) == 1 and lines[0].startswith("the SQL sources could not be compared: permission denied")

def test_applying_the_sources_again_changes_nothing(connection):
    sql_sources.apply(connection, sql_sources.source_names())
    assert sql_sources.drift(connection, checks=False) == []


def test_a_migration_applies_a_source_as_it_read_at_its_revision():
    name = "functions/uc_audit.sql"
    later = [SimpleNamespace(), SimpleNamespace(REPLACED_SOURCES={name: "as at 0016"}),
             SimpleNamespace(REPLACED_SOURCES={name: "as at 0017"})]
    assert sql_sources.replaced_text(name, later) == "as at 0016"  # the first change after the revision
    assert sql_sources.replaced_text(name, later[:1]) is None  # nothing changed it since: the file as it is
    assert [module.revision for module in sql_sources.migrations_after("0013")][:2] == ["0014", "0015"]
    assert sql_sources.migrations_after(migrate.head_revision()) == []
    assert sql_sources.text_as_of(name, "0014") == sql_sources.read(name)
    assert sql_sources.text_as_of(name, None) == sql_sources.read(name)



def test_db_check_names_a_function_changed_in_the_database_without_a_migration(databases, capsys):
    from unioncore_desktop import cli

    name = databases.create()
    with databases.engine(name).begin() as conn:
        immutable = sql_sources.read("functions/uc_audit_log_immutable.sql")
        sql_sources.execute(conn, immutable.replace("cannot be changed", "may not be changed"))
    url = databases.server.url(name).replace("postgresql+psycopg://", "postgresql://", 1)
    assert cli.main(["--url", url, "db", "check"]) == 1
    assert capsys.readouterr().out.startswith(
        "the database differs from the models:\n"
        "  function uc_audit_log_immutable() differs from functions/uc_audit_log_immutable.sql: ")
