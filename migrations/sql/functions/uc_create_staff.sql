-- Creates (or re-activates) a staff login with its roles; audited. Admins only.
CREATE OR REPLACE FUNCTION uc_create_staff(p_login text, p_full_name text, p_roles text[], p_password text)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    r text;
    staff_id integer;
    before text[];
BEGIN
    PERFORM uc_staff_guard(p_login, false);
    IF coalesce(btrim(p_full_name), '') = '' THEN
        RAISE EXCEPTION 'Give the staff member''s full name.';
    END IF;
    PERFORM uc_check_roles(p_roles);
    PERFORM uc_check_verifier(p_password);
    before := uc_staff_roles_of(p_login);
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = p_login) THEN
        IF p_password IS NULL THEN
            EXECUTE format('CREATE ROLE %I LOGIN', p_login);
        ELSE
            EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', p_login, p_password);
        END IF;
    ELSE
        EXECUTE format('ALTER ROLE %I LOGIN', p_login);
    END IF;
    FOREACH r IN ARRAY p_roles LOOP
        EXECUTE format('GRANT %I TO %I', 'uc_' || r, p_login);
    END LOOP;
    INSERT INTO staff (login, full_name) VALUES (p_login, btrim(p_full_name))
    ON CONFLICT (login) DO UPDATE
        SET full_name = EXCLUDED.full_name, active = true, version = staff.version + 1
    RETURNING id INTO staff_id;
    IF before IS DISTINCT FROM uc_staff_roles_of(p_login) THEN
        PERFORM uc_audit_staff(p_login, 'roles', jsonb_build_object('roles', before),
                               jsonb_build_object('roles', uc_staff_roles_of(p_login)));
    END IF;
    RETURN staff_id;
END $$;
