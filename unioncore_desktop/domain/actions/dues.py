"""Dues: posting payments into deposit batches, a member's ledger, adjustments and voids, and the month-end work
(charges, closing a month, rates).

Payment and adjustment changes are announced by member (the key their notifications carry), batch changes by
batch; charges, months and rates by kind alone (their notifications carry no key)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from unioncore_desktop.domain.actions import Hall
from unioncore_desktop.domain.changes import Changed, Done, done
from unioncore_desktop.domain.queries import dues as q
from unioncore_desktop.domain.queries.hall import hall_clock
from unioncore_desktop.domain.services import dues as services


def _member(row: q.PaymentReceipt | q.AdjustmentRow) -> Changed:
    return Changed.of("dues", member_ids=[row.member_id])


def _batch(summary: q.BatchSummary) -> Done[q.BatchSummary]:
    return done(summary, Changed.of("dues_batch", batch_ids=[summary.id]))


# --- members ---------------------------------------------------------------------------------------------------

def find_members(hall: Hall, text: str, *, limit: int | None = None) -> list[q.PostingLookupRow]:
    """Members by card number or name, with their standing (the posting look-up)."""
    if limit is None:
        return hall.read(q.find_members_for_posting, text)
    return hall.read(q.find_members_for_posting, text, limit=limit)


def member_summary(hall: Hall, member_id: int) -> q.MemberDuesSummary:
    return hall.read(q.member_dues_summary, member_id)


def member_dues(hall: Hall, member_id: int) -> q.MemberDues:
    return hall.read(q.member_dues, member_id)


def receipt(hall: Hall, payment_id: int) -> q.PaymentReceipt:
    return hall.read(q.payment_receipt, payment_id)


def request_adjustment(hall: Hall, member_id: int, *, period: date, amount: str, type: str,
                       reason: str) -> Done[q.AdjustmentRow]:
    row = services.request_adjustment(hall.uow(), member_id=member_id, period=period, amount=amount, type=type,
                                      reason=reason)
    return done(row, _member(row))


def void_payment(hall: Hall, payment_id: int, reason: str, key: uuid.UUID) -> Done[q.PaymentReceipt]:
    """Void with this dialog's key: a retry after a lost connection is the same void."""
    reversal = services.void_payment(hall.uow(), payment_id=payment_id, reason=reason, idempotency_key=key)
    return done(reversal, _member(reversal))


# --- posting ---------------------------------------------------------------------------------------------------

def open_batches(hall: Hall, opened_by: str) -> list[q.BatchSummary]:
    return hall.read(q.list_batches, status="open", opened_by=opened_by)


def posting_batch(hall: Hall, batch_id: int) -> q.PostingBatch:
    return hall.read(q.posting_batch, batch_id)


def batch_summary(hall: Hall, batch_id: int) -> q.BatchSummary:
    return hall.read(q.batch_summary, batch_id)


def open_batch(hall: Hall, deposit_on: date | None, deposit_total: Decimal) -> Done[q.BatchSummary]:
    """A new batch deposited on `deposit_on` (None: the hall's today, asked of the server)."""
    day = deposit_on if deposit_on is not None else hall.read(hall_clock).today
    return _batch(services.open_batch(hall.uow(), deposit_on=day, deposit_total=deposit_total))


def set_batch_total(hall: Hall, batch: q.BatchSummary, deposit_total: Decimal) -> Done[q.BatchSummary]:
    return _batch(services.set_batch_total(hall.uow(), batch_id=batch.id, deposit_total=deposit_total,
                                           version=batch.version))


def close_batch(hall: Hall, batch_id: int) -> Done[q.BatchSummary]:
    return _batch(services.close_batch(hall.uow(), batch_id=batch_id))


def post_payment(hall: Hall, key: uuid.UUID, member_id: int, *, amount: Decimal, method: str,
                 reference: str | None, batch_id: int) -> Done[q.PaymentReceipt]:
    """Post one keyed line with its idempotency `key`: sent again, it returns the payment already posted."""
    posted = services.post_payment(hall.uow(), idempotency_key=key, member_id=member_id, amount=amount,
                                   method=method, reference=reference, batch_id=batch_id)
    return done(posted, _member(posted))


# --- month end -------------------------------------------------------------------------------------------------

def pending_adjustments(hall: Hall) -> list[q.AdjustmentRow]:
    return hall.read(q.pending_adjustments)


def decide_adjustment(hall: Hall, row: q.AdjustmentRow, *, approve: bool,
                      note: str | None) -> Done[q.AdjustmentRow]:
    decided = services.decide_adjustment(hall.uow(), adjustment_id=row.id, approve=approve, note=note,
                                         version=row.version)
    return done(decided, _member(decided))


def generate_charges(hall: Hall, month: date) -> Done[services.ChargeRun]:
    return done(services.generate_charges(hall.uow(), month=month), Changed.of("dues"))


def month_state(hall: Hall, month: date | None) -> q.MonthState:
    return hall.read(q.month_state, month)


def close_month(hall: Hall, month: date) -> Done[q.PeriodRow]:
    return done(services.close_month(hall.uow(), month=month), Changed.of("dues_period"))


def dues_summary(hall: Hall, first_month: date, last_month: date) -> list[q.DuesSummaryRow]:
    return hall.read(q.dues_summary, first_month, last_month)


def arrears_list(hall: Hall) -> list[q.ArrearsRow]:
    return hall.read(q.arrears_list)


def rates(hall: Hall, classification: str | None) -> list[q.RateRow]:
    return hall.read(q.list_rates, classification)


def set_rate(hall: Hall, classification: str, *, effective_from: date, amount: Decimal) -> Done[q.RateRow]:
    row = services.set_rate(hall.uow(), classification=classification, effective_from=effective_from,
                            amount=amount)
    return done(row, Changed.of("dues_rate"))
