-- A labor request still needing workers after its start day expires the next morning, on a book whose rules in force
-- today say so (book_rules.expire_unfilled). Its start day is the later of its start date and the morning it is
-- worked (R3): a request taken after the cutoff for a job starting the next day is still worked once. A partly filled
-- request keeps its dispatches; the places left unfilled expire, and the reason says how many.
-- Idempotent: only live requests change, so a second call (another workstation's, or cron's) finds nothing, and a
-- request locked by a dispatch in progress is re-read after it commits. Called when the referral or requests screen
-- loads the day and by `unioncore requests expire`. SECURITY DEFINER: a manager opening the referral screen holds no
-- UPDATE on labor_requests, and the one write here is decided from the server's clock, with no argument to bend;
-- the audit and notify triggers record it under the caller's own login (session_user).
CREATE OR REPLACE FUNCTION uc_expire_requests()
RETURNS TABLE (o_request_id integer, o_number text, o_book_id integer, o_dispatched integer, o_requested integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    today date := uc_hall_today();
BEGIN
    IF NOT (pg_has_role(session_user, 'uc_dispatcher', 'MEMBER') OR pg_has_role(session_user, 'uc_manager', 'MEMBER')
            OR pg_has_role(session_user, current_user, 'MEMBER')) THEN
        RAISE EXCEPTION 'Only dispatchers and managers expire labor requests.'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN QUERY
    UPDATE labor_requests AS r
       SET status = 'expired',
           expired_at = now(),
           expiry_reason = CASE
               WHEN r.workers_dispatched = 0 THEN
                   format('Unfilled on its start day, %s; expired the next morning.',
                          to_char(greatest(r.start_on, r.referral_date), 'FMDy DD Mon YYYY'))
               ELSE
                   format('%s of %s workers dispatched by its start day, %s; the %s unfilled expired the next morning.',
                          r.workers_dispatched, r.workers_requested,
                          to_char(greatest(r.start_on, r.referral_date), 'FMDy DD Mon YYYY'),
                          r.workers_requested - r.workers_dispatched)
               END,
           version = r.version + 1
     WHERE r.status IN ('open', 'partially_filled')
       AND greatest(r.start_on, r.referral_date) < today
       AND coalesce((SELECT k.expire_unfilled FROM book_rules AS k
                     WHERE k.book_id = r.book_id AND k.effective_from <= today
                     ORDER BY k.effective_from DESC LIMIT 1), false)
    RETURNING r.id, CAST(r.number AS text), r.book_id, CAST(r.workers_dispatched AS integer),
              CAST(r.workers_requested AS integer);
END $$;
