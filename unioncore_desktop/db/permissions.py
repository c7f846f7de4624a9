"""Who may do what in the database: the intended grants of each staff group, written as data.

This is the role model of domain §6 (dispatcher, dues clerk, manager, admin). Groups do not inherit each other's
rights; a person who does two jobs holds two groups. Migrations carry the grants out; `tests/db/test_permissions.py`
holds the live catalog to this matrix for every table, view, column grant, sequence and function in the schema, so
a new object without a decision here fails the build. The schema owner is left out: it owns everything.

Privileges per object and group are a space-separated list: SELECT, INSERT, UPDATE, DELETE, EXECUTE, or a column
grant such as ``UPDATE(phone,email)``. Sequences are not listed: a group that may INSERT into a table gets USAGE on
the table's own sequences and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping

from unioncore_desktop.domain.vocab import IMPORT_ENTITIES, STAFF_ROLES

GROUPS = tuple(f"uc_{role}" for role in STAFF_ROLES)
D, C, M, A = GROUPS  # dispatcher, dues clerk, manager, admin

# Contact details a dispatcher keeps current when a member calls (not notes, names, status or classification).
DISPATCHER_MEMBER_COLUMNS = (
    "address_line1", "address_line2", "city", "state", "postal_code", "phone", "mobile_phone", "email", "version",
)
# What the nightly drop run (a manager's act) changes on a registration: its state, never its place (tier, APN).
DROP_RUN_COLUMNS = (
    "status", "roll_off_reason", "rolled_off_on", "reregister_by", "exemption_reason", "exemption_start",
    "exemption_end", "resign_due_on", "version",
)

# what a preset's owner may change: its name, its parameters, whether it is the default (never owner or report)
PRESET_COLUMNS = ("name", "parameters", "is_default", "version")


def _columns(privilege: str, columns: tuple[str, ...]) -> str:
    return f"{privilege}({','.join(columns)})"


def _everyone_reads(**writes: str) -> dict[str, str]:
    """Hall records every group reads (the screens open on them); `writes` adds to a group's SELECT."""
    by_group = {group: "SELECT" for group in GROUPS}
    for key, privileges in writes.items():
        group = f"uc_{key}"
        by_group[group] = f"SELECT {privileges}"
    return by_group


def _money(clerk: str = "", manager: str = "") -> dict[str, str]:
    """Dues records: the clerk and the manager read them; dispatchers and admins never see amounts."""
    return {C: f"SELECT {clerk}".strip(), M: f"SELECT {manager}".strip()}


