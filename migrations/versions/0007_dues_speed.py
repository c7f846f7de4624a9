"""Posting a dues payment in one round trip: `uc_post_payment` does what the posting service did statement by
statement (the key's lock and replay look-up, the member's locks, the insert, applying the member's credit oldest
charge first, the member's standing afterwards) and returns the receipt's row; `uc_apply_member_credit` is the
one-member form of the set-based allocation, reading only that member's rows.

Both run as the caller (SECURITY INVOKER): the payments triggers, grants and closed-month guards apply unchanged,
and posted_by is still session_user.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

DUES_STAFF = "uc_dues_clerk, uc_manager, uc_admin"
FUNCTIONS = ("uc_post_payment(uuid, integer, numeric, text, text, integer, date)",
             "uc_apply_member_credit(integer, date)")

# Credit and open charges laid end to end as running totals; each (payment, charge) pair gets the overlap of
# the two intervals (as services.dues.allocate_sql does for many members). Returns the rows written.
APPLY_MEMBER_CREDIT = """
        CREATE FUNCTION uc_apply_member_credit(p_member integer, p_on date)
        RETURNS TABLE (payment_id bigint, charge_id bigint, period date, amount numeric)
        LANGUAGE plpgsql AS $$
        #variable_conflict use_column
        BEGIN
            RETURN QUERY
            WITH applied AS MATERIALIZED (
                SELECT a.payment_id, a.charge_id, a.amount FROM payment_allocations AS a WHERE a.member_id = p_member
            ),
            credit AS MATERIALIZED (
                SELECT p.id AS payment_id, p.paid_on, p.amount - coalesce(u.total, 0) AS avail
                FROM payments AS p
                LEFT JOIN (SELECT x.payment_id, sum(x.amount) AS total FROM applied AS x GROUP BY x.payment_id) AS u
                       ON u.payment_id = p.id
                WHERE p.member_id = p_member AND p.reverses_payment_id IS NULL
                  AND NOT EXISTS (SELECT 1 FROM payments AS r WHERE r.reverses_payment_id = p.id)
                  AND p.amount - coalesce(u.total, 0) > 0
            ),
            owing AS MATERIALIZED (
                SELECT c.id AS charge_id, c.period, c.amount + coalesce(j.total, 0) - coalesce(u.total, 0) AS open
                FROM dues_charges AS c
                LEFT JOIN (SELECT x.charge_id, sum(x.amount) AS total FROM applied AS x GROUP BY x.charge_id) AS u
                       ON u.charge_id = c.id
                LEFT JOIN (SELECT x.charge_id, sum(x.amount) AS total FROM dues_adjustments AS x
                           WHERE x.member_id = p_member AND x.status = 'approved' GROUP BY x.charge_id) AS j
                       ON j.charge_id = c.id
                WHERE c.member_id = p_member AND EXISTS (SELECT 1 FROM credit)
                  AND c.amount + coalesce(j.total, 0) - coalesce(u.total, 0) > 0
            ),
            cr AS (SELECT *, sum(avail) OVER (ORDER BY paid_on, payment_id) AS hi FROM credit),
            dr AS (SELECT *, sum(open) OVER (ORDER BY period, charge_id) AS hi FROM owing),
            written AS (
                INSERT INTO payment_allocations AS a (payment_id, member_id, charge_id, amount, allocated_on)
                SELECT cr.payment_id, p_member, dr.charge_id,
                       least(cr.hi, dr.hi) - greatest(cr.hi - cr.avail, dr.hi - dr.open), p_on
                FROM cr JOIN dr ON cr.hi - cr.avail < dr.hi AND dr.hi - dr.open < cr.hi
                ORDER BY dr.period, cr.paid_on, cr.payment_id
                RETURNING a.payment_id, a.charge_id, a.amount
            )
            SELECT w.payment_id, w.charge_id, o.period, w.amount
            FROM written AS w JOIN owing AS o ON o.charge_id = w.charge_id
            ORDER BY o.period, w.payment_id;
        END $$
