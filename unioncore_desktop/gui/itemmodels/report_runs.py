"""The report-run log's rows: when (the hall's time), who, which report, PDF or Excel, with which parameters."""

from __future__ import annotations

from unioncore_desktop.domain.queries.report_runs import RunLogRow
from unioncore_desktop.gui.itemmodels.base import Column, RowTableModel

KINDS = {"pdf": "PDF", "xlsx": "Excel"}


class RunLogModel(RowTableModel[RunLogRow]):
    columns = (
        Column("run_at", "When", kind="datetime"),
        Column("staff_name", "Staff"),
        Column("run_by", "Login"),
        Column("title", "Report"),
        Column("kind", "File", formatter=lambda kind: KINDS.get(kind, kind)),
        Column("parameters", "Parameters", value=lambda r: r.parameters_text),
    )
