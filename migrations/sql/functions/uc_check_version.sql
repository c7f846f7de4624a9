-- Every update of a versioned table advances its version by one (optimistic locking) and stamps updated_at; a table
-- without updated_at ignores the key.
-- Hot and naming no table, view or type: no SET search_path, whose switch costs every call.
CREATE OR REPLACE FUNCTION uc_check_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.version IS DISTINCT FROM OLD.version + 1 THEN
        RAISE EXCEPTION 'Every change to % must advance its version by one (stale or unversioned update).',
            TG_TABLE_NAME;
    END IF;
    -- a table without updated_at ignores the key: the row comes back as it was
    RETURN jsonb_populate_record(NEW, jsonb_build_object('updated_at', now()));
END $$;
