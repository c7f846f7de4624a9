-- The audit row of every insert, update and delete on an audited table (TG_ARGV[0]: the key column). The changed keys
-- and the row are written in one statement; an update that changed nothing a person would call a change writes no row.
CREATE OR REPLACE FUNCTION uc_audit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    old_j jsonb;
    new_j jsonb;
    row_j jsonb;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        old_j := to_jsonb(OLD);
        new_j := to_jsonb(NEW);
        -- the changed keys and the row in one statement; no row when nothing a person would call a change
        INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, changed_fields,
                               member_id, db_user, application_name, changed_at, transaction_id)
        SELECT TG_TABLE_NAME, new_j ->> TG_ARGV[0], TG_OP, old_j, new_j, c.changed,
               CASE WHEN TG_TABLE_NAME = 'members' THEN (new_j ->> 'id')::integer
                    ELSE (new_j ->> 'member_id')::integer END,
               session_user, current_setting('application_name', true), clock_timestamp(), txid_current()
        FROM (SELECT array_agg(n.key ORDER BY n.key) AS changed
              FROM jsonb_each(new_j) AS n
              WHERE n.value IS DISTINCT FROM old_j -> n.key
                AND n.key NOT IN ('version', 'updated_at', 'search_text', 'phone_digits')) AS c
        WHERE c.changed IS NOT NULL;
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        new_j := to_jsonb(NEW);
        row_j := new_j;
    ELSE
        old_j := to_jsonb(OLD);
        row_j := old_j;
    END IF;
    INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, changed_fields, member_id,
                           db_user, application_name, changed_at, transaction_id)
    VALUES (TG_TABLE_NAME, row_j ->> TG_ARGV[0], TG_OP, old_j, new_j,
            coalesce((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(row_j) AS k
                      WHERE k NOT IN ('version', 'created_at', 'updated_at', 'search_text', 'phone_digits')),
                     '{}'),
            CASE WHEN TG_TABLE_NAME = 'members' THEN (row_j ->> 'id')::integer
                 ELSE (row_j ->> 'member_id')::integer END,
            session_user, current_setting('application_name', true), clock_timestamp(), txid_current());
    RETURN NULL;
END $$;
