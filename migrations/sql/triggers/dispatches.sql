-- Every trigger on dispatches.

CREATE OR REPLACE TRIGGER dispatches_audit AFTER INSERT OR UPDATE OR DELETE ON dispatches
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER dispatches_fill_request AFTER INSERT OR UPDATE OF status ON dispatches
FOR EACH ROW EXECUTE FUNCTION uc_dispatch_fills_request();

CREATE OR REPLACE TRIGGER dispatches_notify AFTER INSERT OR UPDATE OR DELETE ON dispatches
FOR EACH ROW EXECUTE FUNCTION uc_notify_change('book_id');

CREATE OR REPLACE TRIGGER dispatches_version BEFORE UPDATE ON dispatches
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
