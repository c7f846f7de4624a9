"""The demo hall's out-of-work books: the books and their rules, two offices, who is qualified for what,
~4,000 registrations over the last 18 months, exemptions, check marks, open requests (with bids on those posted
for bids, seed/bids.py) and a month of dispatch history (a few jobs of it ended so that their members must
re-register, seed/reregistration.py). Deterministic and set-based (hashes of ids, never random()), like
seed/generate.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import Connection, text

from unioncore_desktop.domain.queries.fragments import HALL_ZONE
from unioncore_desktop.seed.bids import seed_bids
from unioncore_desktop.seed.generate import h
from unioncore_desktop.seed.reregistration import end_for_reregistration, record_job_ends


@dataclass(frozen=True)
class DemoBook:
    code: str
    name: str
    classification: str
    region: str | None
    contract_code: str | None
    morning_slot: time
    sort_order: int
    agreement_type: str = "standard"
    bidding: bool = False


DEMO_BOOKS = (
    DemoBook("WIRE_SEATTLE", "WIRE SEATTLE", "Inside wireperson", "Seattle", "WIREPERSON", time(8, 30), 1,
             bidding=True),
    DemoBook("WIRE_BREMERTON", "WIRE BREMERTON", "Inside wireperson", "Bremerton", "WIREPERSON", time(8, 30), 2,
             bidding=True),
    DemoBook("WIRE_PT_ANGELES", "WIRE PT ANGELES", "Inside wireperson", "Port Angeles", "WIREPERSON", time(8, 30), 3,
             bidding=True),
    DemoBook("SOUND_COMM", "SOUND & COMM", "Sound and communication", None, "SOUND & COMM", time(9, 0), 1),
    DemoBook("MARINE", "MARINE", "Marine electrician", None, "GROUP MARINE", time(9, 0), 2),
    DemoBook("STOCKMAN", "STOCKMAN", "Stockperson", None, "STOCKPERSON", time(9, 0), 3),
    DemoBook("LT_FXT_MAINT", "LT FXT MAINT", "Light fixture maintenance", None, "LT FXT MAINT", time(9, 0), 4),
    DemoBook("RESIDENTIAL", "RESIDENTIAL", "Residential wireperson", None, "RESIDENTIAL", time(9, 0), 5),
    DemoBook("TECHNICIAN", "TECHNICIAN", "Technician", None, None, time(9, 0), 6),
    DemoBook("UTILITY", "UTILITY WORKER", "Utility worker", None, None, time(9, 0), 7),
    DemoBook("TRADESHOW", "TRADESHOW", "Tradeshow", None, None, time(9, 30), 1),
    DemoBook("TERO_APPR_WIRE", "TERO APPR WIRE", "Apprentice wireperson", None, "WIREPERSON", time(9, 30), 2,
             agreement_type="tero"),
)
RULES_EFFECTIVE_FROM = date(2024, 10, 4)  # the referral procedures the demo follows took effect that day
OFFICES = (("SEATTLE", "Seattle hall", "Seattle"), ("BREMERTON", "Bremerton office", "Bremerton"))


def insert_books(conn: Connection) -> dict[str, int]:
    """The demo books with their default rules (bidding on the Wire books) and the two offices; returns
    book code -> id. Usable on its own (tests build their halls with it)."""
    conn.execute(text("""
        INSERT INTO books (code, name, classification, region, contract_code, agreement_type, morning_slot, sort_order)
        VALUES (:code, :name, :classification, :region, :contract_code, :agreement_type, :morning_slot, :sort_order)
    """), [{k: getattr(b, k) for k in ("code", "name", "classification", "region", "contract_code",
                                         "agreement_type", "morning_slot", "sort_order")} for b in DEMO_BOOKS])
    conn.execute(text("""
        INSERT INTO book_rules (book_id, effective_from, bidding_enabled)
        SELECT id, :effective, code = ANY(:bidding) FROM books WHERE code = ANY(:codes)
    """), {"effective": RULES_EFFECTIVE_FROM, "bidding": [b.code for b in DEMO_BOOKS if b.bidding],
           "codes": [b.code for b in DEMO_BOOKS]})
    conn.execute(text("INSERT INTO offices (code, name, region) VALUES (:c, :n, :r) ON CONFLICT (code) DO NOTHING"),
                 [{"c": c, "n": n, "r": r} for c, n, r in OFFICES])
    return dict(conn.execute(text("SELECT code, id FROM books WHERE code = ANY(:codes)"),
                             {"codes": [b.code for b in DEMO_BOOKS]}).all())


# member pool slices: (book code, first n, last n, tier rule). The pool is the active members in hash order.
# Tier rules: 'wire' mostly tier 1; 'specialty' 60/25/15; (a, b, c) exact counts per tier (inverted books).
_SLICES = (
    ("SOUND_COMM", 821, 1120, "specialty"),
    ("MARINE", 1121, 1240, "specialty"),
    ("STOCKMAN", 1241, 1294, (5, 6, 43)),
    ("LT_FXT_MAINT", 1295, 1374, "specialty"),
    ("RESIDENTIAL", 1375, 1574, "specialty"),
    ("TECHNICIAN", 1575, 1834, (112, 17, 131)),
    ("UTILITY", 1835, 1984, "specialty"),
    ("TRADESHOW", 1985, 2134, "specialty"),
)
WIRE_MEMBERS = 820  # pool members 1..820 sit on the Wire books, most on all three with one APN
DISPATCH_POOL_FROM = 2135  # members sent out during the last month come from here on
DEMO_STAFF_LOGIN = "demo_dispatcher"


def seed_books(conn: Connection, *, today: date | None = None) -> None:
    """The whole books demo; runs inside seed_demo's bulk-mode transaction (triggers off), so it sets the
    request counters and the activity rows itself. `today` defaults to the hall's date on the server."""
    from unioncore_desktop.domain.rules.calendar import BusinessCalendar

    if today is None:
        today = conn.execute(text("SELECT uc_hall_today()")).scalar_one()
    insert_books(conn)
    calendar = BusinessCalendar.of(conn.execute(text("SELECT day FROM holidays")).scalars())
    days: list[date] = []
    day = calendar.previous_business_day(today)
    while len(days) < 21:
        days.append(day)
        day = calendar.previous_business_day(day)
    _pool(conn)
    _history_requests(conn, days, today)
    end_for_reregistration(conn, today=today, calendar=calendar, zone=_zone(conn))
    _plan(conn, today)
    _registrations(conn, today)
    _dispatches(conn)
    _marks(conn)
    _activity(conn)
    record_job_ends(conn, zone=_zone(conn), staff_login=DEMO_STAFF_LOGIN)
    _open_requests(conn, today, calendar)
    seed_bids(conn, calendar=calendar, zone=_zone(conn), staff_login=DEMO_STAFF_LOGIN)


