-- Employment history staged by an import run becomes employment_history rows with source 'import'. A row is matched
-- to an imported row on file by member, employer, start date and its rank among the file's rows with those three (a
-- member may start twice with one employer on one day), so importing the same file again changes nothing; a matched
-- row whose end, class, reason, days or hours differ is updated to the source. Returns the counts and the staged line
-- numbers of each outcome and deletes the run's staged rows. SECURITY DEFINER for the reason uc_import_members gives.
CREATE OR REPLACE FUNCTION uc_import_employment(p_run uuid) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    result jsonb;
BEGIN
    IF NOT (pg_has_role(session_user, 'uc_admin', 'MEMBER') OR pg_has_role(session_user, current_user, 'MEMBER')) THEN
        RAISE EXCEPTION 'Only admins import records from another system.' USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('uc_import'));
    WITH s AS MATERIALIZED (
        SELECT s.*, row_number() OVER (PARTITION BY s.member_id, s.employer_id, s.started_on ORDER BY s.line_no) AS nth
        FROM import_stage_employment AS s
        WHERE s.run_id = p_run
    ), e AS (
        SELECT h.id, h.member_id, h.employer_id, h.started_on, h.ended_on, h.job_class, h.termination_reason,
               h.days_worked, h.hours_worked,
               row_number() OVER (PARTITION BY h.member_id, h.employer_id, h.started_on ORDER BY h.id) AS nth
        FROM employment_history AS h
        WHERE h.source = 'import' AND h.member_id IN (SELECT DISTINCT member_id FROM s)
    ), c AS MATERIALIZED (
        SELECT s.*, e.id AS history_id,
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
        FROM c WHERE outcome = 'created' ORDER BY line_no
        RETURNING 1
    ), updated AS (
        UPDATE employment_history AS h
           SET ended_on = c.ended_on, job_class = c.job_class, termination_reason = c.termination_reason,
               days_worked = c.days_worked, hours_worked = c.hours_worked, version = h.version + 1
          FROM c
         WHERE c.outcome = 'updated' AND h.id = c.history_id
        RETURNING 1
    )
    SELECT jsonb_build_object(
               'created', count(*) FILTER (WHERE outcome = 'created'),
               'updated', count(*) FILTER (WHERE outcome = 'updated'),
               'unchanged', count(*) FILTER (WHERE outcome = 'unchanged'),
               'examples', jsonb_build_object(
                   'created', coalesce((array_agg(line_no ORDER BY line_no) FILTER (WHERE outcome = 'created'))[1:5],
                                       '{}'),
                   'updated', coalesce((array_agg(line_no ORDER BY line_no) FILTER (WHERE outcome = 'updated'))[1:5],
                                       '{}'),
                   'unchanged', coalesce((array_agg(line_no ORDER BY line_no)
                                          FILTER (WHERE outcome = 'unchanged'))[1:5], '{}')),
               'written', (SELECT count(*) FROM created) + (SELECT count(*) FROM updated))
      INTO result FROM c;
    DELETE FROM import_stage_employment WHERE run_id = p_run;
    RETURN result;
END $$;
