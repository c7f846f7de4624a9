"""Cross-table checks the constraints cannot express: registrations against dispatches, requests' counters against
their dispatches, payment allocations against payments and charges, members' credit against their open months,
dispatches of exempt registrants, and likely duplicate members and employers.

Each check says how many rows it found and shows a few; a check whose tables the login may not read is reported
as skipped with the reason, never as clean. `services/integrity.py` repairs the checks marked repairable."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.rules.employers import EmployerKeys
from unioncore_desktop.domain.rules.integrity import (
    employer_duplicate_pairs,
    groups,
    member_name_key,
    member_phone_keys,
)
from unioncore_desktop.domain.vocab import ACTIVE_DISPATCH_STATUSES

EXAMPLES = 5  # rows shown by name per check; the count says how many in all

_ACTIVE = "ARRAY[{}]".format(", ".join(f"'{s}'" for s in ACTIVE_DISPATCH_STATUSES))
# the dispatches that hold a place on their request (the dispatches trigger gives the place back otherwise)
_HOLDS_PLACE = "d.status NOT IN ('rejected', 'no_show')"


@dataclass(frozen=True, slots=True)
class Finding:
    """One row a check found: the id a repair works on and a sentence naming it by card, receipt or number."""

    key: int
    text: str


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What one check found. `count` is None when the check was skipped (`skipped` says why)."""

    name: str
    description: str
    count: int | None
    examples: tuple[str, ...]
    keys: tuple[int, ...]  # ids of the rows of `subject` found, one per finding
    repairable: bool
    subject: str
    skipped: str | None = None

    @property
    def found(self) -> bool:
        return bool(self.count)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "count": self.count,
                "examples": list(self.examples), "subject": self.subject, "ids": list(self.keys),
                "repairable": self.repairable, "skipped": self.skipped}


@dataclass(frozen=True, slots=True)
class IntegrityReport:
    checks: tuple[CheckResult, ...]

    @property
    def clean(self) -> bool:
        return not any(check.found for check in self.checks)

    @property
    def skipped(self) -> tuple[CheckResult, ...]:
        return tuple(check for check in self.checks if check.skipped)

    def check(self, name: str) -> CheckResult:
        return next(check for check in self.checks if check.name == name)

    def as_dict(self) -> dict[str, Any]:
        return {"clean": self.clean, "checks": [check.as_dict() for check in self.checks]}


@dataclass(frozen=True, slots=True)
class Check:
    """A check: the relations it reads (so a login that may not read them is told so), and either SQL returning
    (key, text) rows or a function of the session returning findings."""

    name: str
    description: str
    subject: str  # the table whose ids the findings' keys are
    reads: tuple[str, ...]
    sql: str | None = None
    run: Callable[[Session], list[Finding]] | None = None
    repairable: bool = False


# --- registrations and dispatches -------------------------------------------------------------------------------

REGISTRATION_DISPATCHED_ALONE = f"""
    SELECT g.id, format('card %s: registration %s on %s is dispatched, but no active dispatch came from it',
                        m.card_number, g.id, b.code)
    FROM registrations AS g
    JOIN members AS m ON m.id = g.member_id
    JOIN books AS b ON b.id = g.book_id
    WHERE g.status = 'dispatched'
      AND NOT EXISTS (SELECT 1 FROM dispatches AS d WHERE d.registration_id = g.id AND d.status = ANY({_ACTIVE}))
    ORDER BY m.card_number, g.id
"""

# a dispatch makes its registration 'dispatched' (uc_answer_offer): while the job lasts, the member is not back
# on that book's list (their registrations on other books stay as they are: the walk skips a member who is out,
# uc_dispatches_out)
DISPATCH_STILL_LISTED = f"""
    SELECT d.id, format('card %s: dispatch %s (request %s, %s) is %s, but registration %s on %s is %s',
                        m.card_number, d.id, r.number, d.dispatch_date, d.status, g.id, b.code,
                        replace(g.status, '_', ' '))
    FROM dispatches AS d
    JOIN registrations AS g ON g.id = d.registration_id
    JOIN members AS m ON m.id = d.member_id
    JOIN books AS b ON b.id = g.book_id
    JOIN labor_requests AS r ON r.id = d.request_id
    WHERE d.status = ANY({_ACTIVE}) AND g.status IN ('registered', 'awaiting_reregistration')
    ORDER BY m.card_number, d.id
"""

