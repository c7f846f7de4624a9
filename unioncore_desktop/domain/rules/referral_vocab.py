"""Closed vocabularies of the out-of-work books and dispatch. The schema builds its CHECK constraints from
these tuples, so adding a value is a small migration; never remove one that rows may hold."""

from __future__ import annotations

REGISTRATION_STATUSES = ("registered", "dispatched", "awaiting_reregistration", "rolled_off", "resigned")
LIVE_REGISTRATION_STATUSES = ("registered", "dispatched", "awaiting_reregistration")
REGISTRATION_METHODS = ("in_person", "email", "fax", "web")
ROLL_OFF_REASONS = ("failed_re_sign", "failed_re_register", "check_marks", "quit", "discharged", "resigned",
                    "dispatched_long_call", "max_days_on_book")
EXEMPTION_REASONS = ("military", "union_business", "salting", "medical", "jury_duty", "traveling", "under_scale")
CAPPED_EXEMPTIONS = ("traveling", "under_scale")
AGREEMENT_TYPES = ("standard", "pla", "cwa", "tero")
REQUEST_STATUSES = ("open", "partially_filled", "filled", "cancelled", "expired")
DISPATCH_STATUSES = ("dispatched", "checked_in", "working", "completed", "terminated", "rejected", "no_show")
ACTIVE_DISPATCH_STATUSES = ("dispatched", "checked_in", "working")
NO_MARK_REASONS = ("specialty_skill", "mou_jobsite", "early_start", "under_scale", "various_locations",
                   "short_call", "employer_rejection")
SKIP_REASONS = ("exempt", "banned", "excluded_employer", "missing_skill", "arrears_hold",
                "already_dispatched_today", "not_qualified")
OFFER_OUTCOMES = ("accepted", "declined", "no_answer")
ACTIVITY_ACTIONS = ("sign_on", "re_sign", "resign", "exempt_start", "exempt_end", "dispatched", "restored",
                    "roll_off", "mark_added", "mark_removed", "reregistered", "bid", "job_ended")
BID_SOURCES = ("phone", "email", "web")
