-- Every trigger on employers.

CREATE OR REPLACE TRIGGER employers_audit AFTER INSERT OR UPDATE OR DELETE ON employers
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER employers_notify AFTER INSERT OR UPDATE OR DELETE ON employers
FOR EACH ROW EXECUTE FUNCTION uc_notify_change('id');

CREATE OR REPLACE TRIGGER employers_version BEFORE UPDATE ON employers
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
