"""The line under the books screen's tier strip: who is off the queue until they re-register (R6). Each name is a
link; following it asks for that member's re-registration through `member_chosen`."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QWidget

from unioncore_desktop.domain.queries.books import AwaitingRow
from unioncore_desktop.gui import theme
from unioncore_desktop.gui.itemmodels.formatting import format_deadline

PASSED_COLOR = "#b00020"  # a re-registration deadline passed (here and in the re-registration dialog)
AWAITING_SHOWN = 6  # names in the awaiting line; the rest are counted (and listed in its tooltip)


def awaiting_text(rows: list[AwaitingRow]) -> str:
    """The names awaiting re-registration, each a link that opens the re-registration for that member."""
    if not rows:
        return ""
    parts = []
    for row in rows[:AWAITING_SHOWN]:
        when = format_deadline(row.reregister_by, year=False)
        link = f"<a href='{row.member_id}'>{escape(row.display_name)}</a>"
        if row.overdue:
            parts.append(f"{link} <span style='color:{theme.css(PASSED_COLOR)}'>deadline passed {when}</span>")
        else:
            parts.append(f"{link} by {when}")
    more = f" and {len(rows) - AWAITING_SHOWN} more" if len(rows) > AWAITING_SHOWN else ""
    return (f"<b>Awaiting re-registration ({len(rows)})</b>, not in the queue until they re-register: "
            + " · ".join(parts) + more)


class AwaitingLine(QLabel):
    """Hidden while nobody on the book awaits re-registration."""

    member_chosen = Signal(int)  # a member id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("awaitingInfo")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setVisible(False)
        self.rows: list[AwaitingRow] = []
        self.linkActivated.connect(self._on_link_activated)

    def show_rows(self, rows: list[AwaitingRow]) -> None:
        self.rows = list(rows)
        self.setText(awaiting_text(rows))
        self.setToolTip("\n".join(
            f"{row.display_name} (card {row.card_number}), tier {row.tier}: "
            f"{'deadline passed' if row.overdue else 're-register by'} {format_deadline(row.reregister_by)}"
            for row in rows))
        self.setVisible(bool(rows))

    def _on_link_activated(self, link: str) -> None:
        if link.isdigit():
            self.member_chosen.emit(int(link))
