"""The schema's functions, triggers and views are source files now, in migrations/sql/: this applies every one.

They hold the definitions migrations 0001-0014 left behind (generated from a database at 0014, then tidied), so on a
database at 0014 this changes nothing, and its downgrade has nothing to put back. From here on a function, trigger
or view changes by an edit of its file and a migration that applies it; `unioncore db check` reports any object
that differs from its file. The rules are in unioncore_desktop/db/sql_sources.py.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

from unioncore_desktop.db import sql_sources

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# The sources as they stood at this revision, named here rather than listed from the folder: a file added later
# (for a table that does not exist yet) is applied by the migration that adds it.
FUNCTIONS = (
    "uc_append_only", "uc_apply_member_credit", "uc_audit", "uc_audit_log_immutable", "uc_audit_staff",
    "uc_book_rules_guard", "uc_change_own_password", "uc_check_admin_remains", "uc_check_roles",
    "uc_check_verifier", "uc_check_version", "uc_create_staff", "uc_deactivate_staff", "uc_dispatch_fills_request",
    "uc_dispatch_walked", "uc_dues_adjustments_guard", "uc_dues_periods_guard", "uc_dues_refuse_closed",
    "uc_hall_today", "uc_member_name_terms", "uc_notify_change", "uc_payment_allocations_check",
    "uc_payment_batches_guard", "uc_payments_before_insert", "uc_post_payment", "uc_reactivate_staff",
    "uc_refresh_name_terms", "uc_remittance_lines_guard", "uc_remittances_guard", "uc_reset_staff_password",
    "uc_set_staff_roles", "uc_staff_guard", "uc_staff_roles_of", "uc_track",
)
VIEWS = (
    "audit_trail", "dues_charge_balances", "dues_member_standing", "member_standing",
)
TRIGGERS = (  # tables: triggers/<table>.sql holds every trigger on it
    "app_settings", "audit_log", "bids", "book_rules", "books", "check_marks", "contract_codes", "dispatches",
    "dues_adjustments", "dues_charges", "dues_periods", "dues_rates", "employer_contacts", "employer_contracts",
    "employers", "employment_history", "holidays", "labor_requests", "member_exclusions", "member_qualified_books",
    "member_skills", "members", "offer_lines", "offices", "payment_allocations", "payment_batches", "payments",
    "receipt_counters", "referral_bans", "registration_activity", "registrations", "remittance_column_maps",
    "remittance_lines", "remittances", "report_runs", "staff", "worksites",
)
SOURCES = (
    *(f"functions/{name}.sql" for name in FUNCTIONS),
    *(f"views/{name}.sql" for name in VIEWS),
    *(f"triggers/{table}.sql" for table in TRIGGERS),
)


def upgrade() -> None:
    sql_sources.apply(op.get_bind(), SOURCES, revision=revision)


def downgrade() -> None:
    """0014 left the same definitions behind: there is nothing to put back."""
