-- Dispatching in one round trip under the book's lock. The workstation walks the list before locking; this locks the
-- list from the top in queue order (places registered since the start of the hall's day are on tomorrow's list),
-- checks that each locked place is the one that was read (same row, same version) until the first eligible one,
-- locks that member, checks they are not already out or sent today and the key is unused, and writes the employment
-- row, the dispatch, the registration 'dispatched' with its activity row and the offer lines. When anything differs
-- it writes nothing and returns no row: the caller, still holding the locks, walks again. SECURITY INVOKER.
CREATE OR REPLACE FUNCTION uc_dispatch_walked(
    p_request integer, p_run uuid, p_key uuid, p_today date, p_note text, p_active text[],
    p_upto_tier smallint, p_upto_apn numeric, p_upto_at timestamptz, p_upto_member integer,
    p_ids integer[], p_versions integer[], p_skips text[])
RETURNS TABLE (o_dispatch_id integer, o_line_id bigint, o_registration_id integer, o_rank integer,
               o_skipped integer[], o_ranks integer[])
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    req labor_requests%ROWTYPE;
    place record;
    j integer;
    n integer := 0;
    v_reg integer;
    v_member integer;
    v_tier smallint;
    v_apn numeric;
    s_ids integer[] := '{}';
    s_members integer[] := '{}';
    s_ranks integer[] := '{}';
    s_tiers smallint[] := '{}';
    s_apns numeric[] := '{}';
    s_skips text[] := '{}';
    v_employment bigint;
    v_dispatch integer;
    v_after jsonb;
    v_line bigint;
    v_listed_before timestamptz := CAST(p_today AS timestamp) AT TIME ZONE coalesce(
        (SELECT value FROM app_settings WHERE key = 'time_zone'), 'America/Los_Angeles');
BEGIN
    SELECT * INTO req FROM labor_requests WHERE id = p_request FOR UPDATE;
    IF EXISTS (SELECT 1 FROM dispatches WHERE idempotency_key = p_key) THEN
        RETURN;
    END IF;
    FOR place IN
        SELECT g.id, g.version, g.member_id, g.tier, g.apn FROM registrations g
        WHERE g.book_id = req.book_id AND g.status = 'registered'
          AND g.registered_at < v_listed_before
          AND (g.tier, g.apn, g.registered_at, g.member_id)
              <= (p_upto_tier, p_upto_apn, p_upto_at, p_upto_member)
        ORDER BY g.tier, g.apn, g.registered_at, g.member_id
        FOR UPDATE OF g
    LOOP
        n := n + 1;
        j := array_position(p_ids, place.id);
        IF j IS NULL OR p_versions[j] IS DISTINCT FROM place.version THEN
            RETURN;
        END IF;
        IF p_skips[j] IS NULL THEN
            v_reg := place.id;
            v_member := place.member_id;
            v_tier := place.tier;
            v_apn := place.apn;
            EXIT;
        END IF;
        s_ids := s_ids || place.id;
        s_members := s_members || place.member_id;
        s_ranks := s_ranks || n;
        s_tiers := s_tiers || place.tier;
        s_apns := s_apns || place.apn;
        s_skips := s_skips || p_skips[j];
    END LOOP;
    IF v_reg IS NULL THEN
        RETURN;
    END IF;
    -- each statement below sees what was committed before it began: a dispatch of this member from
    -- another book that held the member's lock is seen once that lock is ours
    PERFORM 1 FROM members WHERE id = v_member FOR NO KEY UPDATE;
    IF EXISTS (SELECT 1 FROM dispatches d WHERE d.member_id = v_member
               AND (d.status = ANY(p_active) OR d.dispatch_date = p_today)) THEN
        RETURN;
    END IF;
    INSERT INTO employment_history (member_id, employer_id, worksite_id, job_class, started_on, source)
    VALUES (v_member, req.employer_id, req.worksite_id, req.job_class, greatest(req.start_on, p_today),
            'dispatch')
    RETURNING id INTO v_employment;
    INSERT INTO dispatches (request_id, member_id, registration_id, book_id, employer_id, worksite_id,
                            employment_id, idempotency_key, dispatch_date, by_name, via_bid, short_call,
                            note)
    VALUES (p_request, v_member, v_reg, req.book_id, req.employer_id, req.worksite_id, v_employment,
            p_key, p_today, false, false, req.short_call, p_note)
    RETURNING id INTO v_dispatch;
    UPDATE registrations g SET status = 'dispatched', reregister_by = NULL, version = g.version + 1
    WHERE g.id = v_reg
    RETURNING jsonb_build_object(
        'status', g.status, 'tier', g.tier, 'apn', CAST(g.apn AS text),
        'last_resign_on', g.last_resign_on, 'resign_due_on', g.resign_due_on,
        'restorations_used', g.restorations_used, 'exemption_reason', g.exemption_reason,
        'exemption_end', g.exemption_end, 'roll_off_reason', g.roll_off_reason) INTO v_after;
    INSERT INTO registration_activity (registration_id, member_id, book_id, action, before, after,
                                       request_id, dispatch_id)
    VALUES (v_reg, v_member, req.book_id, 'dispatched', jsonb_set(v_after, '{status}', '"registered"'),
            v_after, p_request, v_dispatch);
    INSERT INTO offer_lines (run_id, request_id, book_id, registration_id, member_id, rank, tier, apn,
                             skip_reason)
    SELECT p_run, p_request, req.book_id, x.id, x.member_id, x.rank, x.tier, x.apn, x.skip
    FROM unnest(s_ids, s_members, s_ranks, s_tiers, s_apns, s_skips)
         WITH ORDINALITY AS x(id, member_id, rank, tier, apn, skip, k)
    ORDER BY x.k;
    INSERT INTO offer_lines (run_id, request_id, book_id, registration_id, member_id, rank, tier, apn,
                             outcome, dispatch_id, note)
    VALUES (p_run, p_request, req.book_id, v_reg, v_member, n, v_tier, v_apn, 'accepted', v_dispatch,
            p_note)
    RETURNING id INTO v_line;
    RETURN QUERY SELECT v_dispatch, v_line, v_reg, n, s_ids, s_ranks;
END $$;
