"""Values as the counter reads them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from unioncore_desktop.gui.itemmodels.formatting import format_date, format_datetime, format_deadline, set_hall_zone

LA = ZoneInfo("America/Los_Angeles")


@pytest.mark.parametrize("when, year, expected", [
    (datetime(2026, 11, 24, 0, 0, tzinfo=LA), True, "end of Mon 23 Nov 2026"),  # a day's close, not the next 00:00
    (datetime(2026, 11, 24, 0, 0, tzinfo=LA), False, "end of Mon 23 Nov"),
    (datetime(2026, 11, 22, 18, 16, tzinfo=LA), True, "Sun 22 Nov 2026 18:16"),
    (datetime(2026, 11, 22, 0, 1, tzinfo=LA), False, "Sun 22 Nov 00:01"),
])
def test_a_deadline_at_midnight_reads_as_the_end_of_the_day_before(when, year, expected):
    assert format_deadline(when, year=year) == expected


def test_times_on_screen_are_the_halls_whatever_the_computers_zone():
    late = datetime(2026, 12, 3, 5, 30, tzinfo=ZoneInfo("UTC"))  # still the 2nd in Seattle
    set_hall_zone("America/Los_Angeles")  # the main window does this at log-in (the fixture undoes it)
    assert (format_datetime(late), format_date(late)) == ("2026-12-02 21:30", "2026-12-02")
    assert format_datetime(datetime(2026, 12, 2, 9, 5)) == "2026-12-02 09:05"  # naive: already the hall's
    set_hall_zone("America/New_York")
    assert format_datetime(late) == "2026-12-03 00:30"
