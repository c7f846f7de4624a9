"""A member's dispatch profile is the manager's and is announced: qualified books, skills and certifications and
employer exclusions notify the other workstations, a skill needs a name and an exclusion a reason, and
dispatchers no longer write skills (domain §6: they keep contact details only; a certification decides who a
specialty call may reach, as a qualified book decides who may sign a book).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

from unioncore_desktop.db import sql_sources

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

TABLES = ("member_qualified_books", "member_skills", "member_exclusions")
SOURCES = tuple(f"triggers/{table}.sql" for table in TABLES)
CHECKS = (("member_skills", "ck_member_skills_name_present", "length(btrim(name)) > 0"),
          ("member_exclusions", "ck_member_exclusions_reason_present", "length(btrim(reason)) > 0"))

REPLACED_SOURCES = {
    "triggers/member_qualified_books.sql": """-- Every trigger on member_qualified_books.

CREATE OR REPLACE TRIGGER member_qualified_books_audit AFTER INSERT OR UPDATE OR DELETE ON member_qualified_books
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');
""",
    "triggers/member_skills.sql": """-- Every trigger on member_skills.

CREATE OR REPLACE TRIGGER member_skills_audit AFTER INSERT OR UPDATE OR DELETE ON member_skills
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');
""",
    "triggers/member_exclusions.sql": """-- Every trigger on member_exclusions.

CREATE OR REPLACE TRIGGER member_exclusions_audit AFTER INSERT OR UPDATE OR DELETE ON member_exclusions
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');
""",
}


def upgrade() -> None:
    for table, name, condition in CHECKS:
        op.create_check_constraint(op.f(name), table, condition)
    sql_sources.apply(op.get_bind(), SOURCES, revision=revision)
    op.execute("REVOKE INSERT, UPDATE, DELETE ON member_skills FROM uc_dispatcher")
    op.execute("REVOKE USAGE ON SEQUENCE member_skills_id_seq FROM uc_dispatcher")


def downgrade() -> None:
    op.execute("GRANT INSERT, UPDATE, DELETE ON member_skills TO uc_dispatcher")
    op.execute("GRANT USAGE ON SEQUENCE member_skills_id_seq TO uc_dispatcher")
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_notify ON {table}")
    sql_sources.apply(op.get_bind(), SOURCES, revision=down_revision)
    for table, name, _condition in CHECKS:
        op.drop_constraint(op.f(name), table, type_="check")
