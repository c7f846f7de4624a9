-- Every trigger on payment_batches.

CREATE OR REPLACE TRIGGER payment_batches_audit AFTER INSERT OR UPDATE OR DELETE ON payment_batches
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER payment_batches_guard BEFORE INSERT OR UPDATE OR DELETE ON payment_batches
FOR EACH ROW EXECUTE FUNCTION uc_payment_batches_guard();

CREATE OR REPLACE TRIGGER payment_batches_notify AFTER INSERT OR UPDATE OR DELETE ON payment_batches
FOR EACH ROW EXECUTE FUNCTION uc_notify_change('id');

CREATE OR REPLACE TRIGGER payment_batches_version BEFORE UPDATE ON payment_batches
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
