"""Starting a report: the facts printed on every page, and the audit row saying who printed what (§5)."""

from __future__ import annotations

from collections.abc import Sequence

from unioncore_desktop.domain.models import ReportRun
from unioncore_desktop.domain.queries.hall import HallFacts, hall_facts
from unioncore_desktop.domain.uow import UnitOfWork


def start_report(uow: UnitOfWork, *, title: str, kind: str, parameters: Sequence[tuple[str, str]],
                 report: str | None = None) -> HallFacts:
    """Log the run and return the hall facts for its header; the log row commits before the file is written,
    so a report that fails half-way is still on record as attempted."""
    with uow:
        uow.session.add(ReportRun(title=title[:120], kind=kind, report=report,
                                   parameters={k: v for k, v in parameters}))
        facts = hall_facts(uow.session)
        uow.commit()
        return facts
