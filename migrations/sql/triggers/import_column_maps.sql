-- Every trigger on import_column_maps.

CREATE OR REPLACE TRIGGER import_column_maps_audit AFTER INSERT OR UPDATE OR DELETE ON import_column_maps
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER import_column_maps_version BEFORE UPDATE ON import_column_maps
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
