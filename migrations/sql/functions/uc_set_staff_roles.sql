-- Gives a staff login exactly the roles named; at least one active admin remains; audited.
CREATE OR REPLACE FUNCTION uc_set_staff_roles(p_login text, p_roles text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    r text;
    before text[];
BEGIN
    PERFORM uc_staff_guard(p_login, true);
    PERFORM uc_check_roles(p_roles);
    before := uc_staff_roles_of(p_login);
    FOREACH r IN ARRAY ARRAY['dispatcher', 'dues_clerk', 'manager', 'admin'] LOOP
        IF r = ANY (p_roles) THEN
            EXECUTE format('GRANT %I TO %I', 'uc_' || r, p_login);
        ELSIF r = ANY (before) THEN
            EXECUTE format('REVOKE %I FROM %I', 'uc_' || r, p_login);
        END IF;
    END LOOP;
    IF 'admin' = ANY (before) THEN
        PERFORM uc_check_admin_remains();
    END IF;
    IF before IS DISTINCT FROM uc_staff_roles_of(p_login) THEN
        PERFORM uc_audit_staff(p_login, 'roles', jsonb_build_object('roles', before),
                               jsonb_build_object('roles', uc_staff_roles_of(p_login)));
    END IF;
END $$;
