"""Demo dues: rates (with one raise), monthly periods up to this month (older ones closed), charges, and
payments with realistic habits, applied oldest first; a few adjustments, some still pending.

Set-based and deterministic like generate.py. It runs with triggers off (bulk_mode), so it does here what the
triggers would: receipt numbers per year with their counters, who posted, batches that balance, each month's
owed and paid totals. Payments are
applied by the one rule the services use (uc_apply_credit), each allocation dated when it could first have been made.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, text

from unioncore_desktop.domain.queries.fragments import dues_rate_row_in_force
from unioncore_desktop.domain.rules.dues import add_months, month_start
from unioncore_desktop.domain.services.dues import APPLY_SQL
from unioncore_desktop.seed.generate import h

DEMO_RATES = {
    "apprentice_1": 35, "apprentice_2": 40, "apprentice_3": 45, "apprentice_4": 50, "apprentice_5": 55,
    "journeyman": 75, "foreman": 85, "retiree": 25, "honorary": 0,
}
EARLIER_RATES = {"journeyman": 72, "foreman": 82}  # before the raise a year ago
CLERK, MANAGER = "demo_clerk", "demo_manager"


def seed_dues(conn: Connection, *, today: date, months: int = 24, open_months: int = 2) -> None:
    """Seed the dues ledger for every member (call inside a transaction in bulk_mode)."""
    this = month_start(today)
    first = add_months(this, -(months - 1))
    raise_on = add_months(this, -11)
    earlier = EARLIER_RATES if raise_on > first else {}
    rates = [{"c": c, "d": first, "a": earlier.get(c, a)} for c, a in DEMO_RATES.items()]
    rates += [{"c": c, "d": raise_on, "a": DEMO_RATES[c]} for c in earlier]
    conn.execute(text("INSERT INTO dues_rates (classification, effective_from, amount, created_by) "
                      f"VALUES (:c, :d, :a, '{MANAGER}')"), rates)
    conn.execute(text(f"""
        INSERT INTO dues_periods (month, due_on, grace_until, status, charges_generated_at, closed_at, closed_by)
        SELECT m, m, m + 14, CASE WHEN m < :open_from THEN 'closed' ELSE 'open' END, m - interval '3 days',
               CASE WHEN m < :open_from THEN m + interval '1 month 5 days' END,
               CASE WHEN m < :open_from THEN '{MANAGER}' END
        FROM generate_series(CAST(:first AS date), CAST(:this AS date), interval '1 month') AS g(t),
             LATERAL (SELECT t::date AS m) AS x
    """), {"first": first, "this": this, "open_from": add_months(this, -(open_months - 1))})
    conn.execute(text(f"""
        INSERT INTO dues_charges (member_id, period, classification, rate_id, amount, created_at, created_by)
        SELECT m.id, p.month, m.classification, r.id, r.amount, p.month - interval '3 days', '{MANAGER}'
        FROM members AS m
        CROSS JOIN dues_periods AS p
        JOIN LATERAL ({dues_rate_row_in_force("m.classification", "p.month")}) AS r ON true
        WHERE m.status IN ('active', 'suspended')
          AND (m.initiation_date IS NULL OR m.initiation_date < p.month + interval '1 month')
    """))
    _payments(conn, today=today, first=first)
    _adjustments(conn, today=today)
    conn.execute(APPLY_SQL, {"members": None, "on": None})  # everyone; each row dated when it could first be made
    conn.execute(text("SELECT uc_rebuild_dues_charge_totals(NULL)"))  # what the ledger's triggers would have kept
    conn.execute(text("""
        INSERT INTO receipt_counters (year, last_number)
        SELECT left(receipt_number, 4)::smallint, max(right(receipt_number, 6)::integer)
        FROM payments GROUP BY 1
        ON CONFLICT (year) DO UPDATE SET last_number = EXCLUDED.last_number
    """))


# Habits, by a hash of the member: about 73% pay every month, 10% a quarter ahead, 6% a year ahead, 8% stopped a
# month or two ago (in arrears), 3% stopped 3-8 months ago (suspended), plus every member whose status is
# already 'suspended'. Honorary members owe nothing and pay nothing.
HABIT = f"""CASE
    WHEN m.status = 'suspended' OR {h('m.id', 'habit', 100)} >= 97 THEN 'lapsed'
    WHEN {h('m.id', 'habit', 100)} < 68 THEN 'monthly'
    WHEN {h('m.id', 'habit', 100)} < 78 THEN 'quarterly'
    WHEN {h('m.id', 'habit', 100)} < 84 THEN 'yearly'
    WHEN {h('m.id', 'habit', 100)} < 92 THEN 'behind'
    ELSE 'monthly' END"""
METHOD = f"""(ARRAY['cash', 'check', 'check', 'check', 'money_order', 'card', 'card', 'ach', 'payroll_deduction',
                    'online'])[1 + {h('c.member_id * 1000 + c.k', 'method', 10)}]"""


def _payments(conn: Connection, *, today: date, first: date) -> None:
    conn.execute(text(f"""
        CREATE TEMP TABLE seed_payments ON COMMIT DROP AS
        WITH c AS (
            SELECT c.member_id, c.period, c.amount, m.habit,
                   ((extract(year FROM c.period) - extract(year FROM CAST(:first AS date))) * 12
                    + extract(month FROM c.period) - extract(month FROM CAST(:first AS date)))::int AS k,
                   CASE m.habit WHEN 'behind' THEN (date_trunc('month', CAST(:today AS date))
                                                    - make_interval(months => 2 + {h('m.id', 'stop', 2)}))::date
                                WHEN 'lapsed' THEN (date_trunc('month', CAST(:today AS date))
                                                    - make_interval(months => 4 + {h('m.id', 'stop', 6)}))::date
                   END AS last_paid
            FROM dues_charges AS c
            JOIN (SELECT m.id, {HABIT} AS habit FROM members AS m) AS m ON m.id = c.member_id
            WHERE c.amount > 0
        )
        SELECT c.member_id, c.k,
               CASE c.habit WHEN 'quarterly' THEN c.amount * 3 WHEN 'yearly' THEN c.amount * 12 ELSE c.amount END
                   AS amount,
               (c.period + CASE WHEN c.habit IN ('quarterly', 'yearly') THEN {h('c.member_id * 1000 + c.k', 'day', 10)}
                                ELSE {h('c.member_id * 1000 + c.k', 'day', 20)} END)::date AS paid_on,
               {METHOD} AS method
        FROM c
        WHERE CASE c.habit WHEN 'quarterly' THEN c.k % 3 = 0 WHEN 'yearly' THEN c.k % 12 = 0
                           WHEN 'monthly' THEN true ELSE c.period <= c.last_paid END
    """), {"first": first, "today": today})
    conn.execute(text("DELETE FROM seed_payments WHERE paid_on > :today"), {"today": today})
    # one deposit per business day, balanced; today's is still open
    conn.execute(text(f"""
        INSERT INTO payment_batches (deposit_on, deposit_total, status, note, opened_by, opened_at,
                                     closed_by, closed_at)
        SELECT paid_on, sum(amount), CASE WHEN paid_on < :today THEN 'closed' ELSE 'open' END, 'Demo deposit',
               '{CLERK}', paid_on + time '08:30',
               CASE WHEN paid_on < :today THEN '{CLERK}' END,
               CASE WHEN paid_on < :today THEN paid_on + time '16:45' END
        FROM seed_payments GROUP BY paid_on ORDER BY paid_on
    """), {"today": today})
    conn.execute(text(f"""
        INSERT INTO payments (receipt_number, member_id, paid_on, amount, method, reference, batch_id,
                              idempotency_key, posted_by, posted_at)
        SELECT to_char(s.paid_on, 'YYYY') || '-' || lpad(row_number() OVER (
                   PARTITION BY extract(year FROM s.paid_on) ORDER BY s.paid_on, s.member_id, s.k)::text, 6, '0'),
               s.member_id, s.paid_on, s.amount, s.method,
               CASE s.method WHEN 'check' THEN ((100 + {h('s.member_id', 'chk', 800)}) * 100 + s.k)::text
                             WHEN 'money_order' THEN 'MO' || (s.member_id * 100 + s.k) END,
               b.id, md5('demo-payment-' || s.member_id || '-' || s.k)::uuid, '{CLERK}',
               s.paid_on + time '09:00' + make_interval(mins => {h('s.member_id * 1000 + s.k', 'min', 420)})
        FROM seed_payments AS s
        JOIN payment_batches AS b ON b.deposit_on = s.paid_on AND b.note = 'Demo deposit'
        ORDER BY s.paid_on, s.member_id, s.k
    """))


def _adjustments(conn: Connection, *, today: date) -> None:
    """Approved hardship waivers six months back for about 1 in 100 members; a dozen requests still pending
    for members who fell behind."""
    waiver_month = add_months(month_start(today), -6)
    conn.execute(text(f"""
        INSERT INTO dues_adjustments (member_id, charge_id, type, amount, reason, status, requested_by,
                                      requested_on, requested_at, decided_by, decided_at, decision_note)
        SELECT c.member_id, c.id, 'hardship', -c.amount, 'Out of work: hardship waiver per the executive board',
               'approved', '{CLERK}', c.period + 5, c.period + 5 + time '10:00', '{MANAGER}',
               c.period + 7 + time '14:00', 'Approved at the monthly board meeting'
        FROM dues_charges AS c
        WHERE c.period = :m AND c.amount > 0 AND {h('c.member_id', 'waive', 100)} = 0
    """), {"m": waiver_month})
    conn.execute(text(f"""
        INSERT INTO dues_adjustments (member_id, charge_id, type, amount, reason, status, requested_by,
                                      requested_on, requested_at)
        SELECT c.member_id, c.id, 'hardship', -c.amount, 'Member reports medical leave; requests hardship waiver',
               'pending', '{CLERK}', CAST(:today AS date), CAST(:today AS date) + time '09:15'
        FROM dues_charges AS c
        JOIN members AS m ON m.id = c.member_id
        WHERE c.period = :m AND c.amount > 0 AND m.status = 'active'
          AND {h('m.id', 'habit', 100)} BETWEEN 84 AND 91
        ORDER BY {h('m.id', 'pend', 1000)}
        LIMIT 12
    """), {"m": month_start(today), "today": today})
