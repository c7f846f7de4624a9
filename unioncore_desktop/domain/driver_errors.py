"""Driver errors turned into what the user can act on: ConnectionProblem, or a DomainError naming the field.

The unit of work (`uow.py`) translates every error leaving a service with this; `db/connection.py` uses it for
reads outside a unit of work. It lives in the domain, beside the errors it produces, so the domain never imports
db/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg.errors
from sqlalchemy import exc as sa_exc

from unioncore_desktop.domain.error_texts import (
    OFFICE_NOT_NAMED,
    PRESET_DEFAULT_TAKEN,
    PRESET_NAME_MISSING,
    PRESET_NAME_TAKEN,
    START_BEFORE_TODAY,
    ADJUSTMENT_AMOUNT_ZERO,
    ADJUSTMENT_REASON_MISSING,
    ALREADY_BID,
    AMOUNT_NOT_POSITIVE,
    BIRTH_IMPLAUSIBLE,
    BY_NAME_NOT_ATTESTED,
    CANCEL_REASON_MISSING,
    CARD_TYPE_MISSING,
    CHECK_AMOUNT_NOT_POSITIVE,
    CLASSIFICATION_MISSING,
    DEPOSIT_TOTAL_NEGATIVE,
    EMAIL_INVALID,
    FIRST_NAME_MISSING,
    INITIATION_BEFORE_BIRTH,
    LAST_NAME_MISSING,
    MARK_REMOVAL_REASON_MISSING,
    PAYMENT_AFTER_TODAY,
    PAYMENT_METHOD_MISSING,
    RATE_NEGATIVE,
    SSN_NOT_LAST4,
    STATUS_MISSING,
    VOID_REASON_MISSING,
    WAGE_NOT_POSITIVE,
)
from unioncore_desktop.domain.errors import ConnectionProblem, DomainError, PermissionDenied, ValidationError

# constraint name -> (field, message). Names come from the MetaData naming convention.
CONSTRAINT_MESSAGES: dict[str, tuple[str, str]] = {
    "uq_members_card_number": ("card_number", "That card number already belongs to another member."),
    "ck_members_card_number_format": ("card_number", "Card numbers are 4 to 12 letters or digits."),
    "ck_members_email_format": ("email", EMAIL_INVALID),
    "ck_members_ssn_last4_format": ("ssn_last4", SSN_NOT_LAST4),
    "ck_members_date_of_birth_range": ("date_of_birth", BIRTH_IMPLAUSIBLE),
    "ck_members_initiation_after_birth": ("initiation_date", INITIATION_BEFORE_BIRTH),
    "ck_members_first_name_present": ("first_name", FIRST_NAME_MISSING),
    "ck_members_last_name_present": ("last_name", LAST_NAME_MISSING),
    "ck_members_notes_length": ("notes", "Notes are limited to 4,000 characters."),
    "ck_members_classification_known": ("classification", CLASSIFICATION_MISSING),
    "ck_members_status_known": ("status", STATUS_MISSING),
    "ck_members_card_type_known": ("card_type", CARD_TYPE_MISSING),
    "uq_member_qualified_books_member_id_book_code": ("book_code", "The member is already qualified for that book."),
    "ck_member_qualified_books_tier_range": ("tier", "Tiers run from 1 to 4."),
    "ck_member_skills_name_present": ("name", "Name the skill or certification."),
    "ck_member_exclusions_reason_present": ("reason", "Say why the member may not be sent there."),
    "fk_member_exclusions_employer_id_employers": ("employer_id", "That employer no longer exists."),
    "ck_employers_name_present": ("name", "Employer name is required."),
    "uq_employer_contacts_primary": ("is_primary", "Only one contact of an employer can be primary."),
    "ex_employer_contracts_no_overlap": ("effective_on", "Two periods of the same contract overlap."),
    "ck_employer_contracts_period_order": ("expires_on", "A contract cannot expire before it takes effect."),
    "uq_staff_login": ("login", "That login is already taken."),
    "ck_staff_login_format": ("login", "Logins are 3-63 lower-case letters, digits or underscores."),
    # books and dispatch
    "ux_registrations_member_id_book_id_live": ("book", "The member already has a live registration on this book."),
    "ck_registrations_tier_range": ("tier", "Tiers run from 1 to 4."),
    "fk_member_qualified_books_book_code_books": ("book_code", "There is no book with that code."),
    "ux_dispatches_member_id_active": ("member", "The member is already out on another dispatch."),
    "uq_dispatches_request_id_member_id": ("member", "The member was already dispatched to this request."),
    "ck_labor_requests_not_overfilled": ("workers_requested", "The request has no open places left."),
    "ck_labor_requests_workers_requested_range": ("workers_requested", "Ask for between 1 and 500 workers."),
    "ck_labor_requests_duration_days_positive": ("duration_days", "The duration must be at least one day."),
    "ck_labor_requests_wage_positive": ("wage", WAGE_NOT_POSITIVE),
    "ck_labor_requests_by_name_attested": ("by_name_attested",
                                           BY_NAME_NOT_ATTESTED),
    "ck_labor_requests_cancel_reason_present": ("cancel_reason", CANCEL_REASON_MISSING),
    "uq_labor_requests_number": ("number", "That request number is already taken."),
    "uq_bids_request_id_member_id": ("member", ALREADY_BID),
    "ux_check_marks_registration_id_marked_on_live": ("marks", "The member already has a mark on this book today."),
    "ck_check_marks_removal_reason_text": ("removal_reason", MARK_REMOVAL_REASON_MISSING),
    "ck_check_marks_removal_reason_present": ("removal_reason", MARK_REMOVAL_REASON_MISSING),
    "uq_books_code": ("code", "That book code is already taken."),
    "uq_books_name": ("name", "That book name is already taken."),
    "ck_registrations_book_open": ("book", "That book is retired: it takes no sign-ons."),
    "ck_registrations_office_named": ("office_id", OFFICE_NOT_NAMED),
    "ck_labor_requests_start_not_past": ("start_on", START_BEFORE_TODAY),
    "ck_labor_requests_book_open": ("book_id", "That book is retired: it takes no requests."),
    "uq_book_rules_book_id_effective_from": ("effective_from", "The book already has settings from that date."),
    "ck_book_rules_effective_from_not_past": ("effective_from", "Settings take effect from today or later: "
                                                                "decisions already made stay as they were made."),
    "ck_book_rules_in_force_unchanged": ("effective_from", "These settings are in force or past and can never be "
                                                           "changed or removed; schedule new settings instead."),
    "ck_book_rules_book_unchanged": ("book", "Rule settings belong to their book; schedule settings on the other "
                                             "book instead."),
    "ck_book_rules_resign_days_positive": ("resign_days", "Re-sign days must be at least 1 and grace at least 0."),
    "ck_book_rules_check_marks_allowed_positive": ("check_marks_allowed", "Allow at least 1 check mark."),
    "ck_book_rules_short_call_days_order": ("short_call_free_days", "Calls that do not count cannot be longer "
                                                                    "than a short call."),
    "ck_book_rules_short_call_restorations_positive": ("short_call_restorations", "Restorations cannot be negative."),
    "ck_book_rules_reregister_business_days_positive": ("reregister_business_days",
                                                        "Give at least 1 business day to re-register."),
    "ck_book_rules_exemption_cap_months_positive": ("exemption_cap_months", "The cap must be at least 1 month."),
    "ck_book_rules_by_name_ban_days_positive": ("by_name_ban_days", "Ban days cannot be negative."),
    "ck_book_rules_max_days_on_book_positive": ("max_days_on_book", "Give at least 1 day, or leave the limit off."),
    # the hall's set-up
    "uq_offices_code": ("code", "That office code is already taken."),
    "ck_offices_name_present": ("name", "The office's name is required."),
    "ck_offices_hours_order": ("closes_at", "The office must close later than it opens."),
    "pk_holidays": ("day", "That day is already a holiday."),
    "ck_holidays_name_present": ("name", "The holiday's name is required."),
    "pk_contract_codes": ("code", "That contract code already exists."),
    "ck_contract_codes_description_present": ("description", "The description is required."),
    # dues
    "uq_dues_rates_classification_effective_from": ("effective_from",
                                                    "The classification already has a rate from that date."),
    "ck_dues_rates_amount_not_negative": ("amount", RATE_NEGATIVE),
    "uq_dues_charges_member_id_period": ("period", "The member was already billed for that month."),
    "ck_payments_amount_sign": ("amount", AMOUNT_NOT_POSITIVE),
    "ck_payments_method_known": ("method", PAYMENT_METHOD_MISSING),
    "ck_payments_paid_on_not_future": ("paid_on", PAYMENT_AFTER_TODAY),
    "ck_payments_batch_open": ("batch", "That batch is closed; open a new batch for these payments."),
    "uq_payments_member_check_reference": ("reference",
                                           "That check number was already posted for this member."),
    "uq_payments_reverses_payment_id": ("payment", "That payment was already voided."),
    "ck_payments_void_reason_text": ("reason", VOID_REASON_MISSING),
    "ck_payments_reversal_matches": ("amount", "A void must reverse the whole payment."),
    "ck_payment_batches_balanced": ("deposit_total", "The batch does not balance to its deposit total."),
    "ck_payment_batches_deposit_total_not_negative": ("deposit_total", DEPOSIT_TOTAL_NEGATIVE),
    "ck_payment_allocations_within_owed": ("amount", "More would be applied to a month than is owed on it."),
    "ck_payment_allocations_within_payment": ("amount", "More would be applied from a payment than it holds."),
    "ck_dues_adjustments_not_self_approved": ("decision",
                                              "The person who requested an adjustment cannot decide it."),
    "ck_dues_adjustments_reason_present": ("reason", ADJUSTMENT_REASON_MISSING),
    "ck_dues_adjustments_amount_not_zero": ("amount", ADJUSTMENT_AMOUNT_ZERO),
    "ck_dues_adjustments_sign_matches_type": ("amount", "Waivers, hardship and credits lower what is owed (negative);"
                                                        " late fees and reinstatement raise it (positive)."),
    "ck_dues_adjustments_owed_not_negative": ("amount", "The adjustment would make the month owe less than nothing."),
    "ux_remittances_employer_id_check_number_live": ("check_number",
                                                     "That employer's check was already imported."),
    "ck_remittances_check_amount_positive": ("check_amount", CHECK_AMOUNT_NOT_POSITIVE),
    "uq_remittance_lines_remittance_id_line_no": ("line_no", "A line number appears twice in the remittance."),
    # report presets
    "uq_report_presets_owner_report_name": ("name", PRESET_NAME_TAKEN),
    "ck_report_presets_name_present": ("name", PRESET_NAME_MISSING),
    "ux_report_presets_owner_report_default": ("is_default", PRESET_DEFAULT_TAKEN),
}

_TABLE_WORDS = {
    "members": "members", "employers": "employers", "staff": "staff", "audit_log": "the audit log",
    "employer_contracts": "employer contracts", "worksites": "worksites", "employer_contacts": "employer contacts",
    "employment_history": "employment history", "holidays": "the holiday calendar", "app_settings": "hall settings",
    "registrations": "registrations", "registration_activity": "registration activity",
    "offer_lines": "offer lines", "labor_requests": "labor requests", "dispatches": "dispatches",
    "check_marks": "check marks", "books": "books", "book_rules": "book rule settings", "bids": "bids",
    "dues_rates": "dues rates", "dues_periods": "dues months", "dues_charges": "dues charges",
    "payments": "payments", "payment_allocations": "payment applications", "payment_batches": "payment batches",
    "dues_adjustments": "dues adjustments", "remittances": "remittances", "remittance_lines": "remittance lines",
}


def _orig(error: BaseException) -> BaseException:
    return getattr(error, "orig", None) or error


def is_connection_problem(error: BaseException) -> bool:
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    orig = _orig(error)
    return isinstance(orig, (psycopg.OperationalError, psycopg.InterfaceError)) and not isinstance(
        orig, (psycopg.errors.LockNotAvailable, psycopg.errors.QueryCanceled,
               psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected))


# The server's words when a new connection of a login deactivated or re-passworded at another workstation is refused
# (a session already open goes on; the pool's next connection is where it shows).
LOGIN_REFUSED = ("is not permitted to log in", "password authentication failed")
LOGIN_REFUSED_TEXT = ("The server no longer accepts your login: it was deactivated, or its password was reset, at "
                      "another workstation. Nothing was saved; log in again (File → Switch user).")


def translate(error: BaseException) -> BaseException:
    """The exception to raise instead of `error` (or `error` itself when it is a bug)."""
    if isinstance(error, (DomainError, ConnectionProblem)):
        return error
    if isinstance(_orig(error), psycopg.OperationalError) and any(words in str(_orig(error))
                                                                  for words in LOGIN_REFUSED):
        return PermissionDenied(LOGIN_REFUSED_TEXT)
    if is_connection_problem(error):
        return ConnectionProblem("The connection to the database server was lost. Nothing was saved; try again.")
    orig = _orig(error)
    if isinstance(orig, psycopg.errors.InsufficientPrivilege):
        own_words = orig.diag.message_primary if orig.diag is not None else None
        if own_words and not own_words.startswith("permission denied"):
            return PermissionDenied(own_words)  # a refusal the schema's own functions explain
        match = re.search(r"(?:table|relation|function) (\w+)", str(orig))
        what = _TABLE_WORDS.get(match.group(1), match.group(1)) if match else "this"
        return PermissionDenied(f"Your login is not allowed to change {what}.")
    if isinstance(orig, psycopg.errors.LockNotAvailable):
        return DomainError("Another workstation is saving the same record; try again in a moment.")
    if isinstance(orig, psycopg.Error) and orig.diag is not None:
        name = orig.diag.constraint_name
        if name and name in CONSTRAINT_MESSAGES:
            field, message = CONSTRAINT_MESSAGES[name]
            return ValidationError({field: message})
        if isinstance(orig, psycopg.errors.StringDataRightTruncation):
            return DomainError("A value is longer than the field allows.")
        if isinstance(orig, psycopg.errors.ForeignKeyViolation):
            return DomainError("The record refers to something that no longer exists, or is still in use.")
        if isinstance(orig, psycopg.errors.RaiseException) and orig.diag.message_primary:
            return DomainError(orig.diag.message_primary)
        if isinstance(orig, (psycopg.errors.IntegrityError)) and name:
            return DomainError(f"The database refused the change ({name}).")
    return error


@contextmanager
def translated() -> Iterator[None]:
    """Constraint and connection errors leave as DomainError/ConnectionProblem; bugs leave as they are."""
    try:
        yield
    except Exception as exc:
        replacement = translate(exc)
        if replacement is exc:
            raise
        raise replacement from exc
