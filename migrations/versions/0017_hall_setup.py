"""The hall sets itself up in the app: its address and phone, offices with their hours, the holiday calendar and
the contract codes are written by a manager and announced to every workstation.

- app_settings gains hall_address and hall_phone, empty until a manager fills them in (managers update settings,
  they never add keys; the set-up checklist counts an empty value as missing).
- offices, holidays and contract_codes get the CHECKs their validators state (a name, an office closing after it
  opens, a description), and each of them and app_settings a notify trigger.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

from unioncore_desktop.db import sql_sources

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TABLES = ("offices", "holidays", "app_settings", "contract_codes")
SOURCES = tuple(f"triggers/{table}.sql" for table in TABLES)
NEW_KEYS = ("hall_address", "hall_phone")
CHECKS = (
    ("offices", "name_present", "length(btrim(name)) > 0"),
    ("offices", "hours_order", "closes_at > opens_at"),
    ("holidays", "name_present", "length(btrim(name)) > 0"),
    ("contract_codes", "description_present", "length(btrim(description)) > 0"),
)

REPLACED_SOURCES = {
    "triggers/offices.sql": """-- Every trigger on offices.

CREATE OR REPLACE TRIGGER offices_audit AFTER INSERT OR UPDATE OR DELETE ON offices
FOR EACH ROW EXECUTE FUNCTION uc_audit('id');

CREATE OR REPLACE TRIGGER offices_version BEFORE UPDATE ON offices
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
""",
    "triggers/holidays.sql": """-- Every trigger on holidays.

CREATE OR REPLACE TRIGGER holidays_audit AFTER INSERT OR UPDATE OR DELETE ON holidays
FOR EACH ROW EXECUTE FUNCTION uc_audit('day');

CREATE OR REPLACE TRIGGER holidays_version BEFORE UPDATE ON holidays
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
""",
    "triggers/app_settings.sql": """-- Every trigger on app_settings.

CREATE OR REPLACE TRIGGER app_settings_audit AFTER INSERT OR UPDATE OR DELETE ON app_settings
FOR EACH ROW EXECUTE FUNCTION uc_audit('key');

CREATE OR REPLACE TRIGGER app_settings_version BEFORE UPDATE ON app_settings
FOR EACH ROW EXECUTE FUNCTION uc_check_version();
""",
    "triggers/contract_codes.sql": """-- Every trigger on contract_codes.

CREATE OR REPLACE TRIGGER contract_codes_audit AFTER INSERT OR UPDATE OR DELETE ON contract_codes
FOR EACH ROW EXECUTE FUNCTION uc_audit('code');
""",
}


def upgrade() -> None:
    for table, name, condition in CHECKS:
        op.create_check_constraint(op.f(f"ck_{table}_{name}"), table, condition)
    for key in NEW_KEYS:
        op.execute(f"INSERT INTO app_settings (key, value) VALUES ('{key}', '') ON CONFLICT (key) DO NOTHING")
    sql_sources.apply(op.get_bind(), SOURCES, revision=revision)


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_notify ON {table}")
    op.execute(f"DELETE FROM app_settings WHERE key IN ({', '.join(repr(k) for k in NEW_KEYS)})")
    for table, name, _condition in CHECKS:
        op.drop_constraint(op.f(f"ck_{table}_{name}"), table, type_="check")
