-- Every trigger on import_runs: the run's own audit row (each row it wrote has its own as well).

CREATE OR REPLACE TRIGGER import_runs_audit AFTER INSERT OR UPDATE OR DELETE ON import_runs
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');
