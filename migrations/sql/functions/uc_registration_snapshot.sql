-- A registration as its activity rows show it, before and after each change (the member's referral history): the
-- one spelling of that JSON. The dispatch functions, the drop run and the demo seed call it in SQL, and every other
-- service reads it through referral_context.snapshot. A standard SQL body (names bound when it is created), so it
-- needs no SET clause and the planner inlines it.
CREATE OR REPLACE FUNCTION uc_registration_snapshot(g public.registrations) RETURNS jsonb
LANGUAGE sql STABLE
RETURN jsonb_build_object(
    'status', g.status, 'tier', g.tier, 'apn', CAST(g.apn AS text), 'last_resign_on', g.last_resign_on,
    'resign_due_on', g.resign_due_on, 'restorations_used', g.restorations_used,
    'exemption_reason', g.exemption_reason, 'exemption_end', g.exemption_end, 'roll_off_reason', g.roll_off_reason);
