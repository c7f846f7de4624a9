-- Every trigger on remittance_lines.

CREATE OR REPLACE TRIGGER remittance_lines_audit AFTER INSERT OR UPDATE OR DELETE ON remittance_lines
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER remittance_lines_guard BEFORE INSERT OR UPDATE OR DELETE ON remittance_lines
FOR EACH ROW EXECUTE FUNCTION uc_remittance_lines_guard();

CREATE OR REPLACE TRIGGER remittance_lines_version BEFORE UPDATE ON remittance_lines
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
