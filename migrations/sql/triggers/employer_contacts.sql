-- Every trigger on employer_contacts.

CREATE OR REPLACE TRIGGER employer_contacts_audit AFTER INSERT OR UPDATE OR DELETE ON employer_contacts
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER employer_contacts_notify AFTER INSERT OR UPDATE OR DELETE ON employer_contacts
FOR EACH ROW EXECUTE FUNCTION uc_notify_change('employer_id');

CREATE OR REPLACE TRIGGER employer_contacts_version BEFORE UPDATE ON employer_contacts
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
