-- Book registrations staged by an import run (member and book already found, re-sign due already computed by the
-- book's rules) become live registrations, matched on (member, book): a new place is signed on, a place whose tier,
-- APN, registered time, re-sign or exemption differ is set to the source, and check marks are added up to the
-- source's count (dated one day apart before the earliest on file). Each created or corrected place gets its
-- registration activity row. Returns the counts and the staged line numbers of each outcome and deletes the run's
-- staged rows. SECURITY DEFINER for the reason uc_import_members gives.
CREATE OR REPLACE FUNCTION uc_import_registrations(p_run uuid) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    result jsonb;
    marks integer;
BEGIN
    IF NOT (pg_has_role(session_user, 'uc_admin', 'MEMBER') OR pg_has_role(session_user, current_user, 'MEMBER')) THEN
        RAISE EXCEPTION 'Only admins import records from another system.' USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('uc_import'));
    -- what a previous step decides is the function's own, whatever the staged row said
    UPDATE import_stage_registrations SET registration_id = NULL, outcome = NULL WHERE run_id = p_run;
    UPDATE import_stage_registrations AS s
       SET registration_id = g.id,
           outcome = CASE WHEN (s.tier, s.apn, s.registered_at, s.last_resign_on, s.resign_due_on,
                                s.exemption_reason, s.exemption_start, s.exemption_end)
                               IS NOT DISTINCT FROM (g.tier, g.apn, g.registered_at, g.last_resign_on,
                                                     g.resign_due_on, g.exemption_reason, g.exemption_start,
                                                     g.exemption_end)
                           AND s.check_marks <= (SELECT count(*) FROM check_marks AS k
                                                 WHERE k.registration_id = g.id AND k.removed_at IS NULL)
                          THEN 'unchanged' ELSE 'updated' END
      FROM registrations AS g
     WHERE s.run_id = p_run AND g.member_id = s.member_id AND g.book_id = s.book_id
       AND g.status IN ('registered', 'dispatched', 'awaiting_reregistration');
    UPDATE import_stage_registrations SET outcome = 'created' WHERE run_id = p_run AND outcome IS NULL;

    UPDATE registrations AS g
       SET tier = s.tier, apn = s.apn, registered_at = s.registered_at, last_resign_on = s.last_resign_on,
           resign_due_on = s.resign_due_on, exemption_reason = s.exemption_reason,
           exemption_start = s.exemption_start, exemption_end = s.exemption_end,
           updated_at = now(), version = g.version + 1
      FROM import_stage_registrations AS s
     WHERE s.run_id = p_run AND s.outcome = 'updated' AND g.id = s.registration_id
       AND (s.tier, s.apn, s.registered_at, s.last_resign_on, s.resign_due_on, s.exemption_reason,
            s.exemption_start, s.exemption_end)
           IS DISTINCT FROM (g.tier, g.apn, g.registered_at, g.last_resign_on, g.resign_due_on, g.exemption_reason,
                             g.exemption_start, g.exemption_end);
    WITH created AS (
        INSERT INTO registrations (member_id, book_id, tier, apn, registered_at, method, status, last_resign_on,
                                   resign_due_on, exemption_reason, exemption_start, exemption_end)
        SELECT member_id, book_id, tier, apn, registered_at, coalesce(method, 'in_person'), 'registered',
               last_resign_on, resign_due_on, exemption_reason, exemption_start, exemption_end
        FROM import_stage_registrations
        WHERE run_id = p_run AND outcome = 'created'
        ORDER BY book_id, position
        RETURNING id, member_id, book_id
    )
    UPDATE import_stage_registrations AS s SET registration_id = created.id
      FROM created
     WHERE s.run_id = p_run AND s.outcome = 'created' AND s.member_id = created.member_id
       AND s.book_id = created.book_id;

    INSERT INTO registration_activity (registration_id, member_id, book_id, action, after, note)
    SELECT g.id, g.member_id, g.book_id, 'sign_on', uc_registration_snapshot(g),
           CASE s.outcome WHEN 'created' THEN 'Imported from the hall''s previous system.'
                ELSE 'Place set as the hall''s previous system lists it.' END
      FROM import_stage_registrations AS s
      JOIN registrations AS g ON g.id = s.registration_id
     WHERE s.run_id = p_run AND s.outcome IN ('created', 'updated');

    INSERT INTO check_marks (registration_id, member_id, book_id, marked_on)
    SELECT s.registration_id, s.member_id, s.book_id, coalesce(k.first_on, uc_hall_today() + 1) - 1 - i
      FROM import_stage_registrations AS s
     CROSS JOIN LATERAL (SELECT count(*)::integer AS held, min(marked_on) AS first_on FROM check_marks AS m
                         WHERE m.registration_id = s.registration_id AND m.removed_at IS NULL) AS k
     CROSS JOIN LATERAL generate_series(0, s.check_marks - k.held - 1) AS i
     WHERE s.run_id = p_run AND s.check_marks > k.held;
    GET DIAGNOSTICS marks = ROW_COUNT;

    SELECT jsonb_build_object(
               'created', count(*) FILTER (WHERE outcome = 'created'),
               'updated', count(*) FILTER (WHERE outcome = 'updated'),
               'unchanged', count(*) FILTER (WHERE outcome = 'unchanged'),
               'examples', jsonb_build_object(
                   'created', ARRAY(SELECT line_no FROM import_stage_registrations
                                     WHERE run_id = p_run AND outcome = 'created' ORDER BY line_no LIMIT 5),
                   'updated', ARRAY(SELECT line_no FROM import_stage_registrations
                                     WHERE run_id = p_run AND outcome = 'updated' ORDER BY line_no LIMIT 5),
                   'unchanged', ARRAY(SELECT line_no FROM import_stage_registrations
                                     WHERE run_id = p_run AND outcome = 'unchanged' ORDER BY line_no LIMIT 5)),
               'parts', jsonb_build_object('check_marks_created', marks))
      INTO result FROM import_stage_registrations WHERE run_id = p_run;
    DELETE FROM import_stage_registrations WHERE run_id = p_run;
    RETURN result;
END $$;
