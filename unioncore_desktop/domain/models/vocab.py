"""The hall's closed vocabularies. Stored as text with named CHECK constraints so adding a value is a small migration."""

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


def label(value: str | None) -> str:
    """Human text for a vocabulary value: 'apprentice_3' -> 'Apprentice 3'."""
    if not value:
        return ""
    return value.replace("_", " ").capitalize() if value.upper() != value else value