def _pool(conn: Connection) -> None:
    conn.execute(text("""
        CREATE TEMP TABLE seed_pool ON COMMIT DROP AS
        SELECT id AS member_id, classification,
               row_number() OVER (ORDER BY classification LIKE 'apprentice%', hashtextextended(id::text || 'pool', 0))
                   AS n
        FROM members WHERE status = 'active' AND classification NOT IN ('retiree', 'honorary')
    """))


def _history_requests(conn: Connection, days: list[date], today: date) -> None:
    """A month of filled requests: per business day and book, 0-4 requests (the Wire Seattle book busiest)."""
    conn.execute(text(f"""
        CREATE TEMP TABLE seed_request ON COMMIT DROP AS
        WITH slots AS (
            SELECT d.day, b.id AS book_id, b.code, b.contract_code, b.agreement_type, k
            FROM unnest(CAST(:days AS date[])) AS d(day)
            CROSS JOIN books b
            CROSS JOIN generate_series(1, 4) AS k
            WHERE k <= CASE b.code WHEN 'WIRE_SEATTLE' THEN 1 + {h("d.day::text || b.code", 'nreq', 4)}
                                   WHEN 'WIRE_BREMERTON' THEN {h("d.day::text || b.code", 'nreq', 3)}
                                   ELSE {h("d.day::text || b.code", 'nreq', 4)} / 3 END
        )
        SELECT row_number() OVER (ORDER BY s.day, s.book_id, s.k) AS seq, s.*,
               e.employer_id, ws.id AS worksite_id,
               1 + {h("s.day::text || s.code || s.k", 'workers', 3)} AS workers,
               {h("s.day::text || s.code || s.k", 'short', 100)} < 15 AS short_call,
               CASE WHEN {h("s.day::text || s.code || s.k", 'short', 100)} < 15
                    THEN 1 + {h("s.day::text || s.code || s.k", 'dur', 10)}
                    ELSE 20 + {h("s.day::text || s.code || s.k", 'dur', 100)} END AS duration
        FROM slots s
        CROSS JOIN LATERAL (
            SELECT c.employer_id FROM employer_contracts c
            WHERE c.contract_code = coalesce(s.contract_code, c.contract_code)
            ORDER BY hashtextextended(c.employer_id::text || s.day::text || s.k, 0) LIMIT 1
        ) e
        LEFT JOIN LATERAL (SELECT id FROM worksites w WHERE w.employer_id = e.employer_id ORDER BY id LIMIT 1) ws
            ON true
    """), {"days": days})
    # one pool member per worker place, in date order, while the dispatch pool lasts
    conn.execute(text("""
        CREATE TEMP TABLE seed_dispatch ON COMMIT DROP AS
        SELECT x.*, p.member_id
        FROM (SELECT r.seq, r.day, r.book_id, r.code, r.short_call, r.duration, r.employer_id, r.worksite_id, w,
                     row_number() OVER (ORDER BY r.seq, w) AS dn
              FROM seed_request r CROSS JOIN generate_series(1, r.workers) AS w) x
        JOIN seed_pool p ON p.n = CAST(:first AS int) + x.dn - 1
    """), {"first": DISPATCH_POOL_FROM})
    conn.execute(text("ALTER TABLE seed_dispatch ADD COLUMN ended_on date, ADD COLUMN reason text"))
    conn.execute(text(f"""
        UPDATE seed_dispatch SET
            ended_on = CASE WHEN short_call AND day + duration < CAST(:today AS date) THEN day + duration
                            WHEN NOT short_call AND {h('dn', 'end', 10)} = 0 AND day + 5 + {h('dn', 'len', 10)}
                                 < CAST(:today AS date) THEN day + 5 + {h('dn', 'len', 10)} END,
            reason = CASE WHEN short_call THEN 'short_call_end'
                          ELSE (ARRAY['rif', 'laid_off', 'contract_end', 'quit'])[1 + {h('dn', 'why', 4)}] END
    """), {"today": today})


