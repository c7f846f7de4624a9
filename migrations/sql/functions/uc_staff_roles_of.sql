-- The app roles a login holds, without the uc_ prefix.
CREATE OR REPLACE FUNCTION uc_staff_roles_of(p_login text) RETURNS text[]
LANGUAGE sql STABLE SET search_path = public, pg_temp AS $$
    SELECT coalesce(array_agg(substr(g.rolname, 4) ORDER BY g.rolname), '{}')
    FROM pg_catalog.pg_auth_members AS m
    JOIN pg_catalog.pg_roles AS g ON g.oid = m.roleid
    JOIN pg_catalog.pg_roles AS r ON r.oid = m.member
    WHERE r.rolname = p_login
      AND g.rolname IN ('uc_dispatcher', 'uc_dues_clerk', 'uc_manager', 'uc_admin')
$$;
