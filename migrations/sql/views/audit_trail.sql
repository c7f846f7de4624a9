-- The audit trail a staff member may read: only rows of tables the reader may read anyway. A security barrier, so
-- a reader's own conditions never run on rows the view holds back (an error message could show their values).
-- Report presets are private to their owner (row-level security): their rows show to that owner only.
CREATE OR REPLACE VIEW audit_trail WITH (security_barrier) AS
SELECT a.* FROM audit_log AS a
WHERE has_table_privilege(to_regclass('public.' || quote_ident(a.table_name)), 'SELECT')
  AND (a.table_name <> 'report_presets'
       OR coalesce(a.new_values, a.old_values) ->> 'owner' IS NOT DISTINCT FROM session_user::text);
