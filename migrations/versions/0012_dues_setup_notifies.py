"""Dues months, rates and charges tell the other workstations when they change, as payments already do.

A month closed, a rate set or a month's charges generated at one desk should reach the ledgers and checklists
open at the others. One notification per statement, with no key ("anything of this kind may have changed"):
generating charges writes a row per member, and a notification per row would send thousands.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLES = ("dues_periods", "dues_rates", "dues_charges")


def upgrade() -> None:
    for table in TABLES:
        # statement level: NEW is null, so the payload's key is null
        op.execute(f"""
            CREATE TRIGGER {table}_notify AFTER INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION uc_notify_change('id')
        """)


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_notify ON {table}")
