-- Employment history staged by an import run becomes employment_history rows with source 'import'. A row is matched
-- to an imported row on file by member, employer, start date and its rank among the file's rows with those three (a
-- member may start twice with one employer on one day), so importing the same file again changes nothing; a matched
-- row whose end, class, reason, days or hours differ is updated to the source. Returns the counts and the staged line
-- numbers of each outcome (an update's with the fields it changes). SECURITY DEFINER for the reason uc_import_members
-- gives.
-- A run may call it while it is still staging the file (p_last false: the server writes one part while the
-- workstation reads the next) and calls it once more when everything is staged (p_last true, which also deletes what
-- is left staged); each call returns what it did, and the run adds them up. Staged rows whose members have no imported
-- history but the rows this run created are new: they are inserted in line order and taken off the stage. Once any
-- staged member has history from before the run, nothing more is written until the last call, which matches what is
-- left; those members' rows are all still staged then (they would have been found in the part that held them), so
-- their ranks are the file's, and rows this run created are kept out of the match (they have ids from its first one
-- on: the table is locked against other writers from the run's first call to its commit).
-- Twenty years of a hall's history is hundreds of thousands of rows, and the per-row triggers cost several times the
-- write itself. The audit trigger: new rows are inserted with it off, and each call that creates rows writes one audit
-- row for them (who, when, how many, the ids, under row key 'import <run>'); updates keep their audit rows one by one.
-- The foreign keys' per-row checks (half of what is left): where the function's owner may set
-- session_replication_role (a superuser, or one granted SET on it), the new rows go in with the table's triggers off
-- for that one statement and the function checks the keys itself, for all the rows at once, as the checks would: the
-- members and employers they name are locked FOR KEY SHARE, and a missing one fails the run with the constraint's own
-- error. Otherwise the audit trigger alone is disabled (ALTER TABLE, by the owner) and the keys are checked row by
-- row. Either way only this function's statement runs without them, and the table's lock (SHARE ROW EXCLUSIVE, until
-- commit) keeps other sessions from writing a row meanwhile (they wait; readers do not); a failed run rolls back all.
CREATE OR REPLACE FUNCTION uc_import_employment(p_run uuid, p_last boolean DEFAULT true) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET work_mem = '64MB' AS $$
DECLARE
    run_key text := 'import ' || p_run;
    run_first bigint;
    matching boolean;
    created integer := 0;
    first_id bigint;
    last_id bigint;
    created_lines integer[] := '{}';
    member_ids integer[];
    employer_ids integer[];
    found integer;
    replicating boolean;
    role_was text;
    result jsonb;
BEGIN
    IF NOT (pg_has_role(session_user, 'uc_admin', 'MEMBER') OR pg_has_role(session_user, current_user, 'MEMBER')) THEN
        RAISE EXCEPTION 'Only admins import records from another system.' USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('uc_import'));
    LOCK TABLE employment_history IN SHARE ROW EXCLUSIVE MODE;  -- the lock first, then the look
    -- the run's first created row, from the audit rows of its earlier calls (only this function writes them)
    run_first := (SELECT min((a.new_values -> 'created_ids' ->> 0)::bigint) FROM audit_log AS a
                  WHERE a.table_name = 'employment_history' AND a.row_key = run_key);
    matching := EXISTS (SELECT 1 FROM employment_history AS h
                        WHERE h.source = 'import' AND (run_first IS NULL OR h.id < run_first)
                          AND h.member_id IN (SELECT member_id FROM import_stage_employment WHERE run_id = p_run));
    IF NOT matching THEN
        -- may the owner skip the table's triggers: a superuser, or one granted SET (PostgreSQL 15 and later)
        replicating := (SELECT r.rolsuper FROM pg_roles AS r WHERE r.rolname = current_user);
        IF NOT replicating AND current_setting('server_version_num')::integer >= 150000 THEN
            EXECUTE 'SELECT has_parameter_privilege(''session_replication_role'', ''SET'')' INTO replicating;
        END IF;
        IF replicating THEN
            role_was := current_setting('session_replication_role');
            PERFORM set_config('session_replication_role', 'replica', true);
        ELSE
            ALTER TABLE employment_history DISABLE TRIGGER employment_history_audit;
        END IF;
        WITH fresh AS (
            DELETE FROM import_stage_employment WHERE run_id = p_run
            RETURNING line_no, member_id, employer_id, job_class, started_on, ended_on, termination_reason,
                      days_worked, hours_worked
        ), inserted AS (
            INSERT INTO employment_history (member_id, employer_id, job_class, started_on, ended_on,
                                            termination_reason, days_worked, hours_worked, source)
            SELECT member_id, employer_id, job_class, started_on, ended_on, termination_reason, days_worked,
                   hours_worked, 'import'
            FROM fresh ORDER BY line_no  -- ids in the file's order: a re-import ranks equal rows by id
            RETURNING id
        )
        SELECT (SELECT count(*) FROM inserted), (SELECT min(id) FROM inserted), (SELECT max(id) FROM inserted),
               ARRAY(SELECT line_no FROM fresh ORDER BY line_no LIMIT 5),
               ARRAY(SELECT DISTINCT member_id FROM fresh), ARRAY(SELECT DISTINCT employer_id FROM fresh)
          INTO created, first_id, last_id, created_lines, member_ids, employer_ids;
        IF replicating THEN
            PERFORM set_config('session_replication_role', role_was, true);
            -- the foreign keys, checked as their triggers would: each row named, locked against a delete till commit
            PERFORM 1 FROM members WHERE id = ANY (member_ids) FOR KEY SHARE;
            GET DIAGNOSTICS found = ROW_COUNT;
            IF found < cardinality(member_ids) THEN
                RAISE EXCEPTION 'insert or update on table "employment_history" violates foreign key constraint '
                                '"fk_employment_history_member_id_members"'
                      USING ERRCODE = 'foreign_key_violation', TABLE = 'employment_history',
                            CONSTRAINT = 'fk_employment_history_member_id_members';
            END IF;
            PERFORM 1 FROM employers WHERE id = ANY (employer_ids) FOR KEY SHARE;
            GET DIAGNOSTICS found = ROW_COUNT;
            IF found < cardinality(employer_ids) THEN
                RAISE EXCEPTION 'insert or update on table "employment_history" violates foreign key constraint '
                                '"fk_employment_history_employer_id_employers"'
                      USING ERRCODE = 'foreign_key_violation', TABLE = 'employment_history',
                            CONSTRAINT = 'fk_employment_history_employer_id_employers';
            END IF;
        ELSE
            ALTER TABLE employment_history ENABLE TRIGGER employment_history_audit;
        END IF;
        result := jsonb_build_object('created', created, 'updated', 0, 'unchanged', 0,
                                     'examples', jsonb_build_object('created', created_lines, 'updated', '[]'::jsonb,
                                                                    'unchanged', '{}'::integer[]));
    ELSIF NOT p_last THEN
        result := jsonb_build_object('created', 0, 'updated', 0, 'unchanged', 0,
                                     'examples', jsonb_build_object('created', '{}'::integer[],
                                                                    'updated', '[]'::jsonb,
                                                                    'unchanged', '{}'::integer[]));
    ELSE
        ALTER TABLE employment_history DISABLE TRIGGER employment_history_audit;
        -- every staged row's outcome, decided here whatever the row said
        WITH s AS (
            SELECT t.*,
                   row_number() OVER (PARTITION BY t.member_id, t.employer_id, t.started_on ORDER BY t.line_no) AS nth
            FROM import_stage_employment AS t
            WHERE t.run_id = p_run
        ), e AS (
            SELECT h.id, h.member_id, h.employer_id, h.started_on, h.ended_on, h.job_class, h.termination_reason,
                   h.days_worked, h.hours_worked,
                   row_number() OVER (PARTITION BY h.member_id, h.employer_id, h.started_on ORDER BY h.id) AS nth
            FROM employment_history AS h
            WHERE h.source = 'import' AND (run_first IS NULL OR h.id < run_first)
              AND h.member_id IN (SELECT DISTINCT member_id FROM s)
        ), c AS (
            SELECT s.line_no, e.id AS history_id,
                   CASE WHEN e.id IS NULL THEN 'created'
                        WHEN (s.ended_on, s.job_class, s.termination_reason, s.days_worked, s.hours_worked)
                             IS NOT DISTINCT FROM (e.ended_on, e.job_class, e.termination_reason, e.days_worked,
                                                   e.hours_worked) THEN 'unchanged'
                        ELSE 'updated' END AS outcome,
                   CASE WHEN e.id IS NOT NULL
                             AND (s.ended_on, s.job_class, s.termination_reason, s.days_worked, s.hours_worked)
                                 IS DISTINCT FROM (e.ended_on, e.job_class, e.termination_reason, e.days_worked,
                                                   e.hours_worked)
                        THEN ARRAY(SELECT k FROM unnest(ARRAY['ended_on', 'job_class', 'termination_reason',
                                                              'days_worked', 'hours_worked']) AS k
                                   WHERE to_jsonb(s) -> k IS DISTINCT FROM to_jsonb(e) -> k) END AS changed
            FROM s
            LEFT JOIN e ON e.member_id = s.member_id AND e.employer_id = s.employer_id AND e.started_on = s.started_on
                       AND e.nth = s.nth
        )
        UPDATE import_stage_employment AS t
           SET outcome = c.outcome, history_id = c.history_id, changed = c.changed
          FROM c
         WHERE t.run_id = p_run AND t.line_no = c.line_no;
        WITH inserted AS (
            INSERT INTO employment_history (member_id, employer_id, job_class, started_on, ended_on,
                                            termination_reason, days_worked, hours_worked, source)
            SELECT member_id, employer_id, job_class, started_on, ended_on, termination_reason, days_worked,
                   hours_worked, 'import'
            FROM import_stage_employment
            WHERE run_id = p_run AND outcome = 'created'
            ORDER BY line_no
            RETURNING id
        )
        SELECT count(*), min(id), max(id) INTO created, first_id, last_id FROM inserted;
        ALTER TABLE employment_history ENABLE TRIGGER employment_history_audit;
    END IF;
    IF created > 0 THEN
        INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, changed_fields, member_id,
                               db_user, application_name, changed_at, transaction_id)
        VALUES ('employment_history', run_key, 'INSERT', NULL,
                jsonb_build_object('import_run', p_run, 'created', created,
                                   'created_ids', jsonb_build_array(first_id, last_id)),
                '{import}', NULL, session_user, current_setting('application_name', true), clock_timestamp(),
                txid_current());
    END IF;

    IF matching AND p_last THEN
        -- updates keep the audit trigger's row each
        UPDATE employment_history AS h
           SET ended_on = t.ended_on, job_class = t.job_class, termination_reason = t.termination_reason,
               days_worked = t.days_worked, hours_worked = t.hours_worked, version = h.version + 1
          FROM import_stage_employment AS t
         WHERE t.run_id = p_run AND t.outcome = 'updated' AND h.id = t.history_id;
        SELECT jsonb_build_object(
                   'created', created,
                   'updated', count(*) FILTER (WHERE outcome = 'updated'),
                   'unchanged', count(*) FILTER (WHERE outcome = 'unchanged'),
                   'examples', jsonb_build_object(
                       'created', ARRAY(SELECT line_no FROM import_stage_employment
                                        WHERE run_id = p_run AND outcome = 'created' ORDER BY line_no LIMIT 5),
                       'updated', coalesce((
                           SELECT jsonb_agg(jsonb_build_object('line', u.line_no, 'fields', u.changed)
                                            ORDER BY u.line_no)
                           FROM (SELECT line_no, changed FROM import_stage_employment
                                 WHERE run_id = p_run AND outcome = 'updated' ORDER BY line_no LIMIT 5) AS u), '[]'),
                       'unchanged', ARRAY(SELECT line_no FROM import_stage_employment
                                          WHERE run_id = p_run AND outcome = 'unchanged' ORDER BY line_no LIMIT 5)))
          INTO result FROM import_stage_employment WHERE run_id = p_run;
        DELETE FROM import_stage_employment WHERE run_id = p_run;
    END IF;
    RETURN result;
END $$;
