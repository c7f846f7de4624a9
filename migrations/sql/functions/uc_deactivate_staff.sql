-- Takes a staff login's log-in away, keeping its history; at least one active admin remains.
CREATE OR REPLACE FUNCTION uc_deactivate_staff(p_login text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM uc_staff_guard(p_login, true);
    UPDATE staff SET active = false, version = version + 1 WHERE login = p_login AND active;
    EXECUTE format('ALTER ROLE %I NOLOGIN', p_login);
    PERFORM uc_check_admin_remains();
END $$;
