-- Every trigger on worksites.

CREATE OR REPLACE TRIGGER worksites_audit AFTER INSERT OR UPDATE OR DELETE ON worksites
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER worksites_notify AFTER INSERT OR UPDATE OR DELETE ON worksites
FOR EACH ROW EXECUTE FUNCTION uc_notify_change('employer_id');

CREATE OR REPLACE TRIGGER worksites_version BEFORE UPDATE ON worksites
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
