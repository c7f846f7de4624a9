"""Dues reads: a member's standing and ledger, posting look-up, batches, adjustments awaiting a decision, the
arrears list, daily cash, the dues summary, the month-close checklist, rates and periods.

Balance, paid-through and standing come from the database views `dues_member_standing` and
`dues_charge_balances` (migrations/sql/views), so every screen and report agrees with the arrears hold in dispatch;
both read the owed and paid amounts the ledger's triggers keep per month (`dues_charge_totals`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.errors import NotFound, ValidationError
from unioncore_desktop.domain.queries.fragments import HALL_TODAY, dues_rate_in_force, dues_rates_in_force, hall_date
from unioncore_desktop.domain.queries.members import MemberListRow, build_search, search_members
from unioncore_desktop.domain.queries.text_search import normalize_query
from unioncore_desktop.domain.rules.dues import DuesSettings, month_label, month_start

ZERO = Decimal("0.00")
MEMBER_NAME = "m.last_name || ', ' || m.first_name"


@dataclass(frozen=True, slots=True)
class MemberDuesSummary:
    """What the posting screen shows beside a member: where they stand today."""

    member_id: int
    card_number: str
    name: str
    classification: str
    status: str
    current_rate: Decimal | None   # this month's rate for the member's classification
    balance: Decimal               # positive: owes; negative: paid ahead (credit not yet applied)
    credit: Decimal                # money received and not yet applied to a month
    paid_through: date | None      # first of the last month fully covered (None: never covered a month)
    months_behind: int             # months still owing whose grace has passed
    months_ahead: int
    standing: str                  # good_standing | in_arrears | suspended
    last_payment_on: date | None
    last_payment_amount: Decimal | None


@dataclass(frozen=True, slots=True)
class Applied:
    """Part of a payment applied to one month (negative when given back: a void or a released excess)."""

    period: date
    charge_id: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class PaymentReceipt:
    """A posted payment (or reversal) as printed on the receipt, with the member's standing right after it."""

    payment_id: int
    receipt_number: str
    member_id: int
    card_number: str
    member_name: str
    paid_on: date
    amount: Decimal
    method: str
    reference: str | None
    batch_id: int | None
    posted_by: str
    posted_at: datetime
    reverses_payment_id: int | None
    void_reason: str | None
    applied: tuple[Applied, ...]
    unapplied: Decimal             # left on this payment as credit
    balance: Decimal
    credit: Decimal
    paid_through: date | None
    months_behind: int
    standing: str
    already_posted: bool = False   # True when the idempotency key had been posted before: nothing new was written


@dataclass(frozen=True, slots=True)
class LedgerLine:
    """One line of a member's ledger, oldest first. `amount` is the change to the balance (charges and
    reversals raise it, payments lower it); pending or denied adjustments are listed with `counts` False."""

    on: date
    kind: str                      # charge | payment | reversal | adjustment
    description: str
    amount: Decimal
    balance: Decimal               # running balance after this line
    counts: bool
    period: date | None = None
    charge_id: int | None = None
    payment_id: int | None = None
    adjustment_id: int | None = None
    receipt_number: str | None = None
    status: str | None = None      # adjustments: pending/approved/denied; payments: voided when reversed
    applied: tuple[Applied, ...] = ()


@dataclass(frozen=True, slots=True)
class PostingLookupRow:
    """A type-ahead match on the posting screen: who the member is and where they stand."""

    member_id: int
    card_number: str
    name: str
    classification: str
    status: str
    balance: Decimal | None  # None for a login that sees standing, never amounts
    paid_through: date | None
    months_behind: int
    standing: str


@dataclass(frozen=True, slots=True)
class MethodTotal:
    method: str
    count: int
    total: Decimal


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """A deposit batch against what has been keyed into it; `difference` = deposit total - payments total."""

    id: int
    deposit_on: date
    deposit_total: Decimal
    status: str
    note: str | None
    opened_by: str
    opened_at: datetime
    closed_by: str | None
    closed_at: datetime | None
    payment_count: int
    payments_total: Decimal
    difference: Decimal
    version: int
    by_method: tuple[MethodTotal, ...] = ()

    @property
    def balanced(self) -> bool:
        return self.difference == 0


