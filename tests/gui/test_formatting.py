"""Values as the counter reads them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from unioncore_desktop.gui.itemmodels.formatting import format_deadline

LA = ZoneInfo("America/Los_Angeles")


@pytest.mark.parametrize("when, year, expected", [
    (datetime(2026, 11, 24, 0, 0, tzinfo=LA), True, "end of Mon 23 Nov 2026"),  # a day's close, not the next 00:00
    (datetime(2026, 11, 24, 0, 0, tzinfo=LA), False, "end of Mon 23 Nov"),
    (datetime(2026, 11, 22, 18, 16, tzinfo=LA), True, "Sun 22 Nov 2026 18:16"),
    (datetime(2026, 11, 22, 0, 1, tzinfo=LA), False, "Sun 22 Nov 00:01"),
])
def test_a_deadline_at_midnight_reads_as_the_end_of_the_day_before(when, year, expected):
    assert format_deadline(when, year=year) == expected
