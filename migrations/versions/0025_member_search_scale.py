"""Member search at a million members: name indexes on (last, first, id) and (first, last, id) with
text_pattern_ops, so a typed prefix is one index range read in the order search shows it, and prefix indexes on the
first phone's digits (phone_digits holds "phone|mobile") from the area code and from the local number. The
single-name indexes they replace are dropped.

Revision ID: 0025
Revises: 0021
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0025"
down_revision = "0021"
branch_labels = None
depends_on = None

PHONE = "split_part(phone_digits, '|', 1)"


def upgrade() -> None:
    op.execute("CREATE INDEX ix_members_last_first_key"
               " ON members (last_key text_pattern_ops, first_key text_pattern_ops, id)")
    op.execute("CREATE INDEX ix_members_first_last_key"
               " ON members (first_key text_pattern_ops, last_key text_pattern_ops, id)")
    op.execute(f"CREATE INDEX ix_members_phone_prefix ON members (({PHONE}) text_pattern_ops, id)")
    op.execute(f"CREATE INDEX ix_members_phone_local_prefix ON members ((right({PHONE}, 7)) text_pattern_ops, id)")
    op.drop_index("ix_members_first_key", table_name="members")
    op.drop_index("ix_members_last_key", table_name="members")


def downgrade() -> None:
    op.create_index("ix_members_last_key", "members", ["last_key"], unique=False)
    op.create_index("ix_members_first_key", "members", ["first_key"], unique=False)
    op.drop_index("ix_members_phone_local_prefix", table_name="members")
    op.drop_index("ix_members_phone_prefix", table_name="members")
    op.drop_index("ix_members_first_last_key", table_name="members")
    op.drop_index("ix_members_last_first_key", table_name="members")