@dataclass(frozen=True, slots=True)
class PaymentRow:
    payment_id: int
    receipt_number: str
    paid_on: date
    member_id: int
    card_number: str
    member_name: str
    amount: Decimal
    method: str
    reference: str | None
    batch_id: int | None
    posted_by: str
    posted_at: datetime
    reverses_payment_id: int | None
    voided: bool                   # a reversal of this payment exists
    void_reason: str | None


@dataclass(frozen=True, slots=True)
class DailyCash:
    day: date
    by_method: tuple[MethodTotal, ...]
    total: Decimal
    payments: tuple[PaymentRow, ...]


@dataclass(frozen=True, slots=True)
class AdjustmentRow:
    id: int
    member_id: int
    card_number: str
    member_name: str
    charge_id: int
    period: date
    type: str
    amount: Decimal
    reason: str
    status: str
    requested_by: str
    requested_on: date
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str | None
    version: int


@dataclass(frozen=True, slots=True)
class ArrearsRow:
    member_id: int
    card_number: str
    name: str
    classification: str
    status: str
    months_behind: int
    balance: Decimal
    paid_through: date | None
    last_payment_on: date | None
    last_payment_amount: Decimal | None
    standing: str


@dataclass(frozen=True, slots=True)
class DuesSummaryRow:
    """One month of the Dues Summary report. `collected` is what has been applied to the month's charges so far,
    whenever it was paid; `collection_pct` is collected / total due (None when nothing was due)."""

    period: date
    status: str
    members_billed: int
    members_paid: int
    total_due: Decimal
    collected: Decimal
    outstanding: Decimal
    collection_pct: Decimal | None


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    key: str
    label: str
    ok: bool
    detail: str


@dataclass(frozen=True, slots=True)
class CloseChecklist:
    month: date
    period_status: str | None      # None when the month has no period yet
    items: tuple[ChecklistItem, ...]

    @property
    def ready(self) -> bool:
        return self.period_status == "open" and all(item.ok for item in self.items)


@dataclass(frozen=True, slots=True)
class RateRow:
    id: int
    classification: str
    effective_from: date
    amount: Decimal
    created_by: str
    version: int


@dataclass(frozen=True, slots=True)
class PeriodRow:
    month: date
    due_on: date
    grace_until: date
    status: str
    charges_generated_at: datetime | None
    closed_at: datetime | None
    closed_by: str | None
    charge_count: int
    billed: Decimal
    version: int


# --- settings and standing ---------------------------------------------------------------------------------

def dues_settings(session: Session) -> DuesSettings:
    rows = session.execute(text("SELECT key, value FROM app_settings WHERE key LIKE 'dues\\_%'")).all()
    return DuesSettings.from_settings(dict(rows))


_RATE_THIS_MONTH = dues_rate_in_force("m.classification", f"date_trunc('month', {HALL_TODAY})")
SUMMARY_SQL = text(f"""
    SELECT m.id, m.card_number, {MEMBER_NAME}, m.classification, m.status,
           {_RATE_THIS_MONTH},
           s.balance, s.credit, s.paid_through, s.months_behind, s.months_ahead, s.standing,
           s.last_payment_on, s.last_payment_amount
    FROM members AS m
    JOIN dues_member_standing AS s ON s.member_id = m.id
    WHERE m.id = :member_id
""")


def member_dues_summary(session: Session, member_id: int) -> MemberDuesSummary:
    row = session.execute(SUMMARY_SQL, {"member_id": member_id}).first()
    if row is None:
        raise NotFound("That member no longer exists.")
    return MemberDuesSummary(*row)


