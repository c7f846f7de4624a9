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