def _plan(conn: Connection, today: date) -> None:
    """Who sits on which book at what tier, and which sign-on visit put them there."""
    wire_tier = f"""CASE WHEN {h('p.member_id', 'wt', 100)} < 80 THEN 1 WHEN {h('p.member_id', 'wt', 100)} < 92 THEN 2
                         WHEN {h('p.member_id', 'wt', 100)} < 98 THEN 3 ELSE 4 END"""
    spec_tier = f"""CASE WHEN {h('p.member_id', 'st', 100)} < 60 THEN 1 WHEN {h('p.member_id', 'st', 100)} < 85 THEN 2
                         ELSE 3 END"""
    parts = [f"""
        SELECT p.member_id, b.code, {wire_tier} AS tier, 'w' || p.member_id AS visit, 'registered' AS status,
               NULL::date AS before_day
        FROM seed_pool p
        JOIN unnest(ARRAY['WIRE_SEATTLE', 'WIRE_BREMERTON', 'WIRE_PT_ANGELES']) WITH ORDINALITY AS b(code, o)
          ON b.o <= CASE WHEN p.n % 10 = 0 THEN 1 WHEN p.n % 10 = 1 THEN 2 ELSE 3 END
        WHERE p.n <= {WIRE_MEMBERS}""",
        f"""SELECT p.member_id, 'TRADESHOW', 1, 't' || p.member_id, 'registered', NULL
        FROM seed_pool p WHERE p.n <= {WIRE_MEMBERS} AND p.n % 8 = 3""",
        """SELECT p.member_id, 'TERO_APPR_WIRE', 1, 'a' || p.member_id, 'registered', NULL
        FROM seed_pool p WHERE p.classification LIKE 'apprentice%' AND p.n > (SELECT max(n) - 60 FROM seed_pool)""",
        # members out on a dispatch (or back from one) hold a registration on the book they were sent from
        """SELECT d.member_id, d.code, 1, 'd' || d.member_id, 'dispatched', d.day FROM seed_dispatch d""",
        # the dropped report: earlier registrations rolled off in the last two months
        f"""SELECT p.member_id,
               (ARRAY['WIRE_SEATTLE', 'SOUND_COMM', 'RESIDENTIAL', 'TRADESHOW'])[1 + {h('p.member_id', 'hb', 4)}],
               1, 'h' || p.member_id, 'rolled_off', NULL
        FROM seed_pool p WHERE p.n <= 2134 AND {h('p.member_id', 'hist', 100)} < 4""",
    ]
    for code, first, last, rule in _SLICES:
        if isinstance(rule, tuple):
            t1, t2, _ = rule
            tier = f"CASE WHEN p.n - {first} < {t1} THEN 1 WHEN p.n - {first} < {t1 + t2} THEN 2 ELSE 3 END"
        else:
            tier = spec_tier
        parts.append(f"""SELECT p.member_id, '{code}', {tier}, 's' || p.member_id, 'registered', NULL
        FROM seed_pool p WHERE p.n BETWEEN {first} AND {last}""")
    conn.execute(text("CREATE TEMP TABLE seed_plan ON COMMIT DROP AS " + " UNION ALL ".join(parts)))
    conn.execute(text("""
        INSERT INTO member_qualified_books (member_id, book_code, tier)
        SELECT member_id, code, min(tier) FROM seed_plan GROUP BY member_id, code
        UNION ALL  -- Wire members at work now are qualified too, just not on the list
        SELECT p.member_id, b.code, 1 FROM seed_pool p
        CROSS JOIN unnest(ARRAY['WIRE_SEATTLE', 'WIRE_BREMERTON', 'WIRE_PT_ANGELES']) AS b(code)
        WHERE p.n > 2600 AND p.n <= 2900 AND NOT EXISTS (
            SELECT 1 FROM seed_plan s WHERE s.member_id = p.member_id AND s.code = b.code)
        ON CONFLICT DO NOTHING
    """))
    # one visit per key: its day (weekdays, skewed to recent months) and its hundredth within that day
    conn.execute(text(f"""
        CREATE TEMP TABLE seed_visit ON COMMIT DROP AS
        WITH v AS (
            SELECT visit, min(before_day) AS before_day FROM seed_plan GROUP BY visit
        ), d AS (
            SELECT visit, CASE
                WHEN before_day IS NOT NULL THEN before_day - 3 - {h('visit', 'dd', 150)}
                WHEN {h('visit', 'recent', 100)} < 30 THEN CAST(:today AS date) - {h('visit', 'd1', 60)}
                ELSE CAST(:today AS date) - 60 - {h('visit', 'd2', 480)} END AS raw
            FROM v
        ), w AS (
            SELECT visit, raw - CASE extract(isodow FROM raw) WHEN 6 THEN 1 WHEN 7 THEN 2 ELSE 0 END AS day FROM d
        )
        SELECT visit, day, least(99, row_number() OVER (PARTITION BY day ORDER BY hashtext(visit))) AS k
        FROM w
    """), {"today": today})



