-- Every trigger on labor_requests.

CREATE OR REPLACE TRIGGER labor_requests_audit AFTER INSERT OR UPDATE OR DELETE ON labor_requests
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER labor_requests_book_open BEFORE INSERT ON labor_requests
FOR EACH ROW EXECUTE FUNCTION uc_book_open_guard();

CREATE OR REPLACE TRIGGER labor_requests_start_not_past BEFORE INSERT OR UPDATE OF start_on ON labor_requests
FOR EACH ROW EXECUTE FUNCTION uc_request_start_guard();

CREATE OR REPLACE TRIGGER labor_requests_notify AFTER INSERT OR UPDATE OR DELETE ON labor_requests
FOR EACH ROW EXECUTE FUNCTION uc_notify_change('book_id');

CREATE OR REPLACE TRIGGER labor_requests_version BEFORE UPDATE ON labor_requests
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
