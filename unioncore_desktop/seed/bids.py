"""Bids on the demo's requests posted for bids (R8): a few members registered on the request's book bid in the
evening part of the book's bid window before the referral morning, by phone, e-mail or web; one bid is
withdrawn. The rows are the ones `record_bid` writes: the bid and the bidder's 'bid' activity row."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.rules.calendar import BusinessCalendar
from unioncore_desktop.domain.services.referral_context import rules_for, snapshot_sql
from unioncore_desktop.domain.vocab import ACTIVE_DISPATCH_STATUSES, BID_SOURCES
from unioncore_desktop.seed.generate import h

MIN_BIDS, MAX_BIDS = 3, 6  # bids per request


def bid_evening(referral_date: date, calendar: BusinessCalendar, zone: ZoneInfo, opens: time,
                closes: time) -> tuple[datetime, int]:
    """The evening part of the bid window for a referral: it opens on the business day before and runs to
    midnight (or to the close, when the window does not wrap); returns the opening instant and its minutes."""
    evening = calendar.previous_business_day(referral_date)
    start = datetime.combine(evening, opens, zone)
    end = datetime.combine(evening, closes, zone) if opens < closes else \
        datetime.combine(evening + timedelta(days=1), time(0), zone)
    return start, int((end - start).total_seconds() // 60)


def seed_bids(conn: Connection, *, calendar: BusinessCalendar, zone: str, staff_login: str) -> int:
    """Bids on every open request posted for bids on a book that takes them; returns how many."""
    hall_zone = ZoneInfo(zone)
    requests = conn.execute(text("""
        SELECT id, book_id, referral_date FROM labor_requests
        WHERE bidding AND status IN ('open', 'partially_filled') ORDER BY number
    """)).all()
    windows = []
    with Session(bind=conn) as session:
        for request_id, book_id, referral_date in requests:
            rules = rules_for(session, book_id, calendar.previous_business_day(referral_date))
            if rules.bidding_enabled:
                windows.append((request_id, *bid_evening(referral_date, calendar, hall_zone, rules.bid_opens,
                                                         rules.bid_closes)))
    if not windows:
        return 0
    key = "p.member_id::text || p.number"
    return conn.execute(text(f"""
        WITH w AS (
            SELECT * FROM unnest(CAST(:ids AS int[]), CAST(:opens AS timestamptz[]), CAST(:minutes AS int[]))
                WITH ORDINALITY AS w(request_id, opens, minutes, o)
        ), places AS (
            SELECT w.request_id, w.opens, w.minutes, w.o, q.number, g.id AS registration_id, g.member_id,
                   row_number() OVER (PARTITION BY w.request_id
                                      ORDER BY hashtextextended(g.member_id::text || q.number, 0)) AS k
            FROM w JOIN labor_requests q ON q.id = w.request_id
            JOIN registrations g ON g.book_id = q.book_id AND g.status = 'registered'
                                AND g.exemption_reason IS NULL  -- exempt members are not available for work
            -- a member bids on a job they can take: out on no other job, not excluded by the employer, holding
            -- every skill the request requires on its referral date (else the walk skips every bidder)
            WHERE NOT EXISTS (SELECT 1 FROM dispatches d WHERE d.member_id = g.member_id
                              AND d.status = ANY(CAST(:active AS text[])))
              AND NOT EXISTS (SELECT 1 FROM member_exclusions x WHERE x.member_id = g.member_id
                              AND x.employer_id = q.employer_id)
              AND NOT EXISTS (SELECT 1 FROM unnest(q.requirements) AS r(skill)
                              WHERE NOT EXISTS (SELECT 1 FROM member_skills s WHERE s.member_id = g.member_id
                                                AND lower(trim(s.name)) = lower(trim(r.skill))
                                                AND (s.expires_on IS NULL OR s.expires_on >= q.referral_date)))
        ), picked AS (
            SELECT p.*, p.opens + (abs(hashtextextended({key} || 'bidmin', 0)) % p.minutes) * INTERVAL '1 minute'
                            + {h(key, 'bidsec', 60)} * INTERVAL '1 second' AS received_at,
                   -- rotating through the sources keeps every request's bids mixed
                   (CAST(:sources AS text[]))[1 + (p.k + {h('p.number', 'bidsrc', 3)}) % 3] AS source
            FROM places p
            WHERE p.k <= {MIN_BIDS} + {h('p.number', 'nbids', MAX_BIDS - MIN_BIDS + 1)}
        ), made AS (
            INSERT INTO bids (request_id, member_id, registration_id, received_at, source, withdrawn, created_by)
            SELECT request_id, member_id, registration_id, received_at, source, o = 1 AND k = 2, :staff
            FROM picked ORDER BY o, received_at
            RETURNING request_id, member_id, registration_id, received_at, source
        ), logged AS (
            INSERT INTO registration_activity (registration_id, member_id, book_id, action, at, before, after,
                                               request_id, note, staff_login)
            SELECT g.id, g.member_id, g.book_id, 'bid', m.received_at, {snapshot_sql('g')}, {snapshot_sql('g')},
                   m.request_id, 'bid by ' || m.source, :staff
            FROM made m JOIN registrations g ON g.id = m.registration_id
            RETURNING 1
        )
        SELECT count(*) FROM logged
    """), {"ids": [w[0] for w in windows], "opens": [w[1] for w in windows], "minutes": [w[2] for w in windows],
           "sources": list(BID_SOURCES), "staff": staff_login, "active": list(ACTIVE_DISPATCH_STATUSES)}).scalar_one()
