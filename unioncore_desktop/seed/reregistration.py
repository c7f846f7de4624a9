"""Demo members who must re-register (R6): a few jobs of the seeded month ended under scale or as a turnaround,
so the registration they came from waits for re-registration by the deadline the rules give. Most deadlines are
still ahead of the hall's today; one has passed (the next drop run takes that member off every book).

Works on books.py's temp table `seed_dispatch` in two steps: `end_for_reregistration` before the registrations
are written (they read the ended jobs from it), `record_job_ends` after the dispatches are."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.rules.calendar import BusinessCalendar
from unioncore_desktop.domain.rules.registration import EndOutcome, dispatch_end
from unioncore_desktop.domain.services.referral_context import snapshot_sql
from unioncore_desktop.domain.services.referral_context import rules_for

# (book code, jobs ended) — the Wire Seattle book opens first on the Books screen, so it shows the most
AWAITING = (("WIRE_SEATTLE", 3), ("WIRE_BREMERTON", 2), ("SOUND_COMM", 2))
OVERDUE_BOOK = "WIRE_SEATTLE"  # its first pick ended a business day earlier: the deadline has passed
TURNAROUND_BOOK = "WIRE_BREMERTON"  # its first pick is a job sent out the day it ended, when there is one


def end_for_reregistration(conn: Connection, *, today: date, calendar: BusinessCalendar, zone: str) -> int:
    """End some long calls still working on the AWAITING books, the way `terminate` decides it; returns how
    many. A job ends on the last business day before today (deadline ahead) or, for one, the business day
    before that (deadline passed); a job sent out that very day was a turnaround, any other ran under scale."""
    ended_on = calendar.previous_business_day(today)
    overdue_on = calendar.previous_business_day(ended_on)
    picked = conn.execute(text("""
        WITH quota AS (SELECT * FROM unnest(CAST(:codes AS text[]), CAST(:counts AS int[])) AS q(code, n)),
        ranked AS (
            SELECT d.dn, d.code, d.book_id, d.day, q.n,
                   row_number() OVER (PARTITION BY d.code
                                      ORDER BY d.code = :turnaround_book AND d.day = CAST(:ended_on AS date) DESC,
                                               hashtextextended(d.member_id::text || 'awaiting', 0)) AS k
            FROM seed_dispatch d JOIN quota q ON q.code = d.code
            WHERE d.ended_on IS NULL AND NOT d.short_call
              AND d.day <= CASE WHEN d.code = :overdue_book THEN CAST(:overdue_on AS date)
                                ELSE CAST(:ended_on AS date) END
        )
        SELECT dn, code, book_id, day, k FROM ranked WHERE k <= n ORDER BY code, k
    """), {"codes": [c for c, _ in AWAITING], "counts": [n for _, n in AWAITING], "overdue_book": OVERDUE_BOOK,
           "turnaround_book": TURNAROUND_BOOK,
           "overdue_on": overdue_on, "ended_on": ended_on}).all()
    conn.execute(text("ALTER TABLE seed_dispatch ADD COLUMN reregister_by timestamptz, ADD COLUMN business_days int"))
    if not picked:
        return 0
    hall_zone = ZoneInfo(zone)
    rows = []
    with Session(bind=conn) as session:
        for dn, code, book_id, started_on, k in picked:
            end = overdue_on if code == OVERDUE_BOOK and k == 1 else ended_on
            reason = "turnaround" if started_on == end else "under_scale"
            decision = dispatch_end(started_on=started_on, ended_on=end, reason=reason, restorations_used=0,
                                    calendar=calendar, zone=hall_zone, rules=rules_for(session, book_id, end))
            assert decision.outcome is EndOutcome.MUST_REREGISTER and decision.reregister_by is not None
            rows.append((dn, end, reason, decision.reregister_by, decision.business_days))
    conn.execute(text("""
        UPDATE seed_dispatch d SET ended_on = x.ended_on, reason = x.reason, reregister_by = x.deadline,
                                   business_days = x.days
        FROM unnest(CAST(:dns AS bigint[]), CAST(:ends AS date[]), CAST(:reasons AS text[]),
                    CAST(:deadlines AS timestamptz[]), CAST(:days AS int[])) AS x(dn, ended_on, reason, deadline, days)
        WHERE d.dn = x.dn
    """), {"dns": [r[0] for r in rows], "ends": [r[1] for r in rows], "reasons": [r[2] for r in rows],
           "deadlines": [r[3] for r in rows], "days": [r[4] for r in rows]})
    return len(rows)


def record_job_ends(conn: Connection, *, zone: str, staff_login: str) -> None:
    """What `terminate` writes beside the registration: the job's length in business days on the dispatch and
    employment rows, and the 'job_ended' activity row (before: dispatched; after: awaiting, with the deadline
    in its note)."""
    conn.execute(text("""
        UPDATE dispatches x SET business_days_worked = d.business_days, hours_worked = d.business_days * 8
        FROM seed_dispatch d WHERE d.dispatch_id = x.id AND d.reregister_by IS NOT NULL
    """))
    conn.execute(text("""
        UPDATE employment_history e SET days_worked = d.business_days, hours_worked = d.business_days * 8
        FROM seed_dispatch d WHERE d.employment_id = e.id AND d.reregister_by IS NOT NULL
    """))
    conn.execute(text(f"""
        INSERT INTO registration_activity (registration_id, member_id, book_id, action, at, before, after,
                                           request_id, dispatch_id, note, staff_login)
        SELECT g.id, g.member_id, g.book_id, 'job_ended',
               CAST(d.ended_on + TIME '15:30' AS timestamp) AT TIME ZONE :zone,
               {snapshot_sql("jsonb_populate_record(g, jsonb_build_object('status', 'dispatched'))")},
               {snapshot_sql('g')},
               d.request_id, d.dispatch_id,
               replace(d.reason, '_', ' ') || ' after ' || d.business_days || ' business days: re-register by '
                   || to_char(d.reregister_by AT TIME ZONE :zone, 'Dy DD Mon YYYY HH24:MI'),
               :staff
        FROM seed_dispatch d JOIN registrations g ON g.id = d.registration_id
        WHERE d.reregister_by IS NOT NULL
    """), {"zone": zone, "staff": staff_login})
