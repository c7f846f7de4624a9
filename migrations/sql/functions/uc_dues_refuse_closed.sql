-- One statement-level check per table and event: the earliest month a statement touches must be after the latest
-- closed month. Months close in order, so "closed" is everything up to that watermark.
-- TG_ARGV: the date column, and the words for the rows in the message.
CREATE OR REPLACE FUNCTION uc_dues_refuse_closed() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
    closed_through date;
    earliest date;
    later date;
BEGIN
    SELECT max(month) INTO closed_through FROM dues_periods WHERE status = 'closed';
    IF closed_through IS NULL THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        EXECUTE format('SELECT min(%I) FROM new_rows', TG_ARGV[0]) INTO earliest;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        EXECUTE format('SELECT min(%I) FROM old_rows', TG_ARGV[0]) INTO later;
        earliest := least(earliest, later);
    END IF;
    IF earliest < (closed_through + interval '1 month')::date THEN
        RAISE EXCEPTION '% is closed: % dated in it cannot be added, changed or removed. Enter a correction dated in an open month.',
            to_char(date_trunc('month', earliest), 'FMMonth YYYY'), TG_ARGV[1];
    END IF;
    RETURN NULL;
END $$;
