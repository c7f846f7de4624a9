"""The live catalog holds to the permission matrix (`db/permissions.py`) for every object of the schema, and the
schema lint: pinned search paths, nothing for PUBLIC, no SECURITY DEFINER function anyone may call."""

from __future__ import annotations

import re
from collections import defaultdict

import pytest
from sqlalchemy import text

from unioncore_desktop.db import permissions

OWN = "NOT EXISTS (SELECT FROM pg_depend AS d WHERE d.objid = {oid} AND d.deptype = 'e')"


def _grants(conn, sql: str) -> dict[str, dict[str, set[str]]]:
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for name, grantee, privilege in conn.execute(text(sql)):
        found[name][grantee].add(privilege)
    return found


def _relation_grants(conn) -> dict[str, dict[str, set[str]]]:
    """object -> grantee -> privileges, table-level and column-level (as UPDATE(col,...)), owner left out."""
    table_level = _grants(conn, f"""
        SELECT c.relname, CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE g.grantee::regrole::text END, g.privilege_type
        FROM pg_class AS c CROSS JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) AS g
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND g.grantee <> c.relowner AND {OWN.format(oid='c.oid')}
    """)
    columns = conn.execute(text("""
        SELECT c.relname, CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE g.grantee::regrole::text END,
               g.privilege_type, array_agg(a.attname::text ORDER BY a.attname)
        FROM pg_class AS c JOIN pg_attribute AS a ON a.attrelid = c.oid
        CROSS JOIN LATERAL aclexplode(a.attacl) AS g
        WHERE c.relnamespace = 'public'::regnamespace AND a.attacl IS NOT NULL
        GROUP BY 1, 2, 3
    """))
    for name, grantee, privilege, cols in columns:
        table_level[name][grantee].add(f"{privilege}({','.join(cols)})")
    return table_level


def _expected_relations() -> dict[str, dict[str, set[str]]]:
    expected: dict[str, dict[str, set[str]]] = {}
    for name, by_group in permissions.RELATIONS.items():
        expected[name] = {}
        for group, spec in by_group.items():
            privileges = set()
            for privilege in permissions.privileges(spec):
                if "(" in privilege:  # compare column lists as sets: the catalog sorts them by name
                    kind, cols = privilege.rstrip(")").split("(")
                    privilege = f"{kind}({','.join(sorted(cols.split(',')))})"
                privileges.add(privilege)
            expected[name][group] = privileges
    return expected


def _as_plain(grants) -> dict[str, dict[str, set[str]]]:
    return {name: {g: set(p) for g, p in by_group.items() if p} for name, by_group in grants.items()}


def test_every_table_view_and_column_grant_is_the_matrix(connection):
    live = _as_plain(_relation_grants(connection))
    relations = set(connection.execute(text(f"""
        SELECT c.relname FROM pg_class AS c
        WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
          AND {OWN.format(oid='c.oid')}""")).scalars())
    undecided = relations - set(permissions.RELATIONS)
    assert not undecided, f"tables or views with no decision in db/permissions.py: {sorted(undecided)}"
    assert not set(permissions.RELATIONS) - relations, "the matrix names objects the schema does not have"
    expected = {name: {g: p for g, p in by_group.items() if p} for name, by_group in _expected_relations().items()}
    for name in sorted(relations):
        assert live.get(name, {}) == expected[name], name


def test_sequences_serve_exactly_the_groups_that_insert(connection):
    live = _as_plain(_grants(connection, f"""
        SELECT t.relname, g.grantee::regrole::text, g.privilege_type
        FROM pg_class AS s
        JOIN pg_depend AS d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
        JOIN pg_class AS t ON t.oid = d.refobjid
        CROSS JOIN LATERAL aclexplode(coalesce(s.relacl, acldefault('s', s.relowner))) AS g
        WHERE s.relkind = 'S' AND s.relnamespace = 'public'::regnamespace AND g.grantee <> s.relowner
          AND {OWN.format(oid='s.oid')}
    """))
    owned = set(connection.execute(text("""
        SELECT DISTINCT t.relname FROM pg_class AS s
        JOIN pg_depend AS d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
        JOIN pg_class AS t ON t.oid = d.refobjid
        WHERE s.relkind = 'S' AND s.relnamespace = 'public'::regnamespace""")).scalars())
    for table, groups in permissions.expected_sequence_usage().items():
        if table in owned:
            assert live.get(table, {}) == {g: {"USAGE"} for g in groups}, table
    loose = connection.execute(text("""
        SELECT s.relname FROM pg_class AS s WHERE s.relkind = 'S' AND s.relnamespace = 'public'::regnamespace
          AND NOT EXISTS (SELECT FROM pg_depend AS d WHERE d.objid = s.oid AND d.deptype IN ('a', 'i'))
          AND s.relacl IS NOT NULL""")).scalars().all()
    assert loose == [], "sequences owned by no table must not be granted to anyone"


def test_every_function_is_in_the_matrix_with_exactly_its_grants(connection):
    live = _as_plain(_grants(connection, f"""
        SELECT p.proname, CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE g.grantee::regrole::text END, g.privilege_type
        FROM pg_proc AS p CROSS JOIN LATERAL aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) AS g
        WHERE p.pronamespace = 'public'::regnamespace AND g.grantee <> p.proowner AND {OWN.format(oid='p.oid')}
    """))
    names = connection.execute(text(f"""
        SELECT p.proname FROM pg_proc AS p
        WHERE p.pronamespace = 'public'::regnamespace AND {OWN.format(oid='p.oid')}""")).scalars().all()
    assert len(names) == len(set(names)), "overloaded functions: the matrix names functions by name"
    undecided = set(names) - set(permissions.FUNCTIONS)
    assert not undecided, f"functions with no decision in db/permissions.py: {sorted(undecided)}"
    assert not set(permissions.FUNCTIONS) - set(names), "the matrix names functions the schema does not have"
    for name in names:
        expected = {g: set(permissions.privileges(spec)) for g, spec in permissions.FUNCTIONS[name].items()}
        assert live.get(name, {}) == expected, name


