"""A labor request never starts before the hall's today, in the database too.

- uc_request_start_guard (labor_requests_start_not_past, BEFORE INSERT OR UPDATE OF start_on): a staff login's new
  request, or a changed start date, is refused when it is before uc_hall_today(); an edit that keeps the date of a
  request already started passes. The form and the services refuse it first with the same sentence
  (error_texts.START_BEFORE_TODAY). A CHECK cannot: the hall's today moves. Rows written before stay as they are.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

from unioncore_desktop.db import sql_sources

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

GUARD = "uc_request_start_guard()"
NEW_SOURCES = ("functions/uc_request_start_guard.sql",)
CHANGED_SOURCES = ("triggers/labor_requests.sql",)

REPLACED_SOURCES = {
    "triggers/labor_requests.sql": """-- Every trigger on labor_requests.

CREATE OR REPLACE TRIGGER labor_requests_audit AFTER INSERT OR UPDATE OR DELETE ON labor_requests
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER labor_requests_book_open BEFORE INSERT ON labor_requests
FOR EACH ROW EXECUTE FUNCTION uc_book_open_guard();

CREATE OR REPLACE TRIGGER labor_requests_notify AFTER INSERT OR UPDATE OR DELETE ON labor_requests
FOR EACH ROW EXECUTE FUNCTION uc_notify_change('book_id');

CREATE OR REPLACE TRIGGER labor_requests_version BEFORE UPDATE ON labor_requests
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
""",
}


def upgrade() -> None:
    sql_sources.apply(op.get_bind(), [*NEW_SOURCES, *CHANGED_SOURCES], revision=revision)
    op.execute(f"REVOKE ALL ON FUNCTION {GUARD} FROM PUBLIC")


def downgrade() -> None:
    op.execute("DROP TRIGGER labor_requests_start_not_past ON labor_requests")
    op.execute(f"DROP FUNCTION {GUARD}")
