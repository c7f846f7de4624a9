"""The demo dues ledger is consistent with what the triggers and services would have written."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.queries import dues as q
from unioncore_desktop.seed.demo import DEMO_DUES_MONTHS, seed_demo


def test_demo_dues_ledger_is_consistent_and_realistic(databases):
    name = databases.create()
    engine = databases.engine(name)
    assert seed_demo(engine, members=600, employers=20, jobs_per_member=2)
    with engine.connect() as conn:
        periods = conn.execute(text("SELECT status, count(*) FROM dues_periods GROUP BY status")).all()
        assert dict(periods) == {"closed": DEMO_DUES_MONTHS - 2, "open": 2}
        # no month is paid beyond what it owes, no payment applied beyond what it holds
        assert conn.execute(text("SELECT count(*) FROM dues_charge_balances WHERE paid > owed OR paid < 0")
                            ).scalar_one() == 0
        assert conn.execute(text("""
            SELECT count(*) FROM payments AS p
            WHERE (SELECT coalesce(sum(amount), 0) FROM payment_allocations WHERE payment_id = p.id) > p.amount
        """)).scalar_one() == 0
        # receipt numbers run without gaps within each year and the counters continue from them
        gaps = conn.execute(text("""
            SELECT p.year, p.n, p.last, c.last_number
            FROM (SELECT left(receipt_number, 4)::int AS year, count(*) AS n,
                         max(right(receipt_number, 6)::int) AS last FROM payments GROUP BY 1) AS p
            LEFT JOIN receipt_counters AS c ON c.year = p.year
        """)).all()
        assert gaps and all(count == last == counter for _, count, last, counter in gaps)
        # closed months hold only closed, balanced batches
        assert conn.execute(text("""
            SELECT count(*) FROM payment_batches AS b
            WHERE b.deposit_total <> (SELECT sum(amount) FROM payments WHERE batch_id = b.id)
               OR (b.status = 'open' AND b.deposit_on < (SELECT min(month) FROM dues_periods WHERE status = 'open'))
        """)).scalar_one() == 0
        # a credit balance only where nothing is owed
        assert conn.execute(text("SELECT count(*) FROM dues_member_standing WHERE credit > 0 AND first_open IS NOT NULL"
                                 )).scalar_one() == 0
    with Session(engine) as session:
        counts = q.standing_counts(session)
        billed = sum(counts.values())
        assert counts["good_standing"] > 0.75 * billed
        assert 0.03 * billed < counts.get("in_arrears", 0) < 0.15 * billed
        assert 0.02 * billed < counts.get("suspended", 0) < 0.12 * billed
        assert 0 < len(q.pending_adjustments(session)) <= 12
        ahead = session.execute(text("SELECT count(*) FROM dues_member_standing WHERE months_ahead > 0")).scalar()
        assert ahead > 0
        assert len(q.arrears_list(session)) == counts.get("in_arrears", 0) + counts.get("suspended", 0)