def _registrations(conn: Connection, today: date) -> None:
    key = "s.member_id::text || s.code"
    conn.execute(text(f"""
        INSERT INTO registrations (member_id, book_id, tier, apn, registered_at, method, office_id, status,
                                   last_resign_on, resign_due_on, restorations_used, exemption_reason,
                                   exemption_start, exemption_end, reregister_by, rolled_off_on, roll_off_reason)
        SELECT s.member_id, b.id, s.tier, (v.day - DATE '1899-12-30') + v.k / 100.0,
               CAST(v.day + TIME '09:05' + v.k * INTERVAL '4 minutes' AS timestamp) AT TIME ZONE :zone,
               m.method, CASE WHEN m.method = 'in_person' THEN
                   (SELECT id FROM offices WHERE code = CASE WHEN {h('s.visit', 'office', 100)} < 25
                                                             THEN 'BREMERTON' ELSE 'SEATTLE' END) END,
               f.status,
               CASE WHEN f.status IN ('rolled_off') OR f.exempt THEN NULL ELSE f.last_resign END,
               CASE WHEN f.status = 'rolled_off' OR f.exempt THEN NULL
                    ELSE coalesce(f.last_resign, v.day) + 30 END,
               CASE WHEN f.restored AND d.duration > 3 THEN 1 ELSE 0 END,
               CASE WHEN f.exempt THEN f.ex_reason END,
               CASE WHEN f.exempt THEN f.ex_start END,
               CASE WHEN f.exempt AND f.ex_reason IN ('traveling', 'under_scale')
                    THEN (f.ex_start + INTERVAL '6 months' - INTERVAL '1 day')::date END,
               CASE WHEN f.status = 'awaiting_reregistration' THEN d.reregister_by END,
               CASE WHEN f.status = 'rolled_off' THEN f.off_on END,
               CASE WHEN f.status = 'rolled_off' THEN f.off_reason END
        FROM seed_plan s
        JOIN seed_visit v ON v.visit = s.visit
        JOIN books b ON b.code = s.code
        LEFT JOIN seed_dispatch d ON s.status = 'dispatched' AND d.member_id = s.member_id
        CROSS JOIN LATERAL (SELECT CASE WHEN {h('s.visit', 'method', 100)} < 70 THEN 'in_person'
                                        WHEN {h('s.visit', 'method', 100)} < 90 THEN 'email'
                                        WHEN {h('s.visit', 'method', 100)} < 96 THEN 'web' ELSE 'fax' END AS method) m
        CROSS JOIN LATERAL (
            SELECT CASE WHEN s.status = 'rolled_off' THEN 'rolled_off'
                        WHEN s.status = 'dispatched' AND d.ended_on IS NULL THEN 'dispatched'
                        WHEN s.status = 'dispatched' AND d.reregister_by IS NOT NULL THEN 'awaiting_reregistration'
                        WHEN s.status = 'dispatched' AND d.reason <> 'short_call_end' THEN 'rolled_off'
                        ELSE 'registered' END AS status,
                   s.status = 'dispatched' AND d.reason = 'short_call_end' AND d.ended_on IS NOT NULL AS restored,
                   CASE WHEN s.status = 'dispatched' AND d.ended_on IS NOT NULL AND d.reregister_by IS NULL
                        THEN d.ended_on
                        WHEN CAST(:today AS date) - v.day < 30 THEN NULL
                        WHEN {h(key, 'late', 100)} = 0 THEN CAST(:today AS date) - 31 - {h(key, 'lt', 3)}
                        ELSE CAST(:today AS date) - {h('s.visit', 'rs', 30)} END AS last_resign,
                   s.status = 'registered' AND {h(key, 'ex', 1000)} < 20 AS exempt,
                   (ARRAY['military', 'union_business', 'salting', 'medical', 'jury_duty', 'traveling',
                          'under_scale'])[1 + {h(key, 'exr', 7)}] AS ex_reason,
                   greatest(v.day, CAST(:today AS date) - {h(key, 'exs', 220)}) AS ex_start,
                   CASE WHEN s.status = 'dispatched' THEN d.ended_on
                        ELSE least(CAST(:today AS date) - 1,
                                   greatest(v.day + 31, CAST(:today AS date) - {h(key, 'off', 60)})) END AS off_on,
                   CASE WHEN s.status = 'dispatched' THEN
                            CASE WHEN d.reason = 'quit' THEN 'quit' ELSE 'dispatched_long_call' END
                        ELSE (ARRAY['failed_re_sign', 'failed_re_sign', 'check_marks', 'quit',
                                    'failed_re_register'])[1 + {h(key, 'offr', 5)}] END AS off_reason
        ) f
    """), {"today": today, "zone": _zone(conn)})
    conn.execute(text("""
        INSERT INTO referral_bans (member_id, employer_id, starts_on, ends_on, reason)
        SELECT member_id, employer_id, ended_on, ended_on + 14, 'quit' FROM seed_dispatch
        WHERE reason = 'quit' AND ended_on IS NOT NULL
    """))