def find_members_for_posting(session: Session, query: str, *, limit: int = 20) -> list[PostingLookupRow]:
    """Type-ahead for the posting screen: the member search (card number, names, typos) with each match's
    standing, best match first. A login that may not see amounts (a dispatcher) gets standing, months behind and
    paid-through from `member_standing`, with no balance."""
    q = normalize_query(query)
    source = _standing_source(session) if q else None
    if source is not None:
        # the page and each member's standing in one statement: each member id reaches the view as a constant
        # would (the search's lateral read, kept apart by OFFSET 0), so the view is computed for the page only
        sql, params = build_search(q, limit=limit, beside=f"{source} WHERE member_id = m.id")
        width = len(fields(MemberListRow)) - 1  # the member's columns; the standing's follow, then rank
        return [PostingLookupRow(m.id, m.card_number, m.display_name, m.classification, m.status,
                                 *row[width:width + 4])
                for row in session.execute(text(sql), params) for m in [MemberListRow(*row[:width])]]
    matches = search_members(session, query, limit=limit)
    if not matches:
        return []
    # no query (everyone, in name order), or a login reading neither view: the database refuses it with a clear
    # sentence once there is someone to show
    source = (_standing_source(session) if not q else None) or _STANDING_ONLY
    rows = session.execute(text(f"SELECT t.m, s.* FROM unnest(CAST(:ids AS integer[])) AS t(m) CROSS JOIN LATERAL "
                                f"(SELECT {source} WHERE member_id = t.m OFFSET 0) AS s"),
                           {"ids": [m.id for m in matches]})
    standing = {row[0]: tuple(row[1:]) for row in rows}
    return [PostingLookupRow(m.id, m.card_number, m.display_name, m.classification, m.status, *standing[m.id])
            for m in matches if m.id in standing]


# one member at a time: a constant member id is what lets the views read only that member's rows
_WITH_AMOUNTS = "balance, paid_through, months_behind, standing FROM dues_member_standing"
_STANDING_ONLY = "NULL, paid_through, months_behind, standing FROM member_standing"


def _standing_source(session: Session) -> str | None:
    """What to select for one member's balance (None for a login that may not see amounts), paid-through, months
    behind and standing; None for a login that may read no standing at all (an admin)."""
    amounts, standing = session.execute(text(
        "SELECT has_table_privilege('public.dues_member_standing', 'SELECT'), "
        "has_table_privilege('public.member_standing', 'SELECT')")).one()
    return _WITH_AMOUNTS if amounts else _STANDING_ONLY if standing else None


def member_standing(session: Session, member_id: int) -> PostingLookupRow | None:
    """Where one member stands, read as the posting look-up reads it: amounts only for a login that may see them
    (the dispatch counter reads `member_standing`, which has none); None for a login that may read no standing."""
    m = session.execute(text(f"SELECT id, card_number, {MEMBER_NAME}, classification, status FROM members AS m "
                             "WHERE id = :m"), {"m": member_id}).one_or_none()
    if m is None:
        raise NotFound("That member no longer exists.")
    source = _standing_source(session)
    if source is None:
        return None
    return PostingLookupRow(*m, *session.execute(text(f"SELECT {source} WHERE member_id = :m"), {"m": member_id}).one())


# --- one member ----------------------------------------------------------------------------------------------

def payment_receipt(session: Session, payment_id: int, *, already_posted: bool = False) -> PaymentReceipt:
    row = session.execute(text(f"""
        SELECT p.id, p.receipt_number, p.member_id, m.card_number, {MEMBER_NAME}, p.paid_on, p.amount, p.method,
               p.reference, p.batch_id, p.posted_by, p.posted_at, p.reverses_payment_id, p.void_reason
        FROM payments AS p
        JOIN members AS m ON m.id = p.member_id
        WHERE p.id = :id
    """), {"id": payment_id}).first()
    if row is None:
        raise NotFound("That payment does not exist.")
    # the member id as a constant, so the view is computed for this member only
    standing = session.execute(text(
        "SELECT balance, credit, paid_through, months_behind, standing FROM dues_member_standing "
        "WHERE member_id = :m"), {"m": row.member_id}).one()
    applied = _applied(session, [payment_id]).get(payment_id, ())
    unapplied = row.amount - sum((a.amount for a in applied), ZERO)
    # the row's column count is unknown to mypy, which so counts it against the keyword fields
    return PaymentReceipt(*row, applied=applied, unapplied=unapplied, balance=standing.balance,  # type: ignore[misc]
                          credit=standing.credit, paid_through=standing.paid_through,
                          months_behind=standing.months_behind, standing=standing.standing,
                          already_posted=already_posted)


