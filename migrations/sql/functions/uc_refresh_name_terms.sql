-- Names only ever join the vocabulary: a name nobody uses any more matches no member and costs nothing.
CREATE OR REPLACE FUNCTION uc_refresh_name_terms() RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    INSERT INTO name_terms (term)
    SELECT DISTINCT lower(t) FROM members, LATERAL unnest(ARRAY[first_name, middle_name, last_name]) AS t
    WHERE t IS NOT NULL
    ON CONFLICT DO NOTHING
$$;
