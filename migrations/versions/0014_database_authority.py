"""The database is the authority for psql too: no way around the rules, least-privilege groups, safe staff admin.

- Temporary tables could shadow real ones inside invoker-rights functions, because `pg_temp` is searched first:
  TEMP on the database is revoked from PUBLIC, and every function of the schema pins `search_path` with
  `pg_temp` last.
- Functions were executable by PUBLIC (PostgreSQL's default), so SECURITY DEFINER trigger functions could be
  attached to a login's own temporary table: EXECUTE is revoked from PUBLIC on every function, and the owner's
  default privileges no longer hand it out to new ones. A trigger needs no EXECUTE to fire.
- Groups no longer hold each other's writes (domain §6): the grants below replace every earlier grant and match
  `unioncore_desktop/db/permissions.py`, which a test holds the catalog to. Dispatchers see dues standing through
  `member_standing` (no amounts); only managers read the raw `audit_log`, everyone else `audit_trail`.
- Staff administration touches only the app's own staff logins: never a group role, a superuser or other
  administrator role, the database or schema owner, or a role that is not a staff login. Role changes,
  deactivations, reactivations and password changes are audited with who made them; passwords reach the server
  only as SCRAM-SHA-256 verifiers computed by the client.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

from unioncore_desktop.db import sql_sources

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

GROUPS = ("uc_dispatcher", "uc_dues_clerk", "uc_manager", "uc_admin")
D, C, M, A = GROUPS
ALL = ", ".join(GROUPS)

OWN_FUNCTIONS = """
    SELECT p.oid::regprocedure::text FROM pg_proc AS p
    WHERE p.pronamespace = 'public'::regnamespace
      AND NOT EXISTS (SELECT FROM pg_depend AS d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                                                  AND d.deptype = 'e')
"""
OWN_RELATIONS = """
    SELECT c.oid::regclass::text, CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END FROM pg_class AS c
    WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
      AND NOT EXISTS (SELECT FROM pg_depend AS d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                                                  AND d.deptype = 'e')
