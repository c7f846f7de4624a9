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

STAFF_FUNCTIONS = r"""
CREATE FUNCTION uc_staff_roles_of(p_login text) RETURNS text[]
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT coalesce(array_agg(substr(g.rolname, 4) ORDER BY g.rolname), '{}')
    FROM pg_catalog.pg_auth_members AS m
    JOIN pg_catalog.pg_roles AS g ON g.oid = m.roleid
    JOIN pg_catalog.pg_roles AS r ON r.oid = m.member
    WHERE r.rolname = p_login
      AND g.rolname IN ('uc_dispatcher', 'uc_dues_clerk', 'uc_manager', 'uc_admin')
$$;

-- The one gate of staff administration: `p_login` must be (or become) one of the app's own staff logins.
CREATE FUNCTION uc_staff_guard(p_login text, p_must_be_staff boolean) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF p_login IS NULL OR p_login !~ '^[a-z_][a-z0-9_]{2,62}$' THEN
        RAISE EXCEPTION 'Logins are 3-63 lower-case letters, digits or underscores.';
    END IF;
    IF p_login LIKE 'uc\_%' OR p_login LIKE 'pg\_%' THEN
        RAISE EXCEPTION 'The login % is reserved for the server''s own roles; choose another.', p_login
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_must_be_staff AND NOT EXISTS (SELECT FROM staff WHERE login = p_login) THEN
        RAISE EXCEPTION 'No staff member has the login %.', p_login;
    END IF;
    SELECT * INTO r FROM pg_catalog.pg_roles WHERE rolname = p_login;
    IF NOT FOUND THEN
        IF p_must_be_staff THEN
            RAISE EXCEPTION 'The staff login % no longer exists on the server.', p_login;
        END IF;
        RETURN;
    END IF;
    IF r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls THEN
        RAISE EXCEPTION 'The login % is a server administrator role, not a staff login.', p_login
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF r.rolname = current_user
       OR r.oid = (SELECT datdba FROM pg_catalog.pg_database WHERE datname = current_database())
       OR EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = 'public' AND nspowner = r.oid)
       OR EXISTS (SELECT FROM pg_catalog.pg_class WHERE relnamespace = 'public'::regnamespace
                                                     AND relowner = r.oid) THEN
        RAISE EXCEPTION 'The login % owns the database or its schema; it cannot be a staff login.', p_login
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_auth_members WHERE roleid = r.oid) THEN
        RAISE EXCEPTION 'The role % is a group (other roles are its members), not a staff login.', p_login
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- a role that exists already is a staff login here, or of this app in another database on the server
    IF NOT EXISTS (SELECT FROM staff WHERE login = p_login)
       AND (NOT r.rolcanlogin OR cardinality(uc_staff_roles_of(p_login)) = 0) THEN
        RAISE EXCEPTION 'A role named % already exists on this server and is not a staff login; choose another.',
            p_login USING ERRCODE = 'insufficient_privilege';
    END IF;
END $$;

CREATE FUNCTION uc_audit_staff(p_login text, p_field text, p_old jsonb, p_new jsonb) RETURNS void
LANGUAGE sql SET search_path = public, pg_temp AS $$
    INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, changed_fields, member_id,
                           db_user, application_name, changed_at, transaction_id)
    SELECT 'staff', s.id::text, 'UPDATE', p_old, p_new, ARRAY[p_field], NULL,
           session_user, current_setting('application_name', true), clock_timestamp(), txid_current()
    FROM staff AS s WHERE s.login = p_login
$$;

CREATE FUNCTION uc_check_roles(p_roles text[]) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = public, pg_temp AS $$
DECLARE
    r text;
BEGIN
    IF p_roles IS NULL OR cardinality(p_roles) = 0 THEN
        RAISE EXCEPTION 'Give the staff member at least one role.';
    END IF;
    FOREACH r IN ARRAY p_roles LOOP
        IF r IS NULL OR r NOT IN ('dispatcher', 'dues_clerk', 'manager', 'admin') THEN
            RAISE EXCEPTION 'Unknown role "%": use dispatcher, dues_clerk, manager or admin.', r;
        END IF;
    END LOOP;
END $$;

CREATE FUNCTION uc_check_verifier(p_verifier text) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = public, pg_temp AS $$
BEGIN
    IF p_verifier IS NOT NULL AND p_verifier !~ '^SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$' THEN
        RAISE EXCEPTION 'Passwords reach the server only as SCRAM-SHA-256 verifiers, never as plain text.';
    END IF;
END $$;

-- refuses a change that would leave the hall without an active admin login
CREATE FUNCTION uc_check_admin_remains() RETURNS void
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM staff AS s JOIN pg_catalog.pg_roles AS r ON r.rolname = s.login
                   WHERE s.active AND r.rolcanlogin AND 'admin' = ANY (uc_staff_roles_of(s.login))) THEN
        RAISE EXCEPTION 'At least one active admin must remain; give someone else the admin role first.';
    END IF;
END $$;

CREATE OR REPLACE FUNCTION uc_create_staff(p_login text, p_full_name text, p_roles text[], p_password text)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    r text;
    staff_id integer;
    before text[];
BEGIN
    PERFORM uc_staff_guard(p_login, false);
    IF coalesce(btrim(p_full_name), '') = '' THEN
        RAISE EXCEPTION 'Give the staff member''s full name.';
    END IF;
    PERFORM uc_check_roles(p_roles);
    PERFORM uc_check_verifier(p_password);
    before := uc_staff_roles_of(p_login);
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = p_login) THEN
        IF p_password IS NULL THEN
            EXECUTE format('CREATE ROLE %I LOGIN', p_login);
        ELSE
            EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', p_login, p_password);
        END IF;
    ELSE
        EXECUTE format('ALTER ROLE %I LOGIN', p_login);
    END IF;
    FOREACH r IN ARRAY p_roles LOOP
        EXECUTE format('GRANT %I TO %I', 'uc_' || r, p_login);
    END LOOP;
    INSERT INTO staff (login, full_name) VALUES (p_login, btrim(p_full_name))
    ON CONFLICT (login) DO UPDATE
        SET full_name = EXCLUDED.full_name, active = true, version = staff.version + 1
    RETURNING id INTO staff_id;
    IF before IS DISTINCT FROM uc_staff_roles_of(p_login) THEN
        PERFORM uc_audit_staff(p_login, 'roles', jsonb_build_object('roles', before),
                               jsonb_build_object('roles', uc_staff_roles_of(p_login)));
    END IF;
    RETURN staff_id;
END $$;

CREATE OR REPLACE FUNCTION uc_set_staff_roles(p_login text, p_roles text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    r text;
    before text[];
BEGIN
    PERFORM uc_staff_guard(p_login, true);
    PERFORM uc_check_roles(p_roles);
    before := uc_staff_roles_of(p_login);
    FOREACH r IN ARRAY ARRAY['dispatcher', 'dues_clerk', 'manager', 'admin'] LOOP
        IF r = ANY (p_roles) THEN
            EXECUTE format('GRANT %I TO %I', 'uc_' || r, p_login);
        ELSIF r = ANY (before) THEN
            EXECUTE format('REVOKE %I FROM %I', 'uc_' || r, p_login);
        END IF;
    END LOOP;
    IF 'admin' = ANY (before) THEN
        PERFORM uc_check_admin_remains();
    END IF;
    IF before IS DISTINCT FROM uc_staff_roles_of(p_login) THEN
        PERFORM uc_audit_staff(p_login, 'roles', jsonb_build_object('roles', before),
                               jsonb_build_object('roles', uc_staff_roles_of(p_login)));
    END IF;
END $$;

CREATE OR REPLACE FUNCTION uc_deactivate_staff(p_login text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM uc_staff_guard(p_login, true);
    UPDATE staff SET active = false, version = version + 1 WHERE login = p_login AND active;
    EXECUTE format('ALTER ROLE %I NOLOGIN', p_login);
    PERFORM uc_check_admin_remains();
END $$;

CREATE FUNCTION uc_reactivate_staff(p_login text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM uc_staff_guard(p_login, true);
    UPDATE staff SET active = true, version = version + 1 WHERE login = p_login AND NOT active;
    EXECUTE format('ALTER ROLE %I LOGIN', p_login);
END $$;

CREATE FUNCTION uc_reset_staff_password(p_login text, p_verifier text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM uc_staff_guard(p_login, true);
    IF p_verifier IS NULL THEN
        RAISE EXCEPTION 'Give the new password.';
    END IF;
    PERFORM uc_check_verifier(p_verifier);
    EXECUTE format('ALTER ROLE %I PASSWORD %L', p_login, p_verifier);
    PERFORM uc_audit_staff(p_login, 'password', NULL, jsonb_build_object('password', 'reset'));
END $$;

-- Any staff member, for their own login only (session_user: a SECURITY DEFINER caller cannot pose as another).
CREATE FUNCTION uc_change_own_password(p_verifier text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM staff WHERE login = session_user AND active) THEN
        RAISE EXCEPTION 'Only an active staff login changes its password here.' USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM uc_staff_guard(session_user, true);
    IF p_verifier IS NULL THEN
        RAISE EXCEPTION 'Give the new password.';
    END IF;
    PERFORM uc_check_verifier(p_verifier);
    EXECUTE format('ALTER ROLE %I PASSWORD %L', session_user, p_verifier);
    PERFORM uc_audit_staff(session_user, 'password', NULL, jsonb_build_object('password', 'changed'));
END $$;
"""

