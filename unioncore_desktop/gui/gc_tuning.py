"""Python's garbage collector tuned for a desk app, so a full collection never freezes the window.

With the defaults (700, 10, 10) a full collection runs every few hundred actions and walks every object the
process holds: Qt wrappers, SQLAlchemy's mappers and compiled statements, the forms of every screen; on a
workstation that took 130 to 160 ms of the GUI thread (up to 400 ms under load), long enough to drop keys.
What start-up builds lives as long as the window, so after start-up it is moved out of the collector's sight
(`gc.freeze`), and the thresholds are raised so collections come less often; the young generations stay
small either way, since reference counting frees almost everything at once. bench/desk.py measures the longest
pause with and without this.
"""

from __future__ import annotations

import gc
import logging
import time

log = logging.getLogger(__name__)

# objects allocated (net) before a young collection; how many young (then middle) collections before an older one
THRESHOLDS = (10_000, 10, 100)


def tune() -> None:
    """Raise the thresholds; call once, early in start-up (more calls change nothing)."""
    gc.set_threshold(*THRESHOLDS)


def after_start_up() -> None:
    """Freeze what start-up built (the main window and its screens), so later collections only walk what was made
    since. Call when the first window is up; again after another login is harmless. Only the young generations are
    collected first: a full collection here would be the very freeze this avoids, and start-up's own cyclic
    garbage is small and made once."""
    started = time.perf_counter()
    gc.collect(1)
    gc.freeze()
    log.debug("collector: %d start-up objects frozen in %.0f ms", gc.get_freeze_count(),
              (time.perf_counter() - started) * 1000)
