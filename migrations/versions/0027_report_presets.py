"""Saved report parameters per staff member, and the report-run log read by who may read it.

- report_presets: a login's named parameters for one report (jsonb), at most one its default for that report
  (a partial unique index), names unique per owner and report. Row-level security: every login sees, writes and
  deletes only rows whose owner is its own session user, and the owner defaults to it; column grants leave the
  owner and the report unchangeable. Audited, versioned and notified like its siblings; the audit trail shows a
  preset's rows only to its owner (the manager still reads the raw audit log).
- report_runs: which report of the Reports screen a run was (`report`, the catalog's key; null for a list, slip or
  receipt), an index for one login's runs, a notify per insert so an open run log reloads, and row-level security:
  a login reads its own runs and a manager everyone's (domain §6: the manager reads everything; a dispatcher has no
  business reading what a dues clerk printed), and nobody logs a run under another login.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from unioncore_desktop.db import sql_sources

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

GROUPS = "uc_dispatcher, uc_dues_clerk, uc_manager"  # every group the Reports screen offers a report to
NEW_SOURCES = ("triggers/report_presets.sql",)
CHANGED_SOURCES = ("views/audit_trail.sql", "triggers/report_runs.sql")

REPLACED_SOURCES = {
    "views/audit_trail.sql": """-- The audit trail a staff member may read: only rows of tables the reader may read anyway. A security barrier, so
-- a reader's own conditions never run on rows the view holds back (an error message could show their values).
CREATE OR REPLACE VIEW audit_trail WITH (security_barrier) AS
SELECT a.* FROM audit_log AS a
WHERE has_table_privilege(to_regclass('public.' || quote_ident(a.table_name)), 'SELECT');
""",
    "triggers/report_runs.sql": """-- Every trigger on report_runs.

CREATE OR REPLACE TRIGGER report_runs_append_only BEFORE UPDATE OR DELETE ON report_runs
FOR EACH ROW EXECUTE FUNCTION uc_append_only();

CREATE OR REPLACE TRIGGER report_runs_no_truncate BEFORE TRUNCATE ON report_runs
FOR EACH STATEMENT EXECUTE FUNCTION uc_append_only();
""",
}

POLICIES = (
    "ALTER TABLE report_presets ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY report_presets_own ON report_presets "
    "USING (owner = session_user::text) WITH CHECK (owner = session_user::text)",
    "ALTER TABLE report_runs ENABLE ROW LEVEL SECURITY",
    "CREATE POLICY report_runs_read ON report_runs FOR SELECT "
    "USING (run_by = session_user::text OR (SELECT pg_has_role(session_user, 'uc_manager', 'MEMBER')))",
    "CREATE POLICY report_runs_log ON report_runs FOR INSERT WITH CHECK (run_by = session_user::text)",
)


def upgrade() -> None:
    op.create_table(
        "report_presets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=63), server_default=sa.text("session_user"), nullable=False),
        sa.Column("report", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("parameters", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("is_default", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("length(btrim(name)) > 0 AND name = btrim(name)", name=op.f("ck_report_presets_name_present")),
        sa.CheckConstraint("length(btrim(report)) > 0", name=op.f("ck_report_presets_report_present")),
        sa.CheckConstraint("jsonb_typeof(parameters) = 'object'", name=op.f("ck_report_presets_parameters_object")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_presets")),
        sa.UniqueConstraint("owner", "report", "name", name=op.f("uq_report_presets_owner_report_name")),
    )
    op.create_index("ux_report_presets_owner_report_default", "report_presets", ["owner", "report"], unique=True,
                    postgresql_where=sa.text("is_default"))
    op.add_column("report_runs", sa.Column("report", sa.String(length=40), nullable=True))
    op.create_index("ix_report_runs_run_by_run_at", "report_runs", ["run_by", "run_at"], unique=False)
    sql_sources.apply(op.get_bind(), [*NEW_SOURCES, *CHANGED_SOURCES], revision=revision)
    for statement in POLICIES:
        op.execute(statement)
    op.execute(f"GRANT SELECT, INSERT, DELETE, UPDATE (name, parameters, is_default, version) "
               f"ON report_presets TO {GROUPS}")
    op.execute(f"GRANT USAGE ON SEQUENCE report_presets_id_seq TO {GROUPS}")


def downgrade() -> None:
    op.execute("DROP POLICY report_runs_log ON report_runs")
    op.execute("DROP POLICY report_runs_read ON report_runs")
    op.execute("ALTER TABLE report_runs DISABLE ROW LEVEL SECURITY")
    op.execute("DROP TRIGGER report_runs_notify ON report_runs")
    sql_sources.apply(op.get_bind(), CHANGED_SOURCES, revision=down_revision)
    op.drop_index("ix_report_runs_run_by_run_at", table_name="report_runs")
    op.drop_column("report_runs", "report")
    op.drop_table("report_presets")
