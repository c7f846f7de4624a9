-- Every trigger on referral_bans.

CREATE OR REPLACE TRIGGER referral_bans_audit AFTER INSERT OR UPDATE OR DELETE ON referral_bans
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER referral_bans_version BEFORE UPDATE ON referral_bans
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