_BATCH_RECEIPTS_SQL = text(f"""
    SELECT p.id AS payment_id, p.receipt_number, p.member_id, m.card_number, {MEMBER_NAME} AS member_name,
           p.paid_on, p.amount, p.method, p.reference, p.batch_id, p.posted_by, p.posted_at, p.reverses_payment_id,
           p.void_reason,
           a.periods, a.charge_ids, a.amounts,
           s.balance, s.credit, s.paid_through, s.months_behind, s.standing
    FROM payments AS p
    JOIN members AS m ON m.id = p.member_id
    -- planned on its own (OFFSET 0) with the row's member id as a parameter, so the view is computed for that
    -- member only, as payment_receipt computes it for one
    CROSS JOIN LATERAL (
        SELECT balance, credit, paid_through, months_behind, standing
        FROM dues_member_standing WHERE member_id = p.member_id OFFSET 0
    ) AS s
    CROSS JOIN LATERAL (
        SELECT array_agg(x.period ORDER BY x.period, x.charge_id) AS periods,
               array_agg(x.charge_id ORDER BY x.period, x.charge_id) AS charge_ids,
               array_agg(x.amount ORDER BY x.period, x.charge_id) AS amounts
        FROM (SELECT c.period, a.charge_id, sum(a.amount) AS amount
              FROM payment_allocations AS a JOIN dues_charges AS c ON c.id = a.charge_id
              WHERE a.payment_id = p.id
              GROUP BY c.period, a.charge_id HAVING sum(a.amount) <> 0) AS x
    ) AS a
    WHERE p.batch_id = :batch
    ORDER BY p.id
""")


def batch_receipts(session: Session, batch_id: int) -> list[PaymentReceipt]:
    """Every payment of the batch as its receipt prints it, with the member's standing now: one statement for
    the whole batch."""
    receipts: list[PaymentReceipt] = []
    for row in session.execute(_BATCH_RECEIPTS_SQL, {"batch": batch_id}).mappings():
        applied = tuple(Applied(*a) for a in zip(row["periods"] or (), row["charge_ids"] or (), row["amounts"] or (),
                                                 strict=True))
        receipts.append(PaymentReceipt(
            **{name: row[name] for name in _RECEIPT_COLUMNS}, applied=applied,
            unapplied=row["amount"] - sum((a.amount for a in applied), ZERO)))
    return receipts


# the receipt's fields the batch statement reads as they are (the rest are worked out from its allocations)
_RECEIPT_COLUMNS = ("payment_id", "receipt_number", "member_id", "card_number", "member_name", "paid_on", "amount",
                    "method", "reference", "batch_id", "posted_by", "posted_at", "reverses_payment_id", "void_reason",
                    "balance", "credit", "paid_through", "months_behind", "standing")


@dataclass(frozen=True, slots=True)
class PostingBatch:
    """A deposit batch on the posting screen: its totals and its receipts."""

    summary: BatchSummary
    receipts: list[PaymentReceipt]


def posting_batch(session: Session, batch_id: int) -> PostingBatch:
    return PostingBatch(batch_summary(session, batch_id), batch_receipts(session, batch_id))


