"""Lighter offer lines, inside the locks a dispatch holds on its book.

A walk writes a line for every registrant it passes, and each line checked three foreign keys on its own: the
registration, the member (locking the member's row, which logs a WAL record and dirties its page) and the book.
One key over (registration, member, book) to the registration checks it in one lookup on a row the walk has
already locked, and says more: the line's member and book are the registration's. Skip lines carry no dispatch,
so the index that finds a dispatch's line leaves them out.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SINGLE_KEYS = (("registration_id", "registrations"), ("member_id", "members"), ("book_id", "books"))


def upgrade() -> None:
    op.create_unique_constraint("uq_registrations_id_member_id_book_id", "registrations",
                                ["id", "member_id", "book_id"])
    for column, table in SINGLE_KEYS:
        op.drop_constraint(f"fk_offer_lines_{column}_{table}", "offer_lines", type_="foreignkey")
    op.create_foreign_key("fk_offer_lines_registration_id_registrations", "offer_lines", "registrations",
                          ["registration_id", "member_id", "book_id"], ["id", "member_id", "book_id"])
    op.drop_index("ix_offer_lines_dispatch_id", table_name="offer_lines")
    op.create_index("ix_offer_lines_dispatch_id", "offer_lines", ["dispatch_id"],
                    postgresql_where="dispatch_id IS NOT NULL")


def downgrade() -> None:
    op.drop_index("ix_offer_lines_dispatch_id", table_name="offer_lines")
    op.create_index("ix_offer_lines_dispatch_id", "offer_lines", ["dispatch_id"])
    op.drop_constraint("fk_offer_lines_registration_id_registrations", "offer_lines", type_="foreignkey")
    for column, table in SINGLE_KEYS:
        op.create_foreign_key(f"fk_offer_lines_{column}_{table}", "offer_lines", table, [column], ["id"])
    op.drop_constraint("uq_registrations_id_member_id_book_id", "registrations", type_="unique")
