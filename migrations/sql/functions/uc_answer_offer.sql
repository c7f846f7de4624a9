-- One answer in a walk of the list, however the dispatcher recorded it: the skip lines above the registrant in list
-- order, the registrant's own line, and for an accepted offer the dispatch (the employment row, the dispatch, the
-- registration 'dispatched' with its activity row). A by-name dispatch (R13) is an accepted answer outside any run,
-- with no lines. The caller holds the request's lock and the registrant's, and has decided the skip reasons, the
-- ranks and whether a decline earns a check mark (domain/rules/referral.py, the rules the walk's preview reads); the
-- mark itself is the service's. An accepted offer locks the member first and, when they are already out (or, in a
-- walk, were sent today), writes nothing and returns no row. SECURITY INVOKER: the caller's grants apply, and the
-- tables' triggers count the place on the request, refusing a full or closed one.
CREATE OR REPLACE FUNCTION uc_answer_offer(
    p_request integer, p_run uuid, p_registration integer, p_outcome text, p_rank integer, p_key uuid,
    p_today date, p_note text, p_active text[], p_by_name boolean, p_mark boolean,
    p_skipped integer[], p_skipped_ranks integer[], p_skip_reasons text[])
RETURNS TABLE (o_dispatch_id integer, o_line_id bigint)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    req labor_requests%ROWTYPE;
    reg registrations%ROWTYPE;
    v_employment bigint;
    v_dispatch integer;
    v_after jsonb;
    v_line bigint;
BEGIN
    SELECT * INTO req FROM labor_requests WHERE id = p_request;
    SELECT * INTO reg FROM registrations WHERE id = p_registration;
    IF p_outcome = 'accepted' THEN
        -- each statement below sees what was committed before it began: a dispatch of this member from
        -- another book that held the member's lock is seen once that lock is ours
        PERFORM 1 FROM members WHERE id = reg.member_id FOR NO KEY UPDATE;
        IF EXISTS (SELECT FROM uc_dispatches_out(reg.member_id, CASE WHEN NOT p_by_name THEN p_today END,
                                                 p_active)) THEN
            RETURN;
        END IF;
        INSERT INTO employment_history (member_id, employer_id, worksite_id, job_class, started_on, source)
        VALUES (reg.member_id, req.employer_id, req.worksite_id, req.job_class, greatest(req.start_on, p_today),
                'dispatch')
        RETURNING id INTO v_employment;
        INSERT INTO dispatches (request_id, member_id, registration_id, book_id, employer_id, worksite_id,
                                employment_id, idempotency_key, dispatch_date, by_name, via_bid, short_call, note)
        VALUES (p_request, reg.member_id, reg.id, req.book_id, req.employer_id, req.worksite_id, v_employment,
                p_key, p_today, p_by_name,
                req.bidding AND NOT p_by_name AND EXISTS (SELECT 1 FROM bids b WHERE b.request_id = p_request
                                                          AND b.member_id = reg.member_id AND NOT b.withdrawn),
                req.short_call, p_note)
        RETURNING id INTO v_dispatch;
        UPDATE registrations g SET status = 'dispatched', reregister_by = NULL, version = g.version + 1
        WHERE g.id = reg.id
        RETURNING uc_registration_snapshot(g) INTO v_after;
        INSERT INTO registration_activity (registration_id, member_id, book_id, action, before, after,
                                           request_id, dispatch_id, note)
        VALUES (reg.id, reg.member_id, reg.book_id, 'dispatched', uc_registration_snapshot(reg), v_after,
                p_request, v_dispatch, CASE WHEN p_by_name THEN 'by name' END);
    END IF;
    IF p_run IS NOT NULL THEN
        INSERT INTO offer_lines (run_id, request_id, book_id, registration_id, member_id, rank, tier, apn,
                                 skip_reason)
        SELECT p_run, p_request, req.book_id, g.id, g.member_id, x.rank, g.tier, g.apn, x.reason
        FROM unnest(p_skipped, p_skipped_ranks, p_skip_reasons) WITH ORDINALITY AS x(id, rank, reason, k)
        JOIN registrations AS g ON g.id = x.id
        ORDER BY x.k;
        INSERT INTO offer_lines (run_id, request_id, book_id, registration_id, member_id, rank, tier, apn,
                                 outcome, mark_issued, dispatch_id, note)
        VALUES (p_run, p_request, req.book_id, reg.id, reg.member_id, p_rank, reg.tier, reg.apn, p_outcome, p_mark,
                v_dispatch, p_note)
        RETURNING id INTO v_line;
    END IF;
    RETURN QUERY SELECT v_dispatch, v_line;
END $$;
