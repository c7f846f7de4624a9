-- Every trigger on members.

CREATE OR REPLACE TRIGGER members_audit AFTER INSERT OR UPDATE OR DELETE ON members
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER members_name_terms AFTER INSERT OR UPDATE OF first_name, middle_name, last_name ON members
FOR EACH ROW EXECUTE FUNCTION uc_member_name_terms();

CREATE OR REPLACE TRIGGER members_version BEFORE UPDATE ON members
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
