"""Item models for the employers screen: the list, an employer's worksites, contacts and contracts, and the
employers a new one is likely a duplicate of."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor

from unioncore_desktop.domain.queries.employers import (
    ContactRow,
    ContractRow,
    DuplicateRow,
    EmployerListRow,
    WorksiteRow,
)
from unioncore_desktop.gui.itemmodels.base import Column, RowTableModel

INACTIVE_COLOR = QColor("#94a3b8")


def _inactive(row: Any) -> QColor | None:
    """Inactive employers and retired worksites stay listed, greyed."""
    return None if row.active else INACTIVE_COLOR


class EmployerListModel(RowTableModel[EmployerListRow]):
    columns = (
        Column("name", "Employer", foreground=_inactive, tooltip=lambda r: None if r.active else "Inactive"),
        Column("contract_codes", "Current contracts"),
        Column("city", "City"),
        Column("phone", "Phone"),
        Column("primary_contact", "Primary contact"),
        Column("worksite_count", "Worksites", kind="int"),
        Column("active", "Active", kind="bool"),
    )


class ContractModel(RowTableModel[ContractRow]):
    columns = (
        Column("contract_code", "Contract"),
        Column("effective_on", "Effective", kind="date"),
        Column("expires_on", "Expires", kind="date"),
    )


class WorksiteModel(RowTableModel[WorksiteRow]):
    columns = (
        Column("name", "Worksite", foreground=_inactive),
        Column("address_line1", "Address"),
        Column("city", "City"),
        Column("state", "State"),
        Column("region", "Region"),
        Column("report_to", "Report to"),
        Column("active", "Active", kind="bool"),
    )


class ContactModel(RowTableModel[ContactRow]):
    columns = (
        Column("name", "Name"),
        Column("title", "Role"),
        Column("phone", "Phone"),
        Column("email", "E-mail"),
        Column("is_primary", "Primary", kind="bool"),
    )


class DuplicateModel(RowTableModel[DuplicateRow]):
    columns = (
        Column("name", "Employer on file"),
        Column("reasons", "Why it may be the same"),
        Column("address", "Address"),
        Column("city", "City"),
        Column("phone", "Phone"),
        Column("active", "Active", kind="bool"),
    )
