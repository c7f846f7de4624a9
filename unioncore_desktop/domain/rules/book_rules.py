"""A book's referral rule settings, as in force on one day. Every threshold is a setting, never a constant
in code: halls differ, and a change applies from a date so earlier decisions stay explainable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time


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


DEFAULT_RULES = RuleSet()
