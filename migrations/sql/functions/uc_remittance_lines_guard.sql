-- A posted remittance's lines cannot be changed.
CREATE OR REPLACE FUNCTION uc_remittance_lines_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM remittances WHERE status = 'posted'
               AND id IN (CASE WHEN TG_OP <> 'INSERT' THEN OLD.remittance_id END,
                          CASE WHEN TG_OP <> 'DELETE' THEN NEW.remittance_id END)) THEN
        RAISE EXCEPTION 'The remittance is posted; its lines cannot be changed.';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
