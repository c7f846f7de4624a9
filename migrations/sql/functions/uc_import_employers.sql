-- Employers staged by an import run become employers with their contracts, worksites and contacts. Rows of one
-- employer share its name key (found on file already by the import, or new); the first row's details create or
-- update the employer (a blank cell keeps what is on file). A contract period is matched on (employer, code,
-- effective date), a worksite and a contact on (employer, name): missing ones are added, changed ones updated.
-- Returns the employers' counts with the staged line of each employer's first row per outcome, and what was added or
-- changed beneath them; deletes the run's staged rows. SECURITY DEFINER for the reason uc_import_members gives.
CREATE OR REPLACE FUNCTION uc_import_employers(p_run uuid) RETURNS jsonb
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    result jsonb;
    contracts_created integer;
    contracts_updated integer;
    worksites_created integer;
    worksites_updated integer;
    contacts_created integer;
    contacts_updated integer;
BEGIN
    IF NOT (pg_has_role(session_user, 'uc_admin', 'MEMBER') OR pg_has_role(session_user, current_user, 'MEMBER')) THEN
        RAISE EXCEPTION 'Only admins import records from another system.' USING ERRCODE = 'insufficient_privilege';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('uc_import'));
    UPDATE import_stage_employers SET outcome = NULL WHERE run_id = p_run;  -- the function's to decide
    WITH firsts AS (
        SELECT DISTINCT ON (name_key) * FROM import_stage_employers
        WHERE run_id = p_run AND employer_id IS NULL ORDER BY name_key, line_no
    ), created AS (
        INSERT INTO employers (name, address_line1, city, state, postal_code, phone, email)
        SELECT name, address_line1, city, state, postal_code, phone, email FROM firsts ORDER BY line_no
        RETURNING id, name
    )
    UPDATE import_stage_employers AS s SET employer_id = x.id, outcome = 'created'
      FROM (SELECT created.id, firsts.name_key FROM created JOIN firsts ON firsts.name = created.name) AS x
     WHERE s.run_id = p_run AND s.name_key = x.name_key;

    WITH firsts AS (
        SELECT DISTINCT ON (employer_id) * FROM import_stage_employers
        WHERE run_id = p_run AND outcome IS NULL ORDER BY employer_id, line_no
    ), updated AS (
        UPDATE employers AS e
           SET address_line1 = coalesce(f.address_line1, e.address_line1), city = coalesce(f.city, e.city),
               state = coalesce(f.state, e.state), postal_code = coalesce(f.postal_code, e.postal_code),
               phone = coalesce(f.phone, e.phone), email = coalesce(f.email, e.email),
               updated_at = now(), version = e.version + 1
          FROM firsts AS f
         WHERE e.id = f.employer_id
           AND (coalesce(f.address_line1, e.address_line1), coalesce(f.city, e.city), coalesce(f.state, e.state),
                coalesce(f.postal_code, e.postal_code), coalesce(f.phone, e.phone), coalesce(f.email, e.email))
               IS DISTINCT FROM (e.address_line1, e.city, e.state, e.postal_code, e.phone, e.email)
        RETURNING e.id
    )
    UPDATE import_stage_employers AS s
       SET outcome = CASE WHEN s.employer_id IN (SELECT id FROM updated) THEN 'updated' ELSE 'unchanged' END
     WHERE s.run_id = p_run AND s.outcome IS NULL;

    WITH k AS (
        SELECT DISTINCT ON (employer_id, contract_code, contract_effective) *
        FROM import_stage_employers
        WHERE run_id = p_run AND contract_code IS NOT NULL
        ORDER BY employer_id, contract_code, contract_effective, line_no
    )
    UPDATE employer_contracts AS c SET expires_on = k.contract_expires, version = c.version + 1
      FROM k
     WHERE c.employer_id = k.employer_id AND c.contract_code = k.contract_code AND c.effective_on = k.contract_effective
       AND c.expires_on IS DISTINCT FROM k.contract_expires;
    GET DIAGNOSTICS contracts_updated = ROW_COUNT;
    INSERT INTO employer_contracts (employer_id, contract_code, effective_on, expires_on)
    SELECT DISTINCT ON (employer_id, contract_code, contract_effective)
           employer_id, contract_code, contract_effective, contract_expires
      FROM import_stage_employers AS s
     WHERE run_id = p_run AND contract_code IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM employer_contracts AS c
                       WHERE c.employer_id = s.employer_id AND c.contract_code = s.contract_code
                         AND c.effective_on = s.contract_effective)
     ORDER BY employer_id, contract_code, contract_effective, line_no;
    GET DIAGNOSTICS contracts_created = ROW_COUNT;

    WITH k AS (
        SELECT DISTINCT ON (employer_id, lower(btrim(worksite_name))) *
        FROM import_stage_employers
        WHERE run_id = p_run AND worksite_name IS NOT NULL
        ORDER BY employer_id, lower(btrim(worksite_name)), line_no
    )
    UPDATE worksites AS w
       SET address_line1 = coalesce(k.worksite_address, w.address_line1), city = coalesce(k.worksite_city, w.city),
           region = coalesce(k.worksite_region, w.region), version = w.version + 1
      FROM k
     WHERE w.employer_id = k.employer_id AND lower(btrim(w.name)) = lower(btrim(k.worksite_name))
       AND (coalesce(k.worksite_address, w.address_line1), coalesce(k.worksite_city, w.city),
            coalesce(k.worksite_region, w.region)) IS DISTINCT FROM (w.address_line1, w.city, w.region);
    GET DIAGNOSTICS worksites_updated = ROW_COUNT;
    INSERT INTO worksites (employer_id, name, address_line1, city, region)
    SELECT DISTINCT ON (employer_id, lower(btrim(worksite_name)))
           employer_id, worksite_name, worksite_address, worksite_city, worksite_region
      FROM import_stage_employers AS s
     WHERE run_id = p_run AND worksite_name IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM worksites AS w
                       WHERE w.employer_id = s.employer_id AND lower(btrim(w.name)) = lower(btrim(s.worksite_name)))
     ORDER BY employer_id, lower(btrim(worksite_name)), line_no;
    GET DIAGNOSTICS worksites_created = ROW_COUNT;

    WITH k AS (
        SELECT DISTINCT ON (employer_id, lower(btrim(contact_name))) *
        FROM import_stage_employers
        WHERE run_id = p_run AND contact_name IS NOT NULL
        ORDER BY employer_id, lower(btrim(contact_name)), line_no
    )
    UPDATE employer_contacts AS p
       SET title = coalesce(k.contact_title, p.title), phone = coalesce(k.contact_phone, p.phone),
           email = coalesce(k.contact_email, p.email), version = p.version + 1
      FROM k
     WHERE p.employer_id = k.employer_id AND lower(btrim(p.name)) = lower(btrim(k.contact_name))
       AND (coalesce(k.contact_title, p.title), coalesce(k.contact_phone, p.phone), coalesce(k.contact_email, p.email))
           IS DISTINCT FROM (p.title, p.phone, p.email);
    GET DIAGNOSTICS contacts_updated = ROW_COUNT;
    INSERT INTO employer_contacts (employer_id, name, title, phone, email)
    SELECT DISTINCT ON (employer_id, lower(btrim(contact_name)))
           employer_id, contact_name, contact_title, contact_phone, contact_email
      FROM import_stage_employers AS s
     WHERE run_id = p_run AND contact_name IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM employer_contacts AS p
                       WHERE p.employer_id = s.employer_id AND lower(btrim(p.name)) = lower(btrim(s.contact_name)))
     ORDER BY employer_id, lower(btrim(contact_name)), line_no;
    GET DIAGNOSTICS contacts_created = ROW_COUNT;

    SELECT jsonb_build_object(
               'created', count(*) FILTER (WHERE outcome = 'created'),
               'updated', count(*) FILTER (WHERE outcome = 'updated'),
               'unchanged', count(*) FILTER (WHERE outcome = 'unchanged'),
               'examples', jsonb_build_object(
                   'created', coalesce((array_agg(line_no ORDER BY line_no) FILTER (WHERE outcome = 'created'))[1:5],
                                       '{}'),
                   'updated', coalesce((array_agg(line_no ORDER BY line_no) FILTER (WHERE outcome = 'updated'))[1:5],
                                       '{}'),
                   'unchanged', coalesce((array_agg(line_no ORDER BY line_no)
                                          FILTER (WHERE outcome = 'unchanged'))[1:5], '{}')),
               'parts', jsonb_build_object(
                   'contracts_created', contracts_created, 'contracts_updated', contracts_updated,
                   'worksites_created', worksites_created, 'worksites_updated', worksites_updated,
                   'contacts_created', contacts_created, 'contacts_updated', contacts_updated))
      INTO result
      FROM (SELECT DISTINCT ON (employer_id) employer_id, outcome, line_no FROM import_stage_employers
            WHERE run_id = p_run ORDER BY employer_id, line_no) AS e;
    DELETE FROM import_stage_employers WHERE run_id = p_run;
    RETURN result;
END $$;