def _dispatches(conn: Connection) -> None:
    zone = _zone(conn)
    conn.execute(text(f"""
        INSERT INTO labor_requests (number, employer_id, worksite_id, book_id, job_class, workers_requested,
                                    workers_dispatched, wage, start_on, start_time, duration_days, short_call,
                                    received_at, referral_date, agreement_type, status, created_by, bidding,
                                    expired_at, expiry_reason)
        SELECT 'R' || to_char(r.day, 'YYMMDD') || '-' || lpad(r.seq::text, 4, '0'), r.employer_id, r.worksite_id,
               r.book_id, b.classification, r.workers, n.sent, 48 + {h('r.seq', 'wage', 20)} + 0.50, r.day, '07:00',
               r.duration, r.short_call,
               CAST(r.day - CASE extract(isodow FROM r.day) WHEN 1 THEN 3 ELSE 1 END
                    + TIME '09:00' + {h('r.seq', 'rcv', 300)} * INTERVAL '1 minute' AS timestamp) AT TIME ZONE :zone,
               r.day, b.agreement_type,
               CASE WHEN n.sent = r.workers THEN 'filled' WHEN n.sent > 0 THEN 'partially_filled' ELSE 'expired' END,
               '{DEMO_STAFF_LOGIN}', false,
               CASE WHEN n.sent = 0 THEN CAST(r.day + 1 + TIME '07:00' AS timestamp) AT TIME ZONE :zone END,
               CASE WHEN n.sent = 0 THEN 'Unfilled on its start day; expired the next morning.' END
        FROM seed_request r JOIN books b ON b.id = r.book_id
        CROSS JOIN LATERAL (SELECT count(*) AS sent FROM seed_dispatch d WHERE d.seq = r.seq) n
    """), {"zone": zone})
    conn.execute(text("ALTER TABLE seed_dispatch ADD COLUMN request_id int, ADD COLUMN registration_id int, "
                      "ADD COLUMN employment_id bigint, ADD COLUMN dispatch_id int"))
    conn.execute(text("""
        UPDATE seed_dispatch d SET request_id = q.id
        FROM labor_requests q WHERE q.number = 'R' || to_char(d.day, 'YYMMDD') || '-' || lpad(d.seq::text, 4, '0')
    """))
    conn.execute(text("""
        UPDATE seed_dispatch d SET registration_id = g.id
        FROM registrations g WHERE g.member_id = d.member_id AND g.book_id = d.book_id
    """))
    conn.execute(text("""
        WITH e AS (
            INSERT INTO employment_history (member_id, employer_id, worksite_id, job_class, started_on, ended_on,
                                            termination_reason, days_worked, hours_worked, source)
            SELECT d.member_id, d.employer_id, d.worksite_id, b.classification, d.day, d.ended_on,
                   CASE WHEN d.ended_on IS NOT NULL THEN d.reason END,
                   CASE WHEN d.ended_on IS NOT NULL THEN (d.ended_on - d.day) * 5 / 7 + 1 END,
                   CASE WHEN d.ended_on IS NOT NULL THEN ((d.ended_on - d.day) * 5 / 7 + 1) * 8 END, 'dispatch'
            FROM seed_dispatch d JOIN books b ON b.id = d.book_id
            RETURNING id, member_id
        )
        UPDATE seed_dispatch d SET employment_id = e.id FROM e WHERE e.member_id = d.member_id
    """))
    conn.execute(text(f"""
        INSERT INTO dispatches (request_id, member_id, registration_id, book_id, employer_id, worksite_id,
                                employment_id, idempotency_key, dispatched_at, dispatch_date, short_call, status,
                                checked_in_at, terminated_on, termination_reason, business_days_worked,
                                hours_worked, restored, dispatched_by)
        SELECT d.request_id, d.member_id, d.registration_id, d.book_id, d.employer_id, d.worksite_id,
               d.employment_id, md5('dispatch' || d.dn)::uuid,
               CAST(d.day + TIME '08:40' + d.dn * INTERVAL '7 seconds' AS timestamp) AT TIME ZONE :zone, d.day,
               d.short_call, CASE WHEN d.ended_on IS NULL THEN 'working' ELSE 'terminated' END,
               CAST(d.day + TIME '06:45' AS timestamp) AT TIME ZONE :zone, d.ended_on,
               CASE WHEN d.ended_on IS NOT NULL THEN d.reason END,
               CASE WHEN d.ended_on IS NOT NULL THEN (d.ended_on - d.day) * 5 / 7 + 1 END,
               CASE WHEN d.ended_on IS NOT NULL THEN ((d.ended_on - d.day) * 5 / 7 + 1) * 8 END,
               d.ended_on IS NOT NULL AND d.reason = 'short_call_end', '{DEMO_STAFF_LOGIN}'
        FROM seed_dispatch d
    """), {"zone": zone})
    conn.execute(text("UPDATE seed_dispatch d SET dispatch_id = x.id FROM dispatches x "
                      "WHERE x.idempotency_key = md5('dispatch' || d.dn)::uuid"))


