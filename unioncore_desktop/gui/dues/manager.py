"""Month-end work for managers: the adjustments queue (adjustments_queue), generating a month's charges
(charges_panel), closing a month against its checklist (close_month), and the rates by classification
(rates_panel), built and refreshed together here.

The database has the last word on each: it refuses a requester deciding their own adjustment, an unbalanced
batch, or any change dated in a closed month; these screens show its refusal as it comes back.
"""

from __future__ import annotations

from datetime import date
from functools import partial

from unioncore_desktop.db.connection import HallConnection
from unioncore_desktop.domain.actions import clock
from unioncore_desktop.gui.dues.adjustments_queue import AdjustmentsQueue
from unioncore_desktop.gui.dues.charges_panel import ChargesPanel
from unioncore_desktop.gui.dues.close_month import CloseMonthPanel
from unioncore_desktop.gui.dues.rates_panel import RatesPanel
from unioncore_desktop.gui.tasks import TaskRunner


class ManagerTabs:
    """The four manager panels, built together and refreshed together."""

    def __init__(self, runner: TaskRunner, hall: HallConnection) -> None:
        self.runner = runner
        self.hall = hall
        self.adjustments = AdjustmentsQueue(runner, hall)
        self.charges = ChargesPanel(runner, hall)
        self.close = CloseMonthPanel(runner, hall)
        self.rates = RatesPanel(runner, hall)
        self.charges.generated.connect(lambda _run: self.close.refresh())
        self.adjustments.decided.connect(lambda _row: self.close.refresh())

    def start(self) -> None:
        self.runner.query(partial(clock.today, self.hall), parent=self.charges, success=self._on_today,
                          name="hall today")
        self.refresh()

    def _on_today(self, today: date) -> None:
        self.charges.set_today(today)
        self.rates.set_today(today)

    def refresh(self) -> None:
        self.adjustments.refresh()
        self.close.refresh()
        self.rates.refresh()

