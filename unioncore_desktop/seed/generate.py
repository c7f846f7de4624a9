"""Set-based, deterministic data generation (hash of row number and salt, never random()), fast enough for
100,000 members. Runs as the database owner with triggers off: bulk synthetic rows are not staff actions."""

from __future__ import annotations

import logging
import time
from datetime import date, timedelta

from sqlalchemy import Connection, text

from unioncore_desktop.domain.rules.employers import normalized_name
from unioncore_desktop.domain.vocab import TERMINATION_REASONS
from unioncore_desktop.seed.names import (
    CITIES,
    EMPLOYER_SUFFIXES,
    EMPLOYER_WORDS,
    FIRST_NAMES,
    LAST_NAMES,
    REGIONS,
    STREETS,
)

log = logging.getLogger(__name__)


def h(expr: str, salt: str, modulo: int | str) -> str:
    """SQL for a deterministic pseudo-random integer in [0, modulo) from `expr` and a salt (`modulo` may be SQL)."""
    return f"((abs(hashtextextended(({expr})::text || '{salt}', 0)) % ({modulo}))::int)"


def pick(array_param: str, expr: str, salt: str) -> str:
    array = f"CAST({array_param} AS text[])"
    return f"({array})[1 + abs(hashtextextended(({expr})::text || '{salt}', 0)) % cardinality({array})]"


def bulk_mode(conn: Connection) -> None:
    """Skip audit and version triggers for this transaction (owner-only; staff roles cannot do this)."""
    conn.execute(text("SET LOCAL session_replication_role = replica"))


def members(conn: Connection, count: int, *, start: int = 1, card_base: int = 7_000_000) -> int:
    """`count` synthetic members numbered from `start`; returns how many rows were inserted."""
    classification = f"""CASE
        WHEN {h('i', 'cls', 100)} < 60 THEN 'journeyman'
        WHEN {h('i', 'cls', 100)} < 80 THEN 'apprentice_' || (1 + {h('i', 'app', 5)})
        WHEN {h('i', 'cls', 100)} < 88 THEN 'foreman'
        WHEN {h('i', 'cls', 100)} < 97 THEN 'retiree'
        ELSE 'honorary' END"""
    sql = f"""
        INSERT INTO members (card_number, first_name, middle_name, last_name, address_line1, city, state,
                             postal_code, phone, mobile_phone, email, date_of_birth, initiation_date,
                             classification, status, card_type, home_local, ssn_last4)
        SELECT card, first_name, middle, last_name, addr, city[1], city[2],
               city[3] || lpad({h('i', 'zip', 100)}::text, 2, '0'),
               phone,
               CASE WHEN {h('i', 'mob', 3)} = 0 THEN NULL
                    ELSE '(' || (ARRAY['206', '253', '360', '425'])[1 + (i + 1) % 4] || ') 556-'
                         || lpad((200 + i / 4 % 9800)::text, 4, '0') END,
               CASE WHEN {h('i', 'mail', 5)} = 0 THEN NULL
                    ELSE lower(first_name) || '.' || lower(last_name) || i || '@example.org' END,
               dob, greatest(dob + interval '18 years', dob + ({h('i', 'init', 25 * 365)}) * interval '1 day')::date,
               cls,
               CASE WHEN cls = 'retiree' THEN 'retired'
                    WHEN {h('i', 'st', 100)} < 90 THEN 'active'
                    WHEN {h('i', 'st', 100)} < 95 THEN 'inactive'
                    WHEN {h('i', 'st', 100)} < 99 THEN 'suspended' ELSE 'deceased' END,
               CASE WHEN cls LIKE 'apprentice%' THEN 'APP'
                    WHEN {h('i', 'ct', 20)} = 0 THEN 'BA' WHEN {h('i', 'ct', 20)} = 1 THEN 'CW' ELSE 'A' END,
               CASE WHEN {h('i', 'trav', 25)} = 0 THEN (ARRAY['48', '76', '77', '112', '191'])[1 + {h('i', 'loc', 5)}]
                    ELSE NULL END,
               lpad({h('i', 'ssn', 10000)}::text, 4, '0')
        FROM (
            SELECT i,
                   CASE WHEN {h('i', 'card', 30)} = 0 THEN 'A' || (22000000 + i)::text
                        ELSE ({card_base} + i * 7)::text END AS card,
                   {pick(':first_names', 'i', 'first')} AS first_name,
                   CASE WHEN {h('i', 'mid', 3)} = 0 THEN {pick(':first_names', 'i', 'middle')} END AS middle,
                   {pick(':last_names', 'i', 'last')} AS last_name,
                   (100 + {h('i', 'num', 9800)}) || ' ' || {pick(':streets', 'i', 'street')} AS addr,
                   string_to_array({pick(':cities', 'i', 'city')}, '|') AS city,
                   -- numbers of their own (the first 39,200 members): members sharing one are likely duplicates
                   '(' || (ARRAY['206', '253', '360', '425'])[1 + i % 4] || ') 555-'
                       || lpad((200 + i / 4 % 9800)::text, 4, '0') AS phone,
                   (DATE '1950-01-01' + {h('i', 'dob', 365 * 52)}) AS dob,
                   {classification} AS cls
            FROM generate_series(CAST(:start AS int), CAST(:stop AS int)) AS i
        ) AS g
        ON CONFLICT (card_number) DO NOTHING
    """
    result = conn.execute(text(sql), {
        "first_names": list(FIRST_NAMES), "last_names": list(LAST_NAMES), "streets": list(STREETS),
        "cities": ["|".join(c) for c in CITIES], "start": start, "stop": start + count - 1})
    return result.rowcount


