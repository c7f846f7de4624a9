"""Member search at a million members: name indexes on (last, first, id) and (first, last, id) with
text_pattern_ops, so a typed prefix is one index range read in the order search shows it, and prefix indexes on the
first phone's digits (phone_digits holds "phone|mobile") from the area code and from the local number. The
single-name indexes they replace are dropped, and so is the trigram index on search_text, which no query reads any
more (it cost every member write a GiST update). Each carries the status (the phone ones also the digits they are
computed from, which the planner asks for), so a search narrowed by status is still read from the index alone.
The vocabulary of names in use (name_terms) gets a prefix index, so the names a typed word begins are one range of
it rather than a LIKE over every name.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

PHONE = "split_part(phone_digits, '|', 1)"


def upgrade() -> None:
    op.execute("CREATE INDEX ix_members_last_first_key"
               " ON members (last_key text_pattern_ops, first_key text_pattern_ops, id) INCLUDE (status)")
    op.execute("CREATE INDEX ix_members_first_last_key"
               " ON members (first_key text_pattern_ops, last_key text_pattern_ops, id) INCLUDE (status)")
    op.execute(f"CREATE INDEX ix_members_phone_prefix"
               f" ON members (({PHONE}) text_pattern_ops, id) INCLUDE (status, phone_digits)")
    op.execute(f"CREATE INDEX ix_members_phone_local_prefix"
               f" ON members ((right({PHONE}, 7)) text_pattern_ops, id) INCLUDE (status, phone_digits)")
    op.create_index("ix_name_terms_prefix", "name_terms", ["term"], postgresql_ops={"term": "text_pattern_ops"})
    op.drop_index("ix_members_first_key", table_name="members")
    op.drop_index("ix_members_last_key", table_name="members")
    op.drop_index("ix_members_search_text_trgm", table_name="members")


def downgrade() -> None:
    op.create_index("ix_members_search_text_trgm", "members", ["search_text"], unique=False, postgresql_using="gist",
                    postgresql_ops={"search_text": "gist_trgm_ops"})
    op.drop_index("ix_name_terms_prefix", table_name="name_terms")
    op.create_index("ix_members_last_key", "members", ["last_key"], unique=False)
    op.create_index("ix_members_first_key", "members", ["first_key"], unique=False)
    op.drop_index("ix_members_phone_local_prefix", table_name="members")
    op.drop_index("ix_members_phone_prefix", table_name="members")
    op.drop_index("ix_members_first_last_key", table_name="members")
    op.drop_index("ix_members_last_first_key", table_name="members")
