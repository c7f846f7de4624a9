-- Every trigger on employment_history.

CREATE OR REPLACE TRIGGER employment_history_audit AFTER INSERT OR UPDATE OR DELETE ON employment_history
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER employment_history_version BEFORE UPDATE ON employment_history
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
