-- Dues months open and close in order; a closed month cannot be reopened, changed or removed.
CREATE OR REPLACE FUNCTION uc_dues_periods_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.status := 'open';
        NEW.closed_at := NULL;
        NEW.closed_by := NULL;
        IF EXISTS (SELECT 1 FROM dues_periods WHERE month = NEW.month) THEN
            RETURN NEW;  -- the primary key (or the caller's ON CONFLICT) decides
        END IF;
        IF EXISTS (SELECT 1 FROM dues_periods WHERE status = 'closed' AND month >= NEW.month) THEN
            RAISE EXCEPTION 'Months up to % are closed; a month before them cannot be added.',
                to_char(NEW.month, 'FMMonth YYYY');
        END IF;
        RETURN NEW;
    END IF;
    IF OLD.status = 'closed' THEN
        RAISE EXCEPTION '% is closed; a closed month cannot be reopened, changed or removed.',
            to_char(OLD.month, 'FMMonth YYYY');
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF NEW.month <> OLD.month THEN
        RAISE EXCEPTION 'A period''s month cannot change.';
    END IF;
    IF NEW.status = 'closed' THEN
        IF EXISTS (SELECT 1 FROM dues_periods WHERE status = 'open' AND month < NEW.month) THEN
            RAISE EXCEPTION 'Close the earlier months before %: months close in order.',
                to_char(NEW.month, 'FMMonth YYYY');
        END IF;
        NEW.closed_at := now();
        NEW.closed_by := session_user;
    END IF;
    RETURN NEW;
END $$;
