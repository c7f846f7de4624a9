-- Dispatching in one round trip under the book's lock. The workstation walks the list before locking; this locks the
-- list from the top in queue order (places registered since the start of the hall's day are on tomorrow's list),
-- checks that each locked place is the one that was read (same row, same version) until the first eligible one, and
-- records that registrant's acceptance with the skip lines above them through uc_answer_offer, which locks the member
-- and writes nothing when they are already out or were sent today. When the key is used or anything differs it
-- writes nothing and returns no row: the caller, still holding the locks, walks again. SECURITY INVOKER.
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
    s_ids integer[] := '{}';
    s_ranks integer[] := '{}';
    s_skips text[] := '{}';
    v_listed_before timestamptz := CAST(p_today AS timestamp) AT TIME ZONE coalesce(
        (SELECT value FROM app_settings WHERE key = 'time_zone'), 'America/Los_Angeles');
BEGIN
    SELECT * INTO req FROM labor_requests WHERE id = p_request FOR UPDATE;
    IF EXISTS (SELECT 1 FROM dispatches WHERE idempotency_key = p_key) THEN
        RETURN;
    END IF;
    FOR place IN
        SELECT g.id, g.version FROM registrations g
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
            EXIT;
        END IF;
        s_ids := s_ids || place.id;
        s_ranks := s_ranks || n;
        s_skips := s_skips || p_skips[j];
    END LOOP;
    IF v_reg IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT a.o_dispatch_id, a.o_line_id, v_reg, n, s_ids, s_ranks
    FROM uc_answer_offer(p_request, p_run, v_reg, 'accepted', n, p_key, p_today, p_note, p_active, false, false,
                         s_ids, s_ranks, s_skips) AS a;
END $$;