def test_lint_every_function_pins_its_search_path_or_cannot_be_fooled_by_one(connection):
    """A temporary table is found before a real one unless the path says otherwise. A function pins its path
    with pg_temp last, or has a standard SQL body (names bound when it is created), or names no relation or
    type of the schema at all (a trigger body that only looks at NEW and OLD)."""
    unpinned = connection.execute(text(f"""
        SELECT p.proname, p.prosrc FROM pg_proc AS p
        WHERE p.pronamespace = 'public'::regnamespace AND {OWN.format(oid='p.oid')} AND p.prosqlbody IS NULL
          AND NOT coalesce('search_path=public, pg_temp' = ANY (p.proconfig), false)
        ORDER BY 1""")).all()
    names = set(connection.execute(text("""
        SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace
        UNION SELECT typname FROM pg_type WHERE typnamespace = 'public'::regnamespace""")).scalars())
    naming = {name: sorted(set(re.findall(r"[a-z_][a-z0-9_]*", source.lower())) & names)
              for name, source in unpinned}
    assert {name: found for name, found in naming.items() if found or "%type" in dict(unpinned)[name].lower()
            or "%rowtype" in dict(unpinned)[name].lower()} == {}
    assert {name for name, _ in unpinned} <= {"uc_check_version", "uc_notify_change", "uc_append_only",
                                             "uc_audit_log_immutable"}
    assert all(definer for definer in connection.execute(text(f"""
        SELECT 'search_path=public, pg_temp' = ANY (p.proconfig) FROM pg_proc AS p
        WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef AND {OWN.format(oid='p.oid')}""")).scalars())


def test_lint_nothing_for_public_and_no_security_definer_anyone_may_call(connection):
    public_relations = connection.execute(text("""
        SELECT c.relname FROM pg_class AS c CROSS JOIN LATERAL aclexplode(c.relacl) AS g
        WHERE c.relnamespace = 'public'::regnamespace AND g.grantee = 0""")).scalars().all()
    assert public_relations == []
    public_definers = connection.execute(text(f"""
        SELECT p.proname FROM pg_proc AS p
        CROSS JOIN LATERAL aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) AS g
        WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef AND g.grantee = 0
          AND {OWN.format(oid='p.oid')}""")).scalars().all()
    assert public_definers == []
    temp_for_public = connection.execute(text("""
        SELECT count(*) FROM pg_database AS d
        CROSS JOIN LATERAL aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) AS g
        WHERE d.datname = current_database() AND g.grantee = 0 AND g.privilege_type IN ('TEMPORARY', 'CREATE')
    """)).scalar_one()
    assert temp_for_public == 0
    assert connection.execute(text(
        "SELECT has_schema_privilege('public', 'public', 'CREATE')")).scalar_one() is False


@pytest.mark.parametrize("group", permissions.GROUPS)
def test_groups_are_not_logins_and_hold_no_other_group(connection, group):
    row = connection.execute(text("SELECT rolcanlogin, rolsuper, rolcreaterole FROM pg_roles WHERE rolname = :g"),
                             {"g": group}).one()
    assert tuple(row) == (False, False, False)
    others = [g for g in permissions.GROUPS if g != group]
    held = connection.execute(text("SELECT g FROM unnest(CAST(:o AS text[])) AS g "
                                   "WHERE pg_has_role(:r, g, 'MEMBER')"), {"o": others, "r": group}).scalars().all()
    assert held == []


def test_a_copy_that_reopened_temp_is_reported_by_db_check_and_closed_by_upgrade(databases, capsys):
    from unioncore_desktop import cli
    from unioncore_desktop.db import migrate

    name = databases.create()
    engine = databases.engine(name)
    with engine.begin() as conn:  # what CREATE DATABASE ... TEMPLATE or a plain restore leaves behind
        conn.execute(text(f'GRANT TEMPORARY ON DATABASE "{name}" TO PUBLIC'))
    url = databases.server.url(name).replace("postgresql+psycopg://", "postgresql://", 1)
    assert cli.main(["--url", url, "db", "check"]) == 1
    assert "temporary tables" in capsys.readouterr().out
    migrate.upgrade(engine)
    with engine.connect() as conn:
        assert migrate.loopholes(conn) == []
    assert cli.main(["--url", url, "db", "check"]) == 0


def test_row_level_security_is_on_exactly_where_the_matrix_says_with_its_policies(connection):
    live = connection.execute(text("""
        SELECT c.relname, coalesce(array_agg(p.polname::text ORDER BY p.polname)
                                   FILTER (WHERE p.polname IS NOT NULL), '{}')
        FROM pg_class AS c LEFT JOIN pg_policy AS p ON p.polrelid = c.oid
        WHERE c.relnamespace = 'public'::regnamespace AND (c.relrowsecurity OR p.polname IS NOT NULL)
        GROUP BY c.relname""")).all()
    assert {name: sorted(policies) for name, policies in live} == {
        name: sorted(policies) for name, policies in permissions.ROW_SECURITY.items()}
    forced = connection.execute(text("SELECT count(*) FROM pg_class WHERE relforcerowsecurity")).scalar_one()
    assert forced == 0  # the schema owner (seed, imports, backups) is never held to a login's rows
