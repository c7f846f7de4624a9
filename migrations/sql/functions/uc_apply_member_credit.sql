-- Applies one member's unused credit to their open charges, oldest first, and returns the rows written.
-- Credit and open charges are laid end to end as running totals; each (payment, charge) pair gets the overlap of the
-- two intervals (as services.dues.allocate_sql does for many members). Runs as the caller.
CREATE OR REPLACE FUNCTION uc_apply_member_credit(p_member integer, p_on date)
RETURNS TABLE (payment_id bigint, charge_id bigint, period date, amount numeric)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
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
END $$;
