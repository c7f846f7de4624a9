-- Every trigger on payment_allocations.

CREATE OR REPLACE TRIGGER payment_allocations_append_only BEFORE UPDATE OR DELETE ON payment_allocations
FOR EACH ROW EXECUTE FUNCTION uc_append_only();

CREATE OR REPLACE TRIGGER payment_allocations_audit AFTER INSERT OR UPDATE OR DELETE ON payment_allocations
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER payment_allocations_check AFTER INSERT ON payment_allocations
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION uc_payment_allocations_check();

CREATE OR REPLACE TRIGGER payment_allocations_closed_month_insert AFTER INSERT ON payment_allocations
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION uc_dues_refuse_closed('allocated_on', 'payment applications');

CREATE OR REPLACE TRIGGER payment_allocations_no_truncate BEFORE TRUNCATE ON payment_allocations
FOR EACH STATEMENT EXECUTE FUNCTION uc_append_only();

CREATE OR REPLACE TRIGGER payment_allocations_totals AFTER INSERT ON payment_allocations
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION uc_dues_charge_totals();
