-- Refuses UPDATE, DELETE and TRUNCATE on an append-only table (charges, payments, offer lines, report runs...).
-- Hot and naming no table, view or type: no SET search_path, whose switch costs every call.
CREATE OR REPLACE FUNCTION uc_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'permission denied for table %: it is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
