-- Passwords reach the server only as SCRAM-SHA-256 verifiers computed by the client.
CREATE OR REPLACE FUNCTION uc_check_verifier(p_verifier text) RETURNS void
LANGUAGE plpgsql IMMUTABLE SET search_path = public, pg_temp AS $$
BEGIN
    IF p_verifier IS NOT NULL AND p_verifier !~ '^SCRAM-SHA-256\$[0-9]+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$' THEN
        RAISE EXCEPTION 'Passwords reach the server only as SCRAM-SHA-256 verifiers, never as plain text.';
    END IF;
END $$;
