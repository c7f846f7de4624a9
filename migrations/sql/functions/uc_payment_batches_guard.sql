-- Deposit batches: opened and closed by session_user, never deleted, closed only by the clerk who opened them or a
-- manager, and only when they balance to their deposit total.
CREATE OR REPLACE FUNCTION uc_payment_batches_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
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
END $$;
