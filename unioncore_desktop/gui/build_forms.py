"""Compile `ui/*.ui` into `gui/forms/ui_<name>.py` with pyside6-uic, skipping forms whose output is newer.

The generated modules are not committed; tests, the app's first run and the installer build call this."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

from unioncore_desktop.paths import bundle_root

log = logging.getLogger(__name__)
FORMS_DIR = Path(__file__).resolve().parent / "forms"


def _uic() -> list[str]:
    exe = shutil.which("pyside6-uic", path=str(Path(sys.executable).parent)) or shutil.which("pyside6-uic")
    if exe:
        return [exe]
    return [sys.executable, "-m", "PySide6.scripts.pyside_tool", "uic"]


def build(ui_dir: Path | None = None, out_dir: Path = FORMS_DIR) -> list[Path]:
    """Returns the modules written (nothing when everything is up to date, or in a frozen build)."""
    ui_dir = ui_dir or bundle_root() / "ui"
    if getattr(sys, "frozen", False) or not ui_dir.is_dir():
        return []
    out_dir.mkdir(exist_ok=True)
    (out_dir / "__init__.py").touch()
    written = []
    for form in sorted(ui_dir.glob("*.ui")):
        target = out_dir / f"ui_{form.stem}.py"
        if target.exists() and target.stat().st_mtime >= form.stat().st_mtime:
            continue
        subprocess.run([*_uic(), "--from-imports", "-o", str(target), str(form)], check=True)
        log.info("compiled %s", form.name)
        written.append(target)
    return written


if __name__ == "__main__":
    for path in build():
        print(path)