def _marks(conn: Connection) -> None:
    """Offer lines for each month-old request (a pass or two before the accepted one) and the check marks the
    passes earned: at most one per registration per day and never a third (that would have rolled them off)."""
    conn.execute(text(f"""
        CREATE TEMP TABLE seed_pass ON COMMIT DROP AS
        SELECT r.seq, q.id AS request_id, r.day, r.book_id, g.id AS registration_id, g.member_id, g.tier, g.apn,
               CASE WHEN {h('r.seq', 'na', 2)} = 0 THEN 'declined' ELSE 'no_answer' END AS outcome,
               q.agreement_type = 'standard' AND NOT q.short_call AS issues_marks
        FROM seed_request r
        JOIN labor_requests q ON q.number = 'R' || to_char(r.day, 'YYMMDD') || '-' || lpad(r.seq::text, 4, '0')
        CROSS JOIN LATERAL (
            SELECT id, member_id, tier, apn FROM registrations
            WHERE book_id = r.book_id AND status = 'registered' AND exemption_reason IS NULL
            ORDER BY hashtextextended(id::text || r.seq, 0) LIMIT 1
        ) g
        WHERE {h('r.seq', 'pass', 100)} < 40
    """))
    conn.execute(text("ALTER TABLE seed_pass ADD COLUMN mark boolean"))
    conn.execute(text("""
        UPDATE seed_pass p SET mark = x.ok FROM (
            SELECT seq, issues_marks
                   AND row_number() OVER (PARTITION BY registration_id, issues_marks ORDER BY day, seq) <= 2
                   AND row_number() OVER (PARTITION BY registration_id, day, issues_marks ORDER BY seq) = 1 AS ok
            FROM seed_pass) x
        WHERE x.seq = p.seq
    """))
    conn.execute(text(f"""
        WITH lines AS (
            INSERT INTO offer_lines (run_id, request_id, book_id, registration_id, member_id, rank, tier, apn,
                                     outcome, mark_issued, at, recorded_by)
            SELECT md5('run' || p.seq)::uuid, p.request_id, p.book_id, p.registration_id, p.member_id, 1, p.tier,
                   p.apn, p.outcome, p.mark, CAST(p.day + TIME '08:35' AS timestamp) AT TIME ZONE :zone,
                   '{DEMO_STAFF_LOGIN}'
            FROM seed_pass p
            RETURNING id, request_id, registration_id, member_id, book_id, mark_issued, at
        )
        INSERT INTO check_marks (registration_id, member_id, book_id, marked_on, request_id, offer_line_id,
                                 created_at, created_by)
        SELECT registration_id, member_id, book_id, (at AT TIME ZONE :zone)::date, request_id, id, at,
               '{DEMO_STAFF_LOGIN}'
        FROM lines WHERE mark_issued
    """), {"zone": _zone(conn)})
    conn.execute(text(f"""
        INSERT INTO offer_lines (run_id, request_id, book_id, registration_id, member_id, rank, tier, apn, outcome,
                                 dispatch_id, at, recorded_by)
        SELECT md5('run' || d.seq)::uuid, d.request_id, d.book_id, d.registration_id, d.member_id,
               d.w + (SELECT count(*) FROM seed_pass p WHERE p.seq = d.seq), g.tier, g.apn, 'accepted', d.dispatch_id,
               CAST(d.day + TIME '08:40' AS timestamp) AT TIME ZONE :zone, '{DEMO_STAFF_LOGIN}'
        FROM seed_dispatch d JOIN registrations g ON g.id = d.registration_id
    """), {"zone": _zone(conn)})


