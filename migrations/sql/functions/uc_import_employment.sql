-- Employment history staged by an import run becomes employment_history rows with source 'import'. A row is matched
-- to an imported row on file by member, employer, start date and its rank among the file's rows with those three (a
-- member may start twice with one employer on one day), so importing the same file again changes nothing; a matched
-- row whose end, class, reason, days or hours differ is updated to the source. Returns the counts and the staged line
-- numbers of each outcome and deletes the run's staged rows. SECURITY DEFINER for the reason uc_import_members gives.
-- When none of the staged members has imported history yet (a hall's first import), every row is new and is inserted
-- without the matching, which costs a third of the write.
-- Twenty years of a hall's history is hundreds of thousands of rows, and the per-row audit trigger costs several times
-- the write itself: this one statement writes with it off and records the whole run in one audit row instead (who,
-- when, how many, the ids created, each updated row before and after). Disabling a trigger takes a SHARE ROW
-- EXCLUSIVE lock on the table until commit, so no other session writes a row while it is off (they wait; readers do
-- not), and it is on again before the function returns; a failed run rolls both back.
CREATE OR REPLACE FUNCTION uc_import_employment(p_run uuid) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET work_mem = '64MB' AS $$
DECLARE
    result jsonb;
BEGIN
    IF NOT (pg_has_role(session_user, 'uc_admin', 'MEMBER') OR pg_has_role(session_user, current_user, 'MEMBER')) THEN
        RAISE EXCEPTION 'Only admins import records from another system.' USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('uc_import'));
    ALTER TABLE employment_history DISABLE TRIGGER employment_history_audit;
    IF NOT EXISTS (SELECT 1 FROM employment_history AS h
                   WHERE h.source = 'import'
                     AND h.member_id IN (SELECT member_id FROM import_stage_employment WHERE run_id = p_run)) THEN
        -- none of these members has imported history yet (a hall's first import): every staged row is new
        WITH created AS (
            INSERT INTO employment_history (member_id, employer_id, job_class, started_on, ended_on,
                                            termination_reason, days_worked, hours_worked, source)
            SELECT member_id, employer_id, job_class, started_on, ended_on, termination_reason, days_worked,
                   hours_worked, 'import'
            FROM import_stage_employment WHERE run_id = p_run
            RETURNING id
        )
        SELECT jsonb_build_object(
                   'created', count(*), 'updated', 0, 'unchanged', 0,
                   'examples', jsonb_build_object(
                       'created', ARRAY(SELECT line_no FROM import_stage_employment
                                        WHERE run_id = p_run ORDER BY line_no LIMIT 5),
                       'updated', '{}'::integer[], 'unchanged', '{}'::integer[]),
                   'audit', jsonb_build_object('import_run', p_run, 'created', count(*),
                                               'created_ids', jsonb_build_array(min(id), max(id)),
                                               'updated', '[]'::jsonb))
          INTO result FROM created;
    ELSE
        WITH s AS MATERIALIZED (
            SELECT s.*,
                   row_number() OVER (PARTITION BY s.member_id, s.employer_id, s.started_on ORDER BY s.line_no) AS nth
            FROM import_stage_employment AS s
            WHERE s.run_id = p_run
        ), e AS (
            SELECT h.id, h.member_id, h.employer_id, h.started_on, h.ended_on, h.job_class, h.termination_reason,
                   h.days_worked, h.hours_worked,
                   row_number() OVER (PARTITION BY h.member_id, h.employer_id, h.started_on ORDER BY h.id) AS nth
            FROM employment_history AS h
            WHERE h.source = 'import' AND h.member_id IN (SELECT DISTINCT member_id FROM s)
        ), c AS MATERIALIZED (
            SELECT s.*, e.id AS history_id, to_jsonb(e) - 'nth' AS before,
                   CASE WHEN e.id IS NULL THEN 'created'
                        WHEN (s.ended_on, s.job_class, s.termination_reason, s.days_worked, s.hours_worked)
                             IS NOT DISTINCT FROM (e.ended_on, e.job_class, e.termination_reason, e.days_worked,
                                                   e.hours_worked) THEN 'unchanged'
                        ELSE 'updated' END AS outcome
            FROM s
            LEFT JOIN e ON e.member_id = s.member_id AND e.employer_id = s.employer_id AND e.started_on = s.started_on
                       AND e.nth = s.nth
        ), created AS (
            INSERT INTO employment_history (member_id, employer_id, job_class, started_on, ended_on, termination_reason,
                                            days_worked, hours_worked, source)
            SELECT member_id, employer_id, job_class, started_on, ended_on, termination_reason, days_worked,
                   hours_worked, 'import'
            FROM c WHERE outcome = 'created'
            RETURNING id
        ), updated AS (
            UPDATE employment_history AS h
               SET ended_on = c.ended_on, job_class = c.job_class, termination_reason = c.termination_reason,
                   days_worked = c.days_worked, hours_worked = c.hours_worked, version = h.version + 1
              FROM c
             WHERE c.outcome = 'updated' AND h.id = c.history_id
            RETURNING jsonb_build_object('id', h.id, 'before', c.before, 'after', to_jsonb(h)) AS change
        )
        SELECT jsonb_build_object(
                   'created', count(*) FILTER (WHERE outcome = 'created'),
                   'updated', count(*) FILTER (WHERE outcome = 'updated'),
                   'unchanged', count(*) FILTER (WHERE outcome = 'unchanged'),
                   'examples', jsonb_build_object(
                       'created', ARRAY(SELECT line_no FROM c WHERE outcome = 'created' ORDER BY line_no LIMIT 5),
                       -- with the fields the source changes
                       'updated', coalesce((
                           SELECT jsonb_agg(jsonb_build_object('line', u.line_no, 'fields', u.fields)
                                            ORDER BY u.line_no)
                           FROM (SELECT c.line_no,
                                        ARRAY(SELECT k FROM unnest(ARRAY['ended_on', 'job_class', 'termination_reason',
                                                                         'days_worked', 'hours_worked']) AS k
                                              WHERE to_jsonb(c) -> k IS DISTINCT FROM c.before -> k) AS fields
                                 FROM c WHERE c.outcome = 'updated' ORDER BY c.line_no LIMIT 5) AS u), '[]'),
                       'unchanged', ARRAY(SELECT line_no FROM c WHERE outcome = 'unchanged' ORDER BY line_no LIMIT 5)),
                   'audit', jsonb_build_object(
                       'import_run', p_run, 'created', (SELECT count(*) FROM created),
                       'created_ids', jsonb_build_array((SELECT min(id) FROM created), (SELECT max(id) FROM created)),
                       'updated', (SELECT coalesce(jsonb_agg(change), '[]') FROM updated)))
          INTO result FROM c;
    END IF;
    ALTER TABLE employment_history ENABLE TRIGGER employment_history_audit;
    IF (result ->> 'created')::integer + (result ->> 'updated')::integer > 0 THEN
        INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, changed_fields, member_id,
                               db_user, application_name, changed_at, transaction_id)
        VALUES ('employment_history', 'import ' || p_run, 'INSERT', NULL, result -> 'audit', '{import}', NULL,
                session_user, current_setting('application_name', true), clock_timestamp(), txid_current());
    END IF;
    result := result - 'audit';
    DELETE FROM import_stage_employment WHERE run_id = p_run;
    RETURN result;
END $$;
