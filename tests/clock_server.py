"""A PostgreSQL server whose clock a test moves: the embedded server started under libfaketime, for tests that
span days (a request taken one afternoon is worked at the next morning's referral, R3).

Only the server's wall clock moves (its monotonic clock, used for timeouts, stays real); the offset lives in a
file libfaketime reads on every call, so `set_now` takes effect at once for every backend."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from unioncore_desktop.db import embedded


@dataclass(frozen=True)
class ClockServer:
    server: embedded.EmbeddedServer
    clock_file: Path

    def set_now(self, when: datetime) -> None:
        """Move the server's clock so that it reads `when` (an aware datetime) now and runs on from there."""
        offset = round((when - datetime.now(UTC)).total_seconds())
        partial = self.clock_file.with_suffix(".new")
        partial.write_text(f"{offset:+d}\n")
        partial.chmod(0o644)
        partial.replace(self.clock_file)  # a reader never sees half a line

    def sqlalchemy_url(self, database: str, user: str = "postgres") -> str:
        return self.server.sqlalchemy_url(database, user)


def _library() -> Path:
    import libfaketime  # the wheel ships the compiled library

    return Path(libfaketime.__file__).parent / "vendor" / "libfaketime" / "src" / "libfaketime.so.1"


@contextmanager
def clock_server(data_dir: Path) -> Iterator[ClockServer]:
    """Start a private server under libfaketime in `data_dir`; stopped on exit."""
    # the server may run as another system user (as root the wheel creates one): it must read both files
    folder = Path(tempfile.mkdtemp(prefix="uc_clock_"))
    folder.chmod(0o755)
    library = folder / "libfaketime.so.1"
    shutil.copyfile(_library(), library)
    library.chmod(0o755)
    offset = folder / "offset"
    offset.write_text("+0\n")
    offset.chmod(0o644)
    preload = {"LD_PRELOAD": str(library), "FAKETIME_TIMESTAMP_FILE": str(offset),
               "FAKETIME_NO_CACHE": "1", "FAKETIME_DONT_FAKE_MONOTONIC": "1"}
    saved = {key: os.environ.get(key) for key in preload}
    os.environ.update(preload)
    try:
        server = embedded.start(data_dir)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    try:
        yield ClockServer(server=server, clock_file=offset)
    finally:
        embedded.stop(data_dir)
        shutil.rmtree(folder, ignore_errors=True)
