"""Requests expire: a per-book setting (book_rules.expire_unfilled, off by default), the time and reason an expired
request carries (a CHECK holds them present), and uc_expire_requests, the one write that expires what is due, run by
dispatchers' and managers' screens and by `unioncore requests expire`.

Requests the demo seed or an import marked expired before this revision get their time and a reason saying so.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from unioncore_desktop.db import sql_sources

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

EXPIRE = "uc_expire_requests()"
SOURCES = ("functions/uc_expire_requests.sql",)


def upgrade() -> None:
    op.add_column("book_rules", sa.Column("expire_unfilled", sa.Boolean(), server_default=sa.text("false"),
                                          nullable=False))
    op.add_column("labor_requests", sa.Column("expired_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("labor_requests", sa.Column("expiry_reason", sa.Text(), nullable=True))
    op.execute("""
        UPDATE labor_requests SET expired_at = updated_at, version = version + 1,
               expiry_reason = 'Expired before expiry reasons were recorded.'
        WHERE status = 'expired'
    """)
    op.create_check_constraint(
        op.f("ck_labor_requests_expiry_recorded"), "labor_requests",
        "status <> 'expired' OR (expired_at IS NOT NULL AND length(btrim(expiry_reason)) > 0)")
    sql_sources.apply(op.get_bind(), SOURCES, revision=revision)
    op.execute(f"REVOKE ALL ON FUNCTION {EXPIRE} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {EXPIRE} TO uc_dispatcher, uc_manager")


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {EXPIRE}")
    op.drop_constraint(op.f("ck_labor_requests_expiry_recorded"), "labor_requests", type_="check")
    op.drop_column("labor_requests", "expiry_reason")
    op.drop_column("labor_requests", "expired_at")
    op.drop_column("book_rules", "expire_unfilled")
