"""Books and staff set up from the app.

- uc_book_open_guard: a retired book takes no sign-ons and no requests, for every staff login (registrations and
  labor_requests refuse the insert), and retiring waits for or is seen by a sign-on in flight (the book's row lock).
- books and staff notify their changes (uc_change, keyed by id), so other workstations' book pickers and staff lists
  reload.
- audit_log gets an index on (db_user, changed_at): a staff member's recent activity, newest first.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

from unioncore_desktop.db import sql_sources

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

NEW_SOURCES = ("functions/uc_book_open_guard.sql",)
CHANGED_SOURCES = ("triggers/books.sql", "triggers/labor_requests.sql", "triggers/registrations.sql",
                   "triggers/staff.sql")
NEW_TRIGGERS = (("registrations_book_open", "registrations"), ("labor_requests_book_open", "labor_requests"),
                ("books_notify", "books"), ("staff_notify", "staff"))

REPLACED_SOURCES = {
    "triggers/books.sql": """-- Every trigger on books.

CREATE OR REPLACE TRIGGER books_audit AFTER INSERT OR UPDATE OR DELETE ON books
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER books_version BEFORE UPDATE ON books
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
""",
    "triggers/labor_requests.sql": """-- Every trigger on labor_requests.

CREATE OR REPLACE TRIGGER labor_requests_audit AFTER INSERT OR UPDATE OR DELETE ON labor_requests
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER labor_requests_notify AFTER INSERT OR UPDATE OR DELETE ON labor_requests
FOR EACH ROW EXECUTE FUNCTION uc_notify_change('book_id');

CREATE OR REPLACE TRIGGER labor_requests_version BEFORE UPDATE ON labor_requests
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
""",
    "triggers/registrations.sql": """-- Every trigger on registrations.

CREATE OR REPLACE TRIGGER registrations_audit AFTER INSERT OR UPDATE OR DELETE ON registrations
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER registrations_notify AFTER INSERT OR UPDATE OR DELETE ON registrations
FOR EACH ROW EXECUTE FUNCTION uc_notify_change('book_id');

CREATE OR REPLACE TRIGGER registrations_version BEFORE UPDATE ON registrations
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
""",
    "triggers/staff.sql": """-- Every trigger on staff.

CREATE OR REPLACE TRIGGER staff_audit AFTER INSERT OR UPDATE OR DELETE ON staff
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER staff_version BEFORE UPDATE ON staff
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
""",
}


def upgrade() -> None:
    bind = op.get_bind()
    sql_sources.apply(bind, [*NEW_SOURCES, *CHANGED_SOURCES], revision=revision)
    op.execute("REVOKE ALL ON FUNCTION uc_book_open_guard() FROM PUBLIC")
    op.create_index("ix_audit_log_db_user_changed_at", "audit_log", ["db_user", "changed_at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_db_user_changed_at", table_name="audit_log")
    for trigger, table in NEW_TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger} ON {table}")
    op.execute("DROP FUNCTION uc_book_open_guard()")
