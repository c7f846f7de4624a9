"""Qt-free reports: PDF reports and Excel exports built from read-side rows, each written to a file path."""

from __future__ import annotations

from unioncore_desktop.reports.base import (
    Column,
    GroupHeading,
    ReportContext,
    ReportDocument,
    Subtotal,
    SummaryLine,
    build_table_report,
)
from unioncore_desktop.reports.xlsx import XlsxColumn, export_table

__all__ = [
    "Column", "GroupHeading", "ReportContext", "ReportDocument", "Subtotal", "SummaryLine", "XlsxColumn",
    "build_table_report", "export_table",
]
