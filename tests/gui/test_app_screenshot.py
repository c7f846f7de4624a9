"""The program as a user starts it: `--demo --screenshot --open AREA` seeds the demo hall on first start, opens
the area (or a manager's or admin's dialog over it), saves a PNG once the screen has loaded and exits 0 (the
README's and the installer's start check)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

AREAS = ("members", "books", "requests", "referral", "setup", "request_history")


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """A user with no demo hall yet: the first start creates it, the others reuse it."""
    return tmp_path_factory.mktemp("home")


@pytest.mark.parametrize("area, user", [*((area, "demo_dispatcher") for area in AREAS),
                                        ("manage-books", "demo_manager"), ("staff", "demo_admin"),
                                        ("import", "demo_admin")])
def test_the_demo_opens_each_area_and_saves_a_screenshot(home: Path, area: str, user: str):
    shot = home / f"{area}.png"
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
           "XDG_CONFIG_HOME": str(home / "config"), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "unioncore_desktop.gui.app", "--demo", "--user", user,
                           "--screenshot", str(shot), "--open", area],
                          env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"screenshot saved to {shot}" in done.stdout
    assert shot.stat().st_size > 10_000