def skills(conn: Connection, today: date) -> int:
    """Certifications specialty calls ask for: most working members hold OSHA 10, about two in three
    journeymen and foremen (fewer apprentices) OSHA 30, some a first-aid card that lapses after two years (a
    few have lapsed), a few the specialty ones. Returns how many rows were inserted."""
    return conn.execute(text(f"""
        INSERT INTO member_skills (member_id, name, number, expires_on)
        SELECT m.id, s.name,
               upper(left(replace(s.name, ' ', ''), 4)) || '-' || (100000 + {h("m.id || s.name", "sk#", 900000)}),
               CASE WHEN s.years IS NOT NULL
                    THEN CAST(:today AS date) + ({h("m.id || s.name", "skexp", 365 * 2 + 60)} - 60) * INTERVAL '1 day'
               END
        FROM members m
        CROSS JOIN (VALUES ('OSHA 10', 90, 90, NULL), ('OSHA 30', 65, 25, NULL), ('First Aid/CPR', 45, 30, 2),
                           ('Confined space', 12, 4, NULL), ('Cable splicing', 8, 2, NULL))
                   AS s(name, journeyman_pct, apprentice_pct, years)
        WHERE m.status = 'active'
          AND {h("m.id || s.name", "skill", 100)} < CASE WHEN m.classification LIKE 'apprentice%'
                                                        THEN s.apprentice_pct ELSE s.journeyman_pct END
    """), {"today": today}).rowcount