DISPATCH_MISMATCH = """
    SELECT d.id, format('card %s: dispatch %s (request %s)%s%s%s', m.card_number, d.id, r.number,
                        CASE WHEN g.member_id <> d.member_id THEN ' came from another member''s registration' END,
                        CASE WHEN d.book_id <> r.book_id OR g.book_id <> d.book_id
                             THEN ' is on another book than its request or registration' END,
                        CASE WHEN d.employer_id <> r.employer_id THEN ' names another employer than its request' END)
    FROM dispatches AS d
    JOIN labor_requests AS r ON r.id = d.request_id
    JOIN members AS m ON m.id = d.member_id
    LEFT JOIN registrations AS g ON g.id = d.registration_id
    WHERE g.member_id <> d.member_id OR g.book_id <> d.book_id OR d.book_id <> r.book_id
       OR d.employer_id <> r.employer_id
    ORDER BY m.card_number, d.id
"""

# what the dispatches trigger (uc_dispatch_fills_request) keeps: the places taken and the status they give
REQUEST_COUNTS = f"""
    SELECT r.id, r.number, r.status, r.workers_requested, r.workers_dispatched, n.sent,
           CASE WHEN r.status IN ('cancelled', 'expired') THEN r.status
                WHEN n.sent >= r.workers_requested THEN 'filled'
                WHEN n.sent > 0 THEN 'partially_filled'
                ELSE 'open' END AS expected
    FROM labor_requests AS r
    CROSS JOIN LATERAL (SELECT count(*)::integer AS sent FROM dispatches AS d
                        WHERE d.request_id = r.id AND {_HOLDS_PLACE}) AS n
"""

REQUEST_COUNTERS = f"""
    SELECT x.id, format('request %s: %s of %s dispatched on the request, %s by its dispatches; status %s%s',
                        x.number, x.workers_dispatched, x.workers_requested, x.sent, replace(x.status, '_', ' '),
                        CASE WHEN x.sent > x.workers_requested THEN ' (more dispatches than places: not repairable)'
                             WHEN x.status <> x.expected THEN ', should be ' || replace(x.expected, '_', ' ') END)
    FROM ({REQUEST_COUNTS}) AS x
    WHERE x.workers_dispatched <> x.sent OR x.status <> x.expected
    ORDER BY x.number
"""

DISPATCHED_WHILE_EXEMPT = """
    SELECT d.id, format('card %s: dispatched %s to request %s from %s while exempt (%s from %s%s)%s',
                        m.card_number, d.dispatch_date, r.number, b.code, replace(g.exemption_reason, '_', ' '),
                        g.exemption_start, ' to ' || g.exemption_end, CASE WHEN d.by_name THEN ', by name' END)
    FROM dispatches AS d
    JOIN registrations AS g ON g.id = d.registration_id
    JOIN members AS m ON m.id = d.member_id
    JOIN books AS b ON b.id = g.book_id
    JOIN labor_requests AS r ON r.id = d.request_id
    WHERE g.exemption_start <= d.dispatch_date
      AND (g.exemption_end IS NULL OR g.exemption_end >= d.dispatch_date)
    ORDER BY m.card_number, d.id
"""


# --- the dues ledger ----------------------------------------------------------------------------------------------

# the bounds the allocations trigger holds each insert to (uc_payment_allocations_check), over the whole ledger
PAYMENT_OVER_APPLIED = """
    SELECT p.id, format('receipt %s (card %s): %s applied from a payment of %s',
                        p.receipt_number, m.card_number, a.applied, p.amount)
    FROM payments AS p
    JOIN (SELECT payment_id, sum(amount) AS applied FROM payment_allocations GROUP BY payment_id) AS a
      ON a.payment_id = p.id
    JOIN members AS m ON m.id = p.member_id
    WHERE (p.amount > 0 AND (a.applied < 0 OR a.applied > p.amount))
       OR (p.amount < 0 AND (a.applied > 0 OR a.applied < p.amount))
    ORDER BY p.receipt_number
"""

# a void posts a reversal whose allocations mirror the original's (services/dues.void_payment): together they
# apply nothing, and nothing is applied from a voided payment afterwards
VOIDED_STILL_APPLIED = """
    SELECT p.id, format('receipt %s (card %s), voided by %s: %s still applied to %s',
                        p.receipt_number, m.card_number, v.receipt_number, x.net, to_char(c.period, 'YYYY-MM'))
    FROM payments AS p
    JOIN payments AS v ON v.reverses_payment_id = p.id
    JOIN members AS m ON m.id = p.member_id
    CROSS JOIN LATERAL (SELECT a.charge_id, sum(a.amount) AS net FROM payment_allocations AS a
                        WHERE a.payment_id IN (p.id, v.id) GROUP BY a.charge_id HAVING sum(a.amount) <> 0) AS x
    JOIN dues_charges AS c ON c.id = x.charge_id
    ORDER BY p.receipt_number, c.period
"""

