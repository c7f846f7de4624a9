-- Every trigger on check_marks.

CREATE OR REPLACE TRIGGER check_marks_audit AFTER INSERT OR UPDATE OR DELETE ON check_marks
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER check_marks_notify AFTER INSERT OR UPDATE OR DELETE ON check_marks
FOR EACH ROW EXECUTE FUNCTION uc_notify_change('book_id');

CREATE OR REPLACE TRIGGER check_marks_version BEFORE UPDATE ON check_marks
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
