-- Every trigger on member_qualified_books.

CREATE OR REPLACE TRIGGER member_qualified_books_audit AFTER INSERT OR UPDATE OR DELETE ON member_qualified_books
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER member_qualified_books_notify AFTER INSERT OR UPDATE OR DELETE ON member_qualified_books
FOR EACH ROW EXECUTE FUNCTION uc_notify_change('member_id');
