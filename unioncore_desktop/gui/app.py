"""Composition root: QApplication, logging and crash hooks, login (or the demo hall), the main window."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, cast

# Every PySide6 module the app uses loads here, on the GUI thread, before any worker starts: a worker importing
# while this thread loads a PySide6 module can deadlock the two, and a worker may import later (an action's services
# with its first write). Their classes are set up when first used (the print preview's with its first report).
import PySide6.QtPdf
import PySide6.QtPdfWidgets
import PySide6.QtPrintSupport
import PySide6.QtSvg  # noqa: F401
from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QLabel, QWidget

from unioncore_desktop import __version__
from unioncore_desktop.gui import build_forms, gc_tuning, messages, qtlog, theme
from unioncore_desktop.gui.areas import AREAS, area_class
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets import accessible
from unioncore_desktop.log import setup_logging
from unioncore_desktop.paths import resources_dir

# The database driver, the window and its first area are imported once the splash shows (and while the server
# starts or the login connects), not before the first pixel: see Application.start.
if TYPE_CHECKING:
    from unioncore_desktop.db.connection import HallConnection
    from unioncore_desktop.db.profile import ConnectionProfile
    from unioncore_desktop.gui.live import LiveUpdates
    from unioncore_desktop.gui.main_window import MainWindow

log = logging.getLogger(__name__)
DEMO_DEFAULT_USER = "demo_manager"
SCREENSHOT_TIMEOUT_MS = 120_000
SCREENSHOT_SETTLE_MS = 1_500
# --open may name a dialog too: the area shown behind it (None: the first area) and how the window opens it
DIALOGS: dict[str, str | None] = {"manage-books": "books", "staff": None, "import": None}
# bench/cold_start.py sets this: print the wall-clock time of each start-up step, and quit once the area first
# opened has painted its loaded list
TIME_START = "UNIONCORE_TIME_START"


def mark(step: str) -> None:
    """One start-up step's wall-clock time on stdout, when timed."""
    if os.environ.get(TIME_START):
        print(f"start-timing {step} {time.time():.4f}", flush=True)
START_UP_SETTLED_MS = 3_000  # the first area's lists have arrived: what start-up built is kept out of the collector


OFFSCREEN_DEFAULT_PIXELS = (800, 800)  # the offscreen platform's screen unless a configuration file gives one


def _default_offscreen_screen() -> bool:
    screen = QGuiApplication.primaryScreen()
    if screen is None:
        return True
    size, ratio = screen.geometry().size(), screen.devicePixelRatio()
    return (round(size.width() * ratio), round(size.height() * ratio)) == OFFSCREEN_DEFAULT_PIXELS


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="unioncore-desktop", description="UnionCore Desktop")
    parser.add_argument("--demo", action="store_true", help="run on the private demo server with demo data")
    parser.add_argument("--screenshot", type=Path, metavar="PATH",
                        help="save a PNG of the main window once the screen has loaded, then exit")
    parser.add_argument("--open", choices=(*AREAS, *DIALOGS), default="members",
                        help="area (or manager's or admin's dialog) to open first")
    parser.add_argument("--user", help="demo staff login to start as (default: the demo manager)")
    parser.add_argument("--debug", action="store_true")
    parser.add_argument("--debug-sql", action="store_true")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser.parse_args(argv)


