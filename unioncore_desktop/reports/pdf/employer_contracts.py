"""Employers by contract code: each code with the employers holding it, their period, worksites and the contact
and phone the desk calls, inactive employers marked."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from reportlab.lib.units import inch

from unioncore_desktop.reports.base import (
    Column,
    GroupHeading,
    ReportContext,
    ReportDocument,
    Row,
    Subtotal,
    SummaryLine,
)

if TYPE_CHECKING:
    # Runtime import would pull SQLAlchemy in through the queries module; reports stay free of it.
    from unioncore_desktop.domain.queries.employer_contracts import ContractEmployerRow, EmployersByContract

COLUMNS = (
    Column("Employer", weight=1.8),
    Column("Status", width=0.62 * inch),
    Column("Period", width=1.55 * inch),
    Column("City", weight=0.8),
    Column("Phone", width=0.95 * inch),
    Column("Contact", weight=1.4),
    Column("Contact phone", width=0.95 * inch),
    Column("Worksites", weight=2.0, wrap=True),
)


def period_text(r: ContractEmployerRow) -> str:
    end = r.expires_on.isoformat() if r.expires_on else "open"
    return f"{r.effective_on.isoformat()} – {end}"


def status_text(r: ContractEmployerRow) -> str:
    if not r.active:
        return "Inactive"
    return "Active" if r.in_force else "Lapsed"


def build_employers_by_contract(path: str | os.PathLike[str], context: ReportContext,
                                report: EmployersByContract) -> Path:
    """A group per contract code (codes with no employer say so), employers by name (landscape)."""
    by_code: dict[str, list[ContractEmployerRow]] = defaultdict(list)
    for r in report.rows:
        by_code[r.contract_code].append(r)
    table: list[Row] = []
    for code, description in report.codes:
        rows = by_code.get(code, [])
        table.append(GroupHeading(f"{code} — {description}" if description else code))
        table += [(r.employer_name, status_text(r), period_text(r), r.city, r.phone, r.contact, r.contact_phone,
                   ", ".join(r.worksites)) for r in rows]
        employers = {r.employer_id for r in rows}
        active = {r.employer_id for r in rows if r.active and r.in_force}
        table.append(Subtotal((f"Total: {len(employers):,} employers", None, f"{len(active):,} active now")
                              if rows else ("No employer on this code",)))
    document = ReportDocument(context, landscape=True)
    document.add_table(COLUMNS, table, empty_text="No contract codes are set up.")
    summary = [SummaryLine("Employer–contract links", len(report.rows), bold=True),
               SummaryLine("Employers", len({r.employer_id for r in report.rows}), bold=True),
               SummaryLine("Inactive", len({r.employer_id for r in report.rows if not r.active}), indent=1)]
    summary += [SummaryLine(code, len({r.employer_id for r in by_code.get(code, [])}), indent=1)
                for code, _d in report.codes]
    document.add_note("Active: the employer is active and the period covers today. Lapsed: the period has ended or "
                      "not begun. An employer on a code over several periods has a line for each.")
    document.add_summary(summary)
    return document.build(path)


__all__ = ["build_employers_by_contract", "period_text", "status_text"]