NEW_FUNCTIONS = (
    "uc_staff_roles_of(text)", "uc_staff_guard(text, boolean)", "uc_audit_staff(text, text, jsonb, jsonb)",
    "uc_check_roles(text[])", "uc_check_verifier(text)", "uc_check_admin_remains()", "uc_reactivate_staff(text)",
    "uc_reset_staff_password(text, text)", "uc_change_own_password(text)",
)

VIEWS = """
-- Standing without amounts, for the dispatch counter and the walk's arrears hold.
CREATE VIEW member_standing AS
SELECT member_id, standing, months_behind, paid_through FROM dues_member_standing;

-- The audit trail a staff member may read: only rows of tables the reader may read anyway. A security barrier, so
-- a reader's own conditions never run on rows the view holds back (an error message could show their values).
CREATE VIEW audit_trail WITH (security_barrier) AS
SELECT a.* FROM audit_log AS a
WHERE has_table_privilege(to_regclass('public.' || quote_ident(a.table_name)), 'SELECT');
"""


# A SET clause costs every call a search_path switch; on the dispatch path that was a tenth of the throughput.
# These functions need none: the trigger bodies name no table, view or type at all (a test checks that), and
# uc_hall_today has a standard SQL body, bound to public.app_settings when it is created.
UNPINNED = ("uc_check_version()", "uc_notify_change()", "uc_append_only()", "uc_audit_log_immutable()",
            "uc_hall_today()")
HALL_TODAY = """
CREATE OR REPLACE FUNCTION uc_hall_today() RETURNS date LANGUAGE sql STABLE
RETURN (now() AT TIME ZONE coalesce(
    (SELECT s.value FROM public.app_settings AS s WHERE s.key = 'time_zone'), 'America/Los_Angeles'))::date
"""
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
    op.execute(STAFF_FUNCTIONS)
    op.execute(VIEWS)
    op.execute(HALL_TODAY)
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
