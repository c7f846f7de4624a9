-- Attaches the audit trigger (and the version trigger) to a table. Migrations up to 0014 call it; the triggers it made
-- are written out in triggers/<table>.sql, and new tables list theirs there too.
CREATE OR REPLACE FUNCTION uc_track(p_table text, p_key text, p_versioned boolean) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I '
                   'FOR EACH ROW EXECUTE FUNCTION uc_audit(%L)', p_table || '_audit', p_table, p_key);
    IF p_versioned THEN
        EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I '
                       'FOR EACH ROW EXECUTE FUNCTION uc_check_version()', p_table || '_version', p_table);
    END IF;
END $$;