RELATIONS: Mapping[str, Mapping[str, str]] = {
    # the schema's revision: preflight reads it at every connect
    "alembic_version": _everyone_reads(),
    "app_settings": _everyone_reads(manager=_columns("UPDATE", ("value", "version"))),
    "staff": _everyone_reads(admin=_columns("UPDATE", ("full_name", "version"))),
    # the raw audit log (payment amounts, check numbers) is the manager's; everyone else reads `audit_trail`,
    # which shows only rows of tables the reader may read anyway
    "audit_log": {M: "SELECT"},
    "audit_trail": _everyone_reads(),
    # every login logs its own prints; it reads back its own runs, a manager everyone's (ROW_SECURITY below)
    "report_runs": _everyone_reads(dispatcher="INSERT", dues_clerk="INSERT", manager="INSERT", admin="INSERT"),
    # saved report parameters, for each group the Reports screen offers reports to; each login its own rows only
    # (ROW_SECURITY), and the owner and the report of a preset never change
    "report_presets": {group: f"SELECT INSERT DELETE {_columns('UPDATE', PRESET_COLUMNS)}" for group in (D, C, M)},
    # members: the manager keeps the record; dispatchers keep contact details current
    "members": _everyone_reads(dispatcher=_columns("UPDATE", DISPATCHER_MEMBER_COLUMNS), manager="INSERT UPDATE"),
    "name_terms": _everyone_reads(),
    # the dispatch profile is the manager's (domain §6: dispatchers keep contact details only): the books and tier
    # a member may sign, the certifications a specialty call asks for, the employers they may not be sent to
    "member_qualified_books": _everyone_reads(manager="INSERT UPDATE DELETE"),
    "member_exclusions": _everyone_reads(manager="INSERT UPDATE DELETE"),
    "member_skills": _everyone_reads(manager="INSERT UPDATE DELETE"),
    # employers: dispatchers take labor requests and keep employers' details; the manager sets the hall up
    "employers": _everyone_reads(dispatcher="INSERT UPDATE", manager="INSERT UPDATE"),
    "employer_contracts": _everyone_reads(dispatcher="INSERT UPDATE DELETE", manager="INSERT UPDATE DELETE"),
    "worksites": _everyone_reads(dispatcher="INSERT UPDATE DELETE", manager="INSERT UPDATE DELETE"),
    "employer_contacts": _everyone_reads(dispatcher="INSERT UPDATE DELETE", manager="INSERT UPDATE DELETE"),
    # employment history is written by dispatch and by the end of a job
    "employment_history": _everyone_reads(dispatcher="INSERT UPDATE"),
    # the hall's set-up and its book rule settings are the manager's
    "holidays": _everyone_reads(manager="INSERT UPDATE DELETE"),
    "contract_codes": _everyone_reads(manager="INSERT UPDATE DELETE"),
    "offices": _everyone_reads(manager="INSERT UPDATE"),
    "books": _everyone_reads(manager="INSERT UPDATE"),
    "book_rules": _everyone_reads(manager="INSERT UPDATE DELETE"),
    # the books and dispatch are the dispatcher's; the manager's drop run rolls registrations off (state only)
    "registrations": _everyone_reads(dispatcher="INSERT UPDATE",
                                     manager=_columns("UPDATE", DROP_RUN_COLUMNS)),
    "registration_activity": _everyone_reads(dispatcher="INSERT", manager="INSERT"),
    "check_marks": _everyone_reads(dispatcher="INSERT UPDATE"),
    "referral_bans": _everyone_reads(dispatcher="INSERT UPDATE"),
    "labor_requests": _everyone_reads(dispatcher="INSERT UPDATE"),
    "bids": _everyone_reads(dispatcher="INSERT UPDATE"),
    "dispatches": _everyone_reads(dispatcher="INSERT UPDATE"),
    "offer_lines": _everyone_reads(dispatcher="INSERT"),
    # dues: the clerk posts and requests; the manager sets rates, bills, decides adjustments and closes months.
    # Billing and approvals re-apply members' credit, so the manager also writes allocations.
    "dues_rates": _money(manager="INSERT UPDATE"),
    "dues_periods": _money(manager="INSERT UPDATE"),
    "dues_charges": _money(manager="INSERT"),
    "payment_batches": _money(clerk="INSERT UPDATE"),
    "receipt_counters": _money(),
    "payments": _money(clerk="INSERT"),
    "payment_allocations": _money(clerk="INSERT", manager="INSERT"),
    "dues_adjustments": _money(clerk="INSERT",
                               manager=_columns("UPDATE", ("status", "decision_note", "version"))),
    "remittances": _money(clerk="INSERT UPDATE"),
    "remittance_lines": _money(clerk="INSERT UPDATE DELETE"),
    "remittance_column_maps": _money(clerk="INSERT UPDATE DELETE"),
    # each charge's owed and paid: kept by the ledger's triggers (no login writes them) and summed afresh
    "dues_charge_totals": _money(),
    "dues_charge_ledger": _money(),
    "dues_charge_balances": _money(),
    "dues_member_standing": _money(),
    # imports from the hall's old system (go-live): the admin maps columns, stages checked rows (COPY needs INSERT)
    # and runs the import functions below; the manager reads what was imported and how; nobody reads the staging
    "import_column_maps": {M: "SELECT", A: "SELECT INSERT UPDATE DELETE"},
    "import_runs": {M: "SELECT", A: "SELECT INSERT"},
    **{f"import_stage_{entity}": {A: "INSERT"} for entity in IMPORT_ENTITIES},
    # standing without amounts: the walk's arrears hold and the member's record at the dispatch counter
    "member_standing": {D: "SELECT", C: "SELECT", M: "SELECT"},
}