"""

# outcome: posted | replay (the key was posted before: payment_id is that payment) | mismatch (the key was used
# for a different member or amount) | no_member | future (paid_on after the hall's today)
# The advisory locks are services.dues' LOCK_SPACE (4401: one member, or one key) and HALL_LOCK (4402, shared).
POST_PAYMENT = """
        CREATE FUNCTION uc_post_payment(p_key uuid, p_member integer, p_amount numeric, p_method text,
                                        p_reference text, p_batch integer, p_paid_on date)
        RETURNS TABLE (outcome text, payment_id bigint, receipt_number text, card_number text, member_name text,
                       paid_on date, amount numeric, method text, reference text, batch_id integer,
                       posted_by text, posted_at timestamptz,
                       periods date[], charge_ids bigint[], amounts numeric[],
                       balance numeric, credit numeric, paid_through date, months_behind integer, standing text)
        LANGUAGE plpgsql AS $$
        #variable_conflict use_column
        DECLARE
            today date := uc_hall_today();
            done_id bigint;
            done_member integer;
            done_amount numeric;
            paid payments%ROWTYPE;
        BEGIN
            IF p_paid_on > today THEN
                outcome := 'future';
                RETURN NEXT;
                RETURN;
            END IF;
            -- every insert takes the key's lock first (uc_payments_before_insert): from here on nobody else
            -- can post this key until this transaction ends, and a retry waiting here then sees the payment
            PERFORM pg_advisory_xact_lock(hashtextextended(p_key::text, 4401));
            SELECT p.id, p.member_id, p.amount INTO done_id, done_member, done_amount
            FROM payments AS p WHERE p.idempotency_key = p_key;
            IF done_id IS NULL THEN
                SELECT m.card_number, m.last_name || ', ' || m.first_name INTO card_number, member_name
                FROM members AS m WHERE m.id = p_member;
                IF NOT FOUND THEN
                    outcome := 'no_member';
                    RETURN NEXT;
                    RETURN;
                END IF;
                PERFORM pg_advisory_xact_lock_shared(4402), pg_advisory_xact_lock(4401, p_member);
                INSERT INTO payments AS p (member_id, paid_on, amount, method, reference, batch_id, idempotency_key)
                VALUES (p_member, coalesce(p_paid_on, today), p_amount, p_method, p_reference, p_batch, p_key)
                ON CONFLICT (idempotency_key) DO NOTHING
                RETURNING p.* INTO paid;
                IF paid.id IS NULL THEN  -- the trigger found the key after all: report what is there
                    SELECT p.id, p.member_id, p.amount INTO STRICT done_id, done_member, done_amount
                    FROM payments AS p WHERE p.idempotency_key = p_key;
                END IF;
            END IF;
            IF done_id IS NOT NULL THEN
                outcome := CASE WHEN done_member = p_member AND done_amount = p_amount THEN 'replay'
                                ELSE 'mismatch' END;
                payment_id := done_id;
                card_number := NULL;
                member_name := NULL;
                RETURN NEXT;
                RETURN;
            END IF;
            SELECT array_agg(a.period ORDER BY a.period), array_agg(a.charge_id ORDER BY a.period),
                   array_agg(a.amount ORDER BY a.period)
              INTO periods, charge_ids, amounts
            FROM uc_apply_member_credit(p_member, coalesce(p_paid_on, today)) AS a
            WHERE a.payment_id = paid.id;
            SELECT s.balance, s.credit, s.paid_through, s.months_behind, s.standing
              INTO balance, credit, paid_through, months_behind, standing
            FROM dues_member_standing AS s WHERE s.member_id = p_member;
            outcome := 'posted';
            payment_id := paid.id;
            receipt_number := paid.receipt_number;
            paid_on := paid.paid_on;
            amount := paid.amount;
            method := paid.method;
            reference := paid.reference;
            batch_id := paid.batch_id;
            posted_by := paid.posted_by;
            posted_at := paid.posted_at;
            RETURN NEXT;
        END $$
"""


def upgrade() -> None:
    op.execute(APPLY_MEMBER_CREDIT)
    op.execute(POST_PAYMENT)
    for fn in FUNCTIONS:
        op.execute(f"REVOKE ALL ON FUNCTION {fn} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {fn} TO {DUES_STAFF}")


def downgrade() -> None:
    for fn in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {fn}")