"""

EVERYONE_READS = (
    "alembic_version", "app_settings", "staff", "audit_trail", "report_runs", "members", "name_terms",
    "member_qualified_books", "member_exclusions", "member_skills", "employers", "employer_contracts", "worksites",
    "employer_contacts", "employment_history", "holidays", "contract_codes", "offices", "books", "book_rules",
    "registrations", "registration_activity", "check_marks", "referral_bans", "labor_requests", "bids",
    "dispatches", "offer_lines",
)
MONEY = (
    "dues_rates", "dues_periods", "dues_charges", "payment_batches", "receipt_counters", "payments",
    "payment_allocations", "dues_adjustments", "remittances", "remittance_lines", "remittance_column_maps",
    "dues_charge_balances", "dues_member_standing",
)
DISPATCHER_MEMBER_COLUMNS = (
    "address_line1, address_line2, city, state, postal_code, phone, mobile_phone, email, version")
DROP_RUN_COLUMNS = ("status, roll_off_reason, rolled_off_on, reregister_by, exemption_reason, exemption_start, "
                    "exemption_end, resign_due_on, version")

DISPATCH_WALKED = ("uc_dispatch_walked(integer, uuid, uuid, date, text, text[], smallint, numeric, "
                   "timestamp with time zone, integer, integer[], integer[], text[])")
POST_PAYMENT = "uc_post_payment(uuid, integer, numeric, text, text, integer, date)"

GRANTS = (
    f"GRANT SELECT ON {', '.join(EVERYONE_READS)} TO {ALL}",
    f"GRANT SELECT ON {', '.join(MONEY)} TO {C}, {M}",
    f"GRANT SELECT ON member_standing TO {D}, {C}, {M}",
    f"GRANT SELECT ON audit_log TO {M}",
    f"GRANT INSERT ON report_runs TO {ALL}",
    # dispatcher: books, requests, dispatch, employers, members' contact details
    f"GRANT UPDATE ({DISPATCHER_MEMBER_COLUMNS}) ON members TO {D}",
    f"GRANT INSERT, UPDATE ON registrations, check_marks, referral_bans, labor_requests, bids, dispatches, "
    f"employment_history, employers TO {D}",
    f"GRANT INSERT ON registration_activity, offer_lines TO {D}",
    f"GRANT INSERT, UPDATE, DELETE ON member_skills, employer_contracts, worksites, employer_contacts TO {D}",
    # dues clerk: payments, batches, remittances, adjustment requests
    f"GRANT INSERT ON payments, payment_allocations, dues_adjustments TO {C}",
    f"GRANT INSERT, UPDATE ON payment_batches, remittances TO {C}",
    f"GRANT INSERT, UPDATE, DELETE ON remittance_lines, remittance_column_maps TO {C}",
    # manager: the member record, the hall's set-up, book rules, the drop run, rates, billing, decisions, settings
    f"GRANT INSERT, UPDATE ON members, employers, offices, books, dues_rates, dues_periods TO {M}",
    f"GRANT INSERT, UPDATE, DELETE ON member_qualified_books, member_exclusions, member_skills, employer_contracts, "
    f"worksites, employer_contacts, holidays, contract_codes, book_rules TO {M}",
    f"GRANT UPDATE ({DROP_RUN_COLUMNS}) ON registrations TO {M}",
    f"GRANT INSERT ON registration_activity, dues_charges, payment_allocations TO {M}",
    f"GRANT UPDATE (status, decision_note, version) ON dues_adjustments TO {M}",
    f"GRANT UPDATE (value, version) ON app_settings TO {M}",
    # admin: staff logins
    f"GRANT UPDATE (full_name, version) ON staff TO {A}",
    # functions
    f"GRANT EXECUTE ON FUNCTION uc_hall_today(), uc_change_own_password(text) TO {ALL}",
    f"GRANT EXECUTE ON FUNCTION {DISPATCH_WALKED} TO {D}",
    f"GRANT EXECUTE ON FUNCTION {POST_PAYMENT} TO {C}",
    f"GRANT EXECUTE ON FUNCTION uc_apply_member_credit(integer, date) TO {C}, {M}",
    f"GRANT EXECUTE ON FUNCTION uc_create_staff(text, text, text[], text), uc_set_staff_roles(text, text[]), "
    f"uc_deactivate_staff(text), uc_reactivate_staff(text), uc_reset_staff_password(text, text) TO {A}",
)

# The staff functions, the two views and uc_hall_today, as they read at this revision (migrations/sql/)
SOURCES = (
    "functions/uc_staff_roles_of.sql", "functions/uc_staff_guard.sql", "functions/uc_audit_staff.sql",
    "functions/uc_check_roles.sql", "functions/uc_check_verifier.sql", "functions/uc_check_admin_remains.sql",
    "functions/uc_create_staff.sql", "functions/uc_set_staff_roles.sql", "functions/uc_deactivate_staff.sql",
    "functions/uc_reactivate_staff.sql", "functions/uc_reset_staff_password.sql",
    "functions/uc_change_own_password.sql", "views/member_standing.sql", "views/audit_trail.sql",
    "functions/uc_hall_today.sql",
)

NEW_FUNCTIONS = (
    "uc_staff_roles_of(text)", "uc_staff_guard(text, boolean)", "uc_audit_staff(text, text, jsonb, jsonb)",
    "uc_check_roles(text[])", "uc_check_verifier(text)", "uc_check_admin_remains()", "uc_reactivate_staff(text)",
    "uc_reset_staff_password(text, text)", "uc_change_own_password(text)",
)


# A SET clause costs every call a search_path switch; on the dispatch path that was a tenth of the throughput.
# These functions need none: the trigger bodies name no table, view or type at all (a test checks that), and
# uc_hall_today has a standard SQL body, bound to public.app_settings when it is created.
UNPINNED = ("uc_check_version()", "uc_notify_change()", "uc_append_only()", "uc_audit_log_immutable()",
            "uc_hall_today()")
PREVIOUS_HALL_TODAY = """
CREATE OR REPLACE FUNCTION uc_hall_today() RETURNS date LANGUAGE sql STABLE AS $$
    SELECT (now() AT TIME ZONE coalesce(
        (SELECT value FROM app_settings WHERE key = 'time_zone'), 'America/Los_Angeles'))::date
$$
"""


def _each(query: str) -> list[str]:
    return [row[0] for row in op.get_bind().exec_driver_sql(query)]


def _close_the_database() -> None:
    """TEMP and CREATE for PUBLIC, and PUBLIC's EXECUTE on future functions, are PostgreSQL's defaults."""
    op.execute("""
        DO $$ BEGIN
            EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
        END $$""")
    op.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    op.execute("ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC")
    for group in GROUPS:
        # groups are never logins and never members of one another (each holds only its own rights)
        op.execute(f"ALTER ROLE {group} NOLOGIN")
        for other in GROUPS:
            if other != group:
                op.execute(f"""
                    DO $$ BEGIN
                        IF pg_has_role('{group}', '{other}', 'MEMBER') THEN REVOKE {other} FROM {group}; END IF;
                    END $$""")


def _revoke_everything() -> None:
    targets = f"PUBLIC, {ALL}"
    for relation, kind in op.get_bind().exec_driver_sql(OWN_RELATIONS):
        op.execute(f"REVOKE ALL ON {kind} {relation} FROM {targets}")
    for function in _each(OWN_FUNCTIONS):
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM {targets}")


def _sequence_usage() -> None:
    """A group that inserts into a table may take numbers from that table's own sequences."""
    rows = op.get_bind().exec_driver_sql("""
        SELECT s.oid::regclass::text, array_agg(DISTINCT g.rolname)
        FROM pg_class AS t
        JOIN pg_depend AS d ON d.refobjid = t.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
        JOIN pg_class AS s ON s.oid = d.objid AND s.relkind = 'S'
        JOIN pg_roles AS g ON g.rolname IN ('uc_dispatcher', 'uc_dues_clerk', 'uc_manager', 'uc_admin')
        WHERE t.relnamespace = 'public'::regnamespace AND has_table_privilege(g.oid, t.oid, 'INSERT')
        GROUP BY s.oid
    """).all()
    for sequence, groups in rows:
        op.execute(f"GRANT USAGE ON SEQUENCE {sequence} TO {', '.join(groups)}")


