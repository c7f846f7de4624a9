-- A labor request starts on the hall's today or later. Fires on insert and when start_on is set; an update that
-- leaves the date as it was passes, so a request that already started can still be edited in its other fields.
-- The schema owner (imports of past requests, the seed) is exempt, as from uc_book_open_guard.
CREATE OR REPLACE FUNCTION uc_request_start_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.start_on IS NULL OR NEW.start_on >= uc_hall_today()
       OR (TG_OP = 'UPDATE' AND NEW.start_on = OLD.start_on)
       OR pg_has_role(session_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The start date is before today at the hall: give today or a later date.'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_labor_requests_start_not_past';
END $$;