def _applied(session: Session, payment_ids: list[int]) -> dict[int, tuple[Applied, ...]]:
    result: dict[int, list[Applied]] = {}
    for payment_id, period, charge_id, amount in session.execute(text("""
        SELECT a.payment_id, c.period, a.charge_id, sum(a.amount)
        FROM payment_allocations AS a JOIN dues_charges AS c ON c.id = a.charge_id
        WHERE a.payment_id = ANY(CAST(:ids AS bigint[]))
        GROUP BY a.payment_id, c.period, a.charge_id
        HAVING sum(a.amount) <> 0
        ORDER BY a.payment_id, c.period
    """), {"ids": payment_ids}):
        result.setdefault(payment_id, []).append(Applied(period, charge_id, amount))
    return {k: tuple(v) for k, v in result.items()}


def member_ledger(session: Session, member_id: int) -> list[LedgerLine]:
    """Charges, payments (with the months each paid), reversals and adjustments, by date, with a running
    balance. Approved adjustments count from the day they were decided."""
    rows = session.execute(text(f"""
        SELECT c.period AS on_date, 0 AS sort, 'charge' AS kind, c.amount, true AS counts, c.period,
               c.id AS charge_id, NULL::bigint AS payment_id, NULL::integer AS adjustment_id,
               NULL AS receipt_number, NULL AS status, c.classification AS detail
        FROM dues_charges AS c WHERE c.member_id = :m
        UNION ALL
        SELECT p.paid_on, 1, CASE WHEN p.reverses_payment_id IS NULL THEN 'payment' ELSE 'reversal' END,
               -p.amount, true, NULL, NULL, p.id, NULL, p.receipt_number,
               CASE WHEN EXISTS (SELECT 1 FROM payments AS r WHERE r.reverses_payment_id = p.id) THEN 'voided' END,
               concat_ws(' ', p.method, p.reference, p.void_reason)
        FROM payments AS p WHERE p.member_id = :m
        UNION ALL
        SELECT CASE WHEN j.status = 'approved'
                    THEN {hall_date("j.decided_at")}
                    ELSE j.requested_on END,
               2, 'adjustment', j.amount, j.status = 'approved', c.period, j.charge_id, NULL, j.id, NULL, j.status,
               j.type || ': ' || j.reason
        FROM dues_adjustments AS j JOIN dues_charges AS c ON c.id = j.charge_id
        WHERE j.member_id = :m
        ORDER BY 1, 2, 7, 8, 9
    """), {"m": member_id}).all()
    applied = _applied(session, [r.payment_id for r in rows if r.payment_id is not None])
    balance = ZERO
    lines: list[LedgerLine] = []
    for r in rows:
        if r.counts:
            balance += r.amount
        lines.append(LedgerLine(
            on=r.on_date, kind=r.kind, description=_describe(r.kind, r.period, r.detail, r.receipt_number),
            amount=r.amount, balance=balance, counts=r.counts, period=r.period, charge_id=r.charge_id,
            payment_id=r.payment_id, adjustment_id=r.adjustment_id, receipt_number=r.receipt_number,
            status=r.status, applied=applied.get(r.payment_id, ()) if r.payment_id else ()))
    return lines


def _describe(kind: str, period: date | None, detail: str, receipt: str | None) -> str:
    if kind == "charge":
        return f"Dues {month_label(period)} ({detail.replace('_', ' ')})"
    if kind == "adjustment":
        return f"Adjustment to {month_label(period)}: {detail.replace('_', ' ', 1)}"
    word = "Payment" if kind == "payment" else "Void"
    return f"{word} {receipt} {detail.replace('_', ' ')}".strip()


# --- batches and cash ----------------------------------------------------------------------------------------

BATCH_SQL = """
    SELECT b.id, b.deposit_on, b.deposit_total, b.status, b.note, b.opened_by, b.opened_at, b.closed_by,
           b.closed_at, count(p.id), coalesce(sum(p.amount), 0), b.deposit_total - coalesce(sum(p.amount), 0),
           b.version
    FROM payment_batches AS b
    LEFT JOIN payments AS p ON p.batch_id = b.id
"""


