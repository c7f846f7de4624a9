"""Refusals said in two places: by a rule (domain/rules, or a service's own check) before anything is saved, and
by `driver_errors` when the database's constraint refuses the same thing. One constant each, so the user reads
the same sentence whichever caught it. Imports nothing, so the rules and `driver_errors` may both use it."""

from __future__ import annotations

# members
FIRST_NAME_MISSING = "First name is required."
LAST_NAME_MISSING = "Last name is required."
CLASSIFICATION_MISSING = "Choose a classification."
STATUS_MISSING = "Choose a status."
CARD_TYPE_MISSING = "Choose a card type."
EMAIL_INVALID = "That e-mail address is not valid."
SSN_NOT_LAST4 = "Keep only the last 4 digits of the SSN."
BIRTH_IMPLAUSIBLE = "The date of birth is not plausible."
INITIATION_BEFORE_BIRTH = "Initiation cannot be before the date of birth."

# books
OFFICE_NOT_NAMED = ("Choose the office the member came to: the hall has several offices, and an in-person "
                    "sign-on is stamped with its office (R1).")

# requests, bids and check marks
WAGE_NOT_POSITIVE = "The wage must be more than zero."
BY_NAME_NOT_ATTESTED = "Record that the foreperson did not solicit the request."
CANCEL_REASON_MISSING = "Say why the request is cancelled."
START_BEFORE_TODAY = "The start date is before today at the hall: give today or a later date."
ALREADY_BID = "The member already bid on this request."
MARK_REMOVAL_REASON_MISSING = "Say why the mark is removed."

# dues
AMOUNT_NOT_POSITIVE = "The amount must be more than zero."
PAYMENT_METHOD_MISSING = "Choose how the member paid."
PAYMENT_AFTER_TODAY = "A payment cannot be dated after today."
VOID_REASON_MISSING = "Say why the payment is voided."
DEPOSIT_TOTAL_NEGATIVE = "The deposit total cannot be negative."
RATE_NEGATIVE = "A rate cannot be negative."
ADJUSTMENT_REASON_MISSING = "Say why the adjustment is needed."
ADJUSTMENT_AMOUNT_ZERO = "The amount cannot be zero."
CHECK_AMOUNT_NOT_POSITIVE = "The check amount must be more than zero."

# report presets
PRESET_NAME_MISSING = "Give the preset a name."
PRESET_NAME_TAKEN = "You already have a preset of this report by that name."
PRESET_DEFAULT_TAKEN = "Another of your presets is already this report's default; try again."
