"""Book rule settings in force never change: the database refuses it for every staff login.

A rule set applies from its effective date; referral decisions made under it (drops, marks, restorations) must
stay explainable, so a row whose date has come (effective_from <= the hall's today) can be neither updated nor
deleted, a new row cannot start before today, and a row keeps its book. Scheduled rows (effective later) may be
edited or cancelled, so managers and admins get DELETE. The schema owner (migrations, the demo seed and tests
building history, the admin CLI) is exempt, as it is from every grant; staff logins are never the owner.
Changes notify other workstations keyed by book, like the registrations they govern.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The errors carry constraint names so db/errors.py maps them to the form's date field.
    op.execute("""
        CREATE FUNCTION uc_book_rules_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            today date;
        BEGIN
            IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
                RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
            END IF;
            today := uc_hall_today();
            IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.effective_from <= today THEN
                RAISE EXCEPTION 'The settings from % are in force or past; they cannot be changed or removed.',
                    OLD.effective_from
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_book_rules_in_force_unchanged';
            END IF;
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            IF TG_OP = 'UPDATE' AND NEW.book_id IS DISTINCT FROM OLD.book_id THEN
                RAISE EXCEPTION 'Rule settings belong to their book; schedule settings on the other book instead.'
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_book_rules_book_unchanged';
            END IF;
            IF NEW.effective_from < today THEN
                RAISE EXCEPTION 'Settings take effect from today (%) or later.', today
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_book_rules_effective_from_not_past';
            END IF;
            RETURN NEW;
        END $$
    """)
    op.execute("""
        CREATE TRIGGER book_rules_guard BEFORE INSERT OR UPDATE OR DELETE ON book_rules
        FOR EACH ROW EXECUTE FUNCTION uc_book_rules_guard();
        CREATE TRIGGER book_rules_notify AFTER INSERT OR UPDATE OR DELETE ON book_rules
        FOR EACH ROW EXECUTE FUNCTION uc_notify_change('book_id');
    """)
    op.execute("GRANT DELETE ON book_rules TO uc_manager, uc_admin")


def downgrade() -> None:
    op.execute("REVOKE DELETE ON book_rules FROM uc_manager, uc_admin")
    op.execute("DROP TRIGGER book_rules_notify ON book_rules")
    op.execute("DROP TRIGGER book_rules_guard ON book_rules")
    op.execute("DROP FUNCTION uc_book_rules_guard()")
