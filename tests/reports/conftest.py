"""Fixtures for report tests: reproducible PDF bytes, a fixed report context and synthetic member rows."""

from __future__ import annotations

import random
import shutil
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from reportlab import rl_config

from unioncore_desktop.domain.queries.members import MemberListRow
from unioncore_desktop.reports.base import ReportContext

CLASSIFICATIONS = ("apprentice_1", "apprentice_2", "apprentice_3", "apprentice_4", "apprentice_5",
                   "journeyman", "foreman", "retiree", "honorary")
FIRST = ("James", "Maria", "Robert", "Linh", "Christopher", "Ana", "Michael", "Siobhan", "David", "Zoë")
LAST = ("Smith", "Garcia", "Johnson", "Nguyen", "O'Brien", "Martinez", "Lee", "Kowalczyk", "Brown", "Øberg")
CITIES = ("Seattle", "Tacoma", "Everett", "Bellevue", "Port Townsend", "Mountlake Terrace", "Federal Way")


@pytest.fixture(autouse=True, scope="session")
def _invariant_pdfs() -> Iterator[None]:
    """Fixed timestamps and document ids, so two builds of the same report are byte-identical."""
    previous = rl_config.invariant
    rl_config.invariant = 1
    yield
    rl_config.invariant = previous


@pytest.fixture
def context() -> ReportContext:
    return ReportContext(
        hall_name="IBEW Local 46 Hiring Hall",
        title="Member Roster",
        parameters=[("Status", "active"), ("Classification", "all")],
        as_of=datetime(2026, 11, 21, 16, 14, tzinfo=UTC),
        run_by="jdoe",
    )


def make_member_rows(count: int, seed: int = 46) -> list[MemberListRow]:
    rng = random.Random(seed)
    rows = []
    for i in range(count):
        rows.append(MemberListRow(
            id=i + 1,
            card_number=f"{7_000_000 + i * 7}",
            last_name=rng.choice(LAST),
            first_name=rng.choice(FIRST),
            middle_name=rng.choice((None, "Quinn", "Marie")),
            classification=CLASSIFICATIONS[i % len(CLASSIFICATIONS)],
            status=rng.choice(("active", "inactive", "suspended")),
            card_type=rng.choice(("A", "BA", "CE", "CW", "APP")),
            home_local=rng.choice((None, "46", "76", "191")),
            phone=rng.choice((None, "(206) 555-0134", "253-555-9876")),
            city=rng.choice(CITIES),
            initiation_date=date(1990 + rng.randrange(35), 1 + rng.randrange(12), 1 + rng.randrange(28)),
        ))
    return rows


@pytest.fixture
def member_rows() -> Callable[..., list[MemberListRow]]:
    """Factory for synthetic roster rows: classifications cycle, everything else is seeded random."""
    return make_member_rows


@pytest.fixture
def roster_rows() -> list[MemberListRow]:
    return make_member_rows(450)


class Poppler:
    """The poppler command-line tools, used to read a PDF back the way a person would see it."""

    def text(self, path: Path) -> str:
        """The PDF's text laid out as printed; pages are separated by form feeds."""
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                              text=True).stdout

    def pages(self, path: Path) -> int:
        info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
        return int(next(line.split()[1] for line in info.splitlines() if line.startswith("Pages:")))

    def png(self, path: Path, out_prefix: Path, page: int = 1) -> Path:
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", str(page), "-l", str(page), "-singlefile",
                        str(path), str(out_prefix)], check=True, capture_output=True)
        return out_prefix.with_suffix(".png")


@pytest.fixture
def poppler() -> Poppler:
    missing = [tool for tool in ("pdftotext", "pdfinfo", "pdftoppm") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"poppler-utils is not installed (missing {', '.join(missing)}); apt-get install poppler-utils")
    return Poppler()
