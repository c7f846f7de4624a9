"""R1 in the database, and staff changes outside the staff row announced.

- uc_registration_office_guard (registrations_office_named): a sign-on or re-registration in person names its office
  when the hall has several, for every staff login; the services and the sign-on dialog refuse it first with the same
  sentence (error_texts.OFFICE_NOT_NAMED). Rows written before stay as they are.
- uc_audit_staff also notifies `uc_change` for the staff row (with `what` changed), so role changes and password
  resets reach other workstations as `staff` changes, like deactivation and reactivation, which update the row.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

from unioncore_desktop.db import sql_sources

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

GUARD = "uc_registration_office_guard()"
NEW_SOURCES = ("functions/uc_registration_office_guard.sql",)
CHANGED_SOURCES = ("triggers/registrations.sql", "functions/uc_audit_staff.sql")

REPLACED_SOURCES = {
    "triggers/registrations.sql": """-- Every trigger on registrations.

CREATE OR REPLACE TRIGGER registrations_audit AFTER INSERT OR UPDATE OR DELETE ON registrations
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER registrations_book_open BEFORE INSERT ON registrations
FOR EACH ROW EXECUTE FUNCTION uc_book_open_guard();

CREATE OR REPLACE TRIGGER registrations_notify AFTER INSERT OR UPDATE OR DELETE ON registrations
FOR EACH ROW EXECUTE FUNCTION uc_notify_change('book_id');

CREATE OR REPLACE TRIGGER registrations_version BEFORE UPDATE ON registrations
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
""",
    "functions/uc_audit_staff.sql": """-- An audit row for a staff change made outside the staff table (roles, passwords).
CREATE OR REPLACE FUNCTION uc_audit_staff(p_login text, p_field text, p_old jsonb, p_new jsonb) RETURNS void
LANGUAGE sql SET search_path = public, pg_temp AS $$
    INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, changed_fields, member_id,
                           db_user, application_name, changed_at, transaction_id)
    SELECT 'staff', s.id::text, 'UPDATE', p_old, p_new, ARRAY[p_field], NULL,
           session_user, current_setting('application_name', true), clock_timestamp(), txid_current()
    FROM staff AS s WHERE s.login = p_login
$$;
""",
}


def upgrade() -> None:
    sql_sources.apply(op.get_bind(), [*NEW_SOURCES, *CHANGED_SOURCES], revision=revision)
    op.execute(f"REVOKE ALL ON FUNCTION {GUARD} FROM PUBLIC")


def downgrade() -> None:
    op.execute("DROP TRIGGER registrations_office_named ON registrations")
    op.execute(f"DROP FUNCTION {GUARD}")
    sql_sources.apply(op.get_bind(), ["functions/uc_audit_staff.sql"], revision=down_revision)
