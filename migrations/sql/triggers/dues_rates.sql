-- Every trigger on dues_rates.

CREATE OR REPLACE TRIGGER dues_rates_audit AFTER INSERT OR UPDATE OR DELETE ON dues_rates
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER dues_rates_notify AFTER INSERT OR UPDATE OR DELETE ON dues_rates
FOR EACH STATEMENT EXECUTE FUNCTION uc_notify_change('id');

CREATE OR REPLACE TRIGGER dues_rates_version BEFORE UPDATE ON dues_rates
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
