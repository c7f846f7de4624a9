-- Every trigger on holidays.

CREATE OR REPLACE TRIGGER holidays_audit AFTER INSERT OR UPDATE OR DELETE ON holidays
FOR EACH ROW EXECUTE FUNCTION uc_audit('day');

CREATE OR REPLACE TRIGGER holidays_version BEFORE UPDATE ON holidays
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
