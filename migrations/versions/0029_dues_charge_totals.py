"""Each charge's owed and paid amounts kept as the ledger grows, so the hall's standing is read without summing
every payment application again (the managers' arrears list read 81,000 charges and their applications per run).

- dues_charge_totals: one row per charge (its member and month copied), owed = amount + approved adjustments, paid =
  its applications. Kept by statement triggers on dues_charges, payment_allocations and dues_adjustments
  (uc_dues_charge_totals, SECURITY DEFINER); no login may write it. It is filled here from the ledger.
- The check that no month is paid past what it owes moves from uc_payment_allocations_check to the trigger that
  adds to the month's paid amount, which updates the month's row under its row lock: two concurrent applications
  to one month now add up, and the second sees the first.
- dues_charge_ledger: the same figures summed from the ledger (the old dues_charge_balances), which the integrity
  check compares with the kept ones, and uc_rebuild_dues_charge_totals writes back (the seed, which writes the ledger
  with triggers off, and the check's repair).
- dues_charge_balances, dues_member_standing and the adjustments guard read the kept totals.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from unioncore_desktop.db import sql_sources

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

NEW_SOURCES = ("views/dues_charge_ledger.sql", "functions/uc_dues_charge_totals.sql",
               "functions/uc_rebuild_dues_charge_totals.sql")
CHANGED_SOURCES = ("functions/uc_dues_adjustments_guard.sql", "functions/uc_payment_allocations_check.sql",
                   "views/dues_charge_balances.sql", "views/dues_member_standing.sql",
                   "triggers/dues_adjustments.sql", "triggers/dues_charges.sql", "triggers/payment_allocations.sql")
NEW_TRIGGERS = (("dues_charges_totals", "dues_charges"), ("payment_allocations_totals", "payment_allocations"),
                ("dues_adjustments_totals", "dues_adjustments"))
MONEY_READERS = "uc_dues_clerk, uc_manager"

REPLACED_SOURCES = {
    "functions/uc_dues_adjustments_guard.sql": """-- Adjustments: requested and decided by session_user (never by the same person: a CHECK), never deleted, decided
-- once; an approval may not make a month owe less than nothing.
CREATE OR REPLACE FUNCTION uc_dues_adjustments_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    owed numeric(12, 2);
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'Adjustments are never deleted; deny a pending one instead.';
    END IF;
    IF TG_OP = 'INSERT' THEN
        NEW.status := 'pending';
        NEW.requested_by := session_user;
        NEW.requested_at := now();
        NEW.requested_on := uc_hall_today();
        NEW.decided_by := NULL;
        NEW.decided_at := NULL;
        NEW.decision_note := NULL;
        RETURN NEW;
    END IF;
    IF OLD.status <> 'pending' THEN
        RAISE EXCEPTION 'This adjustment was already %.', OLD.status;
    END IF;
    IF (NEW.member_id, NEW.charge_id, NEW.type, NEW.amount, NEW.reason, NEW.requested_by, NEW.requested_on,
        NEW.requested_at) IS DISTINCT FROM (OLD.member_id, OLD.charge_id, OLD.type, OLD.amount, OLD.reason,
        OLD.requested_by, OLD.requested_on, OLD.requested_at) THEN
        RAISE EXCEPTION 'Only the decision on an adjustment can change; request a new one instead.';
    END IF;
    IF NEW.status = 'pending' THEN
        NEW.decided_by := NULL;
        NEW.decided_at := NULL;
        RETURN NEW;
    END IF;
    NEW.decided_by := session_user;
    NEW.decided_at := now();
    IF NEW.status = 'approved' THEN
        PERFORM pg_advisory_xact_lock(4401, NEW.member_id);
        SELECT c.amount + coalesce((SELECT sum(a.amount) FROM dues_adjustments a
                                    WHERE a.charge_id = c.id AND a.status = 'approved'), 0)
          INTO owed FROM dues_charges c WHERE c.id = NEW.charge_id;
        IF owed + NEW.amount < 0 THEN
            RAISE EXCEPTION 'The adjustment would make the month owe less than nothing.'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_dues_adjustments_owed_not_negative';
        END IF;
    END IF;
    RETURN NEW;
