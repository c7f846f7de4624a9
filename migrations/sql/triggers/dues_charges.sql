-- Every trigger on dues_charges.

CREATE OR REPLACE TRIGGER dues_charges_append_only BEFORE UPDATE OR DELETE ON dues_charges
FOR EACH ROW EXECUTE FUNCTION uc_append_only();

CREATE OR REPLACE TRIGGER dues_charges_audit AFTER INSERT OR UPDATE OR DELETE ON dues_charges
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER dues_charges_closed_month_insert AFTER INSERT ON dues_charges
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION uc_dues_refuse_closed('period', 'charges');

CREATE OR REPLACE TRIGGER dues_charges_no_truncate BEFORE TRUNCATE ON dues_charges
FOR EACH STATEMENT EXECUTE FUNCTION uc_append_only();

CREATE OR REPLACE TRIGGER dues_charges_notify AFTER INSERT OR UPDATE OR DELETE ON dues_charges
FOR EACH STATEMENT EXECUTE FUNCTION uc_notify_change('id');

CREATE OR REPLACE TRIGGER dues_charges_totals AFTER INSERT ON dues_charges
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION uc_dues_charge_totals();
