"""Each business write has one implementation, in the database where the locked hot paths need it.

- uc_answer_offer writes one answer in a walk of the list (the skip lines, the registrant's line and, for an accepted
  offer, the dispatch with its employment and activity rows). uc_dispatch_walked records its acceptance through it,
  and so do the services for every other answer and for a by-name dispatch; the statement the service sent and its
  ORM path are gone.
- uc_dispatches_out is the one rule for "is this member out?" that the walk's facts and the dispatch's write both ask.
- uc_registration_snapshot is the one spelling of the activity rows' before/after JSON.
- uc_apply_credit applies members' credit for one member, many or all (and dates the seed's history): it replaces
  uc_apply_member_credit and the set-based statement the service built, and uc_post_payment calls it.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

from unioncore_desktop.db import sql_sources

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

SNAPSHOT = "uc_registration_snapshot(registrations)"
MEMBER_OUT = "uc_dispatches_out(integer, date, text[])"
ANSWER = ("uc_answer_offer(integer, uuid, integer, text, integer, uuid, date, text, text[], boolean, boolean, "
          "integer[], integer[], text[])")
APPLY_CREDIT = "uc_apply_credit(integer[], date)"
APPLY_MEMBER_CREDIT = "uc_apply_member_credit(integer, date)"
GRANTS = (
    f"GRANT EXECUTE ON FUNCTION {SNAPSHOT} TO uc_dispatcher, uc_manager",
    # the walk's facts ask it, and every group may open the morning referral's preview
    f"GRANT EXECUTE ON FUNCTION {MEMBER_OUT} TO uc_dispatcher, uc_dues_clerk, uc_manager, uc_admin",
    f"GRANT EXECUTE ON FUNCTION {ANSWER} TO uc_dispatcher",
    f"GRANT EXECUTE ON FUNCTION {APPLY_CREDIT} TO uc_dues_clerk, uc_manager",
)
NEW_SOURCES = ("functions/uc_registration_snapshot.sql", "functions/uc_dispatches_out.sql",
               "functions/uc_answer_offer.sql", "functions/uc_apply_credit.sql")
CHANGED_SOURCES = ("functions/uc_dispatch_walked.sql", "functions/uc_post_payment.sql")

REPLACED_SOURCES = {
    "functions/uc_dispatch_walked.sql": """-- Dispatching in one round trip under the book's lock. The workstation walks the list before locking; this locks the
-- list from the top in queue order (places registered since the start of the hall's day are on tomorrow's list),
-- checks that each locked place is the one that was read (same row, same version) until the first eligible one,
-- locks that member, checks they are not already out or sent today and the key is unused, and writes the employment
-- row, the dispatch, the registration 'dispatched' with its activity row and the offer lines. When anything differs
-- it writes nothing and returns no row: the caller, still holding the locks, walks again. SECURITY INVOKER.
CREATE OR REPLACE FUNCTION uc_dispatch_walked(
    p_request integer, p_run uuid, p_key uuid, p_today date, p_note text, p_active text[],
    p_upto_tier smallint, p_upto_apn numeric, p_upto_at timestamptz, p_upto_member integer,
    p_ids integer[], p_versions integer[], p_skips text[])
RETURNS TABLE (o_dispatch_id integer, o_line_id bigint, o_registration_id integer, o_rank integer,
               o_skipped integer[], o_ranks integer[])
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    req labor_requests%ROWTYPE;
    place record;
    j integer;
    n integer := 0;
    v_reg integer;
    v_member integer;
    v_tier smallint;
    v_apn numeric;
    s_ids integer[] := '{}';
    s_members integer[] := '{}';
    s_ranks integer[] := '{}';
    s_tiers smallint[] := '{}';
    s_apns numeric[] := '{}';
    s_skips text[] := '{}';
    v_employment bigint;
    v_dispatch integer;
    v_after jsonb;
    v_line bigint;
    v_listed_before timestamptz := CAST(p_today AS timestamp) AT TIME ZONE coalesce(
        (SELECT value FROM app_settings WHERE key = 'time_zone'), 'America/Los_Angeles');
