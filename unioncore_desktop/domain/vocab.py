"""The hall's closed vocabularies and formats: the lowest module of the domain, imported by the models (whose CHECK
constraints are built from these tuples and patterns), by the pure rules and forms that validate against them, and
by the roles catalog. It imports nothing of the project.

Stored as text with named CHECK constraints, so adding a value is a small migration; never remove one that rows
may hold.
"""

from __future__ import annotations

# --- members, staff, employment -------------------------------------------------------------------------------

CLASSIFICATIONS = (
    "apprentice_1", "apprentice_2", "apprentice_3", "apprentice_4", "apprentice_5",
    "journeyman", "foreman", "retiree", "honorary",
)
MEMBER_STATUSES = ("active", "inactive", "suspended", "retired", "deceased")
CARD_TYPES = ("A", "BA", "CE", "CW", "APP")
CARD_NUMBER_PATTERN = r"^[A-Z0-9]{4,12}$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
TERMINATION_REASONS = (
    "rif", "quit", "discharged", "laid_off", "short_call_end", "contract_end", "under_scale", "turnaround",
)
EMPLOYMENT_SOURCES = ("dispatch", "import", "manual")
IMPORT_ENTITIES = ("members", "employers", "registrations", "employment", "dues")  # what the import reads, in order
STAFF_ROLES = ("dispatcher", "dues_clerk", "manager", "admin")
LOGIN_PATTERN = r"^[a-z_][a-z0-9_]{2,62}$"  # a staff login: a PostgreSQL role name that needs no quoting

# --- dues -----------------------------------------------------------------------------------------------------

PAYMENT_METHODS = ("cash", "check", "money_order", "card", "ach", "payroll_deduction", "online", "other")
ADJUSTMENT_TYPES = ("waiver", "hardship", "credit", "correction", "late_fee", "reinstatement")
# adjustment types that may only lower (or only raise) what is owed; a correction goes either way
CREDIT_TYPES = ("waiver", "hardship", "credit")
DEBIT_TYPES = ("late_fee", "reinstatement")
REFERENCE_LENGTH = 40  # a payment's reference: its check or money-order number
ADJUSTMENT_STATUSES = ("pending", "approved", "denied")
DUES_PERIOD_STATUSES = ("open", "closed")
BATCH_STATUSES = ("open", "closed")
DUES_STANDINGS = ("good_standing", "in_arrears", "suspended")
REMITTANCE_STATUSES = ("draft", "posted", "cancelled")
REMITTANCE_MATCH_STATUSES = ("matched", "unknown_card", "name_mismatch", "amount_odd", "resolved", "excluded")

# --- out-of-work books and dispatch -----------------------------------------------------------------------------

REGISTRATION_STATUSES = ("registered", "dispatched", "awaiting_reregistration", "rolled_off", "resigned")
LIVE_REGISTRATION_STATUSES = ("registered", "dispatched", "awaiting_reregistration")
REGISTRATION_METHODS = ("in_person", "email", "fax", "web")
ROLL_OFF_REASONS = ("failed_re_sign", "failed_re_register", "check_marks", "quit", "discharged", "resigned",
                    "dispatched_long_call", "max_days_on_book")
EXEMPTION_REASONS = ("military", "union_business", "salting", "medical", "jury_duty", "traveling", "under_scale")
CAPPED_EXEMPTIONS = ("traveling", "under_scale")
AGREEMENT_TYPES = ("standard", "pla", "cwa", "tero")
BOOK_CODE_PATTERN = r"^[A-Z0-9_]{2,30}$"
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

# --- the hall's settings (app_settings keys) -------------------------------------------------------------------

HALL_NAME = "hall_name"
HALL_ADDRESS = "hall_address"  # one or more lines, as printed on letters and reports
HALL_PHONE = "hall_phone"
TIME_ZONE = "time_zone"
ENVIRONMENT = "environment"  # 'production' makes seeding refuse without --force


def label(value: str | None) -> str:
    """Human text for a vocabulary value: 'apprentice_3' -> 'Apprentice 3'."""
    if not value:
        return ""
    return value.replace("_", " ").capitalize() if value.upper() != value else value
