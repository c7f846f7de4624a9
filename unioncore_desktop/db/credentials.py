"""Passwords in the system keyring. With no usable backend (a headless box) the app asks every time instead;
a password is never written to a file, a profile or a log."""

from __future__ import annotations

import contextlib
import logging

import keyring
from keyring.errors import KeyringError, NoKeyringError, PasswordDeleteError

from unioncore_desktop import APP_NAME
from unioncore_desktop.db.profile import ConnectionProfile

log = logging.getLogger(__name__)
SERVICE = APP_NAME


def keyring_available() -> bool:
    """False when only the fail/null backend is present; the login dialog then says so once."""
    try:
        backend = keyring.get_keyring()
    except NoKeyringError:
        return False
    priority = getattr(backend, "priority", 0)
    try:
        return float(priority) > 0
    except TypeError:
        return True


def load_password(profile: ConnectionProfile) -> str | None:
    try:
        return keyring.get_password(SERVICE, profile.keyring_username)
    except (NoKeyringError, KeyringError) as exc:
        log.info("no keyring password for %s: %s", profile.keyring_username, type(exc).__name__)
        return None


def save_password(profile: ConnectionProfile, password: str) -> bool:
    """Returns False when there is no keyring to keep it in (the caller asks next time)."""
    try:
        keyring.set_password(SERVICE, profile.keyring_username, password)
    except (NoKeyringError, KeyringError) as exc:
        log.info("keyring unavailable, password not kept: %s", type(exc).__name__)
        return False
    return True


def forget_password(profile: ConnectionProfile) -> None:
    with contextlib.suppress(NoKeyringError, PasswordDeleteError, KeyringError):
        keyring.delete_password(SERVICE, profile.keyring_username)
