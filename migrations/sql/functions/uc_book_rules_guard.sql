-- Book rule settings in force never change: a row whose date has come can be neither updated nor deleted, a new row
-- cannot start before today, and a row keeps its book. The schema owner is exempt. The errors carry constraint names
-- so db/errors.py maps them to the form's date field.
CREATE OR REPLACE FUNCTION uc_book_rules_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    today date;
BEGIN
    IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    today := uc_hall_today();
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.effective_from <= today THEN
        RAISE EXCEPTION 'The settings from % are in force or past; they cannot be changed or removed.',
            OLD.effective_from
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_book_rules_in_force_unchanged';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.book_id IS DISTINCT FROM OLD.book_id THEN
        RAISE EXCEPTION 'Rule settings belong to their book; schedule settings on the other book instead.'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_book_rules_book_unchanged';
    END IF;
    IF NEW.effective_from < today THEN
        RAISE EXCEPTION 'Settings take effect from today (%) or later.', today
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_book_rules_effective_from_not_past';
    END IF;
    RETURN NEW;
END $$;
