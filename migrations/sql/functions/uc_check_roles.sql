-- A staff member holds at least one role, and only the app's roles.
CREATE OR REPLACE FUNCTION uc_check_roles(p_roles text[]) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = public, pg_temp AS $$
DECLARE
    r text;
BEGIN
    IF p_roles IS NULL OR cardinality(p_roles) = 0 THEN
        RAISE EXCEPTION 'Give the staff member at least one role.';
    END IF;
    FOREACH r IN ARRAY p_roles LOOP
        IF r IS NULL OR r NOT IN ('dispatcher', 'dues_clerk', 'manager', 'admin') THEN
            RAISE EXCEPTION 'Unknown role "%": use dispatcher, dues_clerk, manager or admin.', r;
        END IF;
    END LOOP;
END $$;
