"""Icons by name from resources/icons, resolved the same way in source and frozen runs (no .qrc)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from unioncore_desktop.gui import theme
from unioncore_desktop.paths import resources_dir

log = logging.getLogger(__name__)

# the one stroke colour the icons are drawn in; on a dark palette it is turned like any status colour
ICON_STROKE = "#334155"
ICON_SIZES = (16, 20, 24, 32, 48, 64)
_cache: dict[tuple[str, bool], QIcon] = {}


def icon_path(name: str) -> Path:
    return resources_dir() / "icons" / f"{name}.svg"


def get(name: str) -> QIcon:
    """The icon `resources/icons/<name>.svg`; an empty icon (and a warning in the log) when it is missing."""
    dark = theme.is_dark()
    icon = _cache.get((name, dark))
    if icon is None:
        path = icon_path(name)
        if path.is_file():
            icon = _light_stroke(path) if dark else QIcon(str(path))
        else:
            # A missing icon should not stop a button from appearing in a release build.
            log.warning("icon %r not found at %s", name, path)
            icon = QIcon()
        _cache[(name, dark)] = icon
    return icon


def _light_stroke(path: Path) -> QIcon:
    """The icon drawn in a stroke legible on a dark palette (slate on charcoal all but vanishes)."""
    svg = path.read_text(encoding="utf-8").replace(ICON_STROKE, theme.css(ICON_STROKE))
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    icon = QIcon()
    for size in ICON_SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        icon.addPixmap(pixmap)
    return icon
