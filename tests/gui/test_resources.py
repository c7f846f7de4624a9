"""Icons and the stylesheet load from resources/ and parse cleanly (Qt warnings fail the run)."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QTableView, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from unioncore_desktop.gui import icons
from unioncore_desktop.paths import resources_dir

ICONS = [
    "members", "employers", "books", "dispatch", "dues", "reports", "audit", "search", "save", "export-excel",
    "print", "refresh", "add", "deactivate", "warning",
]


@pytest.mark.parametrize("name", ICONS)
def test_icon_is_a_24px_line_icon(qtbot: QtBot, name: str) -> None:
    path = icons.icon_path(name)
    root = ET.parse(path).getroot()
    assert root.get("viewBox") == "0 0 24 24"
    assert QSvgRenderer(str(path)).isValid()
    assert not icons.get(name).pixmap(24, 24).isNull()


def test_missing_icon_is_empty_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="unioncore_desktop.gui.icons"):
        assert icons.get("no-such-icon").isNull()
    assert "no-such-icon" in caplog.text


def test_stylesheet_applies_without_warnings(qtbot: QtBot) -> None:
    sheet = (resources_dir() / "styles" / "app.qss").read_text(encoding="utf-8")
    window = QWidget()
    qtbot.addWidget(window)
    navigation = QListWidget()
    navigation.setObjectName("navigation")
    navigation.addItems(["Members", "Books"])
    navigation.setCurrentRow(0)
    banner = QLabel("Cannot reach the server.")
    banner.setObjectName("connectionBanner")
    field = QLineEdit()
    field.setProperty("error", True)
    field_error = QLabel("Card number already in use.")
    field_error.setObjectName("fieldError")
    layout = QVBoxLayout(window)
    for widget in (navigation, banner, field, field_error, QTableView()):
        layout.addWidget(widget)

    window.setStyleSheet(sheet)
    window.show()
    qtbot.waitExposed(window)
    window.repaint()

    assert field.palette() is not None