def batch_summary(session: Session, batch_id: int) -> BatchSummary:
    row = session.execute(text(BATCH_SQL + " WHERE b.id = :id GROUP BY b.id"), {"id": batch_id}).first()
    if row is None:
        raise NotFound("That batch does not exist.")
    by_method = tuple(MethodTotal(*r) for r in session.execute(text("""
        SELECT method, count(*), sum(amount) FROM payments WHERE batch_id = :id GROUP BY method ORDER BY method
    """), {"id": batch_id}))
    # the row's column count is unknown to mypy, which so counts it against the keyword fields
    return BatchSummary(*row, by_method=by_method)  # type: ignore[misc]


def list_batches(session: Session, *, status: str | None = None, opened_by: str | None = None,
                 limit: int = 500) -> list[BatchSummary]:
    rows = session.execute(text(BATCH_SQL + """
        WHERE (CAST(:status AS text) IS NULL OR b.status = :status)
          AND (CAST(:opened_by AS text) IS NULL OR b.opened_by = :opened_by)
        GROUP BY b.id ORDER BY b.deposit_on DESC, b.id DESC LIMIT :limit
    """), {"status": status, "opened_by": opened_by, "limit": limit})
    return [BatchSummary(*row) for row in rows]


PAYMENT_ROW_SQL = f"""
    SELECT p.id, p.receipt_number, p.paid_on, p.member_id, m.card_number, {MEMBER_NAME}, p.amount, p.method,
           p.reference, p.batch_id, p.posted_by, p.posted_at, p.reverses_payment_id,
           EXISTS (SELECT 1 FROM payments AS r WHERE r.reverses_payment_id = p.id), p.void_reason
    FROM payments AS p JOIN members AS m ON m.id = p.member_id
"""


def batch_payments(session: Session, batch_id: int) -> list[PaymentRow]:
    rows = session.execute(text(PAYMENT_ROW_SQL + " WHERE p.batch_id = :id ORDER BY p.id"), {"id": batch_id})
    return [PaymentRow(*row) for row in rows]


def daily_cash(session: Session, day: date) -> DailyCash:
    """Everything received (and voided) on `day`, by method, for the deposit slip and the cash report."""
    payments = tuple(PaymentRow(*row) for row in session.execute(
        text(PAYMENT_ROW_SQL + " WHERE p.paid_on = :day ORDER BY p.method, p.receipt_number"), {"day": day}))
    totals: dict[str, list[Any]] = {}
    for p in payments:
        entry = totals.setdefault(p.method, [0, ZERO])
        entry[0] += 1
        entry[1] += p.amount
    by_method = tuple(MethodTotal(m, n, t) for m, (n, t) in sorted(totals.items()))
    return DailyCash(day, by_method, sum((p.amount for p in payments), ZERO), payments)


# --- adjustments ---------------------------------------------------------------------------------------------

ADJUSTMENT_SQL = f"""
    SELECT j.id, j.member_id, m.card_number, {MEMBER_NAME}, j.charge_id, c.period, j.type, j.amount, j.reason,
           j.status, j.requested_by, j.requested_on, j.decided_by, j.decided_at, j.decision_note, j.version
    FROM dues_adjustments AS j
    JOIN members AS m ON m.id = j.member_id
    JOIN dues_charges AS c ON c.id = j.charge_id
"""


def adjustment(session: Session, adjustment_id: int) -> AdjustmentRow:
    row = session.execute(text(ADJUSTMENT_SQL + " WHERE j.id = :id"), {"id": adjustment_id}).first()
    if row is None:
        raise NotFound("That adjustment does not exist.")
    return AdjustmentRow(*row)


def pending_adjustments(session: Session) -> list[AdjustmentRow]:
    """Requests waiting for a manager, oldest first."""
    rows = session.execute(text(ADJUSTMENT_SQL + " WHERE j.status = 'pending' ORDER BY j.requested_at, j.id"))
    return [AdjustmentRow(*row) for row in rows]


