"""The report-run log: who printed or exported which report, with which parameters, and when (§5: generating a
report is itself audited). Row-level security decides whose runs a login reads: its own, or a manager everyone's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from unioncore_desktop.domain.queries.fragments import HALL_TODAY, HALL_ZONE
from unioncore_desktop.domain.queries.text_search import like_escape

LOG_LIMIT = 5000  # newest first; a narrower filter finds older runs


@dataclass(frozen=True, slots=True)
class RunLogFilter:
    """Days are the hall's calendar days, both ends included; None and "" mean any."""

    start: date | None = None
    end: date | None = None
    run_by: str = ""
    report: str | None = None  # a catalog key, or OTHER_PRINTS for lists, slips and receipts
    text: str = ""  # in the title or the parameters


OTHER_PRINTS = "(other)"  # the report filter for runs not made from the Reports screen (lists, slips, receipts)


@dataclass(frozen=True, slots=True)
class RunLogRow:
    id: int
    run_at: datetime
    run_by: str
    staff_name: str
    report: str | None
    title: str
    kind: str
    parameters: dict[str, Any]

    @property
    def parameters_text(self) -> str:
        return "; ".join(f"{name}: {value}" for name, value in self.parameters.items())


@dataclass(frozen=True, slots=True)
class RunLog:
    rows: tuple[RunLogRow, ...]
    limited: bool  # more runs match than were read
    staff: tuple[tuple[str, str], ...]  # (login, full name) of every staff login, for the filter
    today: date


def run_log(session: Session, where: RunLogFilter, limit: int = LOG_LIMIT) -> RunLog:
    conditions = ["TRUE"]
    params: dict[str, Any] = {"limit": limit + 1}
    if where.start is not None:
        conditions.append(f"r.run_at >= (CAST(:start AS date)::timestamp AT TIME ZONE {HALL_ZONE})")
        params["start"] = where.start
    if where.end is not None:
        conditions.append(f"r.run_at < ((CAST(:end AS date) + 1)::timestamp AT TIME ZONE {HALL_ZONE})")
        params["end"] = where.end
    if where.run_by:
        conditions.append("r.run_by = :run_by")
        params["run_by"] = where.run_by
    if where.report is not None:
        if where.report == OTHER_PRINTS:
            conditions.append("r.report IS NULL")
        else:
            conditions.append("r.report = :report")
            params["report"] = where.report
    if where.text.strip():
        conditions.append("(r.title ILIKE :text OR r.parameters::text ILIKE :text)")
        params["text"] = f"%{like_escape(where.text.strip())}%"
    rows = session.execute(text(f"""
        SELECT r.id, r.run_at, r.run_by, coalesce(s.full_name, r.run_by), r.report, r.title, r.kind, r.parameters
        FROM report_runs AS r LEFT JOIN staff AS s ON s.login = r.run_by
        WHERE {' AND '.join(conditions)}
        ORDER BY r.run_at DESC, r.id DESC
        LIMIT :limit"""), params).all()
    staff = tuple((login, name) for login, name in session.execute(text(
        "SELECT login, full_name FROM staff ORDER BY full_name, login")))
    today = session.execute(text(f"SELECT {HALL_TODAY}")).scalar_one()
    return RunLog(tuple(RunLogRow(*row) for row in rows[:limit]), len(rows) > limit, staff, today)
