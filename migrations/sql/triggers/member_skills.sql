-- Every trigger on member_skills.

CREATE OR REPLACE TRIGGER member_skills_audit AFTER INSERT OR UPDATE OR DELETE ON member_skills
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER member_skills_notify AFTER INSERT OR UPDATE OR DELETE ON member_skills
FOR EACH ROW EXECUTE FUNCTION uc_notify_change('member_id');