class Application(QObject):
    """Runs the start-up flow with callbacks, so nothing blocks the GUI thread."""

    def __init__(self, args: argparse.Namespace, log_path: Path) -> None:
        super().__init__()
        self.args = args
        self.runner = TaskRunner(self, log_path=log_path)
        self.window: MainWindow | None = None
        self.live: LiveUpdates | None = None
        self.demo_profile: ConnectionProfile | None = None
        self.splash = QLabel("Starting UnionCore Desktop…")
        self.splash.setObjectName("splash")
        self.splash.setMinimumSize(420, 120)
        self.exit_code = 0
        self._screenshot_saved = False
        self._preloaded = threading.Event()  # set once the window's modules are imported
        self._logged_in: HallConnection | None = None  # the demo's login, until the window's modules are in

    def start(self) -> None:
        """The splash (or the log-in) painted first; then the window's modules and the first area's. A worker
        importing modules while this thread loads a PySide6 module can deadlock the two, so the demo's worker
        starts only once everything it runs is imported, and imports nothing while this thread goes on with the
        window's modules: the demo server and the log-in's round trips overlap those imports."""
        if self.args.demo:
            self.splash.setText("Starting the demo database (the first run creates the demo hall)…")
            self.splash.show()
            QApplication.processEvents()  # painted before anything heavy is imported
            mark("splash")
            _preload_database()
            user = self.args.user or DEMO_DEFAULT_USER
            self.runner.query(partial(_start_demo_and_log_in, user, self._preloaded), parent=self.splash,
                              success=self._on_demo_logged_in, failure=lambda _exc: self._quit(1), name="start demo")
            try:
                self._preload(repaint=True)
            finally:
                self._preloaded.set()
            self._open_when_ready()
        else:
            self._login()

    def first_area(self) -> str:
        return self.args.open if self.args.open in AREAS else DIALOGS.get(self.args.open) or next(iter(AREAS))

    def _preload(self, repaint: bool = False) -> None:
        """`repaint`: the splash repaints between the imports (the demo's log-in arriving meanwhile waits for
        them, `_open_when_ready`; at the log-in dialog a click could start a worker mid-import)."""
        from unioncore_desktop.gui import main_window  # noqa: F401 - imported now, used when logged in

        if repaint:
            QApplication.processEvents()
        area_class(self.first_area())
        if repaint:
            QApplication.processEvents()
        mark("imported")

    def _on_demo_logged_in(self, started: tuple[ConnectionProfile, HallConnection]) -> None:
        self.demo_profile, self._logged_in = started
        self._open_when_ready()

    def _open_when_ready(self) -> None:
        """The window opens once its modules are imported and the demo's login has come back, whichever is last."""
        if self._preloaded.is_set() and self._logged_in is not None:
            hall, self._logged_in = self._logged_in, None
            self._open_main_window(hall)

    def _login(self) -> None:
        from unioncore_desktop.gui.login import LoginDialog

        dialog = LoginDialog(self.runner, demo_profile=self.demo_profile)
        dialog.finished.connect(lambda result: self._on_login_finished(dialog.connection if result else None))
        dialog.open()
        if self.window is None:
            QApplication.processEvents()  # the dialog painted while the rest is imported
            self._preload()

    def _on_login_finished(self, connection: HallConnection | None) -> None:
        if connection is not None:
            self._open_main_window(connection)
        elif self.window is None:
            self._quit(0)

    def _open_main_window(self, hall: HallConnection) -> None:
        from unioncore_desktop.db.preflight import SchemaState
        from unioncore_desktop.gui.live import LiveUpdates
        from unioncore_desktop.gui.main_window import MainWindow, fit_to_screen
        from unioncore_desktop.gui.own_login import OwnLoginWatch
        from unioncore_desktop.gui.settings import UiSettings

        mark("logged-in")
        if hall.facts.schema is SchemaState.NEEDS_UPGRADE:
            self._offer_upgrade(hall)
            return
        previous = self.window
        self._stop_live()
        if previous is not None:
            previous.switch_user_requested.disconnect()
            previous.leave()
            previous.hall.close()
        settings = UiSettings(hall.facts.user)
        self.window = MainWindow(self.runner, hall, settings, self.first_area())
        mark("window-built")
        if self.args.screenshot and QGuiApplication.platformName() == "offscreen":
            # the offscreen platform's screen is a virtual 800 x 800 nobody sees: picture the window as it opens
            # on a desktop, not shrunk onto that
            self.window.resize(1360, 820)
            if not _default_offscreen_screen():
                fit_to_screen(self.window)  # a configured offscreen screen (150 %: 1280 x 720) is honoured
        self.window.switch_user_requested.connect(self._login)
        # Other workstations' commits refresh open screens (the live board); one listener per login. The echo of
        # this workstation's own commits is left out: its screens heard those changes from the task runner.
        self.live = LiveUpdates(hall.listener, self, own_application=hall.application_name)
        # another workstation deactivating this login or resetting its password is said at once
        watch = OwnLoginWatch(self.runner, hall, self.window)
        self.live.changes_received.connect(watch.on_changes)
        watch.logged_out.connect(lambda _text: self._login())
        self.live.start()
        QTimer.singleShot(START_UP_SETTLED_MS, gc_tuning.after_start_up)
        self.splash.hide()
        if self.args.open in DIALOGS:
            self._open_dialog(self.args.open)
            return
        screen = self.window.open_area(self.args.open)
        self.window.show()
        mark("window-shown")
        if os.environ.get(TIME_START):
            self._time_first_paint(screen)
        if self.args.screenshot:
            self._arm_screenshot(screen)

    def _open_dialog(self, key: str) -> None:
        """A dialog over its area (`--open manage-books`, `--open staff`, `--open import`); with --screenshot, the
        dialog's PNG once its list has loaded."""
        assert self.window is not None
        self.window.open_area(DIALOGS[key] or next(iter(AREAS)))
        self.window.show()
        openers = {"manage-books": getattr(self.window.screens["books"], "open_manage_books", None)
                   if key == "manage-books" else None,
                   "staff": self.window.manage_staff if self.window.staff_action is not None else None,
                   "import": self.window.import_records if self.window.import_action is not None else None}
        opener = openers[key]
        dialog = opener() if opener is not None else None
        if dialog is None:
            self._fail(f"{self.window.hall.facts.user} may not open {key}")
            return
        if self.args.screenshot:
            QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, lambda: self._fail("the dialog did not load in time"))
            dialog.loaded.connect(  # type: ignore[union-attr]
                lambda: QTimer.singleShot(SCREENSHOT_SETTLE_MS, lambda: self._save_screenshot(dialog)))

    def _offer_upgrade(self, hall: HallConnection) -> None:
        """An older schema: the login that owns the schema may upgrade it from here; anyone else (a staff admin
        too: staff logins never own the schema) is told plainly and logs out."""
        parent = self.window or self.splash
        facts = hall.facts
        if not facts.can_migrate:
            hall.close()
            messages.error(parent, "Database needs an upgrade",
                           f"The database is at schema {facts.revision or '(empty)'} and this program needs "
                           f"{facts.head}. Ask whoever runs the database server to upgrade it (unioncore db "
                           "upgrade, as the database's owner), then log in again.")
            if self.window is not None:
                self._login()
            else:
                self._quit(1)
            return
        if not messages.question(parent, "Upgrade the database?",
                                 f"The database is at schema {facts.revision or '(empty)'}; this program needs "
                                 f"{facts.head}. Upgrade it now? Other workstations must be updated afterwards."):
            hall.close()
            if self.window is None:
                self._quit(0)
            return
        self.runner.command(hall.upgrade_schema, parent=parent, success=lambda _facts: self._open_main_window(hall),
                            name="upgrade schema")

    def _arm_screenshot(self, screen: QWidget) -> None:
        """Wait for the screen to load, show its list's first record (a member's with the dispatch profile in
        front), then save the PNG and quit. A screen without a list (reports) is ready once it has loaded; one
        without a `loaded` signal once it has painted."""
        QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, lambda: self._fail("the screen did not load in time"))
        loaded = getattr(screen, "loaded", None)
        if loaded is None:
            QTimer.singleShot(SCREENSHOT_SETTLE_MS, self._save_screenshot)
            return

        def on_loaded() -> None:
            loaded.disconnect(on_loaded)
            panel = getattr(screen, "panel", None)
            model = getattr(screen, "model", None)
            if panel is not None and model is not None and model.rowCount():
                panel.view.selectRow(0)
            # a screen whose selection opens no record (requests, referral, reports) is ready once it has painted
            QTimer.singleShot(SCREENSHOT_SETTLE_MS, self._save_screenshot)

        loaded.connect(on_loaded)
        record_shown = getattr(screen, "record_shown", None)
        if record_shown is None:
            return

        def on_record_shown() -> None:
            show_profile = getattr(screen, "show_profile_tab", None)  # a member's record: its dispatch profile
            if callable(show_profile):
                show_profile()
            QTimer.singleShot(200, self._save_screenshot)

        record_shown.connect(on_record_shown)

    def _time_first_paint(self, screen: QWidget) -> None:
        """Once the area has loaded, the time its list (else the area) next finishes painting; then quit."""
        view = getattr(getattr(screen, "panel", None), "view", None)
        target = view.viewport() if isinstance(view, QAbstractScrollArea) else screen

        def painted() -> None:
            mark("first-paint")
            self._quit(0)

        watch = PaintWatch(target, painted)
        loaded = getattr(screen, "loaded", None)
        if loaded is None:
            watch.arm()
        else:
            loaded.connect(watch.arm)

    def _save_screenshot(self, target: QWidget | None = None) -> None:
        assert self.window is not None
        if self._screenshot_saved:  # the record came up before the settle time
            return
        self._screenshot_saved = True
        path = self.args.screenshot
        path.parent.mkdir(parents=True, exist_ok=True)
        if not (target or self.window).grab().save(str(path)):
            self._fail(f"could not write {path}")
            return
        print(f"screenshot saved to {path}")
        self._quit(0)

    def _fail(self, why: str) -> None:
        print(f"unioncore-desktop: {why}", file=sys.stderr)
        self._quit(1)

    def _quit(self, code: int) -> None:
        self.exit_code = code
        QApplication.exit(code)

    def _stop_live(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live.deleteLater()
            self.live = None

    def shutdown(self) -> None:
        self._stop_live()
        self.runner.shutdown(wait=True)
        if self.window is not None:
            self.window.hall.close()


class PaintWatch(QObject):
    """Calls `done` once, after the first paint of `target` that follows `arm()`."""

    def __init__(self, target: QWidget, done: Callable[[], None]) -> None:
        super().__init__(target)
        self.target = target
        self.done = done
        self.armed = False
        target.installEventFilter(self)

    def arm(self) -> None:
        self.armed = True
        self.target.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if self.armed and event.type() == QEvent.Type.Paint:
            self.armed = False
            QTimer.singleShot(0, self.done)  # once this paint has finished
        return False


def _preload_database() -> None:
    """On the GUI thread, before the demo's worker starts: the modules that worker runs (SQLAlchemy, psycopg, the
    embedded server's package, the log-in)."""
    from unioncore_desktop import demo  # noqa: F401
    from unioncore_desktop.db import connection, embedded  # noqa: F401

    embedded.load_package()


def _start_demo_and_log_in(user: str, preloaded: threading.Event) -> tuple[ConnectionProfile, HallConnection]:
    """In a worker: the demo server and its database, then the log-in as `user` (the demo's own profile too, for
    Switch user). A demo hall to migrate or seed (a first start) imports Alembic and the generators here, so that
    waits until the GUI thread has `preloaded` the window's modules."""
    from unioncore_desktop import demo
    from unioncore_desktop.db.connection import connect

    profile = demo.start(before_preparing=preloaded.wait).profile()
    return profile, connect(profile.with_user(user))


def _install_excepthooks(log_path: Path) -> None:
    def show(exc: BaseException) -> None:
        parent = QApplication.activeWindow()
        if parent is not None:
            messages.exception_dialog(parent, exc, log_path)

    def hook(exc_type, exc, tb) -> None:  # noqa: ANN001
        log.critical("unhandled error", exc_info=(exc_type, exc, tb))
        show(exc)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        # logging prints a (type, None, traceback) triple as well; typeshed only admits a value there
        log.critical("unhandled error in %s", args.thread,
                     exc_info=(args.exc_type, args.exc_value, args.exc_traceback))  # type: ignore[arg-type]

    sys.excepthook = hook
    threading.excepthook = thread_hook


def headless_platform(args: argparse.Namespace, environ: dict[str, str] | os._Environ[str] = os.environ,
                      platform: str = sys.platform) -> bool:
    """A --screenshot run on a Linux machine with no display draws offscreen instead of aborting in Qt's
    platform plugin; True when it set QT_QPA_PLATFORM (a platform the user chose is kept)."""
    if not args.screenshot or environ.get("QT_QPA_PLATFORM") or not platform.startswith("linux"):
        return False
    if environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return False
    environ["QT_QPA_PLATFORM"] = "offscreen"
    return True


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    gc_tuning.tune()
    headless_platform(args)  # before the QApplication picks its platform plugin
    log_path = setup_logging(debug=args.debug, debug_sql=args.debug_sql)
    build_forms.build()
    app = cast(QApplication, QApplication.instance() or QApplication(sys.argv[:1]))
    mark("qapplication")
    app.setOrganizationName("UnionCore")
    app.setApplicationName("UnionCore Desktop")
    app.setApplicationVersion(__version__)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    qtlog.install()
    _install_excepthooks(log_path)
    app.focusChanged.connect(accessible.name_window_of)  # every dialog's fields get their labels' names
    style = resources_dir() / "styles" / "app.qss"
    if style.exists():
        app.setStyleSheet(theme.style_sheet(style.read_text(encoding="utf-8")))  # a dark palette turns it
    application = Application(args, log_path)
    QTimer.singleShot(0, application.start)
    code = app.exec()
    application.shutdown()
    return application.exit_code or code


if __name__ == "__main__":
    raise SystemExit(main())
