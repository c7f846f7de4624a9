-- Tells listening workstations on commit (channel uc_change) that a row changed; TG_ARGV[0] is the column sent as the
-- key, so a screen refreshes only for its own book, request or member (null for statement-level triggers).
-- Hot and naming no table, view or type: no SET search_path, whose switch costs every call.
CREATE OR REPLACE FUNCTION uc_notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('uc_change', json_build_object(
        'table', TG_TABLE_NAME, 'op', left(TG_OP, 1),
        'key', (CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END) ->> TG_ARGV[0],
        'by', session_user, 'app', current_setting('application_name', true))::text);
    RETURN NULL;
END $$;
