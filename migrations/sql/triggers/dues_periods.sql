-- Every trigger on dues_periods.

CREATE OR REPLACE TRIGGER dues_periods_audit AFTER INSERT OR UPDATE OR DELETE ON dues_periods
FOR EACH ROW EXECUTE FUNCTION uc_audit('month');

CREATE OR REPLACE TRIGGER dues_periods_guard BEFORE INSERT OR UPDATE OR DELETE ON dues_periods
FOR EACH ROW EXECUTE FUNCTION uc_dues_periods_guard();

CREATE OR REPLACE TRIGGER dues_periods_notify AFTER INSERT OR UPDATE OR DELETE ON dues_periods
FOR EACH STATEMENT EXECUTE FUNCTION uc_notify_change('id');

CREATE OR REPLACE TRIGGER dues_periods_version BEFORE UPDATE ON dues_periods
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
