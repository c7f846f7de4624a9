"""Which staff groups may do what, as the screens show it (enabled buttons, visible tabs). The database grants
are the authority; these sets only mirror them so a user is not offered what the server would refuse."""

from __future__ import annotations

MANAGERS = frozenset({"manager", "admin"})  # members' records, drop run, approvals, month close, rates
REFERRAL_WRITERS = frozenset({"dispatcher", *MANAGERS})  # books, requests, dispatch
DUES_STAFF = frozenset({"dues_clerk", *MANAGERS})  # posting, ledgers, adjustment requests