def _activity(conn: Connection) -> None:
    """The referral history of every seeded registration, as the services would have written it."""
    from unioncore_desktop.domain.services.referral_context import snapshot_sql

    zone = _zone(conn)
    # the registration as it was signed on: its place, due to re-sign 30 days on, nothing else yet
    signed_on = snapshot_sql(
        "jsonb_populate_record(g, jsonb_build_object('status', 'registered', 'last_resign_on', NULL, "
        "'resign_due_on', (g.registered_at AT TIME ZONE :zone)::date + 30, 'restorations_used', 0, "
        "'exemption_reason', NULL, 'exemption_end', NULL, 'roll_off_reason', NULL))")
    conn.execute(text(f"""
        INSERT INTO registration_activity (registration_id, member_id, book_id, action, at, before, after,
                                           request_id, dispatch_id, note, staff_login)
        SELECT g.id, g.member_id, g.book_id, 'sign_on', g.registered_at, NULL::jsonb, {signed_on}, NULL::int,
               NULL::int, NULL::text,
               '{DEMO_STAFF_LOGIN}'
        FROM registrations g
        UNION ALL
        SELECT g.id, g.member_id, g.book_id, 're_sign', CAST(g.last_resign_on + TIME '10:15' AS timestamp)
               AT TIME ZONE :zone, NULL, {snapshot_sql('g')}, NULL, NULL, NULL, '{DEMO_STAFF_LOGIN}'
        FROM registrations g WHERE g.last_resign_on IS NOT NULL AND NOT g.restorations_used > 0
          AND NOT EXISTS (SELECT 1 FROM dispatches d WHERE d.registration_id = g.id)
        UNION ALL
        SELECT g.id, g.member_id, g.book_id, 'exempt_start', CAST(g.exemption_start + TIME '11:00' AS timestamp)
               AT TIME ZONE :zone, NULL, {snapshot_sql('g')}, NULL, NULL, NULL, '{DEMO_STAFF_LOGIN}'
        FROM registrations g WHERE g.exemption_reason IS NOT NULL
        UNION ALL
        SELECT g.id, g.member_id, g.book_id, 'roll_off', CAST(g.rolled_off_on + TIME '06:00' AS timestamp)
               AT TIME ZONE :zone, NULL, {snapshot_sql('g')}, NULL, NULL,
               CASE WHEN g.roll_off_reason IN ('failed_re_sign', 'failed_re_register')
                    THEN 'Drop run as of ' || to_char(g.rolled_off_on, 'YYYY-MM-DD') END, '{DEMO_STAFF_LOGIN}'
        FROM registrations g WHERE g.status = 'rolled_off'
        UNION ALL
        SELECT d.registration_id, d.member_id, d.book_id, 'dispatched', d.dispatched_at, NULL, NULL, d.request_id,
               d.id, NULL, '{DEMO_STAFF_LOGIN}'
        FROM dispatches d WHERE d.registration_id IS NOT NULL
        UNION ALL
        SELECT d.registration_id, d.member_id, d.book_id, 'restored', CAST(d.terminated_on + TIME '15:30' AS timestamp)
               AT TIME ZONE :zone, NULL, {snapshot_sql('g')}, d.request_id, d.id, NULL, '{DEMO_STAFF_LOGIN}'
        FROM dispatches d JOIN registrations g ON g.id = d.registration_id WHERE d.restored
        UNION ALL
        SELECT c.registration_id, c.member_id, c.book_id, 'mark_added', c.created_at, NULL, NULL, c.request_id, NULL,
               NULL, '{DEMO_STAFF_LOGIN}'
        FROM check_marks c
    """), {"zone": zone})


