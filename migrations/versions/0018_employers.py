"""Employers are kept in the app: every write to an employer, its worksites, contacts and contracts is announced to
the other workstations (uc_change), as books and requests are, so an open employer screen reloads in place.

The rows were audited already (uc_audit); this adds the notify trigger to each table's source. An employer's row
sends its id, the other three their employer_id (domain/changes.py: kinds "employer" and "employer_detail").

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

from unioncore_desktop.db import sql_sources

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

TABLES = ("employers", "worksites", "employer_contacts", "employer_contracts")
SOURCES = tuple(f"triggers/{table}.sql" for table in TABLES)

REPLACED_SOURCES = {
    "triggers/employers.sql": """-- Every trigger on employers.

CREATE OR REPLACE TRIGGER employers_audit AFTER INSERT OR UPDATE OR DELETE ON employers
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER employers_version BEFORE UPDATE ON employers
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
""",
    "triggers/worksites.sql": """-- Every trigger on worksites.

CREATE OR REPLACE TRIGGER worksites_audit AFTER INSERT OR UPDATE OR DELETE ON worksites
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER worksites_version BEFORE UPDATE ON worksites
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
""",
    "triggers/employer_contacts.sql": """-- Every trigger on employer_contacts.

CREATE OR REPLACE TRIGGER employer_contacts_audit AFTER INSERT OR UPDATE OR DELETE ON employer_contacts
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER employer_contacts_version BEFORE UPDATE ON employer_contacts
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
""",
    "triggers/employer_contracts.sql": """-- Every trigger on employer_contracts.

CREATE OR REPLACE TRIGGER employer_contracts_audit AFTER INSERT OR UPDATE OR DELETE ON employer_contracts
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER employer_contracts_version BEFORE UPDATE ON employer_contracts
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
""",
}


def upgrade() -> None:
    sql_sources.apply(op.get_bind(), SOURCES, revision=revision)


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_notify ON {table}")
    sql_sources.apply(op.get_bind(), SOURCES, revision=down_revision)
