"""Registration activity learns 'job_ended': a job's end that neither restores the old place nor rolls the
registration off (R6: the member must re-register by the deadline) is part of the referral history too.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BEFORE = ("sign_on", "re_sign", "resign", "exempt_start", "exempt_end", "dispatched", "restored", "roll_off",
          "mark_added", "mark_removed", "reregistered", "bid")
AFTER = (*BEFORE, "job_ended")
NAME = "ck_registration_activity_action_known"


def _check(actions: tuple[str, ...], *, not_valid: bool = False) -> None:
    op.execute(f"ALTER TABLE registration_activity DROP CONSTRAINT {NAME}")
    values = ", ".join(f"'{a}'" for a in actions)
    op.execute(f"ALTER TABLE registration_activity ADD CONSTRAINT {NAME} CHECK (action IN ({values}))"
               + (" NOT VALID" if not_valid else ""))


def upgrade() -> None:
    _check(AFTER)


def downgrade() -> None:
    # rows already holding 'job_ended' are history (the table is append-only): keep them, check new rows only
    _check(BEFORE, not_valid=True)
