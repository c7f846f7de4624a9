"""Cold start: `unioncore-desktop --demo --open books` launched as a user starts it, timed to the first paint of
the loaded book (the app prints each step's time when UNIONCORE_TIME_START is set, and quits once the book has
painted). The baseline, in the same run, is a bare `python -c "import PySide6.QtWidgets"`. The demo server is
started once beforehand in a private user folder (kept, so the demo hall is seeded once) and left running
between launches, as on a workstation where
the demo (or the hall's server) is already up. Target: a median of 1.2 s to the painted book.

    python bench/cold_start.py [--runs 7] [--open books] [--importtime]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STEPS = ("qapplication", "splash", "imported", "logged-in", "window-built", "window-shown", "first-paint")


def environment(home: Path) -> dict[str, str]:
    # the first launch writes the .pyc files an installed program has: a shell that forbids that would have every
    # launch compile the app's modules from source
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env |= {"HOME": str(home), "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config"),
            "QT_QPA_PLATFORM": "offscreen", "UNIONCORE_TIME_START": "1"}
    return env


def launch(env: dict[str, str], area: str) -> dict[str, float]:
    """Seconds from launch to each step the app reports."""
    started = time.time()
    done = subprocess.run([sys.executable, "-m", "unioncore_desktop.gui.app", "--demo", "--open", area],
                          env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise SystemExit(f"the app failed ({done.returncode}):\n{done.stderr[-2000:]}")
    steps = {}
    for line in done.stdout.splitlines():
        if line.startswith("start-timing "):
            _, step, at = line.split()
            steps[step] = float(at) - started
    return steps


def bare_pyside(env: dict[str, str]) -> float:
    started = time.time()
    subprocess.run([sys.executable, "-c", "import PySide6.QtWidgets"], env=env, check=True)
    return time.time() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--open", default="books", help="area opened first")
    # one demo hall per checkout: another checkout on the same machine may be at another schema revision
    checkout = hashlib.sha1(str(Path(__file__).resolve().parent.parent).encode()).hexdigest()[:8]
    parser.add_argument("--home", default=str(Path(tempfile.gettempdir()) / "unioncore-bench" /
                                              f"cold-start-{checkout}"),
                        help="the user folder the demo hall is kept in between runs")
    parser.add_argument("--importtime", action="store_true",
                        help="also print the slowest imports of the app module (python -X importtime)")
    args = parser.parse_args()
    home = Path(args.home)
    env = environment(home)
    print("starting the demo server (the first start seeds the demo hall) …", flush=True)
    subprocess.run([sys.executable, "-m", "unioncore_desktop.cli", "demo", "start"], env=env, check=True,
                   capture_output=True)
    try:
        launch(env, args.open)  # compiles .pyc files and forms once, as an installed program has them
        runs, bases = [], []
        for _ in range(args.runs):
            bases.append(bare_pyside(env))
            runs.append(launch(env, args.open))
        base = statistics.median(bases)
        print(f"baseline: python -c 'import PySide6.QtWidgets'  median {base * 1000:.0f} ms")
        for step in STEPS:
            values = [run[step] for run in runs if step in run]
            if values:
                print(f"  {step:<14} median {statistics.median(values) * 1000:6.0f} ms  "
                      f"(min {min(values) * 1000:.0f}, max {max(values) * 1000:.0f})")
        first = statistics.median(run["first-paint"] for run in runs)
        print(f"to the painted {args.open}: median {first * 1000:.0f} ms, {first / base:.1f}x the bare PySide6 "
              f"start; target 1200 ms")
        if args.importtime:
            done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import unioncore_desktop.gui.app"],
                                  env=env, capture_output=True, text=True, check=True)
            rows = [line.split("|") for line in done.stderr.splitlines() if line.startswith("import time:")
                    and "cumulative" not in line]
            total = sorted(((int(row[1]), row[2].rstrip()) for row in rows), reverse=True)[:25]
            print("slowest imports (cumulative µs):")
            for micros, name in total:
                print(f"  {micros:>9,}  {name}")
    finally:
        subprocess.run([sys.executable, "-m", "unioncore_desktop.cli", "demo", "stop"], env=env,
                       capture_output=True)


if __name__ == "__main__":
    main()
