-- Any active staff member, for their own login only (session_user: a SECURITY DEFINER caller cannot pose as another).
CREATE OR REPLACE FUNCTION uc_change_own_password(p_verifier text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM staff WHERE login = session_user AND active) THEN
        RAISE EXCEPTION 'Only an active staff login changes its password here.' USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM uc_staff_guard(session_user, true);
    IF p_verifier IS NULL THEN
        RAISE EXCEPTION 'Give the new password.';
    END IF;
    PERFORM uc_check_verifier(p_verifier);
    EXECUTE format('ALTER ROLE %I PASSWORD %L', session_user, p_verifier);
    PERFORM uc_audit_staff(session_user, 'password', NULL, jsonb_build_object('password', 'changed'));
END $$;
