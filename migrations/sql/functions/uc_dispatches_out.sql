-- The dispatches that make a member out: those still active (p_active: dispatched, checked in, working) and, when
-- p_today is given, any of that day (the walk skips a member already dispatched today; a by-name dispatch asks only
-- about active ones). The walk's facts (services/walk.py) and the write of a dispatch (uc_answer_offer, under the
-- member's lock) both ask EXISTS over it, so the preview and the write read the same rule. A standard SQL body
-- returning a set: the planner inlines it into the caller's query, as if the condition were written there.
CREATE OR REPLACE FUNCTION uc_dispatches_out(p_member integer, p_today date, p_active text[])
RETURNS TABLE (dispatch_id integer)
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT d.id FROM public.dispatches AS d
    WHERE d.member_id = p_member AND (d.status = ANY (p_active) OR d.dispatch_date = p_today);
END;