# summed from the ledger itself, not from the totals the screens read (the next check compares those)
CHARGE_OVER_APPLIED = """
    SELECT l.charge_id, format('card %s, %s: %s applied to a month that owes %s',
                               m.card_number, to_char(l.period, 'YYYY-MM'), l.paid, l.owed)
    FROM dues_charge_ledger AS l
    JOIN members AS m ON m.id = l.member_id
    WHERE l.paid > l.owed OR l.paid < 0
    ORDER BY m.card_number, l.period
"""

# the owed and paid amounts the ledger's triggers keep per month (dues_charge_totals), which every balance, standing
# and arrears list reads, against what the ledger sums to
CHARGE_TOTALS_STALE = """
    SELECT l.charge_id, format('card %s, %s: kept as owing %s and paid %s; the ledger says owing %s and paid %s',
                               m.card_number, to_char(l.period, 'YYYY-MM'), coalesce(t.owed::text, 'nothing'),
                               coalesce(t.paid::text, 'nothing'), l.owed, l.paid)
    FROM dues_charge_ledger AS l
    LEFT JOIN dues_charge_totals AS t ON t.charge_id = l.charge_id
    JOIN members AS m ON m.id = l.member_id
    WHERE (t.owed, t.paid) IS DISTINCT FROM (l.owed, l.paid)
    ORDER BY m.card_number, l.period
"""

# the paid-through month is derived (dues_member_standing: the month before the oldest month still owing), so it
# is wrong exactly when credit the member holds was not applied to that month: uc_apply_credit's credit and owing
UNAPPLIED_CREDIT = """
    WITH credit AS (
        SELECT p.member_id, sum(p.amount - coalesce(u.total, 0)) AS avail
        FROM payments AS p
        LEFT JOIN (SELECT payment_id, sum(amount) AS total FROM payment_allocations GROUP BY payment_id) AS u
               ON u.payment_id = p.id
        WHERE p.reverses_payment_id IS NULL
          AND NOT EXISTS (SELECT 1 FROM payments AS r WHERE r.reverses_payment_id = p.id)
          AND p.amount - coalesce(u.total, 0) > 0
        GROUP BY p.member_id
    ),
    owing AS (
        SELECT member_id, min(period) AS first_open, sum(open) AS open
        FROM dues_charge_balances WHERE open > 0 GROUP BY member_id
    )
    SELECT m.id, format('card %s: %s of credit not applied while %s is owed from %s (paid through shows %s)',
                        m.card_number, c.avail, o.open, to_char(o.first_open, 'YYYY-MM'),
                        coalesce(to_char(o.first_open - interval '1 month', 'YYYY-MM'), 'never'))
    FROM credit AS c
    JOIN owing AS o ON o.member_id = c.member_id
    JOIN members AS m ON m.id = c.member_id
    ORDER BY m.card_number
"""


# --- likely duplicates ---------------------------------------------------------------------------------------------

def _cards(session: Session) -> dict[int, str]:
    return dict(session.execute(text("SELECT id, card_number FROM members")).all())


def duplicate_members_by_name(session: Session) -> list[Finding]:
    rows = session.execute(text("SELECT id, card_number, first_name, last_name, date_of_birth FROM members")).all()
    cards = {r.id: r.card_number for r in rows}
    names = {r.id: f"{r.first_name} {r.last_name}" for r in rows}
    found = groups((r.id, [key] if (key := member_name_key(r.first_name, r.last_name, r.date_of_birth)) else [])
                   for r in rows)
    return sorted((Finding(ids[0], f"cards {', '.join(cards[i] for i in ids)}: {names[ids[0]]}, born {key[1]}")
                   for key, ids in found if isinstance(key, tuple)), key=lambda f: f.text)


def duplicate_members_by_phone(session: Session) -> list[Finding]:
    rows = session.execute(text("SELECT id, phone, mobile_phone FROM members")).all()
    cards = _cards(session)
    found = groups((r.id, member_phone_keys(r.phone, r.mobile_phone)) for r in rows)
    return sorted((Finding(ids[0], f"cards {', '.join(cards[i] for i in ids)}: phone {key}") for key, ids in found),
                  key=lambda f: f.text)


