-- Every trigger on member_exclusions.

CREATE OR REPLACE TRIGGER member_exclusions_audit AFTER INSERT OR UPDATE OR DELETE ON member_exclusions
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER member_exclusions_notify AFTER INSERT OR UPDATE OR DELETE ON member_exclusions
FOR EACH ROW EXECUTE FUNCTION uc_notify_change('member_id');
