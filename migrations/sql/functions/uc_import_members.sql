-- Members staged by an import run (import_stage_members, rows already checked by domain/rules/imports.py) become
-- members, matched on card number: a new card is created, a known one updated where the source gives a different
-- value (a blank cell keeps what is on file), the rest left unchanged. Returns the counts and the staged line numbers
-- of each outcome, and deletes the run's staged rows. SECURITY DEFINER: the hall's admin imports the old system's
-- records at go-live, and the admin group holds no write on members; the audit triggers record every row under the
-- admin's own login (session_user), and the constraints hold as for any write.
CREATE OR REPLACE FUNCTION uc_import_members(p_run uuid) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    result jsonb;
BEGIN
    IF NOT (pg_has_role(session_user, 'uc_admin', 'MEMBER') OR pg_has_role(session_user, current_user, 'MEMBER')) THEN
        RAISE EXCEPTION 'Only admins import records from another system.' USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('uc_import'));
    WITH c AS MATERIALIZED (
        SELECT s.*, m.id AS member_id, to_jsonb(m) AS before,
               CASE WHEN m.id IS NULL THEN 'created'
                    WHEN (s.first_name, coalesce(s.middle_name, m.middle_name), s.last_name,
                          coalesce(s.suffix, m.suffix), s.classification, coalesce(s.status, m.status),
                          coalesce(s.card_type, m.card_type), coalesce(s.home_local, m.home_local),
                          coalesce(s.address_line1, m.address_line1), coalesce(s.address_line2, m.address_line2),
                          coalesce(s.city, m.city), coalesce(s.state, m.state),
                          coalesce(s.postal_code, m.postal_code), coalesce(s.phone, m.phone),
                          coalesce(s.mobile_phone, m.mobile_phone), coalesce(s.email, m.email),
                          coalesce(s.date_of_birth, m.date_of_birth), coalesce(s.initiation_date, m.initiation_date))
                         IS NOT DISTINCT FROM
                         (m.first_name, m.middle_name, m.last_name, m.suffix, m.classification, m.status,
                          m.card_type, m.home_local, m.address_line1, m.address_line2, m.city, m.state,
                          m.postal_code, m.phone, m.mobile_phone, m.email, m.date_of_birth, m.initiation_date)
                    THEN 'unchanged'
                    ELSE 'updated' END AS outcome
        FROM import_stage_members AS s
        LEFT JOIN members AS m ON m.card_number = s.card_number
        WHERE s.run_id = p_run
    ), created AS (
        INSERT INTO members (card_number, first_name, middle_name, last_name, suffix, classification, status,
                             card_type, home_local, address_line1, address_line2, city, state, postal_code, phone,
                             mobile_phone, email, date_of_birth, initiation_date)
        SELECT card_number, first_name, middle_name, last_name, suffix, classification, coalesce(status, 'active'),
               coalesce(card_type, 'A'), home_local, address_line1, address_line2, city, state, postal_code, phone,
               mobile_phone, email, date_of_birth, initiation_date
        FROM c WHERE outcome = 'created' ORDER BY line_no
        RETURNING 1
    ), updated AS (
        UPDATE members AS m
           SET first_name = c.first_name, middle_name = coalesce(c.middle_name, m.middle_name),
               last_name = c.last_name, suffix = coalesce(c.suffix, m.suffix), classification = c.classification,
               status = coalesce(c.status, m.status), card_type = coalesce(c.card_type, m.card_type),
               home_local = coalesce(c.home_local, m.home_local),
               address_line1 = coalesce(c.address_line1, m.address_line1),
               address_line2 = coalesce(c.address_line2, m.address_line2), city = coalesce(c.city, m.city),
               state = coalesce(c.state, m.state), postal_code = coalesce(c.postal_code, m.postal_code),
               phone = coalesce(c.phone, m.phone), mobile_phone = coalesce(c.mobile_phone, m.mobile_phone),
               email = coalesce(c.email, m.email), date_of_birth = coalesce(c.date_of_birth, m.date_of_birth),
               initiation_date = coalesce(c.initiation_date, m.initiation_date),
               updated_at = now(), version = m.version + 1
          FROM c
         WHERE c.outcome = 'updated' AND m.id = c.member_id
        RETURNING 1
    )
    SELECT jsonb_build_object(
               'created', count(*) FILTER (WHERE outcome = 'created'),
               'updated', count(*) FILTER (WHERE outcome = 'updated'),
               'unchanged', count(*) FILTER (WHERE outcome = 'unchanged'),
               'examples', jsonb_build_object(
                   'created', ARRAY(SELECT line_no FROM c WHERE outcome = 'created' ORDER BY line_no LIMIT 5),
                   -- with the fields the source changes (a blank cell changes nothing)
                   'updated', coalesce((
                       SELECT jsonb_agg(jsonb_build_object('line', u.line_no, 'fields', u.fields) ORDER BY u.line_no)
                       FROM (SELECT c.line_no,
                                    ARRAY(SELECT n.key
                                          FROM jsonb_each(jsonb_strip_nulls(to_jsonb(c) - 'before' - 'member_id'
                                                                            - 'outcome' - 'run_id' - 'line_no')) AS n
                                          WHERE n.value IS DISTINCT FROM c.before -> n.key ORDER BY n.key) AS fields
                             FROM c WHERE c.outcome = 'updated' ORDER BY c.line_no LIMIT 5) AS u), '[]'),
                   'unchanged', ARRAY(SELECT line_no FROM c WHERE outcome = 'unchanged' ORDER BY line_no LIMIT 5)),
               'written', (SELECT count(*) FROM created) + (SELECT count(*) FROM updated))
      INTO result FROM c;
    DELETE FROM import_stage_members WHERE run_id = p_run;
    RETURN result;
END $$;