def duplicate_employers(session: Session) -> list[Finding]:
    rows = session.execute(text("SELECT id, name, phone, address_line1, city FROM employers")).all()
    names = {r.id: r.name for r in rows}
    pairs = employer_duplicate_pairs((r.id, EmployerKeys.of(r.name, r.phone, r.address_line1, r.city)) for r in rows)
    return [Finding(a, f"employers {a} ({names[a]}) and {b} ({names[b]}): {', '.join(reasons)}")
            for a, b, reasons in pairs]


CHECKS: tuple[Check, ...] = (
    Check("registration_dispatched_alone", "Registrations marked dispatched with no active dispatch from them",
          "registrations", ("registrations", "dispatches", "members", "books"), REGISTRATION_DISPATCHED_ALONE),
    Check("dispatch_still_listed",
          "Active dispatches whose registration is back on the book (registered or awaiting re-registration)",
          "dispatches", ("dispatches", "registrations", "members", "books", "labor_requests"), DISPATCH_STILL_LISTED),
    Check("dispatch_mismatch", "Dispatches whose registration, book or employer is not their request's or member's",
          "dispatches", ("dispatches", "registrations", "members", "labor_requests"), DISPATCH_MISMATCH),
    Check("request_counters", "Labor requests whose dispatched count or status disagrees with their dispatches",
          "labor_requests", ("labor_requests", "dispatches"), REQUEST_COUNTERS, repairable=True),
    Check("dispatched_while_exempt", "Dispatches made while the registration they came from was exempt (R14)",
          "dispatches", ("dispatches", "registrations", "members", "books", "labor_requests"),
          DISPATCHED_WHILE_EXEMPT),
    Check("payment_over_applied", "Payments with more applied from them than they hold (or less than nothing)",
          "payments", ("payments", "payment_allocations", "members"), PAYMENT_OVER_APPLIED),
    Check("voided_payment_applied", "Voided payments whose money is still applied to a month",
          "payments", ("payments", "payment_allocations", "dues_charges", "members"), VOIDED_STILL_APPLIED),
    Check("charge_over_applied", "Months with more applied to them than they owe (or less than nothing)",
          "dues_charges", ("dues_charge_ledger", "members"), CHARGE_OVER_APPLIED),
    Check("charge_totals_stale", "Months whose kept owed and paid amounts disagree with the ledger",
          "dues_charges", ("dues_charge_ledger", "dues_charge_totals", "members"), CHARGE_TOTALS_STALE,
          repairable=True),
    Check("paid_through_behind", "Members whose paid-through month lags the ledger: credit held while a month is owed",
          "members", ("payments", "payment_allocations", "dues_charge_balances", "members"), UNAPPLIED_CREDIT,
          repairable=True),
    Check("duplicate_members_name", "Likely duplicate members: same name and birth date",
          "members", ("members",), run=duplicate_members_by_name),
    Check("duplicate_members_phone", "Likely duplicate members: same phone number",
          "members", ("members",), run=duplicate_members_by_phone),
    Check("duplicate_employers", "Likely duplicate employers: same name, phone or address (as the employer form warns)",
          "employers", ("employers",), run=duplicate_employers),
)
CHECK_NAMES = tuple(check.name for check in CHECKS)


def unreadable(session: Session, relations: Sequence[str]) -> list[str]:
    """The relations among these the login may not read."""
    rows = session.execute(text("SELECT r FROM unnest(CAST(:r AS text[])) AS r "
                                "WHERE NOT has_table_privilege(to_regclass('public.' || quote_ident(r)), 'SELECT')"),
                           {"r": list(relations)}).scalars().all()
    return list(rows)


def findings(session: Session, check: Check) -> list[Finding]:
    if check.run is not None:
        return check.run(session)
    assert check.sql is not None
    return [Finding(key, line) for key, line in session.execute(text(check.sql))]


def run_check(session: Session, check: Check, examples: int = EXAMPLES) -> CheckResult:
    closed = unreadable(session, check.reads)
    if closed:
        return CheckResult(check.name, check.description, None, (), (), check.repairable, check.subject,
                           f"this login may not read {', '.join(closed)}")
    found = findings(session, check)
    return CheckResult(check.name, check.description, len(found), tuple(f.text for f in found[:examples]),
                       tuple(f.key for f in found), check.repairable, check.subject)


def integrity_report(session: Session, *, examples: int = EXAMPLES,
                     only: Sequence[str] | None = None) -> IntegrityReport:
    """Every check (or those named in `only`); each check is one statement, so it reads one snapshot."""
    return IntegrityReport(tuple(run_check(session, check, examples) for check in CHECKS
                                 if only is None or check.name in only))


def check_by_name(name: str) -> Check:
    return next(check for check in CHECKS if check.name == name)
