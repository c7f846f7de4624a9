-- Adjustments: requested and decided by session_user (never by the same person: a CHECK), never deleted, decided
-- once; an approval may not make a month owe less than nothing.
CREATE OR REPLACE FUNCTION uc_dues_adjustments_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
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
        SELECT t.owed INTO owed FROM dues_charge_totals AS t WHERE t.charge_id = NEW.charge_id;
        IF owed + NEW.amount < 0 THEN
            RAISE EXCEPTION 'The adjustment would make the month owe less than nothing.'
                USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_dues_adjustments_owed_not_negative';
        END IF;
    END IF;
    RETURN NEW;
END $$;
