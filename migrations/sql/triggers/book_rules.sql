-- Every trigger on book_rules.

CREATE OR REPLACE TRIGGER book_rules_audit AFTER INSERT OR UPDATE OR DELETE ON book_rules
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER book_rules_guard BEFORE INSERT OR UPDATE OR DELETE ON book_rules
FOR EACH ROW EXECUTE FUNCTION uc_book_rules_guard();

CREATE OR REPLACE TRIGGER book_rules_notify AFTER INSERT OR UPDATE OR DELETE ON book_rules
FOR EACH ROW EXECUTE FUNCTION uc_notify_change('book_id');

CREATE OR REPLACE TRIGGER book_rules_version BEFORE UPDATE ON book_rules
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