# --- lists and reports ---------------------------------------------------------------------------------------

ARREARS_SORTS = {
    "months_behind": "s.months_behind {d}, s.balance {d}, m.last_name, m.first_name, m.id",
    "balance": "s.balance {d}, m.last_name, m.first_name, m.id",
    "name": "m.last_name {d}, m.first_name {d}, m.id",
    "card_number": "m.card_number {d}",
    "last_payment": "s.last_payment_on {d} NULLS LAST, m.last_name, m.id",
}


def arrears_list(session: Session, *, min_months: int = 1, standing: str | None = None,
                 sort: str = "months_behind", descending: bool = True) -> list[ArrearsRow]:
    """Members behind by at least `min_months` past grace (all members' standing in one set-based query)."""
    if sort not in ARREARS_SORTS:
        raise ValidationError({"sort": f"Cannot sort the arrears list by {sort}."})
    order = ARREARS_SORTS[sort].format(d="DESC" if descending else "ASC")
    rows = session.execute(text(f"""
        SELECT m.id, m.card_number, {MEMBER_NAME}, m.classification, m.status, s.months_behind, s.balance,
               s.paid_through, s.last_payment_on, s.last_payment_amount, s.standing
        FROM dues_member_standing AS s JOIN members AS m ON m.id = s.member_id
        WHERE s.months_behind >= :min_months AND (CAST(:standing AS text) IS NULL OR s.standing = :standing)
        ORDER BY {order}
    """), {"min_months": min_months, "standing": standing})
    return [ArrearsRow(*row) for row in rows]


def standing_counts(session: Session) -> dict[str, int]:
    """How many members stand where (members ever billed)."""
    rows = session.execute(text("""
        SELECT standing, count(*) FROM dues_member_standing WHERE last_charge IS NOT NULL GROUP BY standing
    """))
    return dict(rows.all())


def dues_summary(session: Session, first_month: date, last_month: date) -> list[DuesSummaryRow]:
    rows = session.execute(text("""
        SELECT p.month, p.status, count(cb.charge_id),
               count(cb.charge_id) FILTER (WHERE cb.open <= 0),
               coalesce(sum(cb.owed), 0), coalesce(sum(cb.paid), 0), coalesce(sum(cb.open), 0)
        FROM dues_periods AS p
        LEFT JOIN dues_charge_balances AS cb ON cb.period = p.month
        WHERE p.month BETWEEN :first AND :last
        GROUP BY p.month, p.status
        ORDER BY p.month
    """), {"first": month_start(first_month), "last": month_start(last_month)})
    result = []
    for month, status, billed, paid, due, collected, outstanding in rows:
        pct = (collected * 100 / due).quantize(Decimal("0.1")) if due else None
        result.append(DuesSummaryRow(month, status, billed, paid, due, collected, outstanding, pct))
    return result


