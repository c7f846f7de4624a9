-- A dispatch takes a place on its request and a rejected or no-show one gives it back; the CHECK on
-- workers_dispatched then refuses over-filling, whichever client wrote the dispatch.
CREATE OR REPLACE FUNCTION uc_dispatch_fills_request() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    delta integer := 0;
    v_number text;
    v_status text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        delta := 1;
    ELSIF NEW.status IN ('rejected', 'no_show') AND OLD.status NOT IN ('rejected', 'no_show') THEN
        delta := -1;
    ELSIF OLD.status IN ('rejected', 'no_show') AND NEW.status NOT IN ('rejected', 'no_show') THEN
        delta := 1;
    END IF;
    IF delta = 0 THEN
        RETURN NULL;
    END IF;
    -- the UPDATE locks the request and re-checks its status on the latest version; when it passes the row
    -- over, the request is cancelled or expired (or gone, which writes nothing, as before)
    UPDATE labor_requests
       SET workers_dispatched = workers_dispatched + delta,
           status = CASE
               WHEN status IN ('cancelled', 'expired') THEN status
               WHEN workers_dispatched + delta >= workers_requested THEN 'filled'
               WHEN workers_dispatched + delta > 0 THEN 'partially_filled'
               ELSE 'open' END,
           version = version + 1,
           updated_at = now()
     WHERE id = NEW.request_id AND (delta < 0 OR status NOT IN ('cancelled', 'expired'));
    IF NOT FOUND THEN
        SELECT number, status INTO v_number, v_status FROM labor_requests WHERE id = NEW.request_id FOR UPDATE;
        IF delta > 0 AND v_status IN ('cancelled', 'expired') THEN
            RAISE EXCEPTION 'request % is %', v_number, v_status
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_labor_requests_not_overfilled';
        END IF;
    END IF;
    RETURN NULL;
END $$;
