"""The books screen's queue view: one book's live out-of-work list in queue order, filtered by name or card
without changing anyone's rank, the tier subtotals, what is known about the chosen registrant, and the list's
export and print."""

from __future__ import annotations

from typing import TYPE_CHECKING

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from unioncore_desktop.domain.queries.books import BookListRow, BookSummary
from unioncore_desktop.gui import reporting, theme
from unioncore_desktop.gui.itemmodels.books import BookListModel
from unioncore_desktop.gui.itemmodels.formatting import format_date
from unioncore_desktop.gui.settings import UiSettings
from unioncore_desktop.gui.tasks import TaskRunner
from unioncore_desktop.gui.widgets.table_panel import TablePanel

if TYPE_CHECKING:  # ReportLab is imported when a report is built
    from unioncore_desktop.db.connection import HallConnection
    from unioncore_desktop.reports import ReportContext

TIERS = (1, 2, 3, 4)
SIZE_SAMPLE_ROWS = 60


def tier_strip_text(rows: list[BookListRow]) -> str:
    """'Tier 1: 812 · Tier 2: 40 · Tier 3: 12 · Tier 4: 0' — every tier, even empty ones (some books are
    inverted, so an empty tier 1 must be visible)."""
    counts = {tier: 0 for tier in TIERS}
    for row in rows:
        counts[row.tier] = counts.get(row.tier, 0) + 1
    return " · ".join(f"Tier {tier}: {count:,}" for tier, count in sorted(counts.items()))


def matches(row: BookListRow, words: list[str]) -> bool:
    haystack = f"{row.last_name} {row.first_name} {row.card_number}".casefold()
    return all(word in haystack for word in words)


def describe(row: BookListRow | None) -> str:
    """The chosen registrant in one line: rank and tier, exemption or re-sign, dispatch and marks."""
    if row is None:
        return ""
    parts = [f"<b>{row.display_name}</b> (card {row.card_number}) — rank {row.rank}, tier {row.tier}"]
    if row.exempt:
        parts.append(f"exempt: {row.exemption_reason.replace('_', ' ') if row.exemption_reason else ''}")
    elif row.resign_due_on:
        parts.append(f"re-sign due {format_date(row.resign_due_on)}")
    if row.resign_overdue:
        parts.append(f"<span style='color:{theme.css('#b45309')}'>re-sign overdue</span>")
    if row.on_dispatch_book:
        parts.append(f"<i>out on dispatch ({row.on_dispatch_book})</i>")
    if row.marks:
        parts.append(f"{row.marks} check mark(s)")
    return " · ".join(parts)


class QueueView(QWidget):
    """The list (with its search box and buttons) and the chosen registrant's line under it."""

    def __init__(self, runner: TaskRunner, hall: HallConnection, settings: UiSettings, area: str,
                 current_book: Callable[[], BookSummary | None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self.hall = hall
        self.settings = settings
        self.area = area
        self.all_rows: list[BookListRow] = []
        self.current_book = current_book
        self._shown_book_id: int | None = None
        self._columns_sized = False
        self.model = BookListModel(parent=self)
        self.panel = TablePanel(area, self.model, settings=settings,
                                search_placeholder=self.tr("Filter by name or card (ranks stay as on the book)"))
        # Tier shading marks the blocks (a painting delegate for separator lines cost 70 ms a repaint).
        self.panel.view.setAlternatingRowColors(False)
        # Size columns from the first rows only: measuring all 1,200 rows took over a second.
        self.panel.view.horizontalHeader().setResizeContentsPrecision(SIZE_SAMPLE_ROWS)
        self.selection_info = QLabel()
        self.selection_info.setObjectName("selectionInfo")
        self.selection_info.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.panel, 1)
        layout.addWidget(self.selection_info)
        self.panel.export_requested.connect(self._on_panel_export_requested)
        self.panel.print_requested.connect(self.print_out_of_work_list)

    def restore_state(self) -> None:
        # The user's saved column widths win; otherwise the first book shown sizes them once.
        self._columns_sized = self.settings.restore_header(self.area, self.panel.view.horizontalHeader())

    def save_state(self) -> None:
        self.settings.save_header(self.area, self.panel.view.horizontalHeader())

    def show_rows(self, book_id: int, rows: list[BookListRow]) -> None:
        """A book's rows: the same book reloads in place, keeping the user's place; another starts at the top."""
        self.all_rows = rows
        shown = self.filtered()
        if book_id == self._shown_book_id:
            self.panel.reload(shown)
        else:
            self.model.set_rows(shown)
            self.panel.view.scrollToTop()
            self._shown_book_id = book_id
            if not self._columns_sized and shown:
                self.panel.view.resizeColumnsToContents()
                self._columns_sized = True

    def filtered(self) -> list[BookListRow]:
        words = self.panel.search_text().casefold().split()
        if not words:
            return list(self.all_rows)
        return [row for row in self.all_rows if matches(row, words)]

    def refilter(self) -> None:
        """The search changed: the rows that match, the chosen registrant kept chosen."""
        keep = self.panel.current_row()
        self.model.set_rows(self.filtered())
        if keep is not None:
            self.panel.select_id(keep.registration_id)

    def strip_text(self) -> str:
        rows = self.all_rows
        exempt = sum(row.exempt for row in rows)
        overdue = sum(row.resign_overdue for row in rows)
        text = f"<b>{tier_strip_text(rows)}</b> &nbsp;—&nbsp; {len(rows):,} registered"
        if exempt:
            text += f", {exempt} exempt"
        if overdue:
            text += f", <span style='color:{theme.css('#b45309')}'>{overdue} re-sign overdue</span>"
        if self.model.rowCount() != len(rows):
            text += f" &nbsp;(showing {self.model.rowCount():,})"
        return text

    def show_selected(self, row: BookListRow | None) -> None:
        self.selection_info.setText(describe(row))

    # --- export and print -------------------------------------------------------------------------------------

    def _parameters(self) -> list[tuple[str, str]]:
        book = self.current_book()
        params = [("Book", book.name if book else ""), ("Registered", str(len(self.all_rows))),
                  ("Tiers", tier_strip_text(self.all_rows))]
        if self.panel.search_text():
            params.append(("Filter", self.panel.search_text()))
        return params

    def _title(self) -> str:
        book = self.current_book()
        return f"Out-of-work list – {book.name}" if book else "Out-of-work list"

    def _on_panel_export_requested(self, owner: QWidget | None = None) -> None:
        reporting.export_model(self.runner, self.hall, owner or self, self.model, self._title(), self._parameters(),
                               controls=self.panel.report_buttons())

    def print_out_of_work_list(self) -> None:
        """The printed out-of-work list of the rows shown, with tier subtotals, in the print preview."""
        book = self.current_book()
        if book is None:
            return
        rows = list(self.model.rows)
        from unioncore_desktop.reports.pdf.out_of_work import build_out_of_work_list  # here: never in a worker

        def build(path: Path, context: ReportContext) -> Path:
            return build_out_of_work_list(path, context, book, rows)

        reporting.print_report(self.runner, self.hall, self, self._title(), self._parameters(), build,
                               excel=self._on_panel_export_requested, controls=self.panel.report_buttons())
