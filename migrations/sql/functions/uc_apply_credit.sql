-- Applies members' unused credit to their open charges, oldest payment to oldest charge, and returns the rows written:
-- the one home of that rule. Posting (uc_post_payment), billing, voids, approved adjustments and the demo seed all
-- run it. p_members NULL is every member; p_on NULL dates each row when it could first have been made (the later of
-- the payment's day and the charge's month), as the seed's history needs. Credit and open charges are laid end to
-- end as running totals per member; each (payment, charge) pair gets the overlap of the two intervals. Runs as the
-- caller: the grants and the closed-month guards apply. Its plan is the generic one, made once per session: posting
-- calls it for one member per payment, and planning it anew for each would cost as much as running it.
CREATE OR REPLACE FUNCTION uc_apply_credit(p_members integer[], p_on date)
RETURNS TABLE (member_id integer, payment_id bigint, charge_id bigint, period date, amount numeric)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan SET search_path = public, pg_temp AS $$
#variable_conflict use_column
BEGIN
    IF p_members IS NULL THEN
        p_members := ARRAY(SELECT m.id FROM members AS m);
    END IF;
    RETURN QUERY
    WITH applied AS MATERIALIZED (
        SELECT x.member_id, x.payment_id, x.charge_id, x.amount FROM payment_allocations AS x
        WHERE x.member_id = ANY(p_members)
    ),
    credit AS MATERIALIZED (
        SELECT p.member_id, p.id AS payment_id, p.paid_on, p.amount - coalesce(u.total, 0) AS avail
        FROM payments AS p
        LEFT JOIN (SELECT x.payment_id, sum(x.amount) AS total FROM applied AS x GROUP BY x.payment_id) AS u
               ON u.payment_id = p.id
        WHERE p.member_id = ANY(p_members) AND p.reverses_payment_id IS NULL
          AND NOT EXISTS (SELECT 1 FROM payments AS r WHERE r.reverses_payment_id = p.id)
          AND p.amount - coalesce(u.total, 0) > 0
    ),
    holders AS MATERIALIZED (SELECT DISTINCT c.member_id FROM credit AS c),
    owing AS MATERIALIZED (
        SELECT c.member_id, c.id AS charge_id, c.period,
               c.amount + coalesce(j.total, 0) - coalesce(u.total, 0) AS open
        FROM dues_charges AS c
        JOIN holders AS h ON h.member_id = c.member_id
        LEFT JOIN (SELECT x.charge_id, sum(x.amount) AS total FROM applied AS x
                   JOIN holders AS h ON h.member_id = x.member_id GROUP BY x.charge_id) AS u
               ON u.charge_id = c.id
        LEFT JOIN (SELECT x.charge_id, sum(x.amount) AS total FROM dues_adjustments AS x
                   JOIN holders AS h ON h.member_id = x.member_id
                   WHERE x.status = 'approved' GROUP BY x.charge_id) AS j
               ON j.charge_id = c.id
        WHERE c.amount + coalesce(j.total, 0) - coalesce(u.total, 0) > 0
    ),
    cr AS (SELECT *, sum(avail) OVER (PARTITION BY member_id ORDER BY paid_on, payment_id) AS hi FROM credit),
    dr AS (SELECT *, sum(open) OVER (PARTITION BY member_id ORDER BY period, charge_id) AS hi FROM owing),
    written AS (
        INSERT INTO payment_allocations AS a (payment_id, member_id, charge_id, amount, allocated_on)
        SELECT cr.payment_id, cr.member_id, dr.charge_id,
               least(cr.hi, dr.hi) - greatest(cr.hi - cr.avail, dr.hi - dr.open),
               coalesce(p_on, greatest(cr.paid_on, dr.period))
        FROM cr JOIN dr ON dr.member_id = cr.member_id AND cr.hi - cr.avail < dr.hi AND dr.hi - dr.open < cr.hi
        ORDER BY cr.member_id, dr.period, cr.paid_on, cr.payment_id
        RETURNING a.member_id, a.payment_id, a.charge_id, a.amount
    )
    SELECT w.member_id, w.payment_id, w.charge_id, o.period, w.amount
    FROM written AS w JOIN owing AS o ON o.charge_id = w.charge_id
    ORDER BY w.member_id, o.period, w.payment_id;
END $$;
