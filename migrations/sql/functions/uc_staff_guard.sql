-- The one gate of staff administration: p_login must be (or become) one of the app's own staff logins.
CREATE OR REPLACE FUNCTION uc_staff_guard(p_login text, p_must_be_staff boolean) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
DECLARE
    r record;
BEGIN
    IF p_login IS NULL OR p_login !~ '^[a-z_][a-z0-9_]{2,62}$' THEN
        RAISE EXCEPTION 'Logins are 3-63 lower-case letters, digits or underscores.';
    END IF;
    IF p_login LIKE 'uc\_%' OR p_login LIKE 'pg\_%' THEN
        RAISE EXCEPTION 'The login % is reserved for the server''s own roles; choose another.', p_login
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_must_be_staff AND NOT EXISTS (SELECT FROM staff WHERE login = p_login) THEN
        RAISE EXCEPTION 'No staff member has the login %.', p_login;
    END IF;
    SELECT * INTO r FROM pg_catalog.pg_roles WHERE rolname = p_login;
    IF NOT FOUND THEN
        IF p_must_be_staff THEN
            RAISE EXCEPTION 'The staff login % no longer exists on the server.', p_login;
        END IF;
        RETURN;
    END IF;
    IF r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication OR r.rolbypassrls THEN
        RAISE EXCEPTION 'The login % is a server administrator role, not a staff login.', p_login
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF r.rolname = current_user
       OR r.oid = (SELECT datdba FROM pg_catalog.pg_database WHERE datname = current_database())
       OR EXISTS (SELECT FROM pg_catalog.pg_namespace WHERE nspname = 'public' AND nspowner = r.oid)
       OR EXISTS (SELECT FROM pg_catalog.pg_class WHERE relnamespace = 'public'::regnamespace
                                                     AND relowner = r.oid) THEN
        RAISE EXCEPTION 'The login % owns the database or its schema; it cannot be a staff login.', p_login
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_auth_members WHERE roleid = r.oid) THEN
        RAISE EXCEPTION 'The role % is a group (other roles are its members), not a staff login.', p_login
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- a role that exists already is a staff login here, or of this app in another database on the server
    IF NOT EXISTS (SELECT FROM staff WHERE login = p_login)
       AND (NOT r.rolcanlogin OR cardinality(uc_staff_roles_of(p_login)) = 0) THEN
        RAISE EXCEPTION 'A role named % already exists on this server and is not a staff login; choose another.',
            p_login USING ERRCODE = 'insufficient_privilege';
    END IF;
END $$;
