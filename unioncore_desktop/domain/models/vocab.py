"""The hall's closed vocabularies. Stored as text with named CHECK constraints so adding a value is a small
migration."""

from __future__ import annotations

CLASSIFICATIONS = (
    "apprentice_1", "apprentice_2", "apprentice_3", "apprentice_4", "apprentice_5",
    "journeyman", "foreman", "retiree", "honorary",
)
MEMBER_STATUSES = ("active", "inactive", "suspended", "retired", "deceased")
CARD_TYPES = ("A", "BA", "CE", "CW", "APP")
TERMINATION_REASONS = (
    "rif", "quit", "discharged", "laid_off", "short_call_end", "contract_end", "under_scale", "turnaround",
)
EMPLOYMENT_SOURCES = ("dispatch", "import", "manual")
STAFF_ROLES = ("dispatcher", "dues_clerk", "manager", "admin")
PAYMENT_METHODS = ("cash", "check", "money_order", "card", "ach", "payroll_deduction", "online", "other")
ADJUSTMENT_TYPES = ("waiver", "hardship", "credit", "correction", "late_fee", "reinstatement")
ADJUSTMENT_STATUSES = ("pending", "approved", "denied")
DUES_PERIOD_STATUSES = ("open", "closed")
BATCH_STATUSES = ("open", "closed")
DUES_STANDINGS = ("good_standing", "in_arrears", "suspended")
REMITTANCE_STATUSES = ("draft", "posted", "cancelled")
REMITTANCE_MATCH_STATUSES = ("matched", "unknown_card", "name_mismatch", "amount_odd", "resolved", "excluded")


def label(value: str | None) -> str:
    """Human text for a vocabulary value: 'apprentice_3' -> 'Apprentice 3'."""
    if not value:
        return ""
    return value.replace("_", " ").capitalize() if value.upper() != value else value
