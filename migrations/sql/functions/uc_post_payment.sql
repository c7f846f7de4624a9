-- Posting a dues payment in one round trip: the key's lock and replay look-up, the member's locks, the insert, applying
-- the member's credit oldest charge first (uc_apply_credit), and the member's standing afterwards; returns the
-- receipt's row.
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
    FROM uc_apply_credit(ARRAY[p_member], coalesce(p_paid_on, today)) AS a
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