END $$;
""",
    "functions/uc_payment_allocations_check.sql": """-- No month is paid past what it owes, and no payment applies more than it holds.
CREATE OR REPLACE FUNCTION uc_payment_allocations_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF EXISTS (
        SELECT 1
        FROM (SELECT DISTINCT charge_id FROM new_rows) AS t
        JOIN dues_charges AS c ON c.id = t.charge_id
        CROSS JOIN LATERAL (SELECT coalesce(sum(amount), 0) AS paid
                            FROM payment_allocations WHERE charge_id = c.id) AS a
        CROSS JOIN LATERAL (SELECT coalesce(sum(amount), 0) AS adjusted FROM dues_adjustments
                            WHERE charge_id = c.id AND status = 'approved') AS j
        WHERE a.paid < 0 OR a.paid > c.amount + j.adjusted) THEN
        RAISE EXCEPTION 'More would be applied to a month than is owed on it.'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_payment_allocations_within_owed';
    END IF;
    IF EXISTS (
        SELECT 1
        FROM (SELECT DISTINCT payment_id FROM new_rows) AS t
        JOIN payments AS p ON p.id = t.payment_id
        CROSS JOIN LATERAL (SELECT coalesce(sum(amount), 0) AS applied
                            FROM payment_allocations WHERE payment_id = p.id) AS a
        WHERE (p.amount > 0 AND (a.applied < 0 OR a.applied > p.amount))
           OR (p.amount < 0 AND (a.applied > 0 OR a.applied < p.amount))) THEN
        RAISE EXCEPTION 'More would be applied from a payment than it holds.'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_payment_allocations_within_payment';
    END IF;
    RETURN NULL;
END $$;
""",
    "views/dues_charge_balances.sql": """-- Each charge with what was adjusted, owed, paid and is still open. Grouping by (member_id, charge_id) lets a filter
-- on one member reach the allocation and adjustment indexes through the join, so the same views serve one member's
-- screen and the whole hall's lists.
CREATE OR REPLACE VIEW dues_charge_balances AS
SELECT c.id AS charge_id, c.member_id, c.period, c.classification, c.amount,
       coalesce(j.total, 0)::numeric(12, 2) AS adjusted,
       (c.amount + coalesce(j.total, 0))::numeric(12, 2) AS owed,
       coalesce(a.total, 0)::numeric(12, 2) AS paid,
       (c.amount + coalesce(j.total, 0) - coalesce(a.total, 0))::numeric(12, 2) AS open
FROM dues_charges AS c
LEFT JOIN (SELECT member_id, charge_id, sum(amount) AS total
           FROM payment_allocations GROUP BY member_id, charge_id) AS a
       ON a.member_id = c.member_id AND a.charge_id = c.id
LEFT JOIN (SELECT member_id, charge_id, sum(amount) AS total
           FROM dues_adjustments WHERE status = 'approved' GROUP BY member_id, charge_id) AS j
       ON j.member_id = c.member_id AND j.charge_id = c.id;
""",
    "views/dues_member_standing.sql": """-- A member's balance, credit, paid-through month and standing.
-- paid_through: the month before the oldest month still owing; with nothing owing, the last month billed plus the
-- whole months the member's credit buys at the current rate (paid ahead).
-- months_behind: months still owing whose grace has passed. Thresholds are app settings.
CREATE OR REPLACE VIEW dues_member_standing AS
SELECT m.id AS member_id,
       coalesce(ch.owed, 0)::numeric(12, 2) AS charged,
       coalesce(pay.paid, 0)::numeric(12, 2) AS paid,
       (coalesce(ch.owed, 0) - coalesce(pay.paid, 0))::numeric(12, 2) AS balance,
       (coalesce(pay.paid, 0) - coalesce(al.applied, 0))::numeric(12, 2) AS credit,
       ch.first_charge, ch.last_charge, ch.first_open,
       CASE WHEN ch.last_charge IS NULL THEN NULL
            WHEN ch.first_open IS NULL THEN (ch.last_charge + make_interval(months => ahead.months))::date
            WHEN ch.first_open > ch.first_charge THEN (ch.first_open - interval '1 month')::date
       END AS paid_through,
       ahead.months AS months_ahead,
       coalesce(ch.months_behind, 0)::integer AS months_behind,
       CASE WHEN coalesce(ch.months_behind, 0) >= cfg.suspend_months THEN 'suspended'
            WHEN coalesce(ch.months_behind, 0) >= cfg.arrears_months THEN 'in_arrears'
            ELSE 'good_standing' END AS standing,
       lp.paid_on AS last_payment_on, lp.amount AS last_payment_amount
