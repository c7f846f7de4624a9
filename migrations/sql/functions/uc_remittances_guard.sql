-- Employer remittances: created by session_user as drafts; a posted one cannot be changed or removed.
CREATE OR REPLACE FUNCTION uc_remittances_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.status := 'draft';
        NEW.created_by := session_user;
        NEW.created_at := now();
        NEW.posted_at := NULL;
        RETURN NEW;
    END IF;
    IF OLD.status = 'posted' THEN
        RAISE EXCEPTION 'Remittance % is posted and cannot be changed or removed.', OLD.check_number;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    NEW.created_by := OLD.created_by;
    NEW.created_at := OLD.created_at;
    NEW.posted_at := CASE WHEN NEW.status = 'posted' THEN now() END;
    RETURN NEW;
END $$;
