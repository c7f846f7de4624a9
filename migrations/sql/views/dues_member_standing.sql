-- A member's balance, credit, paid-through month and standing.
-- paid_through: the month before the oldest month still owing; with nothing owing, the last month billed plus the
-- whole months the member's credit buys at the current rate (paid ahead).
-- months_behind: months still owing whose grace has passed. Thresholds are app settings.
-- What each month owes and was paid comes from dues_charge_totals: a member's applications are the sum of what their
-- months were paid.
CREATE OR REPLACE VIEW dues_member_standing AS
SELECT m.id AS member_id,
       coalesce(ch.owed, 0)::numeric(12, 2) AS charged,
       coalesce(pay.paid, 0)::numeric(12, 2) AS paid,
       (coalesce(ch.owed, 0) - coalesce(pay.paid, 0))::numeric(12, 2) AS balance,
       (coalesce(pay.paid, 0) - coalesce(ch.applied, 0))::numeric(12, 2) AS credit,
       ch.first_charge, ch.last_charge, ch.first_open,
       CASE WHEN ch.last_charge IS NULL THEN NULL
            WHEN ch.first_open IS NULL THEN (ch.last_charge + make_interval(months => ahead.months))::date
            WHEN ch.first_open > ch.first_charge THEN (ch.first_open - interval '1 month')::date
       END AS paid_through,
       ahead.months AS months_ahead,
       coalesce(ch.months_behind, 0)::integer AS months_behind,
       CASE WHEN coalesce(ch.months_behind, 0) >= cfg.suspend_months THEN 'suspended'
            WHEN coalesce(ch.months_behind, 0) >= cfg.arrears_months THEN 'in_arrears'
            ELSE 'good_standing' END AS standing,
       lp.paid_on AS last_payment_on, lp.amount AS last_payment_amount
FROM members AS m
CROSS JOIN (
    SELECT coalesce((SELECT value::integer FROM app_settings WHERE key = 'dues_arrears_months'), 1)
               AS arrears_months,
           coalesce((SELECT value::integer FROM app_settings WHERE key = 'dues_suspend_months'), 3)
               AS suspend_months
    OFFSET 0
) AS cfg
LEFT JOIN (
    SELECT t.member_id, sum(t.owed) AS owed, sum(t.paid) AS applied, min(t.period) AS first_charge,
           max(t.period) AS last_charge, min(t.period) FILTER (WHERE t.paid < t.owed) AS first_open,
           count(*) FILTER (WHERE t.paid < t.owed AND p.grace_until < (SELECT uc_hall_today()))
               AS months_behind
    FROM dues_charge_totals AS t
    JOIN dues_periods AS p ON p.month = t.period
    GROUP BY t.member_id
) AS ch ON ch.member_id = m.id
LEFT JOIN (SELECT member_id, sum(amount) AS paid FROM payments GROUP BY member_id) AS pay
       ON pay.member_id = m.id
LEFT JOIN LATERAL (
    SELECT p.paid_on, p.amount FROM payments AS p
    WHERE p.member_id = m.id AND p.reverses_payment_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM payments AS r WHERE r.reverses_payment_id = p.id)
    ORDER BY p.paid_on DESC, p.id DESC LIMIT 1
) AS lp ON true
CROSS JOIN LATERAL (
    SELECT CASE WHEN ch.first_open IS NULL AND coalesce(pay.paid, 0) - coalesce(ch.applied, 0) > 0 THEN
        coalesce((SELECT floor((coalesce(pay.paid, 0) - coalesce(ch.applied, 0)) / nullif(r.amount, 0))::integer
                  FROM dues_rates AS r
                  WHERE r.classification = m.classification
                    AND r.effective_from <= ch.last_charge + interval '1 month'
                  ORDER BY r.effective_from DESC LIMIT 1), 0)
        ELSE 0 END AS months
) AS ahead;