# Tables under row-level security, with their policies (migration 0027): the grants above say what a group may do
# to the table, these which rows. The schema owner is not subject to them (the seed, imports, backups).
ROW_SECURITY: Mapping[str, Mapping[str, str]] = {
    "report_presets": {"report_presets_own": "ALL: owner = session_user, for reading and writing"},
    "report_runs": {"report_runs_read": "SELECT: run_by = session_user, or the session user is a manager",
                    "report_runs_log": "INSERT: run_by = session_user"},
}

FUNCTIONS: Mapping[str, Mapping[str, str]] = {
    # the hall's date: column defaults, views and services of every group call it
    "uc_hall_today": {group: "EXECUTE" for group in GROUPS},
    # a dispatch, however recorded, writes through uc_answer_offer; uc_dispatch_walked walks the locked list first
    "uc_dispatch_walked": {D: "EXECUTE"},
    "uc_answer_offer": {D: "EXECUTE"},
    # whether a member is out: the walk's facts (every group may open the morning referral) and a dispatch's write
    "uc_dispatches_out": {group: "EXECUTE" for group in GROUPS},
    # the activity rows' JSON: the dispatcher's services and the manager's drop run write those rows
    "uc_registration_snapshot": {D: "EXECUTE", M: "EXECUTE"},
    # expiring what is due: the referral and requests screens of dispatchers and managers run it (SECURITY DEFINER,
    # no argument: managers hold no UPDATE on labor_requests)
    "uc_expire_requests": {D: "EXECUTE", M: "EXECUTE"},
    "uc_post_payment": {C: "EXECUTE"},
    # posting, voids and billing apply credit: the clerk posts and voids, the manager bills and approves
    "uc_apply_credit": {C: "EXECUTE", M: "EXECUTE"},
    # the integrity check's repair of the kept totals (SECURITY DEFINER: no login writes them)
    "uc_rebuild_dues_charge_totals": {C: "EXECUTE", M: "EXECUTE"},
    # the import's writes, one per entity (SECURITY DEFINER: the admin group writes no hall records itself)
    **{f"uc_import_{entity}": {A: "EXECUTE"} for entity in IMPORT_ENTITIES},
    "uc_create_staff": {A: "EXECUTE"},
    "uc_set_staff_roles": {A: "EXECUTE"},
    "uc_deactivate_staff": {A: "EXECUTE"},
    "uc_reactivate_staff": {A: "EXECUTE"},
    "uc_reset_staff_password": {A: "EXECUTE"},
    "uc_change_own_password": {group: "EXECUTE" for group in GROUPS},
    # owner only: trigger functions (a trigger needs no EXECUTE to fire), helpers of the functions above,
    # and the migration helper that attaches audit triggers
    **{name: {} for name in (
        "uc_audit", "uc_check_version", "uc_audit_log_immutable", "uc_track", "uc_refresh_name_terms",
        "uc_member_name_terms", "uc_append_only", "uc_notify_change", "uc_dispatch_fills_request",
        "uc_dues_refuse_closed", "uc_dues_periods_guard", "uc_payment_batches_guard", "uc_payments_before_insert",
        "uc_payment_allocations_check", "uc_dues_charge_totals", "uc_dues_adjustments_guard", "uc_remittances_guard",
        "uc_remittance_lines_guard", "uc_book_rules_guard", "uc_staff_guard", "uc_staff_roles_of",
        "uc_audit_staff", "uc_check_roles", "uc_check_verifier", "uc_check_admin_remains", "uc_book_open_guard",
        "uc_registration_office_guard", "uc_request_start_guard",
    )},
}


def privileges(spec: str) -> frozenset[str]:
    return frozenset(spec.split())


def expected_sequence_usage(relations: Mapping[str, Mapping[str, str]] = RELATIONS) -> dict[str, set[str]]:
    """table -> groups that get USAGE on its own sequences (those that INSERT into it)."""
    return {table: {group for group, spec in by_group.items() if "INSERT" in privileges(spec)}
            for table, by_group in relations.items()}


def matrix_rows() -> list[tuple[str, ...]]:
    """The matrix as printable rows: object, then each group's privileges (for the README and reviews)."""
    rows = [("object", *(g.removeprefix("uc_") for g in GROUPS))]
    for name, by_group in [*RELATIONS.items(), *FUNCTIONS.items()]:
        if by_group:
            rows.append((name, *(by_group.get(g, "") for g in GROUPS)))
    return rows
