"""The program as a user starts it: `--demo --screenshot --open AREA` seeds the demo hall on first start, opens
the area (or a manager's or admin's dialog over it), saves a PNG once the screen has loaded and exits 0 (the
README's and the installer's start check)."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest

AREAS = ("members", "employers", "books", "requests", "referral", "reports", "dues", "setup", "request_history")
NO_DISPLAY = ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY")


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """A user with no demo hall yet: the first start creates it, the others reuse it."""
    return tmp_path_factory.mktemp("home")


@pytest.mark.parametrize("area, user", [*((area, "demo_dispatcher") for area in AREAS),
                                        ("manage-books", "demo_manager"), ("staff", "demo_admin"),
                                        ("import", "demo_admin")])
def test_the_demo_opens_each_area_and_saves_a_screenshot(home: Path, area: str, user: str):
    """No display and no QT_QPA_PLATFORM, as on a build machine: the screenshot is drawn offscreen."""
    shot = home / f"{area}.png"
    env = {key: value for key, value in os.environ.items() if key not in NO_DISPLAY}
    env |= {"HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config")}
    if sys.platform != "linux":
        env["QT_QPA_PLATFORM"] = "offscreen"
    done = subprocess.run([sys.executable, "-m", "unioncore_desktop.gui.app", "--demo", "--user", user,
                           "--screenshot", str(shot), "--open", area],
                          env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"screenshot saved to {shot}" in done.stdout
    assert shot.stat().st_size > 10_000
    if area in AREAS:  # the window as it opens on a desktop, not squeezed onto the offscreen platform's 800 x 800
        assert struct.unpack(">II", shot.read_bytes()[16:24]) == (1360, 820)


# Runs the app as bench/cold_start.py does, noting what a worker imports while the GUI thread imports the window's
# modules and until the book has painted, and which ORM models are loaded then.
TIMED_START = """
import sys, threading
import unioncore_desktop.gui.app as app
steps, imported_off_main = [], {'while-importing': [], 'until-painted': []}
class Watch:
    def find_spec(self, name, path=None, target=None):
        if threading.current_thread() is not threading.main_thread() and 'first-paint' not in steps:
            imported_off_main['until-painted' if 'imported' in steps else 'while-importing'].append(name)
sys.meta_path.insert(0, Watch())
mark = app.mark
def timed(step):
    mark(step)
    steps.append(step)
    if step == 'first-paint':
        for phase, names in imported_off_main.items():
            print(phase, sorted(set(names)))
        print('models', sorted(m for m in sys.modules if m.startswith('unioncore_desktop.domain.models')))
app.mark = timed
raise SystemExit(app.main(['--demo', '--open', 'books']))
"""


def test_a_timed_start_paints_the_book_with_no_import_in_a_worker_and_no_orm_model(home: Path):
    """The demo's worker starts the server and logs in while the GUI thread imports the window's modules, so it
    imports nothing then (a worker importing while the GUI thread loads a PySide6 module can deadlock the two):
    a first start, which migrates and seeds, waits for them. A start on a ready demo hall imports nothing in a
    worker at all before the book paints, and loads no ORM model."""
    env = {key: value for key, value in os.environ.items() if key not in NO_DISPLAY}
    env |= {"HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config"),
            "QT_QPA_PLATFORM": "offscreen", "UNIONCORE_TIME_START": "1"}
    for start in ("the first may create the demo hall", "on a ready demo hall"):
        done = subprocess.run([sys.executable, "-c", TIMED_START], env=env, capture_output=True, text=True,
                              timeout=180)
        assert done.returncode == 0, done.stderr[-2000:]
        steps = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("start-timing ")]
        assert steps[-1] == "first-paint" and {"splash", "imported", "logged-in", "window-shown"} <= set(steps)
        assert "while-importing []" in done.stdout, (start, done.stdout)
    assert "until-painted []" in done.stdout and "models []" in done.stdout, done.stdout


@pytest.mark.parametrize("environ, platform, expected", [
    ({}, "linux", "offscreen"),
    ({"DISPLAY": ":0"}, "linux", None),
    ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", None),
    ({"QT_QPA_PLATFORM": "xcb"}, "linux", "xcb"),
    ({}, "win32", None),
])
def test_a_screenshot_without_a_display_draws_offscreen(environ: dict[str, str], platform: str,
                                                         expected: str | None):
    from unioncore_desktop.gui.app import headless_platform, parse_args

    env = dict(environ)
    headless_platform(parse_args(["--screenshot", "x.png"]), env, platform)
    assert env.get("QT_QPA_PLATFORM") == expected
    plain = dict(environ)
    headless_platform(parse_args([]), plain, platform)  # an ordinary start is left to Qt
    assert plain == environ
