"""What a staff login needs before the database is asked: a login name PostgreSQL takes unquoted, a full name, at
least one of the app's roles and a password long enough. The add-staff form, the reset-password form, the CLI and
the services all check with these; the database functions (migration 0014) refuse the same."""

from __future__ import annotations

import re
from collections.abc import Sequence

from unioncore_desktop.domain.vocab import LOGIN_PATTERN, STAFF_ROLES

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 200
FULL_NAME_LENGTH = 120
LOGIN_TAKEN = ("That login already belongs to a staff member; change their roles or reactivate them instead of "
               "adding them again.")
PASSWORDS_DIFFER = "The two passwords are not the same; type the password again in both fields."


def password_errors(password: str, *, field: str = "new_password") -> dict[str, str]:
    if len(password) < PASSWORD_MIN_LENGTH:
        return {field: f"A password has at least {PASSWORD_MIN_LENGTH} characters."}
    if len(password) > PASSWORD_MAX_LENGTH:
        return {field: f"A password has at most {PASSWORD_MAX_LENGTH} characters."}
    if password != password.strip() or "\x00" in password:
        return {field: "A password cannot start or end with spaces or hold a NUL character."}
    return {}


def new_password_errors(password: str, again: str, *, field: str = "new_password",
                        again_field: str = "confirm") -> dict[str, str]:
    """A password typed twice (the forms): its own errors first, then whether the two differ."""
    errors = password_errors(password, field=field)
    if not errors and password != again:
        errors[again_field] = PASSWORDS_DIFFER
    return errors


def roles_errors(roles: Sequence[str]) -> dict[str, str]:
    if not roles:
        return {"roles": "Give the staff member at least one role."}
    unknown = [r for r in roles if r not in STAFF_ROLES]
    if unknown:
        return {"roles": f"Unknown role {unknown[0]!r}: use {', '.join(STAFF_ROLES)}."}
    return {}


def staff_errors(*, login: str, full_name: str, roles: Sequence[str]) -> dict[str, str]:
    """A new staff login's name, full name and roles (its password is checked by `password_errors`)."""
    errors: dict[str, str] = {}
    if not login:
        errors["login"] = "Give the login the person will type."
    elif not re.fullmatch(LOGIN_PATTERN, login):
        errors["login"] = ("A login is 3 to 63 lower-case letters, digits or underscores and does not start "
                           "with a digit.")
    elif login.startswith(("uc_", "pg_")):
        errors["login"] = "Logins starting with uc_ or pg_ are reserved."
    name = full_name.strip()
    if not name:
        errors["full_name"] = "Give the staff member's full name."
    elif len(name) > FULL_NAME_LENGTH:
        errors["full_name"] = f"A name has at most {FULL_NAME_LENGTH} characters."
    errors.update(roles_errors(roles))
    return errors
