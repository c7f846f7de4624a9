-- Every trigger on remittances.

CREATE OR REPLACE TRIGGER remittances_audit AFTER INSERT OR UPDATE OR DELETE ON remittances
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER remittances_guard BEFORE INSERT OR UPDATE OR DELETE ON remittances
FOR EACH ROW EXECUTE FUNCTION uc_remittances_guard();

CREATE OR REPLACE TRIGGER remittances_notify AFTER INSERT OR UPDATE OR DELETE ON remittances
FOR EACH ROW EXECUTE FUNCTION uc_notify_change('id');

CREATE OR REPLACE TRIGGER remittances_version BEFORE UPDATE ON remittances
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
