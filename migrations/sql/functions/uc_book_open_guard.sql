-- A retired book takes no sign-ons and no requests, whoever writes them. The book's row is locked FOR KEY SHARE
-- before it is read, so a retirement that locked the book first is waited for and seen, and one that comes later
-- waits for this insert and counts it. SECURITY DEFINER only to take that lock (staff groups cannot UPDATE books,
-- which a row lock requires); it reads one flag and writes nothing. The schema owner (imports, the seed) is exempt.
CREATE OR REPLACE FUNCTION uc_book_open_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_active boolean;
BEGIN
    IF pg_has_role(session_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
        RETURN NEW;
    END IF;
    SELECT b.active INTO v_active FROM books AS b WHERE b.id = NEW.book_id FOR KEY SHARE;
    IF v_active IS FALSE THEN
        RAISE EXCEPTION 'The book is retired: it takes no sign-ons and no requests.'
            USING ERRCODE = 'check_violation', CONSTRAINT = format('ck_%s_book_open', TG_TABLE_NAME);
    END IF;
    RETURN NEW;
END $$;
