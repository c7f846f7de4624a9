-- Every trigger on contract_codes.

CREATE OR REPLACE TRIGGER contract_codes_audit AFTER INSERT OR UPDATE OR DELETE ON contract_codes
FOR EACH ROW EXECUTE FUNCTION uc_audit('code');

CREATE OR REPLACE TRIGGER contract_codes_notify AFTER INSERT OR UPDATE OR DELETE ON contract_codes
FOR EACH STATEMENT EXECUTE FUNCTION uc_notify_change('code');
