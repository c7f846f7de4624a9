-- Writes dues_charge_totals back to what the ledger sums to (dues_charge_ledger) for the given charges (NULL: every
-- charge) and returns how many rows it put right: after the demo seed, which writes the ledger with triggers off, and
-- as the integrity check's repair. Takes the hall's dues lock exclusively (services.dues' HALL_LOCK, 4402), as billing
-- does, so no posting writes between the sums and the rows they replace. SECURITY DEFINER: the totals have no writer
-- but this and uc_dues_charge_totals.
CREATE OR REPLACE FUNCTION uc_rebuild_dues_charge_totals(p_charges bigint[]) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    written integer;
BEGIN
    PERFORM pg_advisory_xact_lock(4402);
    INSERT INTO dues_charge_totals AS t (charge_id, member_id, period, owed, paid)
    SELECT l.charge_id, l.member_id, l.period, l.owed, l.paid
    FROM dues_charge_ledger AS l
    WHERE p_charges IS NULL OR l.charge_id = ANY(p_charges)
    ON CONFLICT (charge_id) DO UPDATE SET owed = excluded.owed, paid = excluded.paid
    WHERE (t.owed, t.paid) IS DISTINCT FROM (excluded.owed, excluded.paid);
    GET DIAGNOSTICS written = ROW_COUNT;
    RETURN written;
END $$;
