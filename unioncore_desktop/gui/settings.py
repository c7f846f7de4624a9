"""Typed access to UI state in QSettings, kept per staff login so people sharing a counter PC keep their own layout."""

from __future__ import annotations

import re
from typing import Any, cast

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtWidgets import QHeaderView, QMainWindow, QTableView, QTreeView, QWidget

from unioncore_desktop.db.profile import LIBPQ_SSL_MODES, ConnectionProfile

# Key templates; {user} is filled in by UiSettings, the rest by the caller.
WINDOW_GEOMETRY = "users/{user}/windows/{name}/geometry"
WINDOW_STATE = "users/{user}/windows/{name}/state"
HEADER_STATE = "users/{user}/tables/{name}/header"
LAST_SEARCH = "users/{user}/screens/{name}/last_search"
LAST_PROFILE = "users/{user}/connection/last_profile"
# The folder a file dialog last used, per login and purpose ("saves": reports and exports; "import": old exports).
LAST_FOLDER = "users/{user}/folders/{name}"
# Not per login: the office is where the PC stands, whoever sits at it.
WORKSTATION_OFFICE = "workstation/office_code"
# Connection profiles are the workstation's too (no password: that is in the keyring, if anywhere).
PROFILE_GROUP = "connection_profiles"
PROFILE_KEYS = ("host", "port", "database", "user", "sslmode", "sslrootcert", "reports_host")

_UNSAFE = re.compile(r"[^A-Za-z0-9_.@-]")


def _segment(name: str) -> str:
    # "/" would open a sub-group and "\" is special in INI keys; anything else odd is flattened too.
    cleaned = _UNSAFE.sub("_", name.strip())
    if not cleaned:
        raise ValueError("a settings key segment cannot be empty")
    return cleaned