def employers(conn: Connection, count: int) -> None:
    """Employers with 1-3 contract codes, 1-3 worksites and 1-3 contacts (the first primary). Names and phones
    are each employer's own (the employer form's duplicate warning, and `unioncore integrity`, would flag the
    same name or phone): each word takes each distinct suffix once, then again with a qualifier."""
    distinct: dict[str, str] = {}  # 'Electric', 'Electric Co' and 'Electric Inc' are one name
    for suffix in EMPLOYER_SUFFIXES:
        distinct.setdefault(normalized_name(suffix), suffix)
    suffixes = list(distinct.values())
    words = list(dict.fromkeys(EMPLOYER_WORDS))  # a word listed twice would name two employers alike
    conn.execute(text(f"""
        INSERT INTO employers (name, address_line1, city, state, postal_code, phone, email)
        SELECT (CAST(:words AS text[]))[1 + (i - 1) % :nw] || ' '
                   || (CAST(:suffixes AS text[]))[1 + ((i - 1) / :nw + (i - 1) % :nw) % :ns]
                   || (ARRAY['', ' NW', ' of Washington', ' Group', ' West', ' II'])[1 + (i - 1) / (:nw * :ns) % 6],
               (100 + {h('i', 'num', 9800)}) || ' ' || {pick(':streets', 'i', 'street')},
               split_part({pick(':cities', 'i', 'city')}, '|', 1), 'WA',
               split_part({pick(':cities', 'i', 'city')}, '|', 3) || lpad({h('i', 'zip', 100)}::text, 2, '0'),
               '(206) 557-' || lpad((i % 10000)::text, 4, '0'),
               'dispatch' || i || '@example.com'
        FROM generate_series(1, CAST(:count AS int)) AS i
    """), {"words": words, "suffixes": suffixes, "nw": len(words), "ns": len(suffixes),
           "streets": list(STREETS), "cities": ["|".join(c) for c in CITIES], "count": count})
    conn.execute(text(f"""
        INSERT INTO employer_contracts (employer_id, contract_code, effective_on, expires_on)
        SELECT e.id, c.code, DATE '2015-06-01' + {h('e.id || c.code', 'eff', 2500)},
               CASE WHEN {h('e.id || c.code', 'exp', 6)} = 0
                    THEN DATE '2015-06-01' + {h('e.id || c.code', 'eff', 2500)} + 365 * 3 END
        FROM employers e
        JOIN LATERAL (
            SELECT code FROM contract_codes
            ORDER BY CASE WHEN code = 'WIREPERSON' AND {h('e.id', 'wire', 10)} < 6 THEN 0 ELSE 1 END,
                     hashtextextended(e.id || code, 0)
            LIMIT 1 + CASE WHEN {h('e.id', 'n', 10)} < 4 THEN 0 WHEN {h('e.id', 'n', 10)} < 8 THEN 1 ELSE 3 END
        ) AS c ON true
    """))
    conn.execute(text(f"""
        INSERT INTO worksites (employer_id, name, address_line1, city, state, postal_code, region, report_to)
        SELECT e.id, CASE WHEN n = 1 THEN 'Shop' ELSE (ARRAY['Hospital expansion', 'Data center', 'Terminal 5',
                      'Light rail station', 'School district', 'Naval shipyard', 'Tower project', 'Water treatment'])
                      [1 + {h('e.id * 10 + n', 'site', 8)}] END,
               (100 + {h('e.id * 10 + n', 'num', 9800)}) || ' ' || {pick(':streets', 'e.id * 10 + n', 'st')},
               e.city, 'WA', e.postal_code, {pick(':regions', 'e.id * 10 + n', 'reg')},
               'Report to the '
                   || (ARRAY['gate', 'site trailer', 'shop', 'main office'])[1 + {h('e.id * 10 + n', 'rt', 4)}]
                   || ' at 6:30'
        FROM employers e, generate_series(1, 1 + {h('e.id', 'ws', 3)}) AS n
    """), {"streets": list(STREETS), "regions": list(REGIONS)})
    conn.execute(text(f"""
        INSERT INTO employer_contacts (employer_id, name, title, phone, email, is_primary)
        SELECT e.id, {pick(':first', 'e.id * 10 + n', 'cf')} || ' ' || {pick(':last', 'e.id * 10 + n', 'cl')},
               (ARRAY['Owner', 'Project manager', 'Superintendent', 'Office manager', 'Payroll'])[n],
               '(425) 555-' || lpad({h('e.id * 10 + n', 'cph', 10000)}::text, 4, '0'),
               'contact' || e.id || '_' || n || '@example.com', n = 1
        FROM employers e, generate_series(1, 1 + {h('e.id', 'ct', 3)}) AS n
    """), {"first": list(FIRST_NAMES), "last": list(LAST_NAMES)})


