"""Foundation: members, employers, employment history, calendar, staff, settings; roles, grants and audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.execute("CREATE EXTENSION IF NOT EXISTS fuzzystrmatch")
    op.create_table('app_settings',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_app_settings'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('table_name', sa.String(length=63), nullable=False),
    sa.Column('row_key', sa.Text(), nullable=False),
    sa.Column('action', sa.String(length=6), nullable=False),
    sa.Column('old_values', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('new_values', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.Column('changed_fields', postgresql.ARRAY(sa.Text()), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('db_user', sa.String(length=63), nullable=False),
    sa.Column('application_name', sa.Text(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), server_default=sa.text('clock_timestamp()'), nullable=False),
    sa.Column('transaction_id', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_index('ix_audit_log_member_id_changed_at', 'audit_log', ['member_id', 'changed_at'], unique=False)
    op.create_index('ix_audit_log_table_name_row_key', 'audit_log', ['table_name', 'row_key'], unique=False)
    op.create_table('contract_codes',
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('description', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_contract_codes'))
    )
    op.create_table('employers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('address_line1', sa.String(length=120), nullable=True),
    sa.Column('address_line2', sa.String(length=120), nullable=True),
    sa.Column('city', sa.String(length=60), nullable=True),
    sa.Column('state', sa.String(length=2), nullable=True),
    sa.Column('postal_code', sa.String(length=10), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('email', sa.String(length=120), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('search_text', sa.Text(), sa.Computed('lower((name)::text)', persisted=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('length(btrim(name)) > 0', name=op.f('ck_employers_name_present')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employers'))
    )
    op.create_index('ix_employers_search_text_trgm', 'employers', ['search_text'], unique=False, postgresql_using='gist', postgresql_ops={'search_text': 'gist_trgm_ops'})
    op.create_table('holidays',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_holidays'))
    )
    op.create_table('members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_number', sa.String(length=12), nullable=False),
    sa.Column('first_name', sa.String(length=60), nullable=False),
    sa.Column('middle_name', sa.String(length=60), nullable=True),
    sa.Column('last_name', sa.String(length=60), nullable=False),
    sa.Column('suffix', sa.String(length=10), nullable=True),
    sa.Column('address_line1', sa.String(length=120), nullable=True),
    sa.Column('address_line2', sa.String(length=120), nullable=True),
    sa.Column('city', sa.String(length=60), nullable=True),
    sa.Column('state', sa.String(length=2), nullable=True),
    sa.Column('postal_code', sa.String(length=10), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('mobile_phone', sa.String(length=20), nullable=True),
    sa.Column('email', sa.String(length=120), nullable=True),
    sa.Column('date_of_birth', sa.Date(), nullable=True),
    sa.Column('initiation_date', sa.Date(), nullable=True),
    sa.Column('classification', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), server_default='active', nullable=False),
    sa.Column('card_type', sa.String(length=4), server_default='A', nullable=False),
    sa.Column('home_local', sa.String(length=10), nullable=True),
    sa.Column('ssn_last4', sa.String(length=4), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('search_text', sa.Text(), sa.Computed("lower((((card_number)::text || ' '::text) || (first_name)::text) || ' '::text || (last_name)::text)", persisted=True), nullable=False),
    sa.Column('phone_digits', sa.Text(), sa.Computed("regexp_replace(((COALESCE(phone, ''::character varying))::text || '|'::text) || (COALESCE(mobile_phone, ''::character varying))::text, '[^0-9|]'::text, ''::text, 'g'::text)", persisted=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("card_number ~ '^[A-Z0-9]{4,12}$'", name=op.f('ck_members_card_number_format')),
    sa.CheckConstraint("card_type IN ('A', 'BA', 'CE', 'CW', 'APP')", name=op.f('ck_members_card_type_known')),
    sa.CheckConstraint("classification IN ('apprentice_1', 'apprentice_2', 'apprentice_3', 'apprentice_4', 'apprentice_5', 'journeyman', 'foreman', 'retiree', 'honorary')", name=op.f('ck_members_classification_known')),
    sa.CheckConstraint("date_of_birth >= DATE '1900-01-01'", name=op.f('ck_members_date_of_birth_range')),
    sa.CheckConstraint("email ~ '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$'", name=op.f('ck_members_email_format')),
    sa.CheckConstraint("ssn_last4 ~ '^[0-9]{4}$'", name=op.f('ck_members_ssn_last4_format')),
    sa.CheckConstraint("status IN ('active', 'inactive', 'suspended', 'retired', 'deceased')", name=op.f('ck_members_status_known')),
    sa.CheckConstraint('initiation_date >= date_of_birth', name=op.f('ck_members_initiation_after_birth')),
    sa.CheckConstraint('length(btrim(first_name)) > 0', name=op.f('ck_members_first_name_present')),
    sa.CheckConstraint('length(btrim(last_name)) > 0', name=op.f('ck_members_last_name_present')),
    sa.CheckConstraint('length(notes) <= 4000', name=op.f('ck_members_notes_length')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_members')),
    sa.UniqueConstraint('card_number', name=op.f('uq_members_card_number'))
    )
    op.create_index('ix_members_last_name_first_name', 'members', ['last_name', 'first_name'], unique=False)
    op.create_index('ix_members_phone_digits_trgm', 'members', ['phone_digits'], unique=False, postgresql_using='gin', postgresql_ops={'phone_digits': 'gin_trgm_ops'})
    op.create_index('ix_members_search_text_trgm', 'members', ['search_text'], unique=False, postgresql_using='gist', postgresql_ops={'search_text': 'gist_trgm_ops'})
    op.create_table('staff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('login', sa.String(length=63), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("login ~ '^[a-z_][a-z0-9_]{2,62}$'", name=op.f('ck_staff_login_format')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff')),
    sa.UniqueConstraint('login', name=op.f('uq_staff_login'))
    )
    op.create_table('employer_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=80), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('email', sa.String(length=120), nullable=True),
    sa.Column('is_primary', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_employer_contacts_employer_id_employers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employer_contacts'))
    )
    op.create_index(op.f('ix_employer_contacts_employer_id'), 'employer_contacts', ['employer_id'], unique=False)
    op.create_index('uq_employer_contacts_primary', 'employer_contacts', ['employer_id'], unique=True, postgresql_where=sa.text('is_primary'))
    op.create_table('employer_contracts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('contract_code', sa.String(length=30), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('expires_on IS NULL OR expires_on >= effective_on', name=op.f('ck_employer_contracts_period_order')),
    sa.ForeignKeyConstraint(['contract_code'], ['contract_codes.code'], name=op.f('fk_employer_contracts_contract_code_contract_codes')),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_employer_contracts_employer_id_employers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employer_contracts'))
    )
    op.create_index(op.f('ix_employer_contracts_contract_code'), 'employer_contracts', ['contract_code'], unique=False)
    op.create_index(op.f('ix_employer_contracts_employer_id'), 'employer_contracts', ['employer_id'], unique=False)
    op.create_table('member_exclusions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_member_exclusions_employer_id_employers')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_member_exclusions_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_exclusions'))
    )
    op.create_index(op.f('ix_member_exclusions_employer_id'), 'member_exclusions', ['employer_id'], unique=False)
    op.create_index(op.f('ix_member_exclusions_member_id'), 'member_exclusions', ['member_id'], unique=False)
    op.create_table('member_qualified_books',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('book_code', sa.String(length=30), nullable=False),
    sa.Column('tier', sa.SmallInteger(), nullable=False),
    sa.CheckConstraint('tier BETWEEN 1 AND 4', name=op.f('ck_member_qualified_books_tier_range')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_member_qualified_books_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_qualified_books')),
    sa.UniqueConstraint('member_id', 'book_code', name=op.f('uq_member_qualified_books_member_id_book_code'))
    )
    op.create_index(op.f('ix_member_qualified_books_member_id'), 'member_qualified_books', ['member_id'], unique=False)
    op.create_table('member_skills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_member_skills_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_skills'))
    )
    op.create_index(op.f('ix_member_skills_member_id'), 'member_skills', ['member_id'], unique=False)
    op.create_table('worksites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('address_line1', sa.String(length=120), nullable=True),
    sa.Column('city', sa.String(length=60), nullable=True),
    sa.Column('state', sa.String(length=2), nullable=True),
    sa.Column('postal_code', sa.String(length=10), nullable=True),
    sa.Column('region', sa.String(length=40), nullable=True),
    sa.Column('report_to', sa.String(length=200), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_worksites_employer_id_employers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_worksites'))
    )
    op.create_index(op.f('ix_worksites_employer_id'), 'worksites', ['employer_id'], unique=False)
    op.create_table('employment_history',
    sa.Column('id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('employer_id', sa.Integer(), nullable=False),
    sa.Column('worksite_id', sa.Integer(), nullable=True),
    sa.Column('job_class', sa.String(length=40), nullable=True),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('termination_reason', sa.String(length=20), nullable=True),
    sa.Column('days_worked', sa.Integer(), nullable=True),
    sa.Column('hours_worked', sa.Numeric(precision=8, scale=2), nullable=True),
    sa.Column('source', sa.String(length=10), server_default='manual', nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint("source IN ('dispatch', 'import', 'manual')", name=op.f('ck_employment_history_source_known')),
    sa.CheckConstraint("termination_reason IN ('rif', 'quit', 'discharged', 'laid_off', 'short_call_end', 'contract_end', 'under_scale', 'turnaround')", name=op.f('ck_employment_history_termination_reason_known')),
    sa.CheckConstraint('days_worked IS NULL OR days_worked >= 0', name=op.f('ck_employment_history_days_worked_positive')),
    sa.CheckConstraint('ended_on IS NULL OR ended_on >= started_on', name=op.f('ck_employment_history_period_order')),
    sa.CheckConstraint('hours_worked IS NULL OR hours_worked >= 0', name=op.f('ck_employment_history_hours_worked_positive')),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_employment_history_employer_id_employers')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_employment_history_member_id_members')),
    sa.ForeignKeyConstraint(['worksite_id'], ['worksites.id'], name=op.f('fk_employment_history_worksite_id_worksites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_employment_history'))
    )
    op.create_index(op.f('ix_employment_history_employer_id'), 'employment_history', ['employer_id'], unique=False)
    op.create_index('ix_employment_history_member_id_started_on', 'employment_history', ['member_id', 'started_on'], unique=False)
    op.execute("""
        ALTER TABLE employer_contracts ADD CONSTRAINT ex_employer_contracts_no_overlap
        EXCLUDE USING gist (employer_id WITH =, contract_code WITH =,
                            daterange(effective_on, expires_on, '[]') WITH &&)
    """)
    _reference_data()
    _roles()
    _functions()
    for table, key in AUDITED.items():
        op.execute(f"SELECT uc_track('{table}', '{key}', {str(table in VERSIONED).lower()})")
    _grants()


def downgrade() -> None:
    for fn in ("uc_create_staff(text, text, text[], text)", "uc_set_staff_roles(text, text[])",
               "uc_deactivate_staff(text)"):
        op.execute(f"DROP FUNCTION IF EXISTS {fn}")
    op.drop_index('ix_employment_history_member_id_started_on', table_name='employment_history')
    op.drop_index(op.f('ix_employment_history_employer_id'), table_name='employment_history')
    op.drop_table('employment_history')
    op.drop_index(op.f('ix_worksites_employer_id'), table_name='worksites')
    op.drop_table('worksites')
    op.drop_index(op.f('ix_member_skills_member_id'), table_name='member_skills')
    op.drop_table('member_skills')
    op.drop_index(op.f('ix_member_qualified_books_member_id'), table_name='member_qualified_books')
    op.drop_table('member_qualified_books')
    op.drop_index(op.f('ix_member_exclusions_member_id'), table_name='member_exclusions')
    op.drop_index(op.f('ix_member_exclusions_employer_id'), table_name='member_exclusions')
    op.drop_table('member_exclusions')
    op.drop_index(op.f('ix_employer_contracts_employer_id'), table_name='employer_contracts')
    op.drop_index(op.f('ix_employer_contracts_contract_code'), table_name='employer_contracts')
    op.drop_table('employer_contracts')
    op.drop_index('uq_employer_contacts_primary', table_name='employer_contacts', postgresql_where=sa.text('is_primary'))
    op.drop_index(op.f('ix_employer_contacts_employer_id'), table_name='employer_contacts')
    op.drop_table('employer_contacts')
    op.drop_table('staff')
    op.drop_index('ix_members_search_text_trgm', table_name='members', postgresql_using='gist', postgresql_ops={'search_text': 'gist_trgm_ops'})
    op.drop_index('ix_members_phone_digits_trgm', table_name='members', postgresql_using='gin', postgresql_ops={'phone_digits': 'gin_trgm_ops'})
    op.drop_index('ix_members_last_name_first_name', table_name='members')
    op.drop_table('members')
    op.drop_table('holidays')
    op.drop_index('ix_employers_search_text_trgm', table_name='employers', postgresql_using='gist', postgresql_ops={'search_text': 'gist_trgm_ops'})
    op.drop_table('employers')
    op.drop_table('contract_codes')
    op.drop_index('ix_audit_log_table_name_row_key', table_name='audit_log')
    op.drop_index('ix_audit_log_member_id_changed_at', table_name='audit_log')
    op.drop_table('audit_log')
    op.drop_table('app_settings')
    for fn in ("uc_track(text, text, boolean)", "uc_audit()", "uc_check_version()", "uc_audit_log_immutable()"):
        op.execute(f"DROP FUNCTION IF EXISTS {fn}")
    # the group roles are cluster-wide and may serve other databases: they are left in place


GROUPS = ("uc_dispatcher", "uc_dues_clerk", "uc_manager", "uc_admin")
STAFF_WRITERS = ("uc_dispatcher", "uc_manager", "uc_admin")

# table -> key column used in audit rows
AUDITED = {
    "members": "id", "member_qualified_books": "id", "member_skills": "id", "member_exclusions": "id",
    "employers": "id", "employer_contracts": "id", "worksites": "id", "employer_contacts": "id",
    "employment_history": "id", "holidays": "day", "staff": "id", "app_settings": "key",
    "contract_codes": "code",
}
VERSIONED = {
    "members", "employers", "employer_contracts", "worksites", "employer_contacts", "employment_history",
    "holidays", "staff", "app_settings",
}
DISPATCHER_MEMBER_COLUMNS = (
    "address_line1", "address_line2", "city", "state", "postal_code", "phone", "mobile_phone", "email", "notes",
    "version",
)

CONTRACT_CODES = {
    "WIREPERSON": "Inside wireperson agreement",
    "SOUND & COMM": "Sound and communication agreement",
    "RESIDENTIAL": "Residential agreement",
    "STOCKPERSON": "Stockperson agreement",
    "LT FXT MAINT": "Light fixture maintenance agreement",
    "GROUP MARINE": "Group marine agreement",
    "GROUP TV & APPL": "Group television and appliance agreement",
    "MARKET RECOVERY": "Market recovery agreement",
}


def _reference_data() -> None:
    codes = sa.table("contract_codes", sa.column("code", sa.String), sa.column("description", sa.String))
    op.bulk_insert(codes, [{"code": k, "description": v} for k, v in CONTRACT_CODES.items()])
    settings = sa.table("app_settings", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.bulk_insert(settings, [
        {"key": "hall_name", "value": "Hiring Hall"},
        {"key": "time_zone", "value": "America/Los_Angeles"},
        {"key": "environment", "value": "production"},
    ])


def _roles() -> None:
    for group in GROUPS:
        op.execute(f"""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{group}') THEN
                    CREATE ROLE {group} NOLOGIN;
                END IF;
            END $$""")


def _functions() -> None:
    op.execute("""
        CREATE FUNCTION uc_audit() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
            old_j jsonb;
            new_j jsonb;
            row_j jsonb;
            changed text[];
            member integer;
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN old_j := to_jsonb(OLD); END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN new_j := to_jsonb(NEW); END IF;
            row_j := coalesce(new_j, old_j);
            IF TG_OP = 'UPDATE' THEN
                SELECT array_agg(n.key ORDER BY n.key) INTO changed
                FROM jsonb_each(new_j) AS n
                WHERE n.value IS DISTINCT FROM old_j -> n.key
                  AND n.key NOT IN ('version', 'updated_at', 'search_text', 'phone_digits');
                IF changed IS NULL THEN
                    RETURN NULL;  -- nothing a person would call a change
                END IF;
            ELSE
                SELECT array_agg(k ORDER BY k) INTO changed FROM jsonb_object_keys(row_j) AS k
                WHERE k NOT IN ('version', 'created_at', 'updated_at', 'search_text', 'phone_digits');
            END IF;
            member := CASE WHEN TG_TABLE_NAME = 'members' THEN (row_j ->> 'id')::integer
                           ELSE (row_j ->> 'member_id')::integer END;
            INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, changed_fields, member_id,
                                   db_user, application_name, changed_at, transaction_id)
            VALUES (TG_TABLE_NAME, row_j ->> TG_ARGV[0], TG_OP, old_j, new_j, coalesce(changed, '{}'), member,
                    session_user, current_setting('application_name', true), clock_timestamp(), txid_current());
            RETURN NULL;
        END $$
    """)
    op.execute("""
        CREATE FUNCTION uc_check_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.version IS DISTINCT FROM OLD.version + 1 THEN
                RAISE EXCEPTION 'Every change to % must advance its version by one (stale or unversioned update).',
                    TG_TABLE_NAME;
            END IF;
            IF to_jsonb(NEW) ? 'updated_at' THEN
                NEW := jsonb_populate_record(NEW, jsonb_build_object('updated_at', now()));
            END IF;
            RETURN NEW;
        END $$
    """)
    op.execute("""
        CREATE FUNCTION uc_audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'The audit log cannot be changed.';
        END $$
    """)
    op.execute("""
        CREATE TRIGGER audit_log_immutable BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION uc_audit_log_immutable();
        CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION uc_audit_log_immutable();
    """)
    # later migrations call uc_track() for their own tables
    op.execute("""
        CREATE FUNCTION uc_track(p_table text, p_key text, p_versioned boolean) RETURNS void
        LANGUAGE plpgsql AS $$
        BEGIN
            EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I '
                           'FOR EACH ROW EXECUTE FUNCTION uc_audit(%L)', p_table || '_audit', p_table, p_key);
            IF p_versioned THEN
                EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I '
                               'FOR EACH ROW EXECUTE FUNCTION uc_check_version()', p_table || '_version', p_table);
            END IF;
        END $$
    """)
    op.execute("""
        CREATE FUNCTION uc_create_staff(p_login text, p_full_name text, p_roles text[], p_password text)
        RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
            r text;
            staff_id integer;
        BEGIN
            IF p_login IS NULL OR p_login !~ '^[a-z_][a-z0-9_]{2,62}$' THEN
                RAISE EXCEPTION 'Logins are 3-63 lower-case letters, digits or underscores.';
            END IF;
            IF coalesce(btrim(p_full_name), '') = '' THEN
                RAISE EXCEPTION 'Give the staff member''s full name.';
            END IF;
            IF p_roles IS NULL OR cardinality(p_roles) = 0 THEN
                RAISE EXCEPTION 'Give the staff member at least one role.';
            END IF;
            FOREACH r IN ARRAY p_roles LOOP
                IF r NOT IN ('dispatcher', 'dues_clerk', 'manager', 'admin') THEN
                    RAISE EXCEPTION 'Unknown role "%": use dispatcher, dues_clerk, manager or admin.', r;
                END IF;
            END LOOP;
            IF EXISTS (SELECT FROM pg_roles WHERE rolname = p_login AND rolsuper) THEN
                RAISE EXCEPTION 'A superuser cannot be a staff login.';
            END IF;
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = p_login) THEN
                IF p_password IS NULL THEN
                    EXECUTE format('CREATE ROLE %I LOGIN', p_login);
                ELSE
                    EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', p_login, p_password);
                END IF;
            ELSE
                EXECUTE format('ALTER ROLE %I LOGIN', p_login);
            END IF;
            FOREACH r IN ARRAY p_roles LOOP
                EXECUTE format('GRANT %I TO %I', 'uc_' || r, p_login);
            END LOOP;
            INSERT INTO staff (login, full_name) VALUES (p_login, btrim(p_full_name))
            ON CONFLICT (login) DO UPDATE
                SET full_name = EXCLUDED.full_name, active = true, version = staff.version + 1
            RETURNING id INTO staff_id;
            RETURN staff_id;
        END $$
    """)
    op.execute("""
        CREATE FUNCTION uc_set_staff_roles(p_login text, p_roles text[]) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
            r text;
        BEGIN
            IF NOT EXISTS (SELECT FROM staff WHERE login = p_login) THEN
                RAISE EXCEPTION 'No staff member has the login %.', p_login;
            END IF;
            FOREACH r IN ARRAY ARRAY['dispatcher', 'dues_clerk', 'manager', 'admin'] LOOP
                IF r = ANY (p_roles) THEN
                    EXECUTE format('GRANT %I TO %I', 'uc_' || r, p_login);
                ELSE
                    EXECUTE format('REVOKE %I FROM %I', 'uc_' || r, p_login);
                END IF;
            END LOOP;
        END $$
    """)
    op.execute("""
        CREATE FUNCTION uc_deactivate_staff(p_login text) RETURNS void
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        BEGIN
            UPDATE staff SET active = false, version = version + 1 WHERE login = p_login;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'No staff member has the login %.', p_login;
            END IF;
            EXECUTE format('ALTER ROLE %I NOLOGIN', p_login);
        END $$
    """)
    for fn in ("uc_create_staff(text, text, text[], text)", "uc_set_staff_roles(text, text[])",
               "uc_deactivate_staff(text)", "uc_track(text, text, boolean)"):
        op.execute(f"REVOKE ALL ON FUNCTION {fn} FROM PUBLIC")
    for fn in ("uc_create_staff(text, text, text[], text)", "uc_set_staff_roles(text, text[])",
               "uc_deactivate_staff(text)"):
        op.execute(f"GRANT EXECUTE ON FUNCTION {fn} TO uc_admin")


def _grants() -> None:
    everyone = ", ".join(GROUPS)
    writers = ", ".join(STAFF_WRITERS)
    tables = [*AUDITED, "audit_log", "alembic_version"]
    op.execute(f"REVOKE ALL ON {', '.join(tables)} FROM PUBLIC")
    op.execute(f"GRANT SELECT ON {', '.join(tables)} TO {everyone}")
    # members: managers and admins maintain the record; dispatchers keep contact details current
    op.execute("GRANT INSERT, UPDATE ON members TO uc_manager, uc_admin")
    op.execute(f"GRANT UPDATE ({', '.join(DISPATCHER_MEMBER_COLUMNS)}) ON members TO uc_dispatcher")
    op.execute("GRANT INSERT, UPDATE, DELETE ON member_qualified_books, member_exclusions TO uc_manager, uc_admin")
    op.execute(f"GRANT INSERT, UPDATE, DELETE ON member_skills TO {writers}")
    # employers: dispatchers take labor requests and keep employers' details; dues clerks only read
    op.execute(f"GRANT INSERT, UPDATE ON employers TO {writers}")
    op.execute(f"GRANT INSERT, UPDATE, DELETE ON employer_contracts, worksites, employer_contacts TO {writers}")
    op.execute(f"GRANT INSERT, UPDATE ON employment_history TO {writers}")
    op.execute("GRANT INSERT, UPDATE, DELETE ON holidays, contract_codes TO uc_manager, uc_admin")
    op.execute("GRANT UPDATE (value, version) ON app_settings TO uc_admin")
    op.execute("GRANT UPDATE (full_name, version) ON staff TO uc_admin")
    op.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {writers}")
