-- Every trigger on offices.

CREATE OR REPLACE TRIGGER offices_audit AFTER INSERT OR UPDATE OR DELETE ON offices
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER offices_version BEFORE UPDATE ON offices
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
