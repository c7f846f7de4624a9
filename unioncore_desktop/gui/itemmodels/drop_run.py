"""The drop run's preview: who would leave which book, and why. Apart from the book's list, so the services it
reads from load with the dialog, not with the books screen."""

from __future__ import annotations

from collections.abc import Hashable

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from unioncore_desktop.domain.rules.apn import format_apn
from unioncore_desktop.domain.services.drop_run import DropCandidate
from unioncore_desktop.gui.itemmodels.base import Column, RowTableModel
from unioncore_desktop.gui.itemmodels.formatting import format_label


DROP_REASON_LABELS = {
    "failed_re_sign": "Missed re-sign",
    "failed_re_register": "Did not re-register (all books)",
    "max_days_on_book": "Over the days-on-book limit",
    "exemption_expired": "Exemption ended (stays on the book)",
}


def drop_reason_label(reason: str) -> str:
    return QCoreApplication.translate("DropCandidateModel", DROP_REASON_LABELS.get(reason, format_label(reason)))


class DropCandidateModel(RowTableModel[DropCandidate]):
    """The drop run preview: who would leave which book, and why."""

    columns = (
        Column("member", "Member"),
        Column("card", "Card"),
        Column("book", "Book"),
        Column("tier", "Tier", kind="int"),
        Column("apn", "APN", kind="decimal", formatter=format_apn),
        Column("reason", "Reason", formatter=drop_reason_label,
               foreground=lambda c: None if c.drops else QColor("#475569")),
        Column("detail", "Why"),
    )

    def row_id(self, row: DropCandidate) -> Hashable:
        return row.key
