-- The audit log is never changed: refuses UPDATE, DELETE and TRUNCATE on audit_log.
-- Hot and naming no table, view or type: no SET search_path, whose switch costs every call.
CREATE OR REPLACE FUNCTION uc_audit_log_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'The audit log cannot be changed.';
END $$;