def upgrade() -> None:
    _close_the_database()
    sql_sources.apply(op.get_bind(), SOURCES, revision=revision)
    for function in _each(OWN_FUNCTIONS):
        if function not in UNPINNED:
            op.execute(f"ALTER FUNCTION {function} SET search_path = public, pg_temp")
    _revoke_everything()
    for statement in GRANTS:
        op.execute(statement)
    _sequence_usage()


# --- downgrade: the 0013 grants (groups holding each other's writes) and PUBLIC's defaults ---------------------

OLD_GRANTS = (
    f"GRANT SELECT ON {', '.join(t for t in EVERYONE_READS if t != 'audit_trail')}, audit_log TO {ALL}",
    f"GRANT SELECT ON {', '.join(MONEY)} TO {C}, {M}, {A}",
    f"GRANT SELECT ON dues_member_standing TO {D}",
    f"GRANT INSERT ON report_runs TO {ALL}",
    f"GRANT INSERT, UPDATE ON members, offices, books TO {M}, {A}",
    f"GRANT UPDATE ({DISPATCHER_MEMBER_COLUMNS}, notes) ON members TO {D}",
    f"GRANT INSERT, UPDATE, DELETE ON member_qualified_books, member_exclusions, holidays, contract_codes, "
    f"book_rules TO {M}, {A}",
    f"GRANT INSERT, UPDATE, DELETE ON member_skills, employer_contracts, worksites, employer_contacts TO {D}, {M}, {A}",
    f"GRANT INSERT, UPDATE ON employers, employment_history, registrations, labor_requests, bids, dispatches, "
    f"check_marks, referral_bans TO {D}, {M}, {A}",
    f"GRANT INSERT ON registration_activity, offer_lines TO {D}, {M}, {A}",
    f"GRANT UPDATE (value, version) ON app_settings TO {A}",
    f"GRANT UPDATE (full_name, version) ON staff TO {A}",
    f"GRANT INSERT, UPDATE ON dues_rates, dues_periods TO {M}, {A}",
    f"GRANT INSERT ON dues_charges TO {M}, {A}",
    f"GRANT INSERT ON payments, payment_allocations, dues_adjustments TO {C}, {M}, {A}",
    f"GRANT INSERT, UPDATE ON payment_batches, remittances TO {C}, {M}, {A}",
    f"GRANT INSERT, UPDATE, DELETE ON remittance_lines, remittance_column_maps TO {C}, {M}, {A}",
    f"GRANT UPDATE (status, decision_note, version) ON dues_adjustments TO {M}, {A}",
    f"GRANT EXECUTE ON FUNCTION {DISPATCH_WALKED} TO {D}, {M}, {A}",
    f"GRANT EXECUTE ON FUNCTION {POST_PAYMENT}, uc_apply_member_credit(integer, date) TO {C}, {M}, {A}",
    f"GRANT EXECUTE ON FUNCTION uc_create_staff(text, text, text[], text), uc_set_staff_roles(text, text[]), "
    f"uc_deactivate_staff(text) TO {A}",
)
# functions that were executable by PUBLIC before (PostgreSQL's default for a new function)
PUBLIC_BEFORE = (
    "uc_append_only()", "uc_audit()", "uc_audit_log_immutable()", "uc_book_rules_guard()", "uc_check_version()",
    "uc_dispatch_fills_request()", "uc_dues_adjustments_guard()", "uc_dues_periods_guard()",
    "uc_dues_refuse_closed()", "uc_hall_today()", "uc_member_name_terms()", "uc_notify_change()",
    "uc_payment_allocations_check()", "uc_payment_batches_guard()", "uc_payments_before_insert()",
    "uc_remittance_lines_guard()", "uc_remittances_guard()",
)


def downgrade() -> None:
    # The staff functions keep their guarded bodies: they accept every call the 0013 ones accepted from staff.
    op.execute("DROP VIEW audit_trail")
    op.execute("DROP VIEW member_standing")
    op.execute(PREVIOUS_HALL_TODAY)  # pinned paths stay: they are harmless to 0013's code
    for function in NEW_FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
    _revoke_everything()
    for statement in OLD_GRANTS:
        op.execute(statement)
    op.execute(f"GRANT EXECUTE ON FUNCTION {', '.join(PUBLIC_BEFORE)} TO PUBLIC")
    _sequence_usage()
    op.execute("ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO PUBLIC")
    op.execute("""
        DO $$ BEGIN
            EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO PUBLIC', current_database());
        END $$""")
