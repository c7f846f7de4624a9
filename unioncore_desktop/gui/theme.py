"""Status colours that stay legible on the palette in use: each colour is chosen for a light palette, and on a
dark one it is turned around by lightness (same hue), so text stays readable and tints stay tints.

Every coloured cell, label and the style sheet go through here instead of using a hex colour as it is."""

from __future__ import annotations

import functools
import re

from PySide6.QtGui import QBrush, QColor, QGuiApplication, QPalette

# On a dark palette a status text colour is at least this light (0-255): greys meant as "muted" stay readable.
MIN_DARK_TEXT_LIGHTNESS = 150
# A tint on a dark palette sits this much above the base's lightness.
DARK_TINT_LIFT = 28
_HEX = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b")
_DECLARATION = re.compile(r"([\w-]+)(\s*:\s*)([^;{}]*)")


def is_dark(palette: QPalette | None = None) -> bool:
    """True when the palette's base (where rows and fields are drawn) is dark."""
    palette = palette if palette is not None else QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def text(colour: QColor | str, palette: QPalette | None = None) -> QColor:
    """A status colour for text or a line, legible on the palette's base."""
    colour = QColor(colour)
    if not is_dark(palette):
        return colour
    return _dark_text(colour.rgba())


def tint(colour: QColor | str, palette: QPalette | None = None) -> QColor:
    """A background tint (tier shading, the next eligible row) that the palette's text stays legible on."""
    colour = QColor(colour)
    palette = palette if palette is not None else QGuiApplication.palette()
    if not is_dark(palette):
        return colour
    return _dark_tint(colour.rgba(), palette.color(QPalette.ColorRole.Base).lightness())


def text_brush(colour: QColor | str) -> QBrush:
    return _brush(text(colour).rgba())


def tint_brush(colour: QColor | str) -> QBrush:
    return _brush(tint(colour).rgba())


def css(colour: str, palette: QPalette | None = None) -> str:
    """A text colour for HTML or a style sheet, as #rrggbb."""
    return text(colour, palette).name()


def style_sheet(sheet: str, palette: QPalette | None = None) -> str:
    """The style sheet with its colours suited to the palette: backgrounds as tints, the rest as text colours."""
    palette = palette if palette is not None else QGuiApplication.palette()
    if not is_dark(palette):
        return sheet

    def declaration(match: re.Match[str]) -> str:
        prop, colon, value = match.groups()
        background = "background" in prop and prop != "selection-color"
        swap = (lambda c: tint(c, palette).name()) if background else (lambda c: text(c, palette).name())
        return prop + colon + _HEX.sub(lambda hex_match: swap(hex_match.group(0)), value)

    return _DECLARATION.sub(declaration, sheet)


@functools.lru_cache(maxsize=256)
def _dark_text(rgba: int) -> QColor:
    colour = QColor.fromRgba(rgba)
    lightness = max(255 - colour.lightness(), MIN_DARK_TEXT_LIGHTNESS)
    return QColor.fromHsl(max(colour.hslHue(), 0), colour.hslSaturation(), lightness, colour.alpha())


@functools.lru_cache(maxsize=256)
def _dark_tint(rgba: int, base_lightness: int) -> QColor:
    colour = QColor.fromRgba(rgba)
    lightness = min(base_lightness + DARK_TINT_LIFT, 90)
    return QColor.fromHsl(max(colour.hslHue(), 0), min(colour.hslSaturation(), 110), lightness, colour.alpha())


@functools.lru_cache(maxsize=256)
def _brush(rgba: int) -> QBrush:
    return QBrush(QColor.fromRgba(rgba))
