"""Imports from a hall's old system: remembered column mappings (import_column_maps), the record of every import run
(import_runs, audited: the run's own audit row), UNLOGGED staging tables the admin's import copies checked rows
into, and one SECURITY DEFINER function per entity that writes the staged rows set-based (the admin group holds
no write on members, books or employment; the functions check the caller and the audit triggers name them).

Revision ID: 0024
Revises: 0022
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from unioncore_desktop.db import sql_sources

revision = "0024"
down_revision = "0022"
branch_labels = None
depends_on = None

NAMES = ("members", "employers", "registrations", "employment", "dues")
ENTITIES = ", ".join(f"'{name}'" for name in NAMES)
STAGES = tuple(f"import_stage_{name}" for name in NAMES)
FUNCTIONS = tuple(f"uc_import_{name}(uuid)" for name in NAMES)
SOURCES = (*(f"functions/uc_import_{name}.sql" for name in NAMES),
           "triggers/import_column_maps.sql", "triggers/import_runs.sql")


def _staged(name: str, *columns: sa.Column) -> None:
    op.create_table(
        name,
        sa.Column("run_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        *columns,
        sa.PrimaryKeyConstraint("run_id", "line_no", name=op.f(f"pk_{name}")),
        prefixes=["UNLOGGED"],
    )


def _text(name: str, length: int, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.String(length=length), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "import_column_maps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("header_signature", sa.String(length=16), nullable=False),
        sa.Column("headers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("mapping", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("length(btrim(source)) > 0", name=op.f("ck_import_column_maps_source_present")),
        sa.CheckConstraint(f"entity IN ({ENTITIES})", name=op.f("ck_import_column_maps_entity_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_column_maps")),
        sa.UniqueConstraint("source", "entity", "header_signature",
                            name=op.f("uq_import_column_maps_source_entity_header_signature")),
    )
    op.create_table(
        "import_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("file_name", sa.String(length=260), nullable=False),
        sa.Column("header_signature", sa.String(length=16), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("summary", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("rejections", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("source_order", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("run_by", sa.String(length=63), server_default=sa.text("session_user"), nullable=False),
        sa.Column("run_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(f"entity IN ({ENTITIES})", name=op.f("ck_import_runs_entity_known")),
        sa.CheckConstraint("rows_read >= 0 AND created >= 0 AND updated >= 0 AND unchanged >= 0 AND rejected >= 0",
                           name=op.f("ck_import_runs_counts_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
    )
    op.create_index("ix_import_runs_entity_run_at", "import_runs", ["entity", "run_at"], unique=False)
    _staged("import_stage_members",
            _text("card_number", 12, False), _text("first_name", 60, False), _text("middle_name", 60),
            _text("last_name", 60, False), _text("suffix", 10), _text("classification", 20, False),
            _text("status", 20), _text("card_type", 4), _text("home_local", 10), _text("address_line1", 120),
            _text("address_line2", 120), _text("city", 60), _text("state", 2), _text("postal_code", 10),
            _text("phone", 20), _text("mobile_phone", 20), _text("email", 120),
            sa.Column("date_of_birth", sa.Date(), nullable=True),
            sa.Column("initiation_date", sa.Date(), nullable=True))
    _staged("import_stage_employers",
            sa.Column("employer_id", sa.Integer(), nullable=True),
            sa.Column("name_key", sa.Text(), nullable=False), _text("name", 120, False),
            _text("address_line1", 120), _text("city", 60), _text("state", 2), _text("postal_code", 10),
            _text("phone", 20), _text("email", 120), _text("contract_code", 30),
            sa.Column("contract_effective", sa.Date(), nullable=True),
            sa.Column("contract_expires", sa.Date(), nullable=True),
            _text("worksite_name", 120), _text("worksite_address", 120), _text("worksite_city", 60),
            _text("worksite_region", 40), _text("contact_name", 120), _text("contact_title", 80),
            _text("contact_phone", 20), _text("contact_email", 120), _text("outcome", 10))
    _staged("import_stage_registrations",
            sa.Column("member_id", sa.Integer(), nullable=False),
            sa.Column("book_id", sa.Integer(), nullable=False),
            sa.Column("position", sa.Integer(), nullable=False),
            sa.Column("tier", sa.SmallInteger(), nullable=False),
            sa.Column("apn", sa.Numeric(precision=10, scale=2), nullable=False),
            sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
            _text("method", 10),
            sa.Column("last_resign_on", sa.Date(), nullable=True),
            sa.Column("resign_due_on", sa.Date(), nullable=True),
            sa.Column("check_marks", sa.SmallInteger(), nullable=False),
            _text("exemption_reason", 20),
            sa.Column("exemption_start", sa.Date(), nullable=True),
            sa.Column("exemption_end", sa.Date(), nullable=True),
            sa.Column("registration_id", sa.Integer(), nullable=True),
            _text("outcome", 10))
    _staged("import_stage_employment",
            sa.Column("member_id", sa.Integer(), nullable=False),
            sa.Column("employer_id", sa.Integer(), nullable=False),
            _text("job_class", 40),
            sa.Column("started_on", sa.Date(), nullable=False),
            sa.Column("ended_on", sa.Date(), nullable=True),
            _text("termination_reason", 20),
            sa.Column("days_worked", sa.Integer(), nullable=True),
            sa.Column("hours_worked", sa.Numeric(precision=8, scale=2), nullable=True),
            _text("outcome", 10),
            sa.Column("history_id", sa.BigInteger(), nullable=True),
            sa.Column("changed", postgresql.ARRAY(sa.Text()), nullable=True))
    _staged("import_stage_dues",
            sa.Column("member_id", sa.Integer(), nullable=False),
            sa.Column("paid_through", sa.Date(), nullable=False),
            sa.Column("balance", sa.Numeric(precision=12, scale=2), nullable=False),
            _text("outcome", 10))
    sql_sources.apply(op.get_bind(), SOURCES, revision=revision)
    for function in FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO uc_admin")
    op.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON import_column_maps TO uc_admin")
    op.execute("GRANT SELECT ON import_column_maps, import_runs TO uc_manager")
    op.execute("GRANT SELECT, INSERT ON import_runs TO uc_admin")
    op.execute("GRANT USAGE ON SEQUENCE import_column_maps_id_seq, import_runs_id_seq TO uc_admin")
    op.execute(f"GRANT INSERT ON {', '.join(STAGES)} TO uc_admin")


def downgrade() -> None:
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
    for table in (*STAGES, "import_runs", "import_column_maps"):
        op.drop_table(table)
