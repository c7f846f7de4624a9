-- Every trigger on dues_adjustments.

CREATE OR REPLACE TRIGGER dues_adjustments_audit AFTER INSERT OR UPDATE OR DELETE ON dues_adjustments
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER dues_adjustments_closed_month_delete AFTER DELETE ON dues_adjustments
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION uc_dues_refuse_closed('requested_on', 'adjustments');

CREATE OR REPLACE TRIGGER dues_adjustments_closed_month_insert AFTER INSERT ON dues_adjustments
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION uc_dues_refuse_closed('requested_on', 'adjustments');

CREATE OR REPLACE TRIGGER dues_adjustments_closed_month_update AFTER UPDATE ON dues_adjustments
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION uc_dues_refuse_closed('requested_on', 'adjustments');

CREATE OR REPLACE TRIGGER dues_adjustments_guard BEFORE INSERT OR UPDATE OR DELETE ON dues_adjustments
FOR EACH ROW EXECUTE FUNCTION uc_dues_adjustments_guard();

CREATE OR REPLACE TRIGGER dues_adjustments_notify AFTER INSERT OR UPDATE OR DELETE ON dues_adjustments
FOR EACH ROW EXECUTE FUNCTION uc_notify_change('member_id');

CREATE OR REPLACE TRIGGER dues_adjustments_totals AFTER UPDATE ON dues_adjustments
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION uc_dues_charge_totals();

CREATE OR REPLACE TRIGGER dues_adjustments_version BEFORE UPDATE ON dues_adjustments
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
