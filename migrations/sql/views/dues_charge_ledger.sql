-- Each charge's owed and paid summed from the ledger itself: the charge, its approved adjustments and the payments
-- applied to it. dues_charge_totals keeps the same figures as the ledger grows (uc_dues_charge_totals); this is
-- what they must equal, which the integrity check compares and uc_rebuild_dues_charge_totals writes back.
CREATE OR REPLACE VIEW dues_charge_ledger AS
SELECT c.id AS charge_id, c.member_id, c.period,
       (c.amount + coalesce(j.total, 0))::numeric(12, 2) AS owed,
       coalesce(a.total, 0)::numeric(12, 2) AS paid
FROM dues_charges AS c
LEFT JOIN (SELECT member_id, charge_id, sum(amount) AS total
           FROM payment_allocations GROUP BY member_id, charge_id) AS a
       ON a.member_id = c.member_id AND a.charge_id = c.id
LEFT JOIN (SELECT member_id, charge_id, sum(amount) AS total
           FROM dues_adjustments WHERE status = 'approved' GROUP BY member_id, charge_id) AS j
       ON j.member_id = c.member_id AND j.charge_id = c.id;
