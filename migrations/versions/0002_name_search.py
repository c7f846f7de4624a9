"""Member search vocabulary: lower-cased name keys and the table of names in use.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

GROUPS = "uc_dispatcher, uc_dues_clerk, uc_manager, uc_admin"


def upgrade() -> None:
    op.create_table(
        "name_terms",
        sa.Column("term", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_name_terms")),
    )
    op.add_column("members", sa.Column("first_key", sa.Text(), sa.Computed("lower((first_name)::text)", persisted=True),
                                       nullable=False))
    op.add_column("members", sa.Column("last_key", sa.Text(), sa.Computed("lower((last_name)::text)", persisted=True),
                                       nullable=False))
    op.create_index("ix_members_card_number_prefix", "members", ["card_number"], unique=False,
                    postgresql_ops={"card_number": "varchar_pattern_ops"})
    op.create_index("ix_members_first_key", "members", ["first_key"], unique=False)
    op.create_index("ix_members_last_key", "members", ["last_key"], unique=False)
    # Names only ever join the vocabulary: a name nobody uses any more matches no member and costs nothing.
    op.execute("""
        CREATE FUNCTION uc_refresh_name_terms() RETURNS void
        LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
            INSERT INTO name_terms (term)
            SELECT DISTINCT lower(t) FROM members, LATERAL unnest(ARRAY[first_name, middle_name, last_name]) AS t
            WHERE t IS NOT NULL
            ON CONFLICT DO NOTHING
        $$
    """)
    op.execute("""
        CREATE FUNCTION uc_member_name_terms() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        BEGIN
            INSERT INTO name_terms (term)
            SELECT lower(t) FROM unnest(ARRAY[NEW.first_name, NEW.middle_name, NEW.last_name]) AS t
            WHERE t IS NOT NULL
            ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $$
    """)
    op.execute("""
        CREATE TRIGGER members_name_terms AFTER INSERT OR UPDATE OF first_name, middle_name, last_name ON members
        FOR EACH ROW EXECUTE FUNCTION uc_member_name_terms()
    """)
    op.execute("SELECT uc_refresh_name_terms()")
    op.execute("REVOKE ALL ON name_terms FROM PUBLIC")
    op.execute(f"GRANT SELECT ON name_terms TO {GROUPS}")
    op.execute("REVOKE ALL ON FUNCTION uc_refresh_name_terms() FROM PUBLIC")


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS members_name_terms ON members")
    op.execute("DROP FUNCTION IF EXISTS uc_member_name_terms()")
    op.execute("DROP FUNCTION IF EXISTS uc_refresh_name_terms()")
    op.drop_index("ix_members_last_key", table_name="members")
    op.drop_index("ix_members_first_key", table_name="members")
    op.drop_index("ix_members_card_number_prefix", table_name="members")
    op.drop_column("members", "last_key")
    op.drop_column("members", "first_key")
    op.drop_table("name_terms")
