-- Every trigger on payments.

CREATE OR REPLACE TRIGGER payments_append_only BEFORE UPDATE OR DELETE ON payments
FOR EACH ROW EXECUTE FUNCTION uc_append_only();

CREATE OR REPLACE TRIGGER payments_audit AFTER INSERT OR UPDATE OR DELETE ON payments
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER payments_before_insert BEFORE INSERT ON payments
FOR EACH ROW EXECUTE FUNCTION uc_payments_before_insert();

CREATE OR REPLACE TRIGGER payments_closed_month_insert AFTER INSERT ON payments
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION uc_dues_refuse_closed('paid_on', 'payments');

CREATE OR REPLACE TRIGGER payments_no_truncate BEFORE TRUNCATE ON payments
FOR EACH STATEMENT EXECUTE FUNCTION uc_append_only();

CREATE OR REPLACE TRIGGER payments_notify AFTER INSERT OR UPDATE OR DELETE ON payments
FOR EACH ROW EXECUTE FUNCTION uc_notify_change('member_id');
