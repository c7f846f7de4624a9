-- Every trigger on employer_contracts.

CREATE OR REPLACE TRIGGER employer_contracts_audit AFTER INSERT OR UPDATE OR DELETE ON employer_contracts
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER employer_contracts_notify AFTER INSERT OR UPDATE OR DELETE ON employer_contracts
FOR EACH ROW EXECUTE FUNCTION uc_notify_change('employer_id');

CREATE OR REPLACE TRIGGER employer_contracts_version BEFORE UPDATE ON employer_contracts
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
