"""Staff logins: add, roles, deactivate and reactivate, reset a password, change one's own.

Each staff member is their own PostgreSQL login; the database functions (migration 0014) decide who may touch
which login and audit every change. Passwords leave this process only as SCRAM-SHA-256 verifiers computed here by
libpq, so no plain password reaches the server, its logs or its statistics.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import psycopg

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.errors import ValidationError
from unioncore_desktop.domain.uow import UnitOfWork
from unioncore_desktop.domain.vocab import STAFF_ROLES

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 200


def check_password(password: str, *, field: str = "new_password") -> None:
    """The one password rule, for the CLI, the dialogs and the services alike."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise ValidationError({field: f"A password has at least {PASSWORD_MIN_LENGTH} characters."})
    if len(password) > PASSWORD_MAX_LENGTH:
        raise ValidationError({field: f"A password has at most {PASSWORD_MAX_LENGTH} characters."})
    if password != password.strip() or "\x00" in password:
        raise ValidationError({field: "A password cannot start or end with spaces or hold a NUL character."})


def check_roles(roles: Sequence[str]) -> list[str]:
    chosen = list(dict.fromkeys(roles))
    if not chosen:
        raise ValidationError({"roles": "Give the staff member at least one role."})
    unknown = [r for r in chosen if r not in STAFF_ROLES]
    if unknown:
        raise ValidationError({"roles": f"Unknown role {unknown[0]!r}: use {', '.join(STAFF_ROLES)}."})
    return chosen


def password_verifier(session: Session, login: str, password: str) -> str:
    """libpq's SCRAM-SHA-256 verifier for `login` (computed locally, with a fresh salt); callers have checked the
    password with `check_password` before opening their unit of work."""
    driver = cast("psycopg.Connection[Any]", session.connection().connection.driver_connection)
    return driver.pgconn.encrypt_password(password.encode(), login.encode(), b"scram-sha-256").decode()


def _call(uow: UnitOfWork, sql: str, params: dict[str, object]) -> None:
    """One staff function in its own committed transaction."""
    with uow:
        uow.session.execute(text(sql), params)
        uow.commit()


def add_staff(uow: UnitOfWork, *, login: str, full_name: str, roles: Sequence[str],
              password: str | None = None) -> int:
    chosen = check_roles(roles)
    if password is not None:
        check_password(password)
    with uow:
        verifier = password_verifier(uow.session, login, password) if password is not None else None
        staff_id = uow.session.execute(text("SELECT uc_create_staff(:l, :n, :r, :p)"),
                                       {"l": login, "n": full_name, "r": chosen, "p": verifier}).scalar_one()
        uow.commit()
    return int(staff_id)


def set_roles(uow: UnitOfWork, *, login: str, roles: Sequence[str]) -> None:
    _call(uow, "SELECT uc_set_staff_roles(:l, :r)", {"l": login, "r": check_roles(roles)})


def deactivate(uow: UnitOfWork, *, login: str) -> None:
    _call(uow, "SELECT uc_deactivate_staff(:l)", {"l": login})


def reactivate(uow: UnitOfWork, *, login: str) -> None:
    _call(uow, "SELECT uc_reactivate_staff(:l)", {"l": login})


def reset_password(uow: UnitOfWork, *, login: str, new_password: str) -> None:
    check_password(new_password)
    with uow:
        verifier = password_verifier(uow.session, login, new_password)
        uow.session.execute(text("SELECT uc_reset_staff_password(:l, :v)"), {"l": login, "v": verifier})
        uow.commit()


def change_own_password(uow: UnitOfWork, *, new_password: str) -> None:
    """The logged-in staff member's own password; the server takes the login from the session, not from us."""
    check_password(new_password)
    with uow:
        login = uow.session.execute(text("SELECT session_user")).scalar_one()
        verifier = password_verifier(uow.session, login, new_password)
        uow.session.execute(text("SELECT uc_change_own_password(:v)"), {"v": verifier})
        uow.commit()