BEGIN
    SELECT * INTO req FROM labor_requests WHERE id = p_request FOR UPDATE;
    IF EXISTS (SELECT 1 FROM dispatches WHERE idempotency_key = p_key) THEN
        RETURN;
    END IF;
    FOR place IN
        SELECT g.id, g.version, g.member_id, g.tier, g.apn FROM registrations g
        WHERE g.book_id = req.book_id AND g.status = 'registered'
          AND g.registered_at < v_listed_before
          AND (g.tier, g.apn, g.registered_at, g.member_id)
              <= (p_upto_tier, p_upto_apn, p_upto_at, p_upto_member)
        ORDER BY g.tier, g.apn, g.registered_at, g.member_id
        FOR UPDATE OF g
    LOOP
        n := n + 1;
        j := array_position(p_ids, place.id);
        IF j IS NULL OR p_versions[j] IS DISTINCT FROM place.version THEN
            RETURN;
        END IF;
        IF p_skips[j] IS NULL THEN
            v_reg := place.id;
            v_member := place.member_id;
            v_tier := place.tier;
            v_apn := place.apn;
            EXIT;
        END IF;
        s_ids := s_ids || place.id;
        s_members := s_members || place.member_id;
        s_ranks := s_ranks || n;
        s_tiers := s_tiers || place.tier;
        s_apns := s_apns || place.apn;
        s_skips := s_skips || p_skips[j];
    END LOOP;
    IF v_reg IS NULL THEN
        RETURN;
    END IF;
    -- each statement below sees what was committed before it began: a dispatch of this member from
    -- another book that held the member's lock is seen once that lock is ours
    PERFORM 1 FROM members WHERE id = v_member FOR NO KEY UPDATE;
    IF EXISTS (SELECT 1 FROM dispatches d WHERE d.member_id = v_member
               AND (d.status = ANY(p_active) OR d.dispatch_date = p_today)) THEN
        RETURN;
    END IF;
    INSERT INTO employment_history (member_id, employer_id, worksite_id, job_class, started_on, source)
    VALUES (v_member, req.employer_id, req.worksite_id, req.job_class, greatest(req.start_on, p_today),
            'dispatch')
    RETURNING id INTO v_employment;
    INSERT INTO dispatches (request_id, member_id, registration_id, book_id, employer_id, worksite_id,
                            employment_id, idempotency_key, dispatch_date, by_name, via_bid, short_call,
                            note)
    VALUES (p_request, v_member, v_reg, req.book_id, req.employer_id, req.worksite_id, v_employment,
            p_key, p_today, false, false, req.short_call, p_note)
    RETURNING id INTO v_dispatch;
    UPDATE registrations g SET status = 'dispatched', reregister_by = NULL, version = g.version + 1
    WHERE g.id = v_reg
    RETURNING jsonb_build_object(
        'status', g.status, 'tier', g.tier, 'apn', CAST(g.apn AS text),
        'last_resign_on', g.last_resign_on, 'resign_due_on', g.resign_due_on,
        'restorations_used', g.restorations_used, 'exemption_reason', g.exemption_reason,
        'exemption_end', g.exemption_end, 'roll_off_reason', g.roll_off_reason) INTO v_after;
    INSERT INTO registration_activity (registration_id, member_id, book_id, action, before, after,
                                       request_id, dispatch_id)
    VALUES (v_reg, v_member, req.book_id, 'dispatched', jsonb_set(v_after, '{status}', '"registered"'),
            v_after, p_request, v_dispatch);
    INSERT INTO offer_lines (run_id, request_id, book_id, registration_id, member_id, rank, tier, apn,
                             skip_reason)
    SELECT p_run, p_request, req.book_id, x.id, x.member_id, x.rank, x.tier, x.apn, x.skip
    FROM unnest(s_ids, s_members, s_ranks, s_tiers, s_apns, s_skips)
         WITH ORDINALITY AS x(id, member_id, rank, tier, apn, skip, k)
    ORDER BY x.k;
    INSERT INTO offer_lines (run_id, request_id, book_id, registration_id, member_id, rank, tier, apn,
                             outcome, dispatch_id, note)
    VALUES (p_run, p_request, req.book_id, v_reg, v_member, n, v_tier, v_apn, 'accepted', v_dispatch,
            p_note)
    RETURNING id INTO v_line;
    RETURN QUERY SELECT v_dispatch, v_line, v_reg, n, s_ids, s_ranks;
