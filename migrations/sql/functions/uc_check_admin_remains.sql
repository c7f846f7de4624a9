-- Refuses a change that would leave the hall without an active admin login.
CREATE OR REPLACE FUNCTION uc_check_admin_remains() RETURNS void
LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM staff AS s JOIN pg_catalog.pg_roles AS r ON r.rolname = s.login
                   WHERE s.active AND r.rolcanlogin AND 'admin' = ANY (uc_staff_roles_of(s.login))) THEN
        RAISE EXCEPTION 'At least one active admin must remain; give someone else the admin role first.';
    END IF;
END $$;
