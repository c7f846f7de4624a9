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
from unioncore_desktop.domain.rules.staff import LOGIN_TAKEN, password_errors, roles_errors, staff_errors
from unioncore_desktop.domain.uow import UnitOfWork


def check_password(password: str, *, field: str = "new_password") -> None:
    """The one password rule (rules/staff.py), raised for the CLI and the services."""
    errors = password_errors(password, field=field)
    if errors:
        raise ValidationError(errors)


def check_roles(roles: Sequence[str]) -> list[str]:
    chosen = list(dict.fromkeys(roles))
    errors = roles_errors(chosen)
    if errors:
        raise ValidationError(errors)
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
    chosen = list(dict.fromkeys(roles))
    errors = staff_errors(login=login, full_name=full_name, roles=chosen)
    if password is not None:
        errors.update(password_errors(password, field="password"))
    if errors:
        raise ValidationError(errors)
    with uow:
        # uc_create_staff re-activates an existing login (the demo set-up relies on it); adding is not the way to
        # change someone's roles or let them back in, so a login already on the staff is refused here
        if uow.session.execute(text("SELECT EXISTS (SELECT 1 FROM staff WHERE login = :l)"), {"l": login}).scalar():
            raise ValidationError({"login": LOGIN_TAKEN})
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