END $$;
""",
    "functions/uc_post_payment.sql": """-- Posting a dues payment in one round trip: the key's lock and replay look-up, the member's locks, the insert, applying
-- the member's credit oldest charge first, and the member's standing afterwards; returns the receipt's row.
-- outcome: posted | replay (the key was posted before: payment_id is that payment) | mismatch (the key was used for a
-- different member or amount) | no_member | future (paid_on after the hall's today).
-- The advisory locks are services.dues' LOCK_SPACE (4401: one member, or one key) and HALL_LOCK (4402, shared).
CREATE OR REPLACE FUNCTION uc_post_payment(p_key uuid, p_member integer, p_amount numeric, p_method text,
                                           p_reference text, p_batch integer, p_paid_on date)
RETURNS TABLE (outcome text, payment_id bigint, receipt_number text, card_number text, member_name text,
               paid_on date, amount numeric, method text, reference text, batch_id integer,
               posted_by text, posted_at timestamptz,
               periods date[], charge_ids bigint[], amounts numeric[],
               balance numeric, credit numeric, paid_through date, months_behind integer, standing text)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
#variable_conflict use_column
DECLARE
    today date := uc_hall_today();
    done_id bigint;
    done_member integer;
    done_amount numeric;
    paid payments%ROWTYPE;
BEGIN
    IF p_paid_on > today THEN
        outcome := 'future';
        RETURN NEXT;
        RETURN;
    END IF;
    -- every insert takes the key's lock first (uc_payments_before_insert): from here on nobody else
    -- can post this key until this transaction ends, and a retry waiting here then sees the payment
    PERFORM pg_advisory_xact_lock(hashtextextended(p_key::text, 4401));
    SELECT p.id, p.member_id, p.amount INTO done_id, done_member, done_amount
    FROM payments AS p WHERE p.idempotency_key = p_key;
    IF done_id IS NULL THEN
        SELECT m.card_number, m.last_name || ', ' || m.first_name INTO card_number, member_name
        FROM members AS m WHERE m.id = p_member;
        IF NOT FOUND THEN
            outcome := 'no_member';
            RETURN NEXT;
            RETURN;
        END IF;
        PERFORM pg_advisory_xact_lock_shared(4402), pg_advisory_xact_lock(4401, p_member);
        INSERT INTO payments AS p (member_id, paid_on, amount, method, reference, batch_id, idempotency_key)
        VALUES (p_member, coalesce(p_paid_on, today), p_amount, p_method, p_reference, p_batch, p_key)
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING p.* INTO paid;
        IF paid.id IS NULL THEN  -- the trigger found the key after all: report what is there
            SELECT p.id, p.member_id, p.amount INTO STRICT done_id, done_member, done_amount
            FROM payments AS p WHERE p.idempotency_key = p_key;
        END IF;
    END IF;
    IF done_id IS NOT NULL THEN
        outcome := CASE WHEN done_member = p_member AND done_amount = p_amount THEN 'replay'
                        ELSE 'mismatch' END;
        payment_id := done_id;
        card_number := NULL;
        member_name := NULL;
        RETURN NEXT;
        RETURN;
    END IF;
    SELECT array_agg(a.period ORDER BY a.period), array_agg(a.charge_id ORDER BY a.period),
           array_agg(a.amount ORDER BY a.period)
      INTO periods, charge_ids, amounts
    FROM uc_apply_member_credit(p_member, coalesce(p_paid_on, today)) AS a
    WHERE a.payment_id = paid.id;
    SELECT s.balance, s.credit, s.paid_through, s.months_behind, s.standing
      INTO balance, credit, paid_through, months_behind, standing
    FROM dues_member_standing AS s WHERE s.member_id = p_member;
    outcome := 'posted';
    payment_id := paid.id;
    receipt_number := paid.receipt_number;
    paid_on := paid.paid_on;
    amount := paid.amount;
    method := paid.method;
    reference := paid.reference;
    batch_id := paid.batch_id;
    posted_by := paid.posted_by;
    posted_at := paid.posted_at;
    RETURN NEXT;
END $$;
""",
    "functions/uc_apply_member_credit.sql": """-- Applies one member's unused credit to their open charges, oldest first, and returns the rows written.
-- Credit and open charges are laid end to end as running totals; each (payment, charge) pair gets the overlap of the
-- two intervals (as services.dues.allocate_sql does for many members). Runs as the caller.
CREATE OR REPLACE FUNCTION uc_apply_member_credit(p_member integer, p_on date)
RETURNS TABLE (payment_id bigint, charge_id bigint, period date, amount numeric)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH applied AS MATERIALIZED (
        SELECT a.payment_id, a.charge_id, a.amount FROM payment_allocations AS a WHERE a.member_id = p_member
    ),
    credit AS MATERIALIZED (
        SELECT p.id AS payment_id, p.paid_on, p.amount - coalesce(u.total, 0) AS avail
        FROM payments AS p
        LEFT JOIN (SELECT x.payment_id, sum(x.amount) AS total FROM applied AS x GROUP BY x.payment_id) AS u
               ON u.payment_id = p.id
        WHERE p.member_id = p_member AND p.reverses_payment_id IS NULL
          AND NOT EXISTS (SELECT 1 FROM payments AS r WHERE r.reverses_payment_id = p.id)
          AND p.amount - coalesce(u.total, 0) > 0
    ),
    owing AS MATERIALIZED (
        SELECT c.id AS charge_id, c.period, c.amount + coalesce(j.total, 0) - coalesce(u.total, 0) AS open
        FROM dues_charges AS c
        LEFT JOIN (SELECT x.charge_id, sum(x.amount) AS total FROM applied AS x GROUP BY x.charge_id) AS u
               ON u.charge_id = c.id
        LEFT JOIN (SELECT x.charge_id, sum(x.amount) AS total FROM dues_adjustments AS x
                   WHERE x.member_id = p_member AND x.status = 'approved' GROUP BY x.charge_id) AS j
               ON j.charge_id = c.id
        WHERE c.member_id = p_member AND EXISTS (SELECT 1 FROM credit)
          AND c.amount + coalesce(j.total, 0) - coalesce(u.total, 0) > 0
    ),
    cr AS (SELECT *, sum(avail) OVER (ORDER BY paid_on, payment_id) AS hi FROM credit),
    dr AS (SELECT *, sum(open) OVER (ORDER BY period, charge_id) AS hi FROM owing),
    written AS (
        INSERT INTO payment_allocations AS a (payment_id, member_id, charge_id, amount, allocated_on)
        SELECT cr.payment_id, p_member, dr.charge_id,
               least(cr.hi, dr.hi) - greatest(cr.hi - cr.avail, dr.hi - dr.open), p_on
        FROM cr JOIN dr ON cr.hi - cr.avail < dr.hi AND dr.hi - dr.open < cr.hi
        ORDER BY dr.period, cr.paid_on, cr.payment_id
        RETURNING a.payment_id, a.charge_id, a.amount
    )
    SELECT w.payment_id, w.charge_id, o.period, w.amount
    FROM written AS w JOIN owing AS o ON o.charge_id = w.charge_id
    ORDER BY o.period, w.payment_id;
END $$;
""",
}


def upgrade() -> None:
    bind = op.get_bind()
    sql_sources.apply(bind, [*NEW_SOURCES, *CHANGED_SOURCES], revision=revision)
    for function in (SNAPSHOT, MEMBER_OUT, ANSWER, APPLY_CREDIT):
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
    for statement in GRANTS:
        op.execute(statement)
    op.execute(f"DROP FUNCTION {APPLY_MEMBER_CREDIT}")


def downgrade() -> None:
    bind = op.get_bind()
    sql_sources.apply(bind, ["functions/uc_apply_member_credit.sql", *CHANGED_SOURCES], revision=down_revision)
    op.execute(f"REVOKE ALL ON FUNCTION {APPLY_MEMBER_CREDIT} FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {APPLY_MEMBER_CREDIT} TO uc_dues_clerk, uc_manager")
    for function in (APPLY_CREDIT, ANSWER, MEMBER_OUT, SNAPSHOT):
        op.execute(f"DROP FUNCTION {function}")