def close_checklist(session: Session, month: date) -> CloseChecklist:
    """What must be true before `month` closes: earlier months closed, charges generated, no adjustment
    pending for it, and every batch holding payments dated in it balanced and closed."""
    month = month_start(month)
    period = session.execute(text(
        "SELECT status, charges_generated_at FROM dues_periods WHERE month = :m"), {"m": month}).first()
    earlier_open = session.execute(text(
        "SELECT count(*) FROM dues_periods WHERE status = 'open' AND month < :m"), {"m": month}).scalar_one()
    charges = session.execute(text("SELECT count(*) FROM dues_charges WHERE period = :m"), {"m": month}).scalar_one()
    pending = session.execute(text("""
        SELECT count(*) FROM dues_adjustments AS j JOIN dues_charges AS c ON c.id = j.charge_id
        WHERE j.status = 'pending'
          AND (c.period = :m OR j.requested_on >= :m AND j.requested_on < :m + interval '1 month')
    """), {"m": month}).scalar_one()
    batches = session.execute(text("""
        SELECT b.id, b.status, b.deposit_total - (SELECT coalesce(sum(amount), 0) FROM payments WHERE batch_id = b.id)
        FROM payment_batches AS b
        WHERE b.status = 'open' AND EXISTS (
            SELECT 1 FROM payments AS p WHERE p.batch_id = b.id
              AND p.paid_on >= :m AND p.paid_on < :m + interval '1 month')
        ORDER BY b.id
    """), {"m": month}).all()
    generated = period is not None and period.charges_generated_at is not None
    items = (
        ChecklistItem("earlier_months", "Earlier months closed", earlier_open == 0,
                      "All earlier months are closed." if earlier_open == 0
                      else f"{earlier_open} earlier month(s) still open."),
        ChecklistItem("charges", "Charges generated", generated,
                      f"{charges} charges for {month_label(month)}." if generated
                      else f"Charges for {month_label(month)} have not been generated."),
        ChecklistItem("adjustments", "No adjustments pending", pending == 0,
                      "No adjustment is waiting for a decision." if pending == 0
                      else f"{pending} adjustment(s) waiting for a decision."),
        ChecklistItem("batches", "Batches balanced and closed", not batches,
                      "Every batch with payments in the month is closed." if not batches
                      else "Open batches: " + ", ".join(f"#{b.id} (difference {b[2]:,.2f})" for b in batches)),
    )
    return CloseChecklist(month, None if period is None else period.status, items)


def list_rates(session: Session, classification: str | None = None) -> list[RateRow]:
    rows = session.execute(text("""
        SELECT id, classification, effective_from, amount, created_by, version FROM dues_rates
        WHERE CAST(:c AS text) IS NULL OR classification = :c
        ORDER BY classification, effective_from DESC
    """), {"c": classification})
    return [RateRow(*row) for row in rows]


def rates_in_force(session: Session, month: date) -> list[RateRow]:
    """The rate each classification pays for `month` (in force on its 1st)."""
    rows = session.execute(text(f"""
        SELECT r.id, r.classification, r.effective_from, r.amount, r.created_by, r.version
        FROM ({dues_rates_in_force(":m")}) AS r ORDER BY r.classification
    """), {"m": month_start(month)})
    return [RateRow(*row) for row in rows]


PERIOD_SQL = """
    SELECT p.month, p.due_on, p.grace_until, p.status, p.charges_generated_at, p.closed_at, p.closed_by,
           count(c.id), coalesce(sum(c.amount), 0), p.version
    FROM dues_periods AS p LEFT JOIN dues_charges AS c ON c.period = p.month
"""


def list_periods(session: Session) -> list[PeriodRow]:
    rows = session.execute(text(PERIOD_SQL + " GROUP BY p.month ORDER BY p.month DESC"))
    return [PeriodRow(*row) for row in rows]


def period(session: Session, month: date) -> PeriodRow:
    row = session.execute(text(PERIOD_SQL + " WHERE p.month = :m GROUP BY p.month"),
                          {"m": month_start(month)}).first()
    if row is None:
        raise NotFound(f"There is no dues period for {month_label(month_start(month))}.")
    return PeriodRow(*row)


# --- screens ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class MemberDues:
    """One member's dues page: where they stand, and the ledger with its running balance."""

    summary: MemberDuesSummary
    ledger: list[LedgerLine]


def member_dues(session: Session, member_id: int) -> MemberDues:
    return MemberDues(member_dues_summary(session, member_id), member_ledger(session, member_id))


@dataclass(frozen=True, slots=True)
class MonthState:
    """The months, and the close checklist of the open month asked for (else the oldest open one)."""

    periods: list[PeriodRow]
    checklist: CloseChecklist | None


def month_state(session: Session, month: date | None) -> MonthState:
    periods = list_periods(session)
    open_months = sorted(p.month for p in periods if p.status == "open")
    chosen = month if month in open_months else (open_months[0] if open_months else None)
    return MonthState(periods, close_checklist(session, chosen) if chosen else None)
