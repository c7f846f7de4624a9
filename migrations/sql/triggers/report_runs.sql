-- Every trigger on report_runs.

CREATE OR REPLACE TRIGGER report_runs_append_only BEFORE UPDATE OR DELETE ON report_runs
FOR EACH ROW EXECUTE FUNCTION uc_append_only();

CREATE OR REPLACE TRIGGER report_runs_no_truncate BEFORE TRUNCATE ON report_runs
FOR EACH STATEMENT EXECUTE FUNCTION uc_append_only();

CREATE OR REPLACE TRIGGER report_runs_notify AFTER INSERT ON report_runs
FOR EACH STATEMENT EXECUTE FUNCTION uc_notify_change('id');
