-- Every trigger on registrations.

CREATE OR REPLACE TRIGGER registrations_audit AFTER INSERT OR UPDATE OR DELETE ON registrations
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER registrations_book_open BEFORE INSERT ON registrations
FOR EACH ROW EXECUTE FUNCTION uc_book_open_guard();

CREATE OR REPLACE TRIGGER registrations_office_named BEFORE INSERT OR UPDATE OF method, office_id ON registrations
FOR EACH ROW EXECUTE FUNCTION uc_registration_office_guard();

CREATE OR REPLACE TRIGGER registrations_notify AFTER INSERT OR UPDATE OR DELETE ON registrations
FOR EACH ROW EXECUTE FUNCTION uc_notify_change('book_id');

CREATE OR REPLACE TRIGGER registrations_version BEFORE UPDATE ON registrations
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
