-- Every trigger on receipt_counters.

CREATE OR REPLACE TRIGGER receipt_counters_audit AFTER INSERT OR UPDATE OR DELETE ON receipt_counters
FOR EACH ROW EXECUTE FUNCTION uc_audit('year');
