-- Dues standing staged by an import run (a member's paid-through month and balance in the old system) becomes the
-- member's opening entries in the ledger, which is never edited: a charge of nothing for the paid-through month (so
-- the ledger says paid through it), what is owed as charges for the months after it at the member's rate (the last
-- month takes the rest, and none is after the current month), and a credit as a payment of the amount, which pays
-- the months ahead. A member whose ledger already holds entries is left as it is: unchanged when its first month
-- and balance are the source's, otherwise rejected with the reason (corrections are adjustments and payments,
-- made in the dues screens). Returns the counts, the staged line numbers of each outcome and the rejections, and
-- deletes the run's staged rows. SECURITY DEFINER for the reason uc_import_members gives (the admin group holds no
-- write on the ledger, nor reads its amounts).
CREATE OR REPLACE FUNCTION uc_import_dues(p_run uuid) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    result jsonb;
    this_month date := date_trunc('month', uc_hall_today())::date;
    grace integer := coalesce((SELECT value::integer FROM app_settings WHERE key = 'dues_grace_days'), 14);
    charges integer;
    payments integer;
BEGIN
    IF NOT (pg_has_role(session_user, 'uc_admin', 'MEMBER') OR pg_has_role(session_user, current_user, 'MEMBER')) THEN
        RAISE EXCEPTION 'Only admins import records from another system.' USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('uc_import'));
    UPDATE import_stage_dues AS s
       SET outcome = CASE
               WHEN NOT EXISTS (SELECT 1 FROM dues_charges AS c WHERE c.member_id = s.member_id)
                    AND NOT EXISTS (SELECT 1 FROM payments AS p WHERE p.member_id = s.member_id) THEN 'created'
               WHEN (SELECT min(c.period) FROM dues_charges AS c WHERE c.member_id = s.member_id) = s.paid_through
                    AND (SELECT d.balance FROM dues_member_standing AS d WHERE d.member_id = s.member_id) = s.balance
                    THEN 'unchanged'
               ELSE 'rejected' END
     WHERE s.run_id = p_run;

    WITH c AS (
        SELECT s.member_id, s.paid_through, s.balance, m.classification,
               (SELECT r.amount FROM dues_rates AS r
                 WHERE r.classification = m.classification
                   AND r.effective_from <= (s.paid_through + interval '1 month')::date
                 ORDER BY r.effective_from DESC LIMIT 1) AS rate,
               greatest(1, (extract(year FROM age(this_month, s.paid_through)) * 12
                            + extract(month FROM age(this_month, s.paid_through)))::integer) AS room
        FROM import_stage_dues AS s
        JOIN members AS m ON m.id = s.member_id
        WHERE s.run_id = p_run AND s.outcome = 'created'
    ), owed AS (
        SELECT c.*, CASE WHEN c.balance <= 0 THEN 0
                         WHEN coalesce(c.rate, 0) = 0 THEN 1
                         ELSE least(ceil(c.balance / c.rate)::integer, c.room) END AS months
        FROM c
    ), entries AS (
        SELECT member_id, classification, paid_through AS period, 0::numeric(12, 2) AS amount FROM owed
        UNION ALL
        SELECT o.member_id, o.classification, (o.paid_through + make_interval(months => i))::date,
               CASE WHEN i < o.months THEN o.rate ELSE o.balance - coalesce(o.rate, 0) * (o.months - 1) END
        FROM owed AS o, generate_series(1, o.months) AS i
    ), periods AS (
        INSERT INTO dues_periods (month, due_on, grace_until)
        SELECT DISTINCT period, period, period + grace FROM entries
        ON CONFLICT (month) DO NOTHING
    ), charged AS (
        -- its foreign key to the period is checked at the end of the statement, after the periods above
        INSERT INTO dues_charges (member_id, period, classification, amount)
        SELECT member_id, period, classification, amount FROM entries
        RETURNING 1
    )
    SELECT count(*) INTO charges FROM charged;

    INSERT INTO payments (member_id, amount, method, reference, idempotency_key)
    SELECT member_id, -balance, 'other', 'Opening credit', gen_random_uuid()
      FROM import_stage_dues
     WHERE run_id = p_run AND outcome = 'created' AND balance < 0;
    GET DIAGNOSTICS payments = ROW_COUNT;

    SELECT jsonb_build_object(
               'created', count(*) FILTER (WHERE outcome = 'created'),
               'updated', 0,
               'unchanged', count(*) FILTER (WHERE outcome = 'unchanged'),
               'examples', jsonb_build_object(
                   'created', ARRAY(SELECT line_no FROM import_stage_dues
                                    WHERE run_id = p_run AND outcome = 'created' ORDER BY line_no LIMIT 5),
                   'unchanged', ARRAY(SELECT line_no FROM import_stage_dues
                                      WHERE run_id = p_run AND outcome = 'unchanged' ORDER BY line_no LIMIT 5)),
               'rejected', coalesce(jsonb_agg(jsonb_build_object(
                   'row', line_no, 'field', 'balance',
                   'reason', 'the member''s dues ledger already holds other entries; correct it in the dues screens')
                   ORDER BY line_no) FILTER (WHERE outcome = 'rejected'), '[]'),
               'parts', jsonb_build_object('charges_created', charges, 'credits_created', payments))
      INTO result FROM import_stage_dues WHERE run_id = p_run;
    DELETE FROM import_stage_dues WHERE run_id = p_run;
    RETURN result;
END $$;
