-- dues_charge_totals follows the ledger: a new charge starts owing its amount, an application adds to what its month
-- was paid, an approval adds the adjustment to what its month owes. The ledger is append-only and an adjustment
-- changes once (from pending), so these are every change there is; a charge's row is updated under its row lock,
-- so concurrent applications to one month add up and each sees the other's. No month is paid past what it owes, nor
-- below nothing: checked here, on the totals just written; a month without its totals row (written below the
-- triggers and not rebuilt) refuses the application or approval rather than go unchecked. SECURITY DEFINER: no
-- login writes the totals itself.
CREATE OR REPLACE FUNCTION uc_dues_charge_totals() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    kept integer;
    wanted integer;
BEGIN
    IF TG_TABLE_NAME = 'dues_charges' THEN
        INSERT INTO dues_charge_totals (charge_id, member_id, period, owed, paid)
        SELECT id, member_id, period, amount, 0 FROM new_rows;
        RETURN NULL;
    END IF;
    IF TG_TABLE_NAME = 'payment_allocations' THEN
        WITH n AS (SELECT charge_id, sum(amount) AS amount FROM new_rows GROUP BY charge_id),
             done AS (UPDATE dues_charge_totals AS t SET paid = t.paid + n.amount
                      FROM n WHERE t.charge_id = n.charge_id RETURNING 1)
        SELECT (SELECT count(*) FROM done), (SELECT count(*) FROM n) INTO kept, wanted;
    ELSE
        WITH n AS (SELECT d.charge_id, sum(d.amount) AS amount
                   FROM new_rows AS d JOIN old_rows AS o ON o.id = d.id
                   WHERE d.status = 'approved' AND o.status <> 'approved'
                   GROUP BY d.charge_id),
             done AS (UPDATE dues_charge_totals AS t SET owed = t.owed + n.amount
                      FROM n WHERE t.charge_id = n.charge_id RETURNING 1)
        SELECT (SELECT count(*) FROM done), (SELECT count(*) FROM n) INTO kept, wanted;
    END IF;
    IF kept < wanted THEN
        RAISE EXCEPTION 'A month''s kept totals are missing (unioncore integrity --repair writes them back).';
    END IF;
    IF TG_TABLE_NAME = 'payment_allocations'
       AND EXISTS (SELECT 1 FROM dues_charge_totals AS t
                   WHERE t.charge_id IN (SELECT charge_id FROM new_rows) AND (t.paid < 0 OR t.paid > t.owed)) THEN
        RAISE EXCEPTION 'More would be applied to a month than is owed on it.'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_payment_allocations_within_owed';
    END IF;
    RETURN NULL;
END $$;
