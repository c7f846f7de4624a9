-- The hall's date from the server clock: column defaults, views and the closed-month checks use it. A standard SQL
-- body, bound to public.app_settings when it is created, so it needs no SET search_path (a SET clause costs every
-- call a search_path switch).
CREATE OR REPLACE FUNCTION uc_hall_today() RETURNS date
LANGUAGE sql STABLE
RETURN (now() AT TIME ZONE coalesce(
    (SELECT s.value FROM public.app_settings AS s WHERE s.key = 'time_zone'), 'America/Los_Angeles'))::date;
