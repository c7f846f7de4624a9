"""Employment history imports while the file is still being read: uc_import_employment takes p_last (default true,
so a call with the run alone does what it did). A call with p_last false writes the rows staged so far whose members
have no imported history from before the run, in line order, and takes them off the stage; the run's last call
matches what is left. Each call that creates rows writes one audit row for them, which also tells later calls of the
run which rows it created. The function's arguments change, so the old one is dropped and the grant made again.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

from unioncore_desktop.db import sql_sources

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

SOURCE = "functions/uc_import_employment.sql"
OLD = "uc_import_employment(uuid)"
NEW = "uc_import_employment(uuid, boolean)"

REPLACED_SOURCES = {
    SOURCE: """-- Employment history staged by an import run becomes employment_history rows with source 'import'. A row is matched
-- to an imported row on file by member, employer, start date and its rank among the file's rows with those three (a
-- member may start twice with one employer on one day), so importing the same file again changes nothing; a matched
-- row whose end, class, reason, days or hours differ is updated to the source. Returns the counts and the staged line
-- numbers of each outcome (an update's with the fields it changes) and deletes the run's staged rows. SECURITY
-- DEFINER for the reason uc_import_members gives.
-- Twenty years of a hall's history is hundreds of thousands of rows, and the per-row audit trigger costs several times
-- the write itself: the new rows are inserted with that trigger off, and the run writes one audit row for them (who,
-- when, how many, the ids); updates keep their audit rows one by one. Disabling a trigger takes a SHARE ROW EXCLUSIVE
-- lock on the table until commit, so no other session writes a row while it is off (they wait; readers do not), and it
-- is on again right after the insert; a failed run rolls both back. When none of the staged members has imported
-- history yet (a hall's first import) every row is new, and nothing is matched.
CREATE OR REPLACE FUNCTION uc_import_employment(p_run uuid) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET work_mem = '64MB' AS $$
DECLARE
    matching boolean;
    created integer;
    first_id bigint;
    last_id bigint;
    result jsonb;
BEGIN
    IF NOT (pg_has_role(session_user, 'uc_admin', 'MEMBER') OR pg_has_role(session_user, current_user, 'MEMBER')) THEN
        RAISE EXCEPTION 'Only admins import records from another system.' USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('uc_import'));
    matching := EXISTS (SELECT 1 FROM employment_history AS h
                        WHERE h.source = 'import'
                          AND h.member_id IN (SELECT member_id FROM import_stage_employment WHERE run_id = p_run));
    IF matching THEN
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
            WHERE h.source = 'import' AND h.member_id IN (SELECT DISTINCT member_id FROM s)
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
    END IF;

    ALTER TABLE employment_history DISABLE TRIGGER employment_history_audit;
    WITH inserted AS (
        INSERT INTO employment_history (member_id, employer_id, job_class, started_on, ended_on, termination_reason,
                                        days_worked, hours_worked, source)
        SELECT member_id, employer_id, job_class, started_on, ended_on, termination_reason, days_worked,
               hours_worked, 'import'
        FROM import_stage_employment
        WHERE run_id = p_run AND (NOT matching OR outcome = 'created')
        RETURNING id
    )
    SELECT count(*), min(id), max(id) INTO created, first_id, last_id FROM inserted;
    ALTER TABLE employment_history ENABLE TRIGGER employment_history_audit;
    IF created > 0 THEN
        INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, changed_fields, member_id,
                               db_user, application_name, changed_at, transaction_id)
        VALUES ('employment_history', 'import ' || p_run, 'INSERT', NULL,
                jsonb_build_object('import_run', p_run, 'created', created,
                                   'created_ids', jsonb_build_array(first_id, last_id)),
                '{import}', NULL, session_user, current_setting('application_name', true), clock_timestamp(),
                txid_current());
    END IF;

    IF NOT matching THEN
        result := jsonb_build_object(
            'created', created, 'updated', 0, 'unchanged', 0,
            'examples', jsonb_build_object(
                'created', ARRAY(SELECT line_no FROM import_stage_employment
                                 WHERE run_id = p_run ORDER BY line_no LIMIT 5),
                'updated', '[]'::jsonb, 'unchanged', '{}'::integer[]));
    ELSE
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
    END IF;
    DELETE FROM import_stage_employment WHERE run_id = p_run;
    RETURN result;
END $$;
""",
}


def _grant(function: str) -> None:
    op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO uc_admin")


def upgrade() -> None:
    op.execute(f"DROP FUNCTION {OLD}")
    sql_sources.apply(op.get_bind(), [SOURCE], revision=revision)
    _grant(NEW)


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {NEW}")
    sql_sources.apply(op.get_bind(), [SOURCE], revision=down_revision)
    _grant(OLD)