class UiSettings:
    """Window geometry, header layouts, last searches and the last connection profile for one staff login,
    plus the workstation's office (shared by every login on the PC).

    Passwords and anything about members never go here.
    """

    def __init__(self, user: str, store: QSettings | None = None) -> None:
        self.user = user
        self._user_segment = _segment(user)
        # QSettings() follows the organisation/application names and default format the app sets at start-up.
        self._store = store if store is not None else QSettings()

    def _key(self, template: str, name: str = "") -> str:
        return template.format(user=self._user_segment, name=_segment(name) if name else "")

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._store.value(key, None)
        if isinstance(value, QByteArray) and not value.isEmpty():
            return value
        return None

    def _text(self, key: str, default: str) -> str:
        value = self._store.value(key, default)
        return value if isinstance(value, str) else default

    def sync(self) -> None:
        """Write to disk now (QSettings otherwise writes later, and not at all on a crash)."""
        self._store.sync()

    # --- windows -------------------------------------------------------------------------------------------

    def window_geometry(self, name: str) -> QByteArray | None:
        return self._bytes(self._key(WINDOW_GEOMETRY, name))

    def set_window_geometry(self, name: str, geometry: QByteArray) -> None:
        self._store.setValue(self._key(WINDOW_GEOMETRY, name), geometry)

    def window_state(self, name: str) -> QByteArray | None:
        return self._bytes(self._key(WINDOW_STATE, name))

    def set_window_state(self, name: str, state: QByteArray) -> None:
        self._store.setValue(self._key(WINDOW_STATE, name), state)

    def save_window(self, name: str, window: QWidget) -> None:
        """Call from closeEvent: geometry, plus toolbar/dock state for a QMainWindow."""
        self.set_window_geometry(name, window.saveGeometry())
        if isinstance(window, QMainWindow):
            self.set_window_state(name, window.saveState())

    def restore_window(self, name: str, window: QWidget) -> bool:
        """Call before show(); False when nothing was saved (keep the default size)."""
        geometry = self.window_geometry(name)
        restored = geometry is not None and window.restoreGeometry(geometry)
        state = self.window_state(name)
        if isinstance(window, QMainWindow) and state is not None:
            window.restoreState(state)
        return restored

    # --- tables --------------------------------------------------------------------------------------------

    def header_state(self, table: str) -> QByteArray | None:
        return self._bytes(self._key(HEADER_STATE, table))

    def set_header_state(self, table: str, state: QByteArray) -> None:
        self._store.setValue(self._key(HEADER_STATE, table), state)

    def save_header(self, table: str, header: QHeaderView) -> None:
        self.set_header_state(table, header.saveState())

    def restore_header(self, table: str, header: QHeaderView) -> bool:
        """Column widths, order and hidden columns; False when nothing usable was saved.

        A saved sort is dropped: a list opens in the query's order (a book in queue order), never sorted by
        whatever column was clicked before the last restart."""
        state = self.header_state(table)
        if state is None:
            return False
        # A sorting view would sort its model as the saved indicator comes back; it is off meanwhile.
        view = header.parentWidget()
        sorting = isinstance(view, QTableView | QTreeView) and view.isSortingEnabled()
        if sorting:
            view.setSortingEnabled(False)  # type: ignore[union-attr]
        restored = header.restoreState(state)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        if sorting:
            view.setSortingEnabled(True)  # type: ignore[union-attr]
        return restored

    # --- screens and login ---------------------------------------------------------------------------------

    def last_search(self, screen: str) -> str:
        return self._text(self._key(LAST_SEARCH, screen), "")

    def set_last_search(self, screen: str, text: str) -> None:
        self._store.setValue(self._key(LAST_SEARCH, screen), text)

    def last_folder(self, purpose: str = "saves") -> str | None:
        """The folder this login's file dialog for `purpose` last used (None before the first time)."""
        return self._text(self._key(LAST_FOLDER, purpose), "") or None

    def set_last_folder(self, folder: str, purpose: str = "saves") -> None:
        self._store.setValue(self._key(LAST_FOLDER, purpose), folder)

    def last_profile(self) -> str | None:
        """Name of the connection profile last used (a profile name, never its password)."""
        return self._text(self._key(LAST_PROFILE), "") or None

    def set_last_profile(self, profile: str | None) -> None:
        key = self._key(LAST_PROFILE)
        if profile:
            self._store.setValue(key, profile)
        else:
            self._store.remove(key)


    # --- workstation ---------------------------------------------------------------------------------------

    def workstation_office(self) -> str | None:
        """Code of the office this PC stands in (R1: in-person sign-ons are stamped with it)."""
        return self._text(WORKSTATION_OFFICE, "") or None

    def set_workstation_office(self, code: str | None) -> None:
        if code:
            self._store.setValue(WORKSTATION_OFFICE, code)
        else:
            self._store.remove(WORKSTATION_OFFICE)


# --- connection profiles (per workstation) -----------------------------------------------------------------


def load_connection_profile(name: str = "default", store: QSettings | None = None) -> ConnectionProfile | None:
    """The saved profile, or None when there is none; an encryption setting this build does not know reads as
    "prefer" rather than stopping the login dialog from opening."""
    store = store if store is not None else QSettings()
    store.beginGroup(f"{PROFILE_GROUP}/{_segment(name)}")
    try:
        host = _text(store, "host", "")
        if not host:
            return None
        sslmode = _text(store, "sslmode", "prefer") or "prefer"
        try:
            raw_port: Any = store.value("port", 5432)
            port = int(raw_port)
        except (TypeError, ValueError):
            port = 5432
        try:
            return ConnectionProfile(
                name=name, host=host, port=port, database=_text(store, "database", "unioncore"),
                user=_text(store, "user", ""), sslmode=sslmode if sslmode in LIBPQ_SSL_MODES else "prefer",
                sslrootcert=_text(store, "sslrootcert", ""), reports_host=_text(store, "reports_host", ""))
        except ValueError:  # a server list edited by hand into something libpq cannot read: ask again
            return None
    finally:
        store.endGroup()


def _text(store: QSettings, key: str, default: str) -> str:
    """A text setting: QSettings converts to the type it is given, which its stubs cannot show."""
    return cast(str, store.value(key, default, str))


def save_connection_profile(profile: ConnectionProfile, store: QSettings | None = None) -> None:
    store = store if store is not None else QSettings()
    store.beginGroup(f"{PROFILE_GROUP}/{_segment(profile.name)}")
    try:
        for key in PROFILE_KEYS:
            store.setValue(key, getattr(profile, key))
    finally:
        store.endGroup()
