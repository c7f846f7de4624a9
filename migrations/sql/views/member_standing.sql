-- Standing without amounts, for the dispatch counter and the walk's arrears hold.
CREATE OR REPLACE VIEW member_standing AS
SELECT member_id, standing, months_behind, paid_through FROM dues_member_standing;
