-- Posting a payment: a key posts once, posted_by is session_user, nothing dated after today or into a closed batch,
-- a check is posted once per member, a reversal undoes a payment in full, and the receipt number comes from a locked
-- per-year counter, so receipt numbers are gapless. SECURITY DEFINER: clerks advance the counter only through this.
CREATE OR REPLACE FUNCTION uc_payments_before_insert() RETURNS trigger
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
END $$;
