-- No month is paid past what it owes, and no payment applies more than it holds.
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
