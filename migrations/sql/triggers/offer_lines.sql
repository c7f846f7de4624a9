-- Every trigger on offer_lines.

CREATE OR REPLACE TRIGGER offer_lines_append_only BEFORE UPDATE OR DELETE ON offer_lines
FOR EACH ROW EXECUTE FUNCTION uc_append_only();

CREATE OR REPLACE TRIGGER offer_lines_no_truncate BEFORE TRUNCATE ON offer_lines
FOR EACH STATEMENT EXECUTE FUNCTION uc_append_only();
