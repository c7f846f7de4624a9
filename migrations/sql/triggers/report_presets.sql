-- Every trigger on report_presets.

CREATE OR REPLACE TRIGGER report_presets_audit AFTER INSERT OR UPDATE OR DELETE ON report_presets
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER report_presets_notify AFTER INSERT OR UPDATE OR DELETE ON report_presets
FOR EACH ROW EXECUTE FUNCTION uc_notify_change('id');

CREATE OR REPLACE TRIGGER report_presets_version BEFORE UPDATE ON report_presets
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
