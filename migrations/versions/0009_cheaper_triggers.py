"""Cheaper triggers on every write: less server work per row, inside the locks a dispatch holds.

`uc_audit` writes its row in one statement (the changed keys are worked out in the INSERT itself, and an UPDATE
that changed nothing a person would call a change inserts no row); `uc_check_version` no longer turns the whole
row into jsonb to ask whether the table has updated_at (jsonb_populate_record ignores a key the table lacks);
`uc_dispatch_fills_request` counts the place with one UPDATE that re-checks the request's status, and reads the
request only to name it in the error when the UPDATE passed it over. Every audit row, version check, updated_at,
count and error is as before (tests/db/test_trigger_equivalence.py compares them with the previous bodies).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

AUDIT = """
        CREATE OR REPLACE FUNCTION uc_audit() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
        DECLARE
            old_j jsonb;
            new_j jsonb;
            row_j jsonb;
        BEGIN
            IF TG_OP = 'UPDATE' THEN
                old_j := to_jsonb(OLD);
                new_j := to_jsonb(NEW);
                -- the changed keys and the row in one statement; no row when nothing a person would call a change
                INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, changed_fields,
                                       member_id, db_user, application_name, changed_at, transaction_id)
                SELECT TG_TABLE_NAME, new_j ->> TG_ARGV[0], TG_OP, old_j, new_j, c.changed,
                       CASE WHEN TG_TABLE_NAME = 'members' THEN (new_j ->> 'id')::integer
                            ELSE (new_j ->> 'member_id')::integer END,
                       session_user, current_setting('application_name', true), clock_timestamp(), txid_current()
                FROM (SELECT array_agg(n.key ORDER BY n.key) AS changed
                      FROM jsonb_each(new_j) AS n
                      WHERE n.value IS DISTINCT FROM old_j -> n.key
                        AND n.key NOT IN ('version', 'updated_at', 'search_text', 'phone_digits')) AS c
                WHERE c.changed IS NOT NULL;
                RETURN NULL;
            END IF;
            IF TG_OP = 'INSERT' THEN
                new_j := to_jsonb(NEW);
                row_j := new_j;
            ELSE
                old_j := to_jsonb(OLD);
                row_j := old_j;
            END IF;
            INSERT INTO audit_log (table_name, row_key, action, old_values, new_values, changed_fields, member_id,
                                   db_user, application_name, changed_at, transaction_id)
            VALUES (TG_TABLE_NAME, row_j ->> TG_ARGV[0], TG_OP, old_j, new_j,
                    coalesce((SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(row_j) AS k
                              WHERE k NOT IN ('version', 'created_at', 'updated_at', 'search_text', 'phone_digits')),
                             '{}'),
                    CASE WHEN TG_TABLE_NAME = 'members' THEN (row_j ->> 'id')::integer
                         ELSE (row_j ->> 'member_id')::integer END,
                    session_user, current_setting('application_name', true), clock_timestamp(), txid_current());
            RETURN NULL;
        END $$
"""

CHECK_VERSION = """
        CREATE OR REPLACE FUNCTION uc_check_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.version IS DISTINCT FROM OLD.version + 1 THEN
                RAISE EXCEPTION 'Every change to % must advance its version by one (stale or unversioned update).',
                    TG_TABLE_NAME;
            END IF;
            -- a table without updated_at ignores the key: the row comes back as it was
            RETURN jsonb_populate_record(NEW, jsonb_build_object('updated_at', now()));
        END $$
"""

FILLS_REQUEST = """
        CREATE OR REPLACE FUNCTION uc_dispatch_fills_request() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            delta integer := 0;
            v_number text;
            v_status text;
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
            -- the UPDATE locks the request and re-checks its status on the latest version; when it passes the row
            -- over, the request is cancelled or expired (or gone, which writes nothing, as before)
            UPDATE labor_requests
               SET workers_dispatched = workers_dispatched + delta,
                   status = CASE
                       WHEN status IN ('cancelled', 'expired') THEN status
                       WHEN workers_dispatched + delta >= workers_requested THEN 'filled'
                       WHEN workers_dispatched + delta > 0 THEN 'partially_filled'
                       ELSE 'open' END,
                   version = version + 1,
                   updated_at = now()
             WHERE id = NEW.request_id AND (delta < 0 OR status NOT IN ('cancelled', 'expired'));
            IF NOT FOUND THEN
                SELECT number, status INTO v_number, v_status FROM labor_requests WHERE id = NEW.request_id FOR UPDATE;
                IF delta > 0 AND v_status IN ('cancelled', 'expired') THEN
                    RAISE EXCEPTION 'request % is %', v_number, v_status
                        USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_labor_requests_not_overfilled';
                END IF;
            END IF;
            RETURN NULL;
        END $$
"""

# the bodies of 0001 (uc_audit, uc_check_version) and 0003 (uc_dispatch_fills_request), restored by downgrade
PREVIOUS_AUDIT = """
        CREATE OR REPLACE FUNCTION uc_audit() RETURNS trigger
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
"""

PREVIOUS_CHECK_VERSION = """
        CREATE OR REPLACE FUNCTION uc_check_version() RETURNS trigger LANGUAGE plpgsql AS $$
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
"""

PREVIOUS_FILLS_REQUEST = """
        CREATE OR REPLACE FUNCTION uc_dispatch_fills_request() RETURNS trigger LANGUAGE plpgsql AS $$
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
"""


def upgrade() -> None:
    for body in (AUDIT, CHECK_VERSION, FILLS_REQUEST):
        op.execute(body)


def downgrade() -> None:
    for body in (PREVIOUS_AUDIT, PREVIOUS_CHECK_VERSION, PREVIOUS_FILLS_REQUEST):
        op.execute(body)
