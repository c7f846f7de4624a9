-- Every trigger on app_settings.

CREATE OR REPLACE TRIGGER app_settings_audit AFTER INSERT OR UPDATE OR DELETE ON app_settings
FOR EACH ROW EXECUTE FUNCTION uc_audit('key');

CREATE OR REPLACE TRIGGER app_settings_notify AFTER INSERT OR UPDATE OR DELETE ON app_settings
FOR EACH STATEMENT EXECUTE FUNCTION uc_notify_change('key');

CREATE OR REPLACE TRIGGER app_settings_version BEFORE UPDATE ON app_settings
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
