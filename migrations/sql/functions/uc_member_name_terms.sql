-- A member's names join the search vocabulary (name_terms) when they are added or changed.
CREATE OR REPLACE FUNCTION uc_member_name_terms() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO name_terms (term)
    SELECT lower(t) FROM unnest(ARRAY[NEW.first_name, NEW.middle_name, NEW.last_name]) AS t
    WHERE t IS NOT NULL
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