FROM members AS m
CROSS JOIN (
    SELECT coalesce((SELECT value::integer FROM app_settings WHERE key = 'dues_arrears_months'), 1)
               AS arrears_months,
           coalesce((SELECT value::integer FROM app_settings WHERE key = 'dues_suspend_months'), 3)
               AS suspend_months
    OFFSET 0
) AS cfg
LEFT JOIN (
    SELECT cb.member_id, sum(cb.owed) AS owed, min(cb.period) AS first_charge,
           max(cb.period) AS last_charge, min(cb.period) FILTER (WHERE cb.open > 0) AS first_open,
           count(*) FILTER (WHERE cb.open > 0 AND p.grace_until < (SELECT uc_hall_today()))
               AS months_behind
    FROM dues_charge_balances AS cb
    JOIN dues_periods AS p ON p.month = cb.period
    GROUP BY cb.member_id
) AS ch ON ch.member_id = m.id
LEFT JOIN (SELECT member_id, sum(amount) AS paid FROM payments GROUP BY member_id) AS pay
       ON pay.member_id = m.id
LEFT JOIN (SELECT member_id, sum(amount) AS applied FROM payment_allocations GROUP BY member_id) AS al
       ON al.member_id = m.id
LEFT JOIN LATERAL (
    SELECT p.paid_on, p.amount FROM payments AS p
    WHERE p.member_id = m.id AND p.reverses_payment_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM payments AS r WHERE r.reverses_payment_id = p.id)
    ORDER BY p.paid_on DESC, p.id DESC LIMIT 1
) AS lp ON true
CROSS JOIN LATERAL (
    SELECT CASE WHEN ch.first_open IS NULL AND coalesce(pay.paid, 0) - coalesce(al.applied, 0) > 0 THEN
        coalesce((SELECT floor((coalesce(pay.paid, 0) - coalesce(al.applied, 0)) / nullif(r.amount, 0))::integer
                  FROM dues_rates AS r
                  WHERE r.classification = m.classification
                    AND r.effective_from <= ch.last_charge + interval '1 month'
                  ORDER BY r.effective_from DESC LIMIT 1), 0)
        ELSE 0 END AS months
) AS ahead;
""",
    "triggers/dues_adjustments.sql": """-- Every trigger on dues_adjustments.

CREATE OR REPLACE TRIGGER dues_adjustments_audit AFTER INSERT OR UPDATE OR DELETE ON dues_adjustments
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER dues_adjustments_closed_month_delete AFTER DELETE ON dues_adjustments
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION uc_dues_refuse_closed('requested_on', 'adjustments');

CREATE OR REPLACE TRIGGER dues_adjustments_closed_month_insert AFTER INSERT ON dues_adjustments
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION uc_dues_refuse_closed('requested_on', 'adjustments');

CREATE OR REPLACE TRIGGER dues_adjustments_closed_month_update AFTER UPDATE ON dues_adjustments
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION uc_dues_refuse_closed('requested_on', 'adjustments');

CREATE OR REPLACE TRIGGER dues_adjustments_guard BEFORE INSERT OR UPDATE OR DELETE ON dues_adjustments
FOR EACH ROW EXECUTE FUNCTION uc_dues_adjustments_guard();

CREATE OR REPLACE TRIGGER dues_adjustments_notify AFTER INSERT OR UPDATE OR DELETE ON dues_adjustments
FOR EACH ROW EXECUTE FUNCTION uc_notify_change('member_id');

CREATE OR REPLACE TRIGGER dues_adjustments_version BEFORE UPDATE ON dues_adjustments
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
""",
    "triggers/dues_charges.sql": """-- Every trigger on dues_charges.

