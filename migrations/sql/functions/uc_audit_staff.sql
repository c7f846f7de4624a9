-- An audit row for a staff change made outside the staff table (roles, passwords), announced like a change of the
-- staff row (uc_notify_change's payload, plus `what` changed) so other workstations' staff lists reload and a
-- workstation whose own password was reset hears of it at once.
CREATE OR REPLACE FUNCTION uc_audit_staff(p_login text, p_field text, p_old jsonb, p_new jsonb) RETURNS void
LANGUAGE sql SET search_path = public, pg_temp AS $$
    INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, changed_fields, member_id,
                           db_user, application_name, changed_at, transaction_id)
    SELECT 'staff', s.id::text, 'UPDATE', p_old, p_new, ARRAY[p_field], NULL,
           session_user, current_setting('application_name', true), clock_timestamp(), txid_current()
    FROM staff AS s WHERE s.login = p_login;
    SELECT pg_notify('uc_change', json_build_object(
        'table', 'staff', 'op', 'U', 'key', s.id::text, 'what', p_field,
        'by', session_user, 'app', current_setting('application_name', true))::text)
    FROM staff AS s WHERE s.login = p_login;
$$;
