"""Tables of the import workbench: rejected rows with their reasons, the book-order comparison (books and one
book's places) and past import runs."""

from __future__ import annotations

from collections.abc import Hashable, Mapping

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor

from unioncore_desktop.domain.queries.imports import BookOrder, ImportRunRow, OrderLine
from unioncore_desktop.domain.rules.imports import Rejection
from unioncore_desktop.gui.itemmodels.base import Column, RowTableModel

DISAGREE_COLOR = QColor("#c62828")
AGREE_COLOR = QColor("#2e7d32")


class RejectionModel(RowTableModel[Rejection]):
    """Row, field (under its label in the entity's import) and reason, in file order."""

    def __init__(self, field_labels: Mapping[str, str] | None = None, parent: QObject | None = None) -> None:
        labels = dict(field_labels or {})
        self.columns = (
            Column("row", "Row", kind="int"),
            Column("field", "Field", formatter=lambda name: labels.get(name, name.replace("_", " "))),
            Column("reason", "Reason"),
        )
        super().__init__(parent=parent)

    def row_id(self, row: Rejection) -> Hashable:
        return (row.row, row.field)


def _agreement(book: BookOrder) -> str:
    return "Agrees" if book.agrees else f"Differs from place {book.first_difference}"


class BookOrderModel(RowTableModel[BookOrder]):
    columns = (
        Column("book_code", "Book"),
        Column("book_name", "Name"),
        Column("source_count", "In the source", kind="int"),
        Column("queue_count", "On the book", kind="int"),
        Column("agrees", "Order", value=_agreement,
               foreground=lambda b: AGREE_COLOR if b.agrees else DISAGREE_COLOR),
    )

    def row_id(self, row: BookOrder) -> Hashable:
        return row.book_id


class OrderLineModel(RowTableModel[OrderLine]):
    """One book, place by place: whom the source lists there beside whom the queue has there."""

    columns = (
        Column("position", "Place", kind="int"),
        Column("source_card", "Source card"),
        Column("source_name", "Source name"),
        Column("queue_card", "Queue card"),
        Column("queue_name", "Queue name"),
        Column("same", "Same", value=lambda line: "yes" if line.same else "NO",
               foreground=lambda line: None if line.same else DISAGREE_COLOR),
    )

    def row_id(self, row: OrderLine) -> Hashable:
        return row.position


class ImportRunModel(RowTableModel[ImportRunRow]):
    columns = (
        Column("run_at", "When", kind="datetime"),
        Column("entity", "What", formatter=lambda e: e.capitalize()),
        Column("source", "Source"),
        Column("file_name", "File"),
        Column("rows_read", "Rows", kind="int"),
        Column("created", "Created", kind="int"),
        Column("updated", "Updated", kind="int"),
        Column("unchanged", "Unchanged", kind="int"),
        Column("rejected", "Rejected", kind="int",
               foreground=lambda r: DISAGREE_COLOR if r.rejected else None),
        Column("run_by", "By"),
    )
