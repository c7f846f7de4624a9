-- Every trigger on remittance_column_maps.

CREATE OR REPLACE TRIGGER remittance_column_maps_audit AFTER INSERT OR UPDATE OR DELETE ON remittance_column_maps
FOR EACH ROW EXECUTE FUNCTION uc_audit('employer_id');

CREATE OR REPLACE TRIGGER remittance_column_maps_version BEFORE UPDATE ON remittance_column_maps
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
