-- No payment applies more than it holds (that no month is paid past what it owes is checked where its totals are
-- kept: uc_dues_charge_totals).
CREATE OR REPLACE FUNCTION uc_payment_allocations_check() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
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