def employment(conn: Connection, per_member: int, *, years: int = 20, today: date | None = None,
               first_member: int = 0, last_member: int = 2**31 - 1) -> int:
    """About `per_member` jobs per member over `years`, the newest possibly still open."""
    today = today or date.today()
    start = today - timedelta(days=365 * years)
    span = max(1, (365 * years) // per_member)
    result = conn.execute(text(f"""
        WITH first_site AS (
            SELECT DISTINCT ON (employer_id) employer_id, id FROM worksites ORDER BY employer_id, id
        )
        INSERT INTO employment_history (member_id, employer_id, worksite_id, job_class, started_on, ended_on,
                                        termination_reason, days_worked, hours_worked, source)
        SELECT j.member_id, j.employer_id, fs.id, j.job_class, j.started_on, j.ended_on,
               CASE WHEN j.ended_on IS NULL THEN NULL ELSE j.reason END,
               CASE WHEN j.ended_on IS NULL THEN NULL ELSE (j.ended_on - j.started_on) * 5 / 7 + 1 END,
               CASE WHEN j.ended_on IS NULL THEN NULL ELSE ((j.ended_on - j.started_on) * 5 / 7 + 1) * 8 END,
               'import'
        FROM (
            SELECT m.id AS member_id,
                   (CAST(:employer_ids AS int[]))[
                       1 + {h('m.id * 100 + k', 'emp', 'cardinality(CAST(:employer_ids AS int[]))')}] AS employer_id,
                   (ARRAY['Journeyman wireman', 'Foreman', 'Apprentice', 'Cable splicer', 'Sound tech',
                          'Stockperson'])[1 + {h('m.id * 100 + k', 'jc', 6)}] AS job_class,
                   (CAST(:reasons AS text[]))[1 + {h('m.id * 100 + k', 'why', len(TERMINATION_REASONS))}] AS reason,
                   st.started_on,
                   CASE WHEN k = CAST(:per_member AS int) AND {h('m.id', 'open', 3)} = 0 THEN NULL
                        ELSE least(st.started_on + 2
                                   + {h('m.id * 100 + k', 'len', 'greatest(3, CAST(:span AS int) * 2 / 3)')},
                                   CAST(:today AS date) - 1) END AS ended_on
            FROM members m
            CROSS JOIN generate_series(1, CAST(:per_member AS int)) AS k
            CROSS JOIN LATERAL (
                SELECT (CAST(:start AS date) + (k - 1) * CAST(:span AS int)
                        + {h('m.id * 100 + k', 'off', 'greatest(1, CAST(:span AS int) / 3)')})::date AS started_on
            ) AS st
            WHERE m.classification <> 'honorary'
              AND m.id BETWEEN CAST(:first_member AS int) AND CAST(:last_member AS int)
        ) AS j
        LEFT JOIN first_site fs ON fs.employer_id = j.employer_id
        WHERE j.started_on < CAST(:today AS date)
    """), {"reasons": list(TERMINATION_REASONS), "per_member": per_member, "start": start, "span": span,
           "today": today, "first_member": first_member, "last_member": last_member,
           "employer_ids": list(conn.execute(text("SELECT id FROM employers ORDER BY id")).scalars())})
    return result.rowcount


def holidays(conn: Connection, years: range) -> None:
    rows = [{"day": day, "name": name} for year in years for day, name in us_holidays(year)]
    conn.execute(text("INSERT INTO holidays (day, name) VALUES (:day, :name) ON CONFLICT (day) DO NOTHING"), rows)


def us_holidays(year: int) -> list[tuple[date, str]]:
    """The federal holidays a building-trades hall usually observes, with weekend observance."""

    def nth(weekday: int, n: int, month: int) -> date:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))

    def last(weekday: int, month: int) -> date:
        end = date(year, month + 1, 1) - timedelta(days=1)
        return end - timedelta(days=(end.weekday() - weekday) % 7)

    def observed(day: date) -> date:
        return day - timedelta(days=1) if day.weekday() == 5 else day + timedelta(days=1) if day.weekday() == 6 else day

    thanksgiving = nth(3, 4, 11)
    return [
        (observed(date(year, 1, 1)), "New Year's Day"),
        (nth(0, 3, 1), "Martin Luther King Jr. Day"),
        (nth(0, 3, 2), "Presidents' Day"),
        (last(0, 5), "Memorial Day"),
        (observed(date(year, 6, 19)), "Juneteenth"),
        (observed(date(year, 7, 4)), "Independence Day"),
        (nth(0, 1, 9), "Labor Day"),
        (observed(date(year, 11, 11)), "Veterans Day"),
        (thanksgiving, "Thanksgiving Day"),
        (thanksgiving + timedelta(days=1), "Day after Thanksgiving"),
        (observed(date(year, 12, 25)), "Christmas Day"),
    ]


def timed(label: str):
    """Log how long a seeding step took."""

    class _Timer:
        def __enter__(self):
            self.start = time.perf_counter()

        def __exit__(self, *exc):
            log.info("%s: %.2f s", label, time.perf_counter() - self.start)

    return _Timer()