def _open_requests(conn: Connection, today: date, calendar) -> None:
    """Calls waiting for the next mornings: received over the last business day and today, each with the
    referral date R3 gives it."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from unioncore_desktop.domain.rules.referral import referral_date

    zone = ZoneInfo(_zone(conn))
    codes = ["WIRE_SEATTLE"] * 6 + ["WIRE_BREMERTON"] * 2 + ["WIRE_PT_ANGELES", "SOUND_COMM", "SOUND_COMM",
                                                              "RESIDENTIAL", "TECHNICIAN", "TRADESHOW",
                                                              "MARINE", "UTILITY", "TERO_APPR_WIRE", "STOCKMAN"]
    start = datetime.combine(calendar.on_or_after(calendar.previous_business_day(today)), time(7, 30), zone)
    rows = []
    for i, code in enumerate(codes):
        received = start + timedelta(minutes=53 * i) if i < 10 else \
            datetime.combine(today, time(7, 30), zone) + timedelta(minutes=41 * (i - 10))
        short = i % 5 == 4
        rows.append({"n": f"R{received:%y%m%d}-9{i:03d}", "code": code, "i": i, "received": received,
                     "referral": referral_date(received, calendar, zone=zone), "workers": 1 + i % 3,
                     "short": short, "duration": 4 if short else 60,
                     "start_on": referral_date(received, calendar, zone=zone),
                     "reqs": ["OSHA 30"] if i % 4 == 0 else [], "bidding": code.startswith("WIRE") and i % 3 == 0})
    conn.execute(text("""
        INSERT INTO labor_requests (number, employer_id, worksite_id, book_id, job_class, workers_requested,
                                    wage, start_on, start_time, duration_days, short_call, received_at,
                                    referral_date, agreement_type, requirements, bidding, status, created_by,
                                    report_to)
        SELECT :n, e.employer_id, (SELECT id FROM worksites w WHERE w.employer_id = e.employer_id ORDER BY id LIMIT 1),
               b.id, b.classification, :workers, 52.50, :start_on, '07:00', :duration, :short, :received, :referral,
               b.agreement_type, CAST(:reqs AS text[]), :bidding, 'open', 'demo_dispatcher', 'Report to the gate'
        FROM books b
        CROSS JOIN LATERAL (
            SELECT c.employer_id FROM employer_contracts c
            WHERE c.contract_code = coalesce(b.contract_code, c.contract_code)
            ORDER BY hashtextextended(c.employer_id::text || :n, 0) LIMIT 1) e
        WHERE b.code = :code
    """), rows)


def _zone(conn: Connection) -> str:
    return conn.execute(text(f"SELECT {HALL_ZONE}")).scalar_one()
