-- Each charge with what was adjusted, owed, paid and is still open. Grouping by (member_id, charge_id) lets a filter
-- on one member reach the allocation and adjustment indexes through the join, so the same views serve one member's
-- screen and the whole hall's lists.
CREATE OR REPLACE VIEW dues_charge_balances AS
SELECT c.id AS charge_id, c.member_id, c.period, c.classification, c.amount,
       coalesce(j.total, 0)::numeric(12, 2) AS adjusted,
       (c.amount + coalesce(j.total, 0))::numeric(12, 2) AS owed,
       coalesce(a.total, 0)::numeric(12, 2) AS paid,
       (c.amount + coalesce(j.total, 0) - coalesce(a.total, 0))::numeric(12, 2) AS open
FROM dues_charges AS c
LEFT JOIN (SELECT member_id, charge_id, sum(amount) AS total
           FROM payment_allocations GROUP BY member_id, charge_id) AS a
       ON a.member_id = c.member_id AND a.charge_id = c.id
LEFT JOIN (SELECT member_id, charge_id, sum(amount) AS total
           FROM dues_adjustments WHERE status = 'approved' GROUP BY member_id, charge_id) AS j
       ON j.member_id = c.member_id AND j.charge_id = c.id;