CREATE OR REPLACE TRIGGER dues_charges_append_only BEFORE UPDATE OR DELETE ON dues_charges
FOR EACH ROW EXECUTE FUNCTION uc_append_only();

CREATE OR REPLACE TRIGGER dues_charges_audit AFTER INSERT OR UPDATE OR DELETE ON dues_charges
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER dues_charges_closed_month_insert AFTER INSERT ON dues_charges
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION uc_dues_refuse_closed('period', 'charges');

CREATE OR REPLACE TRIGGER dues_charges_no_truncate BEFORE TRUNCATE ON dues_charges
FOR EACH STATEMENT EXECUTE FUNCTION uc_append_only();

CREATE OR REPLACE TRIGGER dues_charges_notify AFTER INSERT OR UPDATE OR DELETE ON dues_charges
FOR EACH STATEMENT EXECUTE FUNCTION uc_notify_change('id');
""",
    "triggers/payment_allocations.sql": """-- Every trigger on payment_allocations.

CREATE OR REPLACE TRIGGER payment_allocations_append_only BEFORE UPDATE OR DELETE ON payment_allocations
FOR EACH ROW EXECUTE FUNCTION uc_append_only();

CREATE OR REPLACE TRIGGER payment_allocations_audit AFTER INSERT OR UPDATE OR DELETE ON payment_allocations
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER payment_allocations_check AFTER INSERT ON payment_allocations
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION uc_payment_allocations_check();

CREATE OR REPLACE TRIGGER payment_allocations_closed_month_insert AFTER INSERT ON payment_allocations
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION uc_dues_refuse_closed('allocated_on', 'payment applications');

CREATE OR REPLACE TRIGGER payment_allocations_no_truncate BEFORE TRUNCATE ON payment_allocations
FOR EACH STATEMENT EXECUTE FUNCTION uc_append_only();
""",
}


def upgrade() -> None:
    # nothing is written to the ledger between filling the totals and the triggers that keep them
    op.execute("LOCK TABLE dues_charges, payment_allocations, dues_adjustments IN SHARE ROW EXCLUSIVE MODE")
    op.create_table(
        "dues_charge_totals",
        sa.Column("charge_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("owed", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("paid", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.CheckConstraint("owed >= 0", name=op.f("ck_dues_charge_totals_owed_not_negative")),
        sa.ForeignKeyConstraint(["charge_id", "member_id"], ["dues_charges.id", "dues_charges.member_id"],
                                name="fk_dues_charge_totals_charge_id_dues_charges"),
        sa.PrimaryKeyConstraint("charge_id", name=op.f("pk_dues_charge_totals")),
    )
    op.create_index("ix_dues_charge_totals_member_id", "dues_charge_totals", ["member_id"], unique=False)
    op.create_index("ix_dues_charge_totals_open", "dues_charge_totals", ["member_id", "period"], unique=False,
                    postgresql_where=sa.text("paid < owed"))
    sql_sources.apply(op.get_bind(), NEW_SOURCES, revision=revision)
    op.execute("INSERT INTO dues_charge_totals (charge_id, member_id, period, owed, paid) "
               "SELECT charge_id, member_id, period, owed, paid FROM dues_charge_ledger")
    sql_sources.apply(op.get_bind(), CHANGED_SOURCES, revision=revision)
    op.execute(f"GRANT SELECT ON dues_charge_totals, dues_charge_ledger TO {MONEY_READERS}")
    for function in ("uc_dues_charge_totals()", "uc_rebuild_dues_charge_totals(bigint[])"):
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION uc_rebuild_dues_charge_totals(bigint[]) TO {MONEY_READERS}")
    op.execute("ANALYZE dues_charge_totals")


def downgrade() -> None:
    for trigger, table in NEW_TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger} ON {table}")
    sql_sources.apply(op.get_bind(), CHANGED_SOURCES, revision=down_revision)
    op.execute("DROP FUNCTION uc_rebuild_dues_charge_totals(bigint[])")
    op.execute("DROP FUNCTION uc_dues_charge_totals()")
    op.execute("DROP VIEW dues_charge_ledger")
    op.drop_table("dues_charge_totals")
