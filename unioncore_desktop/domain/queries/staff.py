"""Staff logins as the administrator sees them (the app's staff screen and `unioncore staff list` alike), and one
person's recent changes from the audit trail.

The roles come from the catalog by name (pg_auth_members joined to pg_roles), never from pg_has_role on the login:
a login dropped on the server behind the app's back is listed as missing instead of failing the whole list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.vocab import STAFF_ROLES

ACTIVITY_LIMIT = 200


@dataclass(frozen=True, slots=True)
class StaffRow:
    id: int
    login: str
    full_name: str
    roles: tuple[str, ...]  # the app's roles, in STAFF_ROLES order
    active: bool  # the staff record's flag (deactivated staff keep their history)
    can_log_in: bool  # the server role exists and has LOGIN
    login_missing: bool  # no such role on the server any more (dropped outside the app)
    last_change: datetime | None  # the newest audited change to the record, its roles or password
    version: int

    @property
    def state(self) -> str:
        if self.login_missing:
            return "login missing"
        if not self.active:
            return "deactivated"
        return "active" if self.can_log_in else "cannot log in"


@dataclass(frozen=True, slots=True)
class ActivityRow:
    id: int
    changed_at: datetime
    table_name: str
    action: str
    row_key: str
    changed_fields: tuple[str, ...]
    member_id: int | None
    application_name: str | None


@dataclass(frozen=True, slots=True)
class StaffActivity:
    login: str
    rows: list[ActivityRow]
    limit: int  # at most this many newest rows are shown


@dataclass(frozen=True, slots=True)
class OwnLogin:
    """The logged-in person's own staff record (None from `own_login` for a login that is not staff)."""

    id: int
    login: str
    active: bool


def own_login(session: Session | Connection) -> OwnLogin | None:
    row = session.execute(text("SELECT id, login, active FROM staff WHERE login = session_user")).mappings().first()
    return OwnLogin(**row) if row is not None else None


LIST_STAFF = text("""
    SELECT s.id, s.login, s.full_name, s.active, s.version,
           coalesce(r.rolcanlogin, false) AS can_log_in, r.oid IS NULL AS login_missing,
           coalesce(ARRAY(SELECT substr(g.rolname, 4)
                          FROM pg_catalog.pg_auth_members AS m
                          JOIN pg_catalog.pg_roles AS g ON g.oid = m.roleid
                          WHERE m.member = r.oid AND g.rolname = ANY (:groups)), '{}') AS roles,
           (SELECT max(a.changed_at) FROM audit_trail AS a
            WHERE a.table_name = 'staff' AND a.row_key = s.id::text) AS last_change
    FROM staff AS s
    LEFT JOIN pg_catalog.pg_roles AS r ON r.rolname = s.login
    ORDER BY s.login
""")


def list_staff(session: Session | Connection) -> list[StaffRow]:
    rows = session.execute(LIST_STAFF, {"groups": [f"uc_{role}" for role in STAFF_ROLES]}).mappings()
    return [StaffRow(id=r["id"], login=r["login"], full_name=r["full_name"],
                     roles=tuple(role for role in STAFF_ROLES if role in r["roles"]), active=r["active"],
                     can_log_in=r["can_log_in"], login_missing=r["login_missing"], last_change=r["last_change"],
                     version=r["version"])
            for r in rows]


# audit_trail holds back the rows of tables the reader may not read (dues amounts, for an admin), so the person's
# activity is what the reader could see anyway; db_user = :login is leakproof and runs below the view's barrier.
STAFF_ACTIVITY = text("""
    SELECT a.id, a.changed_at, a.table_name, a.action, a.row_key, a.changed_fields, a.member_id, a.application_name
    FROM audit_trail AS a
    WHERE a.db_user = :login
    ORDER BY a.changed_at DESC, a.id DESC
    LIMIT :limit
""")


def staff_activity(session: Session | Connection, login: str, limit: int = ACTIVITY_LIMIT) -> StaffActivity:
    rows = session.execute(STAFF_ACTIVITY, {"login": login, "limit": limit}).mappings()
    return StaffActivity(login=login, limit=limit, rows=[
        ActivityRow(id=r["id"], changed_at=r["changed_at"], table_name=r["table_name"], action=r["action"],
                    row_key=r["row_key"], changed_fields=tuple(r["changed_fields"] or ()),
                    member_id=r["member_id"], application_name=r["application_name"])
        for r in rows])
