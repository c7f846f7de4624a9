"""GUI test fixtures: message boxes recorded instead of shown, settings in tmp_path, runners shut down."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.db.connection import connect as connect_hall
from unioncore_desktop.db.profile import ConnectionProfile
from unioncore_desktop.gui import messages
from unioncore_desktop.gui.itemmodels import formatting
from unioncore_desktop.gui.print_preview import PrintPreview
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner


@pytest.fixture(autouse=True)
def computer_zone() -> Iterator[None]:
    """A main window shows times in its hall's zone; the next test starts from the computer's again."""
    yield
    formatting.set_hall_zone(None)


@pytest.fixture(autouse=True)
def message_recorder() -> Iterator[messages.Recorder]:
    """Every GUI test runs headless: a modal box would block the run."""
    recorder = messages.enable_headless(answer=True)
    yield recorder
    messages.disable_headless()


class Previews:
    """The print previews open now (a report, slip or receipt opens one)."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot

    def shown(self) -> list[PrintPreview]:
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, PrintPreview) and w.isVisible()]

    def wait(self, pages: int | None = None, timeout: int = 20_000) -> PrintPreview:
        """The one preview that opened, once it has laid out its pages (`pages` of them, when given)."""
        self.qtbot.waitUntil(lambda: len(self.shown()) == 1 and self.shown()[0].page_count() > 0, timeout=timeout)
        preview = self.shown()[0]
        if pages is not None:
            assert preview.page_count() == pages
        return preview

    def screenshot(self, preview: PrintPreview, path: Path) -> None:
        """A PNG of the preview for eyes; its pages are rendered in the background, so give them a moment."""
        self.qtbot.wait(500)
        preview.grab().save(str(path))

    def close_all(self) -> None:
        for preview in self.shown():
            preview.close()


@pytest.fixture
def previews(qtbot: QtBot) -> Iterator[Previews]:
    helper = Previews(qtbot)
    yield helper
    helper.close_all()


@pytest.fixture
def connect() -> Iterator[Callable[[Any, Callable[..., Any]], None]]:
    """Connect a slot for this test only: the app-wide hub outlives every test."""
    made: list[tuple[Any, Callable[..., Any]]] = []

    def _connect(signal: Any, slot: Callable[..., Any]) -> None:
        signal.connect(slot)
        made.append((signal, slot))

    yield _connect
    for signal, slot in made:
        signal.disconnect(slot)


@pytest.fixture
def settings_dir(tmp_path: Path) -> Path:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    return tmp_path


@pytest.fixture
def ui_settings(settings_dir: Path) -> UiSettings:
    return UiSettings("dispatcher1")


@pytest.fixture
def parent_widget(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[TaskRunner]:
    """A threaded runner, shut down (waiting for its workers) after the test."""
    task_runner = TaskRunner()
    yield task_runner
    task_runner.shutdown(wait=True)


@pytest.fixture
def sync_runner() -> TaskRunner:
    return TaskRunner(synchronous=True)


@pytest.fixture
def staff_login(databases, runner: TaskRunner) -> Iterator[Callable[..., HallConnection]]:
    """Log a new staff member in to a test hall, as the login dialog would: `staff_login(database, role,
    full_name=None)`. The connections close after the test's runner has finished (reads still in flight need
    them)."""
    halls: list[HallConnection] = []

    def login(database: str, role: str, full_name: str | None = None) -> HallConnection:
        user = databases.make_staff(database, role, full_name or f"Test {role.title()}")
        hall = connect_hall(ConnectionProfile.from_url(databases.server.url(database, user)))
        halls.append(hall)
        return hall

    yield login
    runner.shutdown(wait=True)
    for hall in halls:
        hall.close()
