"""Out-of-work books, registrations, labor requests and dispatch.

The database keeps the referral rules that must hold whatever the client does: one live registration per
member per book, one active dispatch per member, a request never filled past its count (its counter is kept
by a trigger), offer lines and registration activity append-only. Books and requests notify listening
workstations on commit (channel `uc_change`). Report runs are logged here too: printing is audited.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

GROUPS = "uc_dispatcher, uc_dues_clerk, uc_manager, uc_admin"
REFERRAL_WRITERS = "uc_dispatcher, uc_manager, uc_admin"

# table -> key column of its audit rows (all versioned)
AUDITED = {
    "offices": "id", "books": "id", "book_rules": "id", "registrations": "id", "labor_requests": "id",
    "bids": "id", "dispatches": "id", "check_marks": "id", "referral_bans": "id",
}
APPEND_ONLY = ("registration_activity", "offer_lines", "report_runs")
# table -> column sent as the notification key, so a screen refreshes only for its own book or request
NOTIFIED = {
    "registrations": "book_id", "labor_requests": "book_id", "dispatches": "book_id", "check_marks": "book_id",
    "bids": "request_id",
}
TABLES = (*AUDITED, *APPEND_ONLY)


def upgrade() -> None:
    _tables()
    _functions()
    for table, key in AUDITED.items():
        op.execute(f"SELECT uc_track('{table}', '{key}', true)")
    for table in APPEND_ONLY:
        op.execute(f"""
            CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION uc_append_only();
            CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION uc_append_only();
        """)
    for table, key in NOTIFIED.items():
        op.execute(f"""
            CREATE TRIGGER {table}_notify AFTER INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION uc_notify_change('{key}')
        """)
    op.execute("""
        CREATE TRIGGER dispatches_fill_request AFTER INSERT OR UPDATE OF status ON dispatches
        FOR EACH ROW EXECUTE FUNCTION uc_dispatch_fills_request()
    """)
    _grants()


def _tables() -> None:
    op.create_table('report_runs',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('parameters', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('run_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('run_by', sa.String(length=63), server_default=sa.text('session_user'), nullable=False),
    sa.Column('application_name', sa.Text(), server_default=sa.text("current_setting('application_name', true)"),
              nullable=True),
    sa.CheckConstraint("kind IN ('pdf', 'xlsx')", name=op.f('ck_report_runs_kind_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_runs'))
    )
    op.create_index('ix_report_runs_run_at', 'report_runs', ['run_at'], unique=False)
    op.create_table('offices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('region', sa.String(length=40), nullable=True),
    sa.Column('opens_at', sa.Time(), server_default=sa.text("'08:00'"), nullable=False),
    sa.Column('closes_at', sa.Time(), server_default=sa.text("'16:30'"), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offices')),
    sa.UniqueConstraint('code', name=op.f('uq_offices_code'))
    )
    op.create_table('books',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('classification', sa.String(length=40), nullable=False),
    sa.Column('region', sa.String(length=40), nullable=True),
    sa.Column('contract_code', sa.String(length=30), nullable=True),
    sa.Column('agreement_type', sa.String(length=10), server_default='standard', nullable=False),
    sa.Column('morning_slot', sa.Time(), nullable=False),
    sa.Column('sort_order', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("agreement_type IN ('standard', 'pla', 'cwa', 'tero')", name=op.f('ck_books_agreement_type_known')),
    sa.CheckConstraint("code ~ '^[A-Z0-9_]{2,30}$'", name=op.f('ck_books_code_format')),
    sa.ForeignKeyConstraint(['contract_code'], ['contract_codes.code'], name=op.f('fk_books_contract_code_contract_codes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_books')),
    sa.UniqueConstraint('code', name=op.f('uq_books_code')),
    sa.UniqueConstraint('name', name=op.f('uq_books_name'))
    )
    op.create_table('book_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('book_id', sa.Integer(), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('resign_days', sa.SmallInteger(), server_default='30', nullable=False),
    sa.Column('resign_grace_days', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('resign_monthly_window', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('check_marks_allowed', sa.SmallInteger(), server_default='3', nullable=False),
    sa.Column('short_call_max_days', sa.SmallInteger(), server_default='10', nullable=False),
    sa.Column('short_call_free_days', sa.SmallInteger(), server_default='3', nullable=False),
    sa.Column('short_call_restorations', sa.SmallInteger(), server_default='2', nullable=False),
    sa.Column('reregister_business_days', sa.SmallInteger(), server_default='1', nullable=False),
    sa.Column('exemption_cap_months', sa.SmallInteger(), server_default='6', nullable=False),
    sa.Column('bidding_enabled', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('bid_opens', sa.Time(), server_default=sa.text("'17:30'"), nullable=False),
    sa.Column('bid_closes', sa.Time(), server_default=sa.text("'07:00'"), nullable=False),
    sa.Column('bid_checkin_by', sa.Time(), server_default=sa.text("'15:00'"), nullable=False),
    sa.Column('request_cutoff', sa.Time(), server_default=sa.text("'15:00'"), nullable=False),
    sa.Column('by_name_ban_days', sa.SmallInteger(), server_default='14', nullable=False),
    sa.Column('max_days_on_book', sa.SmallInteger(), nullable=True),
    sa.Column('arrears_hold', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('discharge_suspension', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('by_name_ban_days >= 0', name=op.f('ck_book_rules_by_name_ban_days_positive')),
    sa.CheckConstraint('check_marks_allowed > 0', name=op.f('ck_book_rules_check_marks_allowed_positive')),
    sa.CheckConstraint('exemption_cap_months > 0', name=op.f('ck_book_rules_exemption_cap_months_positive')),
    sa.CheckConstraint('max_days_on_book IS NULL OR max_days_on_book > 0', name=op.f('ck_book_rules_max_days_on_book_positive')),
    sa.CheckConstraint('reregister_business_days > 0', name=op.f('ck_book_rules_reregister_business_days_positive')),
    sa.CheckConstraint('resign_days > 0 AND resign_grace_days >= 0', name=op.f('ck_book_rules_resign_days_positive')),
    sa.CheckConstraint('short_call_free_days >= 0 AND short_call_free_days <= short_call_max_days', name=op.f('ck_book_rules_short_call_days_order')),
    sa.CheckConstraint('short_call_restorations >= 0', name=op.f('ck_book_rules_short_call_restorations_positive')),
    sa.ForeignKeyConstraint(['book_id'], ['books.id'], name=op.f('fk_book_rules_book_id_books')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_book_rules')),
    sa.UniqueConstraint('book_id', 'effective_from', name=op.f('uq_book_rules_book_id_effective_from'))
    )
    op.create_table('labor_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('worksite_id', sa.Integer(), nullable=True),
    sa.Column('book_id', sa.Integer(), nullable=False),
    sa.Column('job_class', sa.String(length=40), nullable=True),
    sa.Column('workers_requested', sa.SmallInteger(), nullable=False),
    sa.Column('workers_dispatched', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('wage', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('start_time', sa.String(length=5), nullable=True),
    sa.Column('duration_days', sa.SmallInteger(), nullable=True),
    sa.Column('short_call', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('referral_date', sa.Date(), nullable=False),
    sa.Column('agreement_type', sa.String(length=10), server_default='standard', nullable=False),
    sa.Column('no_mark_reasons', sa.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False),
    sa.Column('requirements', sa.ARRAY(sa.Text()), server_default=sa.text("'{}'::text[]"), nullable=False),
    sa.Column('by_name_member_id', sa.Integer(), nullable=True),
    sa.Column('by_name_attested', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('bidding', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('report_to', sa.String(length=200), nullable=True),
    sa.Column('comments', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=20), server_default='open', nullable=False),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=63), server_default=sa.text('session_user'), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("agreement_type IN ('standard', 'pla', 'cwa', 'tero')", name=op.f('ck_labor_requests_agreement_type_known')),
    sa.CheckConstraint("no_mark_reasons <@ ARRAY['specialty_skill', 'mou_jobsite', 'early_start', 'under_scale', 'various_locations', 'short_call', 'employer_rejection']::text[]", name=op.f('ck_labor_requests_no_mark_reasons_known')),
    sa.CheckConstraint("status <> 'cancelled' OR length(btrim(cancel_reason)) > 0", name=op.f('ck_labor_requests_cancel_reason_present')),
    sa.CheckConstraint("status IN ('open', 'partially_filled', 'filled', 'cancelled', 'expired')", name=op.f('ck_labor_requests_status_known')),
    sa.CheckConstraint('by_name_member_id IS NULL OR by_name_attested', name=op.f('ck_labor_requests_by_name_attested')),
    sa.CheckConstraint('duration_days IS NULL OR duration_days > 0', name=op.f('ck_labor_requests_duration_days_positive')),
    sa.CheckConstraint('wage IS NULL OR wage > 0', name=op.f('ck_labor_requests_wage_positive')),
    sa.CheckConstraint('workers_dispatched >= 0 AND workers_dispatched <= workers_requested', name=op.f('ck_labor_requests_not_overfilled')),
    sa.CheckConstraint('workers_requested BETWEEN 1 AND 500', name=op.f('ck_labor_requests_workers_requested_range')),
    sa.ForeignKeyConstraint(['book_id'], ['books.id'], name=op.f('fk_labor_requests_book_id_books')),
    sa.ForeignKeyConstraint(['by_name_member_id'], ['members.id'], name=op.f('fk_labor_requests_by_name_member_id_members')),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_labor_requests_employer_id_employers')),
    sa.ForeignKeyConstraint(['worksite_id'], ['worksites.id'], name=op.f('fk_labor_requests_worksite_id_worksites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_labor_requests')),
    sa.UniqueConstraint('number', name=op.f('uq_labor_requests_number'))
    )
    op.create_index('ix_labor_requests_book_id_status', 'labor_requests', ['book_id', 'status'], unique=False)
    op.create_index('ix_labor_requests_employer_id', 'labor_requests', ['employer_id'], unique=False)
    op.create_index('ix_labor_requests_referral_date', 'labor_requests', ['referral_date'], unique=False)
    op.create_table('registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('book_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.SmallInteger(), nullable=False),
    sa.Column('apn', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('method', sa.String(length=10), server_default='in_person', nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=30), server_default='registered', nullable=False),
    sa.Column('last_resign_on', sa.Date(), nullable=True),
    sa.Column('resign_due_on', sa.Date(), nullable=True),
    sa.Column('restorations_used', sa.SmallInteger(), server_default='0', nullable=False),
    sa.Column('exemption_reason', sa.String(length=20), nullable=True),
    sa.Column('exemption_start', sa.Date(), nullable=True),
    sa.Column('exemption_end', sa.Date(), nullable=True),
    sa.Column('reregister_by', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rolled_off_on', sa.Date(), nullable=True),
    sa.Column('roll_off_reason', sa.String(length=30), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("(status = 'rolled_off') = (roll_off_reason IS NOT NULL)", name=op.f('ck_registrations_roll_off_reason_present')),
    sa.CheckConstraint("exemption_reason IN ('military', 'union_business', 'salting', 'medical', 'jury_duty', 'traveling', 'under_scale')", name=op.f('ck_registrations_exemption_reason_known')),
    sa.CheckConstraint("method IN ('in_person', 'email', 'fax', 'web')", name=op.f('ck_registrations_method_known')),
    sa.CheckConstraint("roll_off_reason IN ('failed_re_sign', 'failed_re_register', 'check_marks', 'quit', 'discharged', 'resigned', 'dispatched_long_call', 'max_days_on_book')", name=op.f('ck_registrations_roll_off_reason_known')),
    sa.CheckConstraint("status <> 'awaiting_reregistration' OR reregister_by IS NOT NULL", name=op.f('ck_registrations_reregister_by_present')),
    sa.CheckConstraint("status IN ('registered', 'dispatched', 'awaiting_reregistration', 'rolled_off', 'resigned')", name=op.f('ck_registrations_status_known')),
    sa.CheckConstraint('(exemption_reason IS NULL) = (exemption_start IS NULL)', name=op.f('ck_registrations_exemption_complete')),
    sa.CheckConstraint('apn > 0', name=op.f('ck_registrations_apn_positive')),
    sa.CheckConstraint('exemption_end IS NULL OR exemption_end >= exemption_start', name=op.f('ck_registrations_exemption_order')),
    sa.CheckConstraint('restorations_used >= 0', name=op.f('ck_registrations_restorations_used_positive')),
    sa.CheckConstraint('tier BETWEEN 1 AND 4', name=op.f('ck_registrations_tier_range')),
    sa.ForeignKeyConstraint(['book_id'], ['books.id'], name=op.f('fk_registrations_book_id_books')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_registrations_member_id_members')),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], name=op.f('fk_registrations_office_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registrations'))
    )
    op.create_index('ix_registrations_apn', 'registrations', ['apn'], unique=False)
    op.create_index('ix_registrations_member_id', 'registrations', ['member_id'], unique=False)
    op.create_index('ix_registrations_queue', 'registrations', ['book_id', 'tier', 'apn', 'registered_at', 'member_id'], unique=False, postgresql_where=sa.text("status = 'registered'"))
    op.create_index('ux_registrations_member_id_book_id_live', 'registrations', ['member_id', 'book_id'], unique=True, postgresql_where=sa.text("status IN ('registered', 'dispatched', 'awaiting_reregistration')"))
    op.create_table('bids',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('withdrawn', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('created_by', sa.String(length=63), server_default=sa.text('session_user'), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("source IN ('phone', 'email', 'web')", name=op.f('ck_bids_source_known')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_bids_member_id_members')),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_bids_registration_id_registrations')),
    sa.ForeignKeyConstraint(['request_id'], ['labor_requests.id'], name=op.f('fk_bids_request_id_labor_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bids')),
    sa.UniqueConstraint('request_id', 'member_id', name=op.f('uq_bids_request_id_member_id'))
    )
    op.create_table('dispatches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('book_id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('worksite_id', sa.Integer(), nullable=True),
    sa.Column('employment_id', sa.BigInteger(), nullable=True),
    sa.Column('idempotency_key', sa.Uuid(), nullable=False),
    sa.Column('dispatched_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('dispatch_date', sa.Date(), nullable=False),
    sa.Column('by_name', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('via_bid', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('short_call', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('status', sa.String(length=20), server_default='dispatched', nullable=False),
    sa.Column('checked_in_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('terminated_on', sa.Date(), nullable=True),
    sa.Column('termination_reason', sa.String(length=20), nullable=True),
    sa.Column('business_days_worked', sa.SmallInteger(), nullable=True),
    sa.Column('hours_worked', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('restored', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('dispatched_by', sa.String(length=63), server_default=sa.text('session_user'), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("(status = 'terminated') = (termination_reason IS NOT NULL)", name=op.f('ck_dispatches_termination_reason_present')),
    sa.CheckConstraint("status IN ('dispatched', 'checked_in', 'working', 'completed', 'terminated', 'rejected', 'no_show')", name=op.f('ck_dispatches_status_known')),
    sa.CheckConstraint("termination_reason IN ('rif', 'quit', 'discharged', 'laid_off', 'short_call_end', 'contract_end', 'under_scale', 'turnaround')", name=op.f('ck_dispatches_termination_reason_known')),
    sa.CheckConstraint('business_days_worked IS NULL OR business_days_worked >= 0', name=op.f('ck_dispatches_business_days_worked_positive')),
    sa.CheckConstraint('terminated_on IS NULL OR terminated_on >= dispatch_date', name=op.f('ck_dispatches_termination_order')),
    sa.ForeignKeyConstraint(['book_id'], ['books.id'], name=op.f('fk_dispatches_book_id_books')),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_dispatches_employer_id_employers')),
    sa.ForeignKeyConstraint(['employment_id'], ['employment_history.id'], name=op.f('fk_dispatches_employment_id_employment_history')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_dispatches_member_id_members')),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_dispatches_registration_id_registrations')),
    sa.ForeignKeyConstraint(['request_id'], ['labor_requests.id'], name=op.f('fk_dispatches_request_id_labor_requests')),
    sa.ForeignKeyConstraint(['worksite_id'], ['worksites.id'], name=op.f('fk_dispatches_worksite_id_worksites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatches')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_dispatches_idempotency_key')),
    sa.UniqueConstraint('request_id', 'member_id', name=op.f('uq_dispatches_request_id_member_id'))
    )
    op.create_index('ix_dispatches_book_id', 'dispatches', ['book_id'], unique=False)
    op.create_index('ix_dispatches_dispatch_date', 'dispatches', ['dispatch_date'], unique=False)
    op.create_index('ux_dispatches_member_id_active', 'dispatches', ['member_id'], unique=True, postgresql_where=sa.text("status IN ('dispatched', 'checked_in', 'working')"))
    op.create_table('offer_lines',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('run_id', sa.Uuid(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('book_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('tier', sa.SmallInteger(), nullable=False),
    sa.Column('apn', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('skip_reason', sa.String(length=30), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('mark_issued', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('dispatch_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('recorded_by', sa.String(length=63), server_default=sa.text('session_user'), nullable=False),
    sa.CheckConstraint("outcome IN ('accepted', 'declined', 'no_answer')", name=op.f('ck_offer_lines_outcome_known')),
    sa.CheckConstraint("skip_reason IN ('exempt', 'banned', 'excluded_employer', 'missing_skill', 'arrears_hold', 'already_dispatched_today', 'not_qualified')", name=op.f('ck_offer_lines_skip_reason_known')),
    sa.CheckConstraint('(skip_reason IS NULL) <> (outcome IS NULL)', name=op.f('ck_offer_lines_skip_or_outcome')),
    sa.CheckConstraint('rank > 0', name=op.f('ck_offer_lines_rank_positive')),
    sa.ForeignKeyConstraint(['book_id'], ['books.id'], name=op.f('fk_offer_lines_book_id_books')),
    sa.ForeignKeyConstraint(['dispatch_id'], ['dispatches.id'], name=op.f('fk_offer_lines_dispatch_id_dispatches')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_offer_lines_member_id_members')),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_offer_lines_registration_id_registrations')),
    sa.ForeignKeyConstraint(['request_id'], ['labor_requests.id'], name=op.f('fk_offer_lines_request_id_labor_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offer_lines'))
    )
    op.create_index('ix_offer_lines_dispatch_id', 'offer_lines', ['dispatch_id'], unique=False)
    op.create_index('ix_offer_lines_member_id', 'offer_lines', ['member_id'], unique=False)
    op.create_index('ix_offer_lines_request_id_run', 'offer_lines', ['request_id', 'run_id', 'rank'], unique=False)
    op.create_table('referral_bans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('dispatch_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_referral_bans_period_order')),
    sa.ForeignKeyConstraint(['dispatch_id'], ['dispatches.id'], name=op.f('fk_referral_bans_dispatch_id_dispatches')),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_referral_bans_employer_id_employers')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_referral_bans_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_bans'))
    )
    op.create_index('ix_referral_bans_member_id_employer_id', 'referral_bans', ['member_id', 'employer_id'], unique=False)
    op.create_table('registration_activity',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('book_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('before', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('after', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('dispatch_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('staff_login', sa.String(length=63), server_default=sa.text('session_user'), nullable=False),
    sa.CheckConstraint("action IN ('sign_on', 're_sign', 'resign', 'exempt_start', 'exempt_end', 'dispatched', 'restored', 'roll_off', 'mark_added', 'mark_removed', 'reregistered', 'bid')", name=op.f('ck_registration_activity_action_known')),
    sa.ForeignKeyConstraint(['book_id'], ['books.id'], name=op.f('fk_registration_activity_book_id_books')),
    sa.ForeignKeyConstraint(['dispatch_id'], ['dispatches.id'], name=op.f('fk_registration_activity_dispatch_id_dispatches')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_registration_activity_member_id_members')),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_registration_activity_registration_id_registrations')),
    sa.ForeignKeyConstraint(['request_id'], ['labor_requests.id'], name=op.f('fk_registration_activity_request_id_labor_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_activity'))
    )
    op.create_index('ix_registration_activity_at', 'registration_activity', ['at'], unique=False)
    op.create_index('ix_registration_activity_member_id_at', 'registration_activity', ['member_id', 'at'], unique=False)
    op.create_index('ix_registration_activity_registration_id', 'registration_activity', ['registration_id'], unique=False)
    op.create_table('check_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('book_id', sa.Integer(), nullable=False),
    sa.Column('marked_on', sa.Date(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('offer_line_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('created_by', sa.String(length=63), server_default=sa.text('session_user'), nullable=False),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('removed_by', sa.String(length=63), nullable=True),
    sa.Column('removal_reason', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('(removed_at IS NULL) = (removal_reason IS NULL)', name=op.f('ck_check_marks_removal_reason_present')),
    sa.CheckConstraint('removal_reason IS NULL OR length(btrim(removal_reason)) > 0', name=op.f('ck_check_marks_removal_reason_text')),
    sa.ForeignKeyConstraint(['book_id'], ['books.id'], name=op.f('fk_check_marks_book_id_books')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_check_marks_member_id_members')),
    sa.ForeignKeyConstraint(['offer_line_id'], ['offer_lines.id'], name=op.f('fk_check_marks_offer_line_id_offer_lines')),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_check_marks_registration_id_registrations')),
    sa.ForeignKeyConstraint(['request_id'], ['labor_requests.id'], name=op.f('fk_check_marks_request_id_labor_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_marks'))
    )
    op.create_index('ux_check_marks_registration_id_marked_on_live', 'check_marks', ['registration_id', 'marked_on'], unique=True, postgresql_where=sa.text('removed_at IS NULL'))
    op.create_foreign_key(op.f('fk_member_qualified_books_book_code_books'), 'member_qualified_books', 'books', ['book_code'], ['code'], onupdate='CASCADE')


def _functions() -> None:
    op.execute("""
        CREATE FUNCTION uc_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'permission denied for table %: it is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
        END $$
    """)
    op.execute("""
        CREATE FUNCTION uc_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('uc_change', json_build_object(
                'table', TG_TABLE_NAME, 'op', left(TG_OP, 1),
                'key', (CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END) ->> TG_ARGV[0],
                'by', session_user, 'app', current_setting('application_name', true))::text);
            RETURN NULL;
        END $$
    """)
    # A dispatch takes a place on its request and a rejected or no-show one gives it back; the CHECK on
    # workers_dispatched then refuses over-filling, whichever client wrote the dispatch.
    op.execute("""
        CREATE FUNCTION uc_dispatch_fills_request() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            delta integer := 0;
            req labor_requests%ROWTYPE;
        BEGIN
            IF TG_OP = 'INSERT' THEN
                delta := 1;
            ELSIF NEW.status IN ('rejected', 'no_show') AND OLD.status NOT IN ('rejected', 'no_show') THEN
                delta := -1;
            ELSIF OLD.status IN ('rejected', 'no_show') AND NEW.status NOT IN ('rejected', 'no_show') THEN
                delta := 1;
            END IF;
            IF delta = 0 THEN
                RETURN NULL;
            END IF;
            SELECT * INTO req FROM labor_requests WHERE id = NEW.request_id FOR UPDATE;
            IF delta > 0 AND req.status IN ('cancelled', 'expired') THEN
                RAISE EXCEPTION 'request % is %', req.number, req.status
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_labor_requests_not_overfilled';
            END IF;
            UPDATE labor_requests
               SET workers_dispatched = workers_dispatched + delta,
                   status = CASE
                       WHEN status IN ('cancelled', 'expired') THEN status
                       WHEN workers_dispatched + delta >= workers_requested THEN 'filled'
                       WHEN workers_dispatched + delta > 0 THEN 'partially_filled'
                       ELSE 'open' END,
                   version = version + 1,
                   updated_at = now()
             WHERE id = NEW.request_id;
            RETURN NULL;
        END $$
    """)


def _grants() -> None:
    tables = ", ".join(TABLES)
    op.execute(f"REVOKE ALL ON {tables} FROM PUBLIC")
    op.execute(f"GRANT SELECT ON {tables} TO {GROUPS}")
    op.execute(f"GRANT INSERT, UPDATE ON registrations, labor_requests, bids, dispatches, check_marks, "
               f"referral_bans TO {REFERRAL_WRITERS}")
    op.execute(f"GRANT INSERT ON registration_activity, offer_lines TO {REFERRAL_WRITERS}")
    op.execute(f"GRANT INSERT ON report_runs TO {GROUPS}")
    op.execute("GRANT USAGE ON SEQUENCE report_runs_id_seq TO uc_dues_clerk")
    op.execute("GRANT INSERT, UPDATE ON offices, books, book_rules TO uc_manager, uc_admin")
    op.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {REFERRAL_WRITERS}")


def downgrade() -> None:
    op.drop_constraint(op.f('fk_member_qualified_books_book_code_books'), 'member_qualified_books',
                       type_='foreignkey')
    for table in ("check_marks", "registration_activity", "referral_bans", "offer_lines", "dispatches", "bids",
                  "registrations", "labor_requests", "book_rules", "books", "offices", "report_runs"):
        op.drop_table(table)
    for fn in ("uc_dispatch_fills_request()", "uc_notify_change()", "uc_append_only()"):
        op.execute(f"DROP FUNCTION IF EXISTS {fn}")
