"""Icons by name from resources/icons, resolved the same way in source and frozen runs (no .qrc)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QIcon

from unioncore_desktop.paths import resources_dir

log = logging.getLogger(__name__)

_cache: dict[str, QIcon] = {}


def icon_path(name: str) -> Path:
    return resources_dir() / "icons" / f"{name}.svg"


def get(name: str) -> QIcon:
    """The icon `resources/icons/<name>.svg`; an empty icon (and a warning in the log) when it is missing."""
    icon = _cache.get(name)
    if icon is None:
        path = icon_path(name)
        if path.is_file():
            icon = QIcon(str(path))
        else:
            # A missing icon should not stop a button from appearing in a release build.
            log.warning("icon %r not found at %s", name, path)
            icon = QIcon()
        _cache[name] = icon
    return icon
