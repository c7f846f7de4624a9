-- Gives a deactivated staff login its log-in back.
CREATE OR REPLACE FUNCTION uc_reactivate_staff(p_login text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM uc_staff_guard(p_login, true);
    UPDATE staff SET active = true, version = version + 1 WHERE login = p_login AND NOT active;
    EXECUTE format('ALTER ROLE %I LOGIN', p_login);
END $$;
