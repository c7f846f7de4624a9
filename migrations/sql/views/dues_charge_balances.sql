-- Each charge with what was adjusted, owed, paid and is still open, read from the totals the ledger's triggers keep
-- (dues_charge_totals), so a hall-wide list costs one row per charge instead of summing every application.
CREATE OR REPLACE VIEW dues_charge_balances AS
SELECT c.id AS charge_id, c.member_id, c.period, c.classification, c.amount,
       (t.owed - c.amount)::numeric(12, 2) AS adjusted,
       t.owed, t.paid,
       (t.owed - t.paid)::numeric(12, 2) AS open
FROM dues_charges AS c
JOIN dues_charge_totals AS t ON t.charge_id = c.id;
