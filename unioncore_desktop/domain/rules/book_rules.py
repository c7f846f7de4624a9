"""A book's referral rule settings, as in force on one day. Every threshold is a setting, never a constant
in code: halls differ, and a change applies from a date so earlier decisions stay explainable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta


@dataclass(frozen=True, slots=True)
class RuleSet:
    effective_from: date = date(2000, 1, 1)
    resign_days: int = 30                     # R7: re-sign every N days from registration or last re-sign
    resign_grace_days: int = 0
    resign_monthly_window: bool = False       # R7 option: re-sign between the 10th and 16th instead
    check_marks_allowed: int = 3              # R10: the Nth mark rolls the member off that book
    short_call_max_days: int = 10             # R9: a call of <= N business days is a short call
    short_call_free_days: int = 3             # R9: calls of <= N business days do not count toward restorations
    short_call_restorations: int = 2          # R9: restorations allowed per registration
    reregister_business_days: int = 1         # R6: re-register by close of the next N business days
    exemption_cap_months: int = 6             # R14: traveling and under-scale exemptions
    bidding_enabled: bool = False             # R8
    bid_opens: time = time(17, 30)
    bid_closes: time = time(7, 0)
    bid_checkin_by: time = time(15, 0)
    request_cutoff: time = time(15, 0)        # R3
    by_name_ban_days: int = 14                # R12
    max_days_on_book: int | None = None       # off by default
    arrears_hold: bool = False                # §5 option: skip members in dues arrears
    discharge_suspension: bool = False        # two discharges for cause in 12 months suspends referral
    expire_unfilled: bool = False             # a request unfilled on its start day expires the next morning


DEFAULT_RULES = RuleSet()

TIME_FORMAT = "Give a time as HH:MM."
SCHEDULE_AHEAD_YEARS = 5  # further out is almost surely a typo in the year

# field -> (lowest, highest, message). The upper bounds catch typos long before the columns' smallint limit.
_RANGES: dict[str, tuple[int, int, str]] = {
    "resign_days": (1, 365, "Re-sign every 1 to 365 days."),
    "resign_grace_days": (0, 90, "The grace is 0 to 90 days."),
    "check_marks_allowed": (1, 20, "The mark that rolls a member off is the 1st to the 20th."),
    "short_call_max_days": (1, 250, "A short call is at most 1 to 250 business days."),
    "short_call_free_days": (0, 250, "Give 0 to 250 business days."),
    "short_call_restorations": (0, 20, "Allow 0 to 20 restorations."),
    "reregister_business_days": (1, 30, "Give 1 to 30 business days."),
    "exemption_cap_months": (1, 60, "The cap is 1 to 60 months."),
    "by_name_ban_days": (0, 3650, "Give 0 to 3,650 days."),
    "max_days_on_book": (1, 3650, "Give 1 to 3,650 days, or leave the limit off."),
}
_TIMES = ("bid_opens", "bid_closes", "bid_checkin_by", "request_cutoff")
_FLAGS = ("resign_monthly_window", "bidding_enabled", "arrears_hold", "discharge_suspension", "expire_unfilled")


def rule_set_errors(rules: RuleSet, *, today: date) -> dict[str, str]:
    """Field -> message for everything wrong with `rules` as settings from `rules.effective_from` on."""
    errors: dict[str, str] = {}
    start = rules.effective_from
    if not isinstance(start, date):
        errors["effective_from"] = "Give the date the settings take effect."
    elif start < today:
        errors["effective_from"] = (f"Settings take effect from today ({today:%Y-%m-%d}) or later: "
                                    "decisions already made stay as they were made.")
    elif start > today + timedelta(days=365 * SCHEDULE_AHEAD_YEARS + 1):
        errors["effective_from"] = f"Pick a date within {SCHEDULE_AHEAD_YEARS} years."
    for name, (low, high, message) in _RANGES.items():
        value = getattr(rules, name)
        if value is None and name == "max_days_on_book":
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            errors[name] = "Give a whole number."
        elif not low <= value <= high:
            errors[name] = message
    if ("short_call_free_days" not in errors and "short_call_max_days" not in errors
            and rules.short_call_free_days > rules.short_call_max_days):
        errors["short_call_free_days"] = (f"Calls that do not count cannot be longer than a short call "
                                          f"({rules.short_call_max_days} business days).")
    for name in _TIMES:
        if not isinstance(getattr(rules, name), time):
            errors[name] = TIME_FORMAT
    if "bid_opens" not in errors and "bid_closes" not in errors and rules.bid_opens == rules.bid_closes:
        errors["bid_closes"] = "Bidding must close at another time than it opens."
    for name in _FLAGS:
        if not isinstance(getattr(rules, name), bool):
            errors[name] = "Choose yes or no."
    return errors
