-- Every trigger on registration_activity.

CREATE OR REPLACE TRIGGER registration_activity_append_only BEFORE UPDATE OR DELETE ON registration_activity
FOR EACH ROW EXECUTE FUNCTION uc_append_only();

CREATE OR REPLACE TRIGGER registration_activity_no_truncate BEFORE TRUNCATE ON registration_activity
FOR EACH STATEMENT EXECUTE FUNCTION uc_append_only();
