"""Where resources and per-user data live, for source and frozen (PyInstaller) runs alike."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs

from unioncore_desktop import APP_NAME


def bundle_root() -> Path:
    """The folder holding `resources/` and `migrations/`: the repo in a source run, `_MEIPASS` when frozen."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen)
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return bundle_root() / "resources"


def migrations_dir() -> Path:
    return bundle_root() / "migrations"


def user_data_dir() -> Path:
    path = platformdirs.user_data_path(APP_NAME, appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_dir() -> Path:
    path = user_data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path
