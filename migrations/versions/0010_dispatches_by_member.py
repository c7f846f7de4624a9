"""Dispatches by member: the walk asks of every registrant it reads whether they are out or were sent today, and
how often they were discharged this year (R12). Without an index on the member those questions scan the whole
dispatch table, once per walk and again per registrant.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_dispatches_member_id", "dispatches", ["member_id"])


def downgrade() -> None:
    op.drop_index("ix_dispatches_member_id", table_name="dispatches")
