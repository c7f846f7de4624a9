"""Dues ledger: rates, monthly periods, charges, payments, allocations, adjustments, deposit batches, receipt
counters, and employer check-off remittances; the views that derive balance, paid-through and standing.

The database keeps the ledger honest whatever the client does: charges, payments and allocations are
append-only; a closed month refuses every insert, update or delete dated in it (owner included); receipt
numbers come from a locked per-year counter, so they are gapless; `posted_by`, `requested_by` and
`decided_by` are set by triggers from session_user, and an adjustment decided by its requester violates a
CHECK; a batch closes only when it balances to its deposit total.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

GROUPS = "uc_dispatcher, uc_dues_clerk, uc_manager, uc_admin"
DUES_STAFF = "uc_dues_clerk, uc_manager, uc_admin"
MANAGERS = "uc_manager, uc_admin"

# table -> (audit key column, versioned)
AUDITED = {
    "dues_rates": ("id", True), "dues_periods": ("month", True), "dues_charges": ("id", False),
    "payment_batches": ("id", True), "payments": ("id", False), "payment_allocations": ("id", False),
    "receipt_counters": ("year", False), "dues_adjustments": ("id", True), "remittances": ("id", True),
    "remittance_lines": ("id", True), "remittance_column_maps": ("employer_id", True),
}
APPEND_ONLY = ("dues_charges", "payments", "payment_allocations")
# table -> (the date column whose month must be open, the events checked); the append-only tables refuse
# UPDATE and DELETE outright, so only their inserts need the month check
MONTH_GUARDED = {
    "dues_charges": ("period", ("INSERT",)),
    "payments": ("paid_on", ("INSERT",)),
    "payment_allocations": ("allocated_on", ("INSERT",)),
    "dues_adjustments": ("requested_on", ("INSERT", "UPDATE", "DELETE")),
}
NOTIFIED = {"payments": "member_id", "payment_batches": "id", "dues_adjustments": "member_id", "remittances": "id"}
SEQUENCES = ("dues_rates_id_seq", "dues_charges_id_seq", "payment_batches_id_seq", "payments_id_seq",
             "payment_allocations_id_seq", "dues_adjustments_id_seq", "remittances_id_seq",
             "remittance_lines_id_seq")
SETTINGS = {"dues_grace_days": "14", "dues_arrears_months": "1", "dues_suspend_months": "3"}


def upgrade() -> None:
    # the hall's date from the server clock: column defaults and the closed-month checks use it
    op.execute("""
        CREATE FUNCTION uc_hall_today() RETURNS date LANGUAGE sql STABLE AS $$
            SELECT (now() AT TIME ZONE coalesce(
                (SELECT value FROM app_settings WHERE key = 'time_zone'), 'America/Los_Angeles'))::date
        $$
    """)
    _tables()
    _functions()
    _triggers()
    _views()
    settings = sa.table("app_settings", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.bulk_insert(settings, [{"key": k, "value": v} for k, v in SETTINGS.items()])
    _grants()


def _tables() -> None:
    op.create_table('dues_periods',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('grace_until', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='open', nullable=False),
    sa.Column('charges_generated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=63), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name=op.f('ck_dues_periods_closed_complete')),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_dues_periods_status_known')),
    sa.CheckConstraint('due_on >= month AND grace_until >= due_on', name=op.f('ck_dues_periods_dates_order')),
    sa.CheckConstraint('extract(day FROM month) = 1', name=op.f('ck_dues_periods_month_first_day')),
    sa.PrimaryKeyConstraint('month', name=op.f('pk_dues_periods'))
    )
    op.create_table('dues_rates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('classification', sa.String(length=20), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('created_by', sa.String(length=63), server_default=sa.text('session_user'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("classification IN ('apprentice_1', 'apprentice_2', 'apprentice_3', 'apprentice_4', 'apprentice_5', 'journeyman', 'foreman', 'retiree', 'honorary')", name=op.f('ck_dues_rates_classification_known')),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_dues_rates_amount_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dues_rates')),
    sa.UniqueConstraint('classification', 'effective_from', name=op.f('uq_dues_rates_classification_effective_from'))
    )
    op.create_table('payment_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deposit_on', sa.Date(), nullable=False),
    sa.Column('deposit_total', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='open', nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('opened_by', sa.String(length=63), server_default=sa.text('session_user'), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('closed_by', sa.String(length=63), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name=op.f('ck_payment_batches_closed_complete')),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_payment_batches_status_known')),
    sa.CheckConstraint('deposit_total >= 0', name=op.f('ck_payment_batches_deposit_total_not_negative')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_batches'))
    )
    op.create_index('ix_payment_batches_status', 'payment_batches', ['status'], unique=False)
    op.create_table('receipt_counters',
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.CheckConstraint('last_number >= 0', name=op.f('ck_receipt_counters_last_number_not_negative')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_receipt_counters'))
    )
    op.create_table('dues_charges',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('classification', sa.String(length=20), nullable=False),
    sa.Column('rate_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.String(length=63), server_default=sa.text('session_user'), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_dues_charges_amount_not_negative')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_dues_charges_member_id_members')),
    sa.ForeignKeyConstraint(['period'], ['dues_periods.month'], name=op.f('fk_dues_charges_period_dues_periods')),
    sa.ForeignKeyConstraint(['rate_id'], ['dues_rates.id'], name=op.f('fk_dues_charges_rate_id_dues_rates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dues_charges')),
    sa.UniqueConstraint('id', 'member_id', name=op.f('uq_dues_charges_id_member_id')),
    sa.UniqueConstraint('member_id', 'period', name=op.f('uq_dues_charges_member_id_period'))
    )
    op.create_index('ix_dues_charges_period', 'dues_charges', ['period'], unique=False)
    op.create_table('payments',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('receipt_number', sa.String(length=11), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('paid_on', sa.Date(), server_default=sa.text('uc_hall_today()'), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('idempotency_key', sa.Uuid(), nullable=False),
    sa.Column('reverses_payment_id', sa.BigInteger(), nullable=True),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.Column('posted_by', sa.String(length=63), server_default=sa.text('session_user'), nullable=False),
    sa.Column('posted_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("method IN ('cash', 'check', 'money_order', 'card', 'ach', 'payroll_deduction', 'online', 'other')", name=op.f('ck_payments_method_known')),
    sa.CheckConstraint("receipt_number ~ '^[0-9]{4}-[0-9]{6}$'", name=op.f('ck_payments_receipt_number_format')),
    sa.CheckConstraint('(reverses_payment_id IS NULL AND amount > 0) OR (reverses_payment_id IS NOT NULL AND amount < 0)', name=op.f('ck_payments_amount_sign')),
    sa.CheckConstraint('(reverses_payment_id IS NULL) = (void_reason IS NULL)', name=op.f('ck_payments_void_reason_present')),
    sa.CheckConstraint('void_reason IS NULL OR length(btrim(void_reason)) > 0', name=op.f('ck_payments_void_reason_text')),
    sa.ForeignKeyConstraint(['batch_id'], ['payment_batches.id'], name=op.f('fk_payments_batch_id_payment_batches')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_payments_member_id_members')),
    sa.ForeignKeyConstraint(['reverses_payment_id', 'member_id'], ['payments.id', 'payments.member_id'], name='fk_payments_reverses_payment_id_payments'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('id', 'member_id', name=op.f('uq_payments_id_member_id')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_payments_idempotency_key')),
    sa.UniqueConstraint('receipt_number', name=op.f('uq_payments_receipt_number')),
    sa.UniqueConstraint('reverses_payment_id', name=op.f('uq_payments_reverses_payment_id'))
    )
    op.create_index('ix_payments_batch_id', 'payments', ['batch_id'], unique=False)
    op.create_index('ix_payments_member_id_paid_on', 'payments', ['member_id', 'paid_on'], unique=False)
    op.create_index('ix_payments_paid_on', 'payments', ['paid_on'], unique=False)
    op.create_table('remittance_column_maps',
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('mapping', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_remittance_column_maps_employer_id_employers')),
    sa.PrimaryKeyConstraint('employer_id', name=op.f('pk_remittance_column_maps'))
    )
    op.create_table('remittances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('check_number', sa.String(length=40), nullable=False),
    sa.Column('check_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('received_on', sa.Date(), server_default=sa.text('uc_hall_today()'), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='draft', nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('source_filename', sa.String(length=260), nullable=True),
    sa.Column('created_by', sa.String(length=63), server_default=sa.text('session_user'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('posted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("(status = 'posted') = (posted_at IS NOT NULL)", name=op.f('ck_remittances_posted_complete')),
    sa.CheckConstraint("status IN ('draft', 'posted', 'cancelled')", name=op.f('ck_remittances_status_known')),
    sa.CheckConstraint('check_amount > 0', name=op.f('ck_remittances_check_amount_positive')),
    sa.CheckConstraint('extract(day FROM period) = 1', name=op.f('ck_remittances_period_first_day')),
    sa.ForeignKeyConstraint(['batch_id'], ['payment_batches.id'], name=op.f('fk_remittances_batch_id_payment_batches')),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_remittances_employer_id_employers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remittances'))
    )
    op.create_index('ix_remittances_employer_id', 'remittances', ['employer_id'], unique=False)
    op.create_index('ux_remittances_employer_id_check_number_live', 'remittances', ['employer_id', 'check_number'], unique=True, postgresql_where=sa.text("status <> 'cancelled'"))
    op.create_table('dues_adjustments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('charge_id', sa.BigInteger(), nullable=False),
    sa.Column('type', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), server_default='pending', nullable=False),
    sa.Column('requested_by', sa.String(length=63), server_default=sa.text('session_user'), nullable=False),
    sa.Column('requested_on', sa.Date(), server_default=sa.text('uc_hall_today()'), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('decided_by', sa.String(length=63), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("(status = 'pending') = (decided_by IS NULL)", name=op.f('ck_dues_adjustments_decision_complete')),
    sa.CheckConstraint("(type NOT IN ('waiver', 'hardship', 'credit') OR amount < 0) AND (type NOT IN ('late_fee', 'reinstatement') OR amount > 0)", name=op.f('ck_dues_adjustments_sign_matches_type')),
    sa.CheckConstraint("status IN ('pending', 'approved', 'denied')", name=op.f('ck_dues_adjustments_status_known')),
    sa.CheckConstraint("type IN ('waiver', 'hardship', 'credit', 'correction', 'late_fee', 'reinstatement')", name=op.f('ck_dues_adjustments_type_known')),
    sa.CheckConstraint('amount <> 0', name=op.f('ck_dues_adjustments_amount_not_zero')),
    sa.CheckConstraint('decided_by <> requested_by', name=op.f('ck_dues_adjustments_not_self_approved')),
    sa.CheckConstraint('length(btrim(reason)) > 0', name=op.f('ck_dues_adjustments_reason_present')),
    sa.ForeignKeyConstraint(['charge_id', 'member_id'], ['dues_charges.id', 'dues_charges.member_id'], name='fk_dues_adjustments_charge_id_dues_charges'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_dues_adjustments_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dues_adjustments'))
    )
    op.create_index('ix_dues_adjustments_charge_id', 'dues_adjustments', ['charge_id'], unique=False)
    op.create_index('ix_dues_adjustments_member_id', 'dues_adjustments', ['member_id'], unique=False)
    op.create_index('ix_dues_adjustments_pending', 'dues_adjustments', ['requested_on'], unique=False, postgresql_where=sa.text("status = 'pending'"))
    op.create_table('payment_allocations',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('payment_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('charge_id', sa.BigInteger(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('allocated_on', sa.Date(), server_default=sa.text('uc_hall_today()'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('amount <> 0', name=op.f('ck_payment_allocations_amount_not_zero')),
    sa.ForeignKeyConstraint(['charge_id', 'member_id'], ['dues_charges.id', 'dues_charges.member_id'], name='fk_payment_allocations_charge_id_dues_charges'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_payment_allocations_member_id_members')),
    sa.ForeignKeyConstraint(['payment_id', 'member_id'], ['payments.id', 'payments.member_id'], name='fk_payment_allocations_payment_id_payments'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_allocations'))
    )
    op.create_index('ix_payment_allocations_charge_id', 'payment_allocations', ['charge_id'], unique=False)
    op.create_index('ix_payment_allocations_member_id', 'payment_allocations', ['member_id'], unique=False)
    op.create_index('ix_payment_allocations_payment_id', 'payment_allocations', ['payment_id'], unique=False)
    op.create_table('remittance_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('remittance_id', sa.Integer(), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('card_number', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=True),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('hours', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('match_status', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('payment_id', sa.BigInteger(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("match_status IN ('matched', 'unknown_card', 'name_mismatch', 'amount_odd', 'resolved', 'excluded')", name=op.f('ck_remittance_lines_match_status_known')),
    sa.CheckConstraint('hours IS NULL OR hours >= 0', name=op.f('ck_remittance_lines_hours_not_negative')),
    sa.CheckConstraint('line_no > 0', name=op.f('ck_remittance_lines_line_no_positive')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_remittance_lines_member_id_members')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_remittance_lines_payment_id_payments')),
    sa.ForeignKeyConstraint(['remittance_id'], ['remittances.id'], name=op.f('fk_remittance_lines_remittance_id_remittances'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_remittance_lines')),
    sa.UniqueConstraint('remittance_id', 'line_no', name=op.f('uq_remittance_lines_remittance_id_line_no'))
    )
    op.create_index('ix_remittance_lines_member_id', 'remittance_lines', ['member_id'], unique=False)
    op.create_index('ix_remittance_lines_payment_id', 'remittance_lines', ['payment_id'], unique=False)


def _functions() -> None:
    # One statement-level check per table and event: the earliest month a statement touches must be after the
    # latest closed month. Months close in order, so "closed" is everything up to that watermark.
    op.execute("""
        CREATE FUNCTION uc_dues_refuse_closed() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            closed_through date;
            earliest date;
            later date;
        BEGIN
            SELECT max(month) INTO closed_through FROM dues_periods WHERE status = 'closed';
            IF closed_through IS NULL THEN
                RETURN NULL;
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                EXECUTE format('SELECT min(%I) FROM new_rows', TG_ARGV[0]) INTO earliest;
            END IF;
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                EXECUTE format('SELECT min(%I) FROM old_rows', TG_ARGV[0]) INTO later;
                earliest := least(earliest, later);
            END IF;
            IF earliest < (closed_through + interval '1 month')::date THEN
                RAISE EXCEPTION '% is closed: % dated in it cannot be added, changed or removed. Enter a correction dated in an open month.',
                    to_char(date_trunc('month', earliest), 'FMMonth YYYY'), TG_ARGV[1];
            END IF;
            RETURN NULL;
        END $$
    """)
    op.execute("""
        CREATE FUNCTION uc_dues_periods_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                NEW.status := 'open';
                NEW.closed_at := NULL;
                NEW.closed_by := NULL;
                IF EXISTS (SELECT 1 FROM dues_periods WHERE month = NEW.month) THEN
                    RETURN NEW;  -- the primary key (or the caller's ON CONFLICT) decides
                END IF;
                IF EXISTS (SELECT 1 FROM dues_periods WHERE status = 'closed' AND month >= NEW.month) THEN
                    RAISE EXCEPTION 'Months up to % are closed; a month before them cannot be added.',
                        to_char(NEW.month, 'FMMonth YYYY');
                END IF;
                RETURN NEW;
            END IF;
            IF OLD.status = 'closed' THEN
                RAISE EXCEPTION '% is closed; a closed month cannot be reopened, changed or removed.',
                    to_char(OLD.month, 'FMMonth YYYY');
            END IF;
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            IF NEW.month <> OLD.month THEN
                RAISE EXCEPTION 'A period''s month cannot change.';
            END IF;
            IF NEW.status = 'closed' THEN
                IF EXISTS (SELECT 1 FROM dues_periods WHERE status = 'open' AND month < NEW.month) THEN
                    RAISE EXCEPTION 'Close the earlier months before %: months close in order.',
                        to_char(NEW.month, 'FMMonth YYYY');
                END IF;
                NEW.closed_at := now();
                NEW.closed_by := session_user;
            END IF;
            RETURN NEW;
        END $$
    """)
    op.execute("""
        CREATE FUNCTION uc_payment_batches_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            total numeric(12, 2);
        BEGIN
            IF TG_OP = 'INSERT' THEN
                NEW.status := 'open';
                NEW.opened_by := session_user;
                NEW.opened_at := now();
                NEW.closed_by := NULL;
                NEW.closed_at := NULL;
                RETURN NEW;
            END IF;
            IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION 'Payment batches are never deleted.';
            END IF;
            IF OLD.status = 'closed' THEN
                RAISE EXCEPTION 'Batch % is closed and cannot be changed.', OLD.id;
            END IF;
            NEW.opened_by := OLD.opened_by;
            NEW.opened_at := OLD.opened_at;
            IF NEW.status = 'closed' THEN
                IF session_user <> OLD.opened_by AND NOT pg_has_role(session_user, 'uc_manager', 'MEMBER')
                   AND NOT pg_has_role(session_user, 'uc_admin', 'MEMBER') THEN
                    RAISE EXCEPTION 'Only the clerk who opened batch % or a manager can close it.', OLD.id;
                END IF;
                SELECT coalesce(sum(amount), 0) INTO total FROM payments WHERE batch_id = NEW.id;
                IF total <> NEW.deposit_total THEN
                    RAISE EXCEPTION 'Batch % does not balance: payments total %, deposit total %.',
                        NEW.id, total, NEW.deposit_total
                        USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_payment_batches_balanced';
                END IF;
                NEW.closed_by := session_user;
                NEW.closed_at := now();
            END IF;
            RETURN NEW;
        END $$
    """)
    # SECURITY DEFINER: clerks advance the receipt counter only through this trigger.
    op.execute("""
        CREATE FUNCTION uc_payments_before_insert() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
            today date := uc_hall_today();
            n integer;
            batch_status text;
            original payments%ROWTYPE;
        BEGIN
            -- The key is locked before anything else, so a retry (or a second workstation with the same key)
            -- waits for the first post and is then skipped without touching the receipt counter.
            PERFORM pg_advisory_xact_lock(hashtextextended(NEW.idempotency_key::text, 4401));
            IF EXISTS (SELECT 1 FROM payments WHERE idempotency_key = NEW.idempotency_key) THEN
                RETURN NULL;
            END IF;
            NEW.posted_by := session_user;
            NEW.posted_at := now();
            NEW.paid_on := coalesce(NEW.paid_on, today);
            IF NEW.paid_on > today THEN
                RAISE EXCEPTION 'A payment cannot be dated after today.'
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_payments_paid_on_not_future';
            END IF;
            IF NEW.batch_id IS NOT NULL THEN
                SELECT status INTO batch_status FROM payment_batches WHERE id = NEW.batch_id FOR SHARE;
                IF batch_status = 'closed' THEN
                    RAISE EXCEPTION 'Batch % is closed.', NEW.batch_id
                        USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_payments_batch_open';
                END IF;
            END IF;
            -- one member's posts, voids and allocations run one at a time (the services take the same lock)
            PERFORM pg_advisory_xact_lock(4401, NEW.member_id);
            IF NEW.reverses_payment_id IS NULL THEN
                IF NEW.method = 'check' AND NEW.reference IS NOT NULL AND EXISTS (
                    SELECT 1 FROM payments p
                    WHERE p.member_id = NEW.member_id AND p.method = 'check' AND p.reference = NEW.reference
                      AND p.reverses_payment_id IS NULL
                      AND NOT EXISTS (SELECT 1 FROM payments r WHERE r.reverses_payment_id = p.id)) THEN
                    RAISE EXCEPTION 'Check % was already posted for this member.', NEW.reference
                        USING ERRCODE = 'unique_violation', CONSTRAINT = 'uq_payments_member_check_reference';
                END IF;
            ELSE
                SELECT * INTO original FROM payments WHERE id = NEW.reverses_payment_id;
                IF original.reverses_payment_id IS NOT NULL OR NEW.amount <> -original.amount THEN
                    RAISE EXCEPTION 'A reversal must undo a payment in full.'
                        USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_payments_reversal_matches';
                END IF;
            END IF;
            INSERT INTO receipt_counters AS rc (year, last_number)
            VALUES (extract(year FROM NEW.paid_on)::smallint, 1)
            ON CONFLICT (year) DO UPDATE SET last_number = rc.last_number + 1
            RETURNING last_number INTO n;
            NEW.receipt_number := to_char(NEW.paid_on, 'YYYY') || '-' || lpad(n::text, 6, '0');
            RETURN NEW;
        END $$
    """)
    op.execute("""
        CREATE FUNCTION uc_payment_allocations_check() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF EXISTS (
                SELECT 1
                FROM (SELECT DISTINCT charge_id FROM new_rows) AS t
                JOIN dues_charges AS c ON c.id = t.charge_id
                CROSS JOIN LATERAL (SELECT coalesce(sum(amount), 0) AS paid
                                    FROM payment_allocations WHERE charge_id = c.id) AS a
                CROSS JOIN LATERAL (SELECT coalesce(sum(amount), 0) AS adjusted FROM dues_adjustments
                                    WHERE charge_id = c.id AND status = 'approved') AS j
                WHERE a.paid < 0 OR a.paid > c.amount + j.adjusted) THEN
                RAISE EXCEPTION 'More would be applied to a month than is owed on it.'
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_payment_allocations_within_owed';
            END IF;
            IF EXISTS (
                SELECT 1
                FROM (SELECT DISTINCT payment_id FROM new_rows) AS t
                JOIN payments AS p ON p.id = t.payment_id
                CROSS JOIN LATERAL (SELECT coalesce(sum(amount), 0) AS applied
                                    FROM payment_allocations WHERE payment_id = p.id) AS a
                WHERE (p.amount > 0 AND (a.applied < 0 OR a.applied > p.amount))
                   OR (p.amount < 0 AND (a.applied > 0 OR a.applied < p.amount))) THEN
                RAISE EXCEPTION 'More would be applied from a payment than it holds.'
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_payment_allocations_within_payment';
            END IF;
            RETURN NULL;
        END $$
    """)
    op.execute("""
        CREATE FUNCTION uc_dues_adjustments_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            owed numeric(12, 2);
        BEGIN
            IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION 'Adjustments are never deleted; deny a pending one instead.';
            END IF;
            IF TG_OP = 'INSERT' THEN
                NEW.status := 'pending';
                NEW.requested_by := session_user;
                NEW.requested_at := now();
                NEW.requested_on := uc_hall_today();
                NEW.decided_by := NULL;
                NEW.decided_at := NULL;
                NEW.decision_note := NULL;
                RETURN NEW;
            END IF;
            IF OLD.status <> 'pending' THEN
                RAISE EXCEPTION 'This adjustment was already %.', OLD.status;
            END IF;
            IF (NEW.member_id, NEW.charge_id, NEW.type, NEW.amount, NEW.reason, NEW.requested_by, NEW.requested_on,
                NEW.requested_at) IS DISTINCT FROM (OLD.member_id, OLD.charge_id, OLD.type, OLD.amount, OLD.reason,
                OLD.requested_by, OLD.requested_on, OLD.requested_at) THEN
                RAISE EXCEPTION 'Only the decision on an adjustment can change; request a new one instead.';
            END IF;
            IF NEW.status = 'pending' THEN
                NEW.decided_by := NULL;
                NEW.decided_at := NULL;
                RETURN NEW;
            END IF;
            NEW.decided_by := session_user;
            NEW.decided_at := now();
            IF NEW.status = 'approved' THEN
                PERFORM pg_advisory_xact_lock(4401, NEW.member_id);
                SELECT c.amount + coalesce((SELECT sum(a.amount) FROM dues_adjustments a
                                            WHERE a.charge_id = c.id AND a.status = 'approved'), 0)
                  INTO owed FROM dues_charges c WHERE c.id = NEW.charge_id;
                IF owed + NEW.amount < 0 THEN
                    RAISE EXCEPTION 'The adjustment would make the month owe less than nothing.'
                        USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_dues_adjustments_owed_not_negative';
                END IF;
            END IF;
            RETURN NEW;
        END $$
    """)
    op.execute("""
        CREATE FUNCTION uc_remittances_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                NEW.status := 'draft';
                NEW.created_by := session_user;
                NEW.created_at := now();
                NEW.posted_at := NULL;
                RETURN NEW;
            END IF;
            IF OLD.status = 'posted' THEN
                RAISE EXCEPTION 'Remittance % is posted and cannot be changed or removed.', OLD.check_number;
            END IF;
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            NEW.created_by := OLD.created_by;
            NEW.created_at := OLD.created_at;
            NEW.posted_at := CASE WHEN NEW.status = 'posted' THEN now() END;
            RETURN NEW;
        END $$
    """)
    op.execute("""
        CREATE FUNCTION uc_remittance_lines_guard() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM remittances WHERE status = 'posted'
                       AND id IN (CASE WHEN TG_OP <> 'INSERT' THEN OLD.remittance_id END,
                                  CASE WHEN TG_OP <> 'DELETE' THEN NEW.remittance_id END)) THEN
                RAISE EXCEPTION 'The remittance is posted; its lines cannot be changed.';
            END IF;
            RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
        END $$
    """)


def _triggers() -> None:
    for table, (key, versioned) in AUDITED.items():
        op.execute(f"SELECT uc_track('{table}', '{key}', {str(versioned).lower()})")
    for table in APPEND_ONLY:
        op.execute(f"""
            CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION uc_append_only();
            CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION uc_append_only();
        """)
    words = {"dues_charges": "charges", "payments": "payments", "payment_allocations": "payment applications",
             "dues_adjustments": "adjustments"}
    for table, (column, events) in MONTH_GUARDED.items():
        for event in events:
            transition = {"INSERT": "NEW TABLE AS new_rows", "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                          "DELETE": "OLD TABLE AS old_rows"}[event]
            op.execute(f"""
                CREATE TRIGGER {table}_closed_month_{event.lower()} AFTER {event} ON {table}
                REFERENCING {transition}
                FOR EACH STATEMENT EXECUTE FUNCTION uc_dues_refuse_closed('{column}', '{words[table]}')
            """)
    op.execute("""
        CREATE TRIGGER dues_periods_guard BEFORE INSERT OR UPDATE OR DELETE ON dues_periods
        FOR EACH ROW EXECUTE FUNCTION uc_dues_periods_guard();
        CREATE TRIGGER payment_batches_guard BEFORE INSERT OR UPDATE OR DELETE ON payment_batches
        FOR EACH ROW EXECUTE FUNCTION uc_payment_batches_guard();
        CREATE TRIGGER payments_before_insert BEFORE INSERT ON payments
        FOR EACH ROW EXECUTE FUNCTION uc_payments_before_insert();
        CREATE TRIGGER payment_allocations_check AFTER INSERT ON payment_allocations
        REFERENCING NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION uc_payment_allocations_check();
        CREATE TRIGGER dues_adjustments_guard BEFORE INSERT OR UPDATE OR DELETE ON dues_adjustments
        FOR EACH ROW EXECUTE FUNCTION uc_dues_adjustments_guard();
        CREATE TRIGGER remittances_guard BEFORE INSERT OR UPDATE OR DELETE ON remittances
        FOR EACH ROW EXECUTE FUNCTION uc_remittances_guard();
        CREATE TRIGGER remittance_lines_guard BEFORE INSERT OR UPDATE OR DELETE ON remittance_lines
        FOR EACH ROW EXECUTE FUNCTION uc_remittance_lines_guard();
    """)
    for table, key in NOTIFIED.items():
        op.execute(f"""
            CREATE TRIGGER {table}_notify AFTER INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION uc_notify_change('{key}')
        """)


def _views() -> None:
    # Grouping by (member_id, charge_id) lets a filter on one member reach the allocation and adjustment
    # indexes through the join, so the same views serve one member's screen and the whole hall's lists.
    op.execute("""
        CREATE VIEW dues_charge_balances AS
        SELECT c.id AS charge_id, c.member_id, c.period, c.classification, c.amount,
               coalesce(j.total, 0)::numeric(12, 2) AS adjusted,
               (c.amount + coalesce(j.total, 0))::numeric(12, 2) AS owed,
               coalesce(a.total, 0)::numeric(12, 2) AS paid,
               (c.amount + coalesce(j.total, 0) - coalesce(a.total, 0))::numeric(12, 2) AS open
        FROM dues_charges AS c
        LEFT JOIN (SELECT member_id, charge_id, sum(amount) AS total
                   FROM payment_allocations GROUP BY member_id, charge_id) AS a
               ON a.member_id = c.member_id AND a.charge_id = c.id
        LEFT JOIN (SELECT member_id, charge_id, sum(amount) AS total
                   FROM dues_adjustments WHERE status = 'approved' GROUP BY member_id, charge_id) AS j
               ON j.member_id = c.member_id AND j.charge_id = c.id
    """)
    # paid_through: the month before the oldest month still owing; with nothing owing, the last month billed
    # plus the whole months the member's credit buys at the current rate (paid ahead).
    # months_behind: months still owing whose grace has passed. Thresholds are app settings.
    op.execute("""
        CREATE VIEW dues_member_standing AS
        SELECT m.id AS member_id,
               coalesce(ch.owed, 0)::numeric(12, 2) AS charged,
               coalesce(pay.paid, 0)::numeric(12, 2) AS paid,
               (coalesce(ch.owed, 0) - coalesce(pay.paid, 0))::numeric(12, 2) AS balance,
               (coalesce(pay.paid, 0) - coalesce(al.applied, 0))::numeric(12, 2) AS credit,
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
            SELECT cb.member_id, sum(cb.owed) AS owed, min(cb.period) AS first_charge,
                   max(cb.period) AS last_charge, min(cb.period) FILTER (WHERE cb.open > 0) AS first_open,
                   count(*) FILTER (WHERE cb.open > 0 AND p.grace_until < (SELECT uc_hall_today()))
                       AS months_behind
            FROM dues_charge_balances AS cb
            JOIN dues_periods AS p ON p.month = cb.period
            GROUP BY cb.member_id
        ) AS ch ON ch.member_id = m.id
        LEFT JOIN (SELECT member_id, sum(amount) AS paid FROM payments GROUP BY member_id) AS pay
               ON pay.member_id = m.id
        LEFT JOIN (SELECT member_id, sum(amount) AS applied FROM payment_allocations GROUP BY member_id) AS al
               ON al.member_id = m.id
        LEFT JOIN LATERAL (
            SELECT p.paid_on, p.amount FROM payments AS p
            WHERE p.member_id = m.id AND p.reverses_payment_id IS NULL
              AND NOT EXISTS (SELECT 1 FROM payments AS r WHERE r.reverses_payment_id = p.id)
            ORDER BY p.paid_on DESC, p.id DESC LIMIT 1
        ) AS lp ON true
        CROSS JOIN LATERAL (
            SELECT CASE WHEN ch.first_open IS NULL AND coalesce(pay.paid, 0) - coalesce(al.applied, 0) > 0 THEN
                coalesce((SELECT floor((coalesce(pay.paid, 0) - coalesce(al.applied, 0)) / nullif(r.amount, 0))::integer
                          FROM dues_rates AS r
                          WHERE r.classification = m.classification
                            AND r.effective_from <= ch.last_charge + interval '1 month'
                          ORDER BY r.effective_from DESC LIMIT 1), 0)
                ELSE 0 END AS months
        ) AS ahead
    """)


def _grants() -> None:
    tables = ", ".join(AUDITED)
    op.execute(f"REVOKE ALL ON {tables}, dues_charge_balances, dues_member_standing FROM PUBLIC")
    op.execute(f"GRANT SELECT ON {tables}, dues_charge_balances, dues_member_standing TO {DUES_STAFF}")
    # dispatchers see standing (for the arrears hold) and nothing of the money behind it
    op.execute("GRANT SELECT ON dues_member_standing TO uc_dispatcher")
    op.execute(f"GRANT INSERT, UPDATE ON dues_rates, dues_periods TO {MANAGERS}")
    op.execute(f"GRANT INSERT ON dues_charges TO {MANAGERS}")
    op.execute(f"GRANT INSERT ON payments, payment_allocations, dues_adjustments TO {DUES_STAFF}")
    op.execute(f"GRANT INSERT, UPDATE ON payment_batches, remittances TO {DUES_STAFF}")
    op.execute(f"GRANT INSERT, UPDATE, DELETE ON remittance_lines, remittance_column_maps TO {DUES_STAFF}")
    op.execute(f"GRANT UPDATE (status, decision_note, version) ON dues_adjustments TO {MANAGERS}")
    op.execute(f"GRANT USAGE ON SEQUENCE {', '.join(SEQUENCES)} TO {DUES_STAFF}")


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS dues_member_standing")
    op.execute("DROP VIEW IF EXISTS dues_charge_balances")
    for table in ("remittance_lines", "remittances", "remittance_column_maps", "payment_allocations",
                  "dues_adjustments", "payments", "receipt_counters", "payment_batches", "dues_charges",
                  "dues_rates", "dues_periods"):
        op.drop_table(table)
    for fn in ("uc_remittance_lines_guard()", "uc_remittances_guard()", "uc_dues_adjustments_guard()",
               "uc_payment_allocations_check()", "uc_payments_before_insert()", "uc_payment_batches_guard()",
               "uc_dues_periods_guard()", "uc_dues_refuse_closed()", "uc_hall_today()"):
        op.execute(f"DROP FUNCTION IF EXISTS {fn}")
    op.execute(f"DELETE FROM app_settings WHERE key IN ({', '.join(repr(k) for k in SETTINGS)})")
