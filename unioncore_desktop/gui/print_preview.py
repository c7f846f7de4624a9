"""The print preview every report, slip and receipt opens in: the PDF built in a worker, shown and printed by Qt.

The PDF is the one document: the preview shows its pages (QtPdf's view renders the pages in sight, sharp at any
zoom, so a 100-page list costs no more memory than one page), Print… sends the same pages to the printer the user
picks in Qt's print dialog, and Save as PDF… copies the file (its fonts embedded by ReportLab). No external viewer
is involved, so a hall PC without one prints the same as any other.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSize, QSizeF, Qt, Signal
from PySide6.QtGui import QKeySequence, QPageLayout, QPageSize, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QLabel, QToolBar, QVBoxLayout, QWidget

from unioncore_desktop.gui import icons, messages

# On paper each page is drawn as an image, one at a time: sharp at this resolution without megabytes per page.
PRINT_DPI = 300
ZOOM_STEP = 1.25

SaveAs = Callable[[QWidget, str, str, str], Path | None]  # (parent, caption, suggested name, filter) -> path


class PrintPreview(QDialog):
    """A built PDF as it will print, with Print…, Save as PDF… and (where the report has one) Excel…."""

    printed = Signal()
    saved = Signal(Path)

    def __init__(self, pdf: Path, *, title: str, file_name: str, ask_path: SaveAs,
                 excel: Callable[[QWidget], None] | None = None, cleanup: Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("printPreview")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(self.tr("Print preview — {}").format(title))
        self.pdf = pdf
        self.file_name = file_name
        self._ask_path = ask_path
        self._cleanup = cleanup
        self.document = QPdfDocument(self)
        self.document.load(str(pdf))
        if self.document.status() != QPdfDocument.Status.Ready:
            raise OSError(f"cannot read the report just built: {pdf}")

        self.printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self.printer.setDocName(title)
        self.printer.setFullPage(True)  # the PDF carries its own margins
        self.printer.setPageLayout(_layout_of(self.document.pagePointSize(0)))
        self.view = QPdfView(self)
        self.view.setObjectName("previewPages")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.pageNavigator().currentPageChanged.connect(self._on_current_page_changed)

        bar = QToolBar()
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.print_action = bar.addAction(icons.get("print"), self.tr("&Print…"))
        self.print_action.setShortcut(QKeySequence.StandardKey.Print)
        self.print_action.triggered.connect(self.print_document)
        self.save_action = bar.addAction(icons.get("save"), self.tr("Save as P&DF…"))
        self.save_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_action.triggered.connect(self.save_pdf)
        self.excel_action = bar.addAction(icons.get("export-excel"), self.tr("E&xcel…"))
        self.excel_action.setVisible(excel is not None)
        self._excel = excel
        self.excel_action.triggered.connect(self._on_excel_action_triggered)
        bar.addSeparator()
        fit = bar.addAction(self.tr("Fit &width"))
        fit.triggered.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth))
        whole = bar.addAction(self.tr("Whole pa&ge"))
        whole.triggered.connect(lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitInView))
        zoom_in = bar.addAction(self.tr("Zoom in"))
        zoom_in.setShortcut(QKeySequence.StandardKey.ZoomIn)
        zoom_in.triggered.connect(lambda: self._zoom(ZOOM_STEP))
        zoom_out = bar.addAction(self.tr("Zoom out"))
        zoom_out.setShortcut(QKeySequence.StandardKey.ZoomOut)
        zoom_out.triggered.connect(lambda: self._zoom(1 / ZOOM_STEP))
        self.pages_label = QLabel()
        self.pages_label.setObjectName("previewPageCount")
        bar.addSeparator()
        bar.addWidget(self.pages_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(bar)
        layout.addWidget(self.view, 1)
        self.resize(900, 1000)
        self._on_current_page_changed(0)
        self.finished.connect(self._on_finished)
        if cleanup is not None:  # also when the screen that opened it goes first (no `finished` then)
            self.destroyed.connect(lambda: shutil.rmtree(cleanup, ignore_errors=True))

    def page_count(self) -> int:
        """Pages the preview shows: every page of the PDF, as it prints."""
        return self.document.pageCount() if self.view.document() is self.document else 0

    def print_document(self) -> bool:
        """Ask Qt's print dialog for the printer and copies, then print every page; False when cancelled."""
        dialog = QPrintDialog(self.printer, self)
        dialog.setWindowTitle(self.tr("Print {}").format(self.printer.docName()))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        try:
            self.paint_pages(self.printer, PRINT_DPI)
        except OSError as exc:
            messages.warning(self, self.tr("Not printed"), str(exc))
            return False
        messages.status(self.parentWidget() or self, self.tr("Sent {} to the printer").format(
            self.printer.docName()), 8000)
        self.printed.emit()
        return True

    def save_pdf(self) -> Path | None:
        """Copy the PDF (already built, fonts embedded) where the user says."""
        path = self._ask_path(self, self.tr("Save as PDF"), self.file_name, "PDF (*.pdf)")
        if path is None:
            return None
        try:
            shutil.copyfile(self.pdf, path)
        except OSError as exc:
            messages.warning(self, self.tr("Not saved"), self.tr("{} could not be written: {}").format(
                path, exc.strerror or exc))
            return None
        messages.status(self.parentWidget() or self, self.tr("Saved {}").format(path), 8000)
        self.saved.emit(path)
        return path

    def paint_pages(self, printer: QPrinter, dpi: int) -> None:
        """Draw each PDF page on its own printer page, scaled to the paper and centred."""
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError(self.tr("The printer could not start: {}").format(printer.printerName()))
        try:
            for index in range(self.document.pageCount()):
                if index and not printer.newPage():
                    raise OSError(self.tr("The printer stopped after page {}").format(index))
                points = self.document.pagePointSize(index)
                image = self.document.render(index, QSize(round(points.width() * dpi / 72),
                                                          round(points.height() * dpi / 72)))
                paper = QRectF(0, 0, printer.width(), printer.height())
                scale = min(paper.width() / points.width(), paper.height() / points.height())
                target = QRectF(0, 0, points.width() * scale, points.height() * scale)
                target.moveCenter(paper.center())
                painter.drawImage(target, image)
        finally:
            painter.end()

    def _zoom(self, factor: float) -> None:
        current = self.view.zoomFactor()
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.25, min(current * factor, 8.0)))

    def _on_current_page_changed(self, page: int) -> None:
        count = self.document.pageCount()
        self.pages_label.setText(self.tr("Page {} of {}").format(page + 1, count) if count > 1 else
                                 self.tr("1 page"))

    def _on_excel_action_triggered(self) -> None:
        if self._excel is not None:
            self._excel(self)

    def _on_finished(self, _result: int) -> None:
        self.document.close()
        if self._cleanup is not None:
            shutil.rmtree(self._cleanup, ignore_errors=True)


def _layout_of(points: QSizeF) -> QPageLayout:
    """Paper and orientation of the PDF's first page (Letter, or Letter landscape for wide reports)."""
    landscape = points.width() > points.height()
    portrait = QSizeF(points.height(), points.width()) if landscape else points
    return QPageLayout(QPageSize(portrait, QPageSize.Unit.Point), QPageLayout.Orientation.Landscape if landscape
                       else QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0))
