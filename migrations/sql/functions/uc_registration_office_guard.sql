-- R1: a sign-on or re-registration in person names the office the member came to when the hall has several offices
-- (e-mail, fax and web sign-ons name none). Fires on insert and when the method or office is set, so rows written
-- before the rule keep what they had. The schema owner is exempt: the seed, and the import functions, which run as
-- the owner (SECURITY DEFINER) and bring registrations whose office the old system never recorded.
CREATE OR REPLACE FUNCTION uc_registration_office_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.method <> 'in_person' OR NEW.office_id IS NOT NULL
       OR pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
        RETURN NEW;
    END IF;
    IF (SELECT count(*) FROM offices) > 1 THEN
        RAISE EXCEPTION 'Choose the office the member came to: the hall has several offices, and an in-person sign-on is stamped with its office (R1).'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_registrations_office_named';
    END IF;
    RETURN NEW;
END $$;
