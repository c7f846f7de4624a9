"""Which staff groups may do what, as the screens show it (enabled buttons, visible tabs). The database grants
are the authority (db/permissions.py); these sets only mirror them so a user is not offered what the server
would refuse. Groups do not inherit each other's rights: a person who does two jobs holds two groups."""

from __future__ import annotations

MANAGERS = frozenset({"manager"})  # members' records, drop run, approvals, month close, rates
REFERRAL_WRITERS = frozenset({"dispatcher"})  # books, requests, dispatch
DUES_STAFF = frozenset({"dues_clerk"})  # posting, ledgers, adjustment requests
DUES_READERS = frozenset({*DUES_STAFF, *MANAGERS})  # amounts: balances, ledgers, payments
EMPLOYER_KEEPERS = frozenset({"dispatcher", "manager"})  # employers, their worksites, contacts and contracts
STAFF_ADMINS = frozenset({"admin"})  # staff logins: add, roles, deactivate, reset passwords
DATA_IMPORTERS = frozenset({"admin"})  # uc_import_*: a hall's records brought in from its old system
REQUEST_EXPIRERS = frozenset({"dispatcher", "manager"})  # uc_expire_requests: run when their screens load the day
