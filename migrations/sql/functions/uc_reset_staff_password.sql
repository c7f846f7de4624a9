-- An admin sets a staff login's password (as a verifier); audited.
CREATE OR REPLACE FUNCTION uc_reset_staff_password(p_login text, p_verifier text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM uc_staff_guard(p_login, true);
    IF p_verifier IS NULL THEN
        RAISE EXCEPTION 'Give the new password.';
    END IF;
    PERFORM uc_check_verifier(p_verifier);
    EXECUTE format('ALTER ROLE %I PASSWORD %L', p_login, p_verifier);
    PERFORM uc_audit_staff(p_login, 'password', NULL, jsonb_build_object('password', 'reset'));
END $$;
